/** Shared helpers for the run/ tests: the fixture MANIFEST, fixture paths, decoding shortcuts. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {FlatValues, RunEvent} from '../../source/decode/run-events.js';
import {decodeLog} from '../../source/decode/log-framing.js';
import {RecordDecoder} from '../../source/decode/records.js';
export {prng as rng} from './prng.js';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'real-runs');

/** One row of MANIFEST.tsv with its `notes` column parsed. */
export type ManifestRun = {
	dir: string;
	path: string;
	version: string;
	format: 'binary' | 'legacy';
	/** `metrics=N`: numeric history keys. */
	metrics: number;
	rows: number;
	/** From `finished(exit 0)`, `crashed(exit N)` or the legacy `exitcode=N`; null for `unfinished`. */
	exitCode: number | null;
	/** What the MANIFEST calls the run: finished / crashed / unfinished, or the legacy metadata state. */
	manifestState: string;
	tail: 'clean' | 'partial';
	/** `media=yes:a,b,c`: the first (up to 3, sorted) media keys; [] for `media=no`. */
	media: string[];
	/** `system_metrics=yes(N)`: number of system-metrics samples (stats records / events lines). */
	systemMetrics: number;
	/** `nonfinite_keys=N` (0 when absent). */
	nonfiniteKeys: number;
	/** `metric_records=N` (0 when absent). */
	metricRecords: number;
	notes: string;
};

/** Parses MANIFEST.tsv. Throws on a row it cannot read, so a format change fails loudly. */
export function readManifest(): ManifestRun[] {
	const [header, ...lines] = fs.readFileSync(path.join(FIXTURES, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
	const columns = header.split('\t');
	const col = (cells: string[], name: string) => {
		const i = columns.indexOf(name);
		if (i < 0) throw new Error(`MANIFEST has no column ${name}`);
		return cells[i];
	};
	return lines.map(line => {
		const cells = line.split('\t');
		const notes = col(cells, 'notes');
		const field = (re: RegExp) => re.exec(notes);
		const need = (re: RegExp) => {
			const m = field(re);
			if (!m) throw new Error(`MANIFEST notes lack ${re} in: ${notes}`);
			return m;
		};
		const dir = col(cells, 'dir');
		let exitCode: number | null;
		let manifestState: string;
		const legacy = field(/legacy metadata state=(\w+) exitcode=(-?\d+)/);
		if (legacy) {
			manifestState = legacy[1];
			exitCode = Number(legacy[2]);
		} else {
			const m = need(/(?:^|; )(finished|crashed|unfinished)\((?:exit (-?\d+)|no exit record)\)/);
			manifestState = m[1];
			exitCode = m[2] === undefined ? null : Number(m[2]);
		}
		const media = need(/media=(no|yes:[^;]*)/)[1];
		return {
			dir,
			path: path.join(FIXTURES, dir),
			version: col(cells, 'wandb_version'),
			format: col(cells, 'format') === 'binary' ? 'binary' : 'legacy',
			metrics: Number(need(/metrics=(\d+)/)[1]),
			rows: Number(need(/rows=(\d+)/)[1]),
			exitCode,
			manifestState,
			tail: need(/tail=(clean|partial)/)[1] as 'clean' | 'partial',
			media: media === 'no' ? [] : media.slice(4).split(','),
			systemMetrics: Number(need(/system_metrics=(?:yes|no)\((\d+)\)/)[1]),
			nonfiniteKeys: Number(field(/nonfinite_keys=(\d+)/)?.[1] ?? 0),
			metricRecords: Number(field(/metric_records=(\d+)/)?.[1] ?? 0),
			notes,
		};
	});
}

/** The `.wandb` file of a fixture run dir. */
export function logFileOf(runDir: string): string {
	const name = fs.readdirSync(runDir).find(n => n.endsWith('.wandb'));
	if (!name) throw new Error(`no .wandb in ${runDir}`);
	return path.join(runDir, name);
}

/** Decodes a whole `.wandb` byte array into events (framing + records). */
export function decodeEvents(bytes: Uint8Array): RunEvent[] {
	const decoded = decodeLog(bytes);
	const decoder = new RecordDecoder();
	const events: RunEvent[] = [];
	for (const record of decoded.records) decoder.decode(record, events);
	return events;
}

export type HistoryEvent = Extract<RunEvent, {type: 'history'}>;

export function historyOf(events: RunEvent[]): HistoryEvent[] {
	return events.filter((e): e is HistoryEvent => e.type === 'history');
}

/** Doc §7: history leaves with a numeric value, not starting with `_`, not media (already folded). */
export function isMetricKey(key: string, value: unknown): value is number {
	return typeof value === 'number' && !key.startsWith('_');
}

/** Last value of every numeric history key. */
export function lastNumericValues(events: RunEvent[]): Map<string, number> {
	const last = new Map<string, number>();
	for (const row of historyOf(events)) {
		for (const [key, value] of Object.entries(row.values)) if (isMetricKey(key, value)) last.set(key, value);
	}
	return last;
}

/** Summary after applying every summary event. */
export function foldSummary(events: RunEvent[]): FlatValues {
	const summary: FlatValues = {};
	for (const e of events) {
		if (e.type !== 'summary') continue;
		Object.assign(summary, e.update);
		for (const key of e.remove) delete summary[key];
	}
	return summary;
}

/** Equality where NaN equals NaN. */
export function sameNumber(a: unknown, b: unknown): boolean {
	return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'wbtop-run-'): {dir: string; cleanup: () => void} {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	return {dir, cleanup: () => fs.rmSync(dir, {recursive: true, force: true})};
}

/** Copies a directory tree (fixtures are small). */
export function copyDir(from: string, to: string): void {
	fs.cpSync(from, to, {recursive: true});
}

