/**
 * Special-file cases: a copy of a real fixture run (in a temp dir) where random side files, or the
 * log itself, are replaced by something that is not a plain file: a FIFO, a symlink to /dev/zero
 * or /dev/urandom, a directory, a dangling symlink, a sparse 1 GB file, an empty file, a file
 * without read permission (not as root: root reads it anyway), a symlink loop. Every case is a
 * deterministic function of (index, seed): `specialCase(i, seed)` and `buildSpecialCase` replay it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {Rand} from '../chaos/prng.js';
import {realRun} from '../helpers/fixtures.js';
import {hasDevZero, hasMkfifo, linkTo, makeFifo} from '../helpers/hostile-files.js';

export const DEFAULT_SEED = 0x5f11e5;

export const KINDS = ['fifo', 'dev-zero', 'dev-urandom', 'directory', 'dangling', 'sparse-1g', 'empty', 'unreadable', 'loop'] as const;
export type Kind = (typeof KINDS)[number];

export const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

/** Kinds this machine can make (and that mean something here: root reads a mode-000 file). */
export function availableKinds(): Kind[] {
	return KINDS.filter(kind => {
		if (kind === 'fifo') return hasMkfifo;
		if (kind === 'dev-zero' || kind === 'dev-urandom') return hasDevZero;
		if (kind === 'unreadable') return !IS_ROOT && process.platform !== 'win32';
		return true;
	});
}

/** A place in a run dir; `log` places may make the one-shot modes stop (exit 2), `side` ones never. */
export type Place = {file: string; role: 'side' | 'log'};

/** The fixtures used (small, and between them every file a run can have), by id. */
export const FIXTURES: Array<{id: string; format: 'binary' | 'legacy'}> = [
	{id: 'dz01opvs', format: 'binary'}, // just started: log + config.yaml; console from files/output.log
	{id: 'yxuthmte', format: 'binary'}, // version only in files/config.yaml
	{id: 'hmvc6afy', format: 'binary'}, // output.log, debug.log, console records, no history
	{id: '31f67q0f', format: 'binary'}, // 903 rows, output.log, debug.log, OutputRecord console
	{id: 'tlc2uulp', format: 'binary'}, // every side file
	{id: 'h0sbxufh', format: 'binary'},
	{id: '29wa70cs', format: 'legacy'},
	{id: 'zp6vyhqw', format: 'legacy'},
];

const BINARY_PLACES = ['files/output.log', 'logs/debug.log', 'files/config.yaml', 'files/wandb-summary.json', 'files/wandb-metadata.json'];
const LEGACY_PLACES = ['output.log', 'config.yaml', 'wandb-summary.json', 'wandb-metadata.json'];
/** Legacy jsonl files are the log: a refusal stops the one-shot modes (the reader reports them as unreadable). */
const LEGACY_LOGS = ['wandb-history.jsonl', 'wandb-events.jsonl'];

/** Every place of a fixture run dir (the log's name is the fixture's `run-<id>.wandb`). */
export function placesOf(fixture: {id: string; format: 'binary' | 'legacy'}): Place[] {
	if (fixture.format === 'legacy') return [...LEGACY_PLACES.map(file => ({file, role: 'side' as const})), ...LEGACY_LOGS.map(file => ({file, role: 'log' as const}))];
	return [...BINARY_PLACES.map(file => ({file, role: 'side' as const})), {file: `run-${fixture.id}.wandb`, role: 'log'}];
}

export type Replacement = {place: Place; kind: Kind; /** sparse-1g: the original bytes at the head (else at the tail, after the hole). */ contentAtHead: boolean};

export type SpecialCase = {
	index: number;
	seed: number;
	fixture: {id: string; format: 'binary' | 'legacy'};
	replacements: Replacement[];
	/** Only side files were replaced: the run must show as it does unmodified. */
	sideOnly: boolean;
	label: string;
};

export function caseRand(index: number, seed: number): Rand {
	let h = Math.imul(seed ^ 0x632be5ab, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
	h ^= h >>> 13;
	return new Rand(h >>> 0);
}

export function specialCase(index: number, seed: number): SpecialCase {
	const r = caseRand(index, seed);
	const kinds = availableKinds();
	const fixture = FIXTURES[index % FIXTURES.length];
	const places = placesOf(fixture);
	// Mostly side files (the rest of the run must show); the log (one of them, legacy) in about one case in five.
	const sides = places.filter(place => place.role === 'side');
	const count = r.chance(0.4) ? 1 : r.int(2, 4);
	const chosen: Place[] = [];
	if (r.chance(0.2)) chosen.push(r.pick(places.filter(place => place.role === 'log')));
	while (chosen.length < count) {
		const place = r.pick(sides);
		if (!chosen.includes(place)) chosen.push(place);
	}
	const replacements = chosen.map(place => ({place, kind: r.pick(kinds), contentAtHead: r.chance(0.5)}));
	const sideOnly = replacements.every(rep => rep.place.role === 'side');
	const label = `${fixture.id}: ${replacements.map(rep => `${rep.place.file}=${rep.kind}${rep.kind === 'sparse-1g' ? (rep.contentAtHead ? '(head)' : '(tail)') : ''}`).join(', ')}`;
	return {index, seed, fixture, replacements, sideOnly, label};
}

/** A copy of the fixture under `root` (its dir name kept); returns the run dir. */
export function copyFixture(root: string, fixtureId: string): string {
	const source = realRun(fixtureId);
	const runDir = path.join(root, path.basename(source).split('__').at(-1)!);
	fs.cpSync(source, runDir, {recursive: true});
	return runDir;
}

const GIB = 1024 ** 3;

/** Puts `kind` where `file` is (or would be). */
export function replace(file: string, kind: Kind, contentAtHead: boolean): void {
	const original = fs.existsSync(file) && fs.lstatSync(file).isFile() ? fs.readFileSync(file) : Buffer.alloc(0);
	fs.rmSync(file, {force: true, recursive: true});
	fs.mkdirSync(path.dirname(file), {recursive: true});
	switch (kind) {
		case 'fifo':
			return makeFifo(file);
		case 'dev-zero':
			return linkTo(file, '/dev/zero');
		case 'dev-urandom':
			return linkTo(file, '/dev/urandom');
		case 'directory':
			fs.mkdirSync(file);
			fs.writeFileSync(path.join(file, 'inside.txt'), 'a file inside\n');
			return;
		case 'dangling':
			return linkTo(file, path.join(path.dirname(file), 'no-such-target'));
		case 'sparse-1g':
			if (contentAtHead) {
				fs.writeFileSync(file, original);
				fs.truncateSync(file, GIB);
			} else {
				fs.writeFileSync(file, '');
				fs.truncateSync(file, GIB - original.length);
				fs.appendFileSync(file, original);
			}
			return;
		case 'empty':
			fs.writeFileSync(file, '');
			return;
		case 'unreadable':
			fs.writeFileSync(file, original);
			fs.chmodSync(file, 0o000);
			return;
		case 'loop':
			fs.symlinkSync(path.basename(file) + '.loop', file);
			fs.symlinkSync(path.basename(file), file + '.loop');
			return;
	}
}

/** The case's run dir under `root` (a fresh copy with the replacements made). */
export function buildSpecialCase(root: string, c: SpecialCase): string {
	const runDir = copyFixture(root, c.fixture.id);
	for (const rep of c.replacements) replace(path.join(runDir, rep.place.file), rep.kind, rep.contentAtHead);
	return runDir;
}
