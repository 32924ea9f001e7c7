/** Paths to the real runs copied into test/fixtures (see test/fixtures/real-runs/MANIFEST.tsv). */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const REAL_RUNS = join(ROOT, 'test', 'fixtures', 'real-runs');
export const CLI = join(ROOT, 'dist', 'cli.js');

/** A real run directory by a unique part of its name (e.g. its run id). */
export function realRun(part: string): string {
	const rows = readFileSync(join(REAL_RUNS, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1);
	const matches = rows.map(row => row.split('\t')[0]).filter(dir => dir.includes(part));
	if (matches.length !== 1) throw new Error(`expected one fixture matching ${part}, found ${matches.length}`);
	return join(REAL_RUNS, matches[0]);
}

/** MANIFEST.tsv as objects keyed by its header. */
export function manifest(): Array<Record<string, string>> {
	const [header, ...rows] = readFileSync(join(REAL_RUNS, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
	const names = header.split('\t');
	return rows.map(row => Object.fromEntries(row.split('\t').map((cell, i) => [names[i], cell])));
}
