/**
 * Synthetic finished runs for the benchmarks, written with wbtop's own writer (source/demo/writer.ts),
 * laid out like wandb-core writes them (`wandb/run-<date>-<id>/run-<id>.wandb`, core key encoding:
 * one item per leaf with `nested_key`). Values are JS shortest-repr doubles, which is what Python's
 * `repr(float)` writes too, so the value_json strings have realistic lengths (mostly 16-18 chars).
 *
 * Cached under bench/out/ (git-ignored) and regenerated when missing or when the recipe changes.
 */
import {metricName} from '../test/helpers/live-run.js';
import {closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync, writeSync} from 'node:fs';
import {join} from 'node:path';
import {LogWriter, encodeExit, encodeHeader, encodeHistory, encodeMetric, encodeOutput, encodeRun, encodeStats, encodeSummary} from '../source/demo/writer.js';
import {xorshift32 as random} from '../source/demo/random.js';

export type RunSpec = {
	/** Folder name under bench/out/. */
	name: string;
	rows: number;
	/** User metrics per row (besides `_step`, `_runtime`, `_timestamp`). */
	metrics: number;
	/** A StatsRecord every this many rows (0: none). */
	statsEvery: number;
	/** A console line every this many rows (0: none). */
	consoleEvery: number;
};

/** The main ingest/memory run: 200k rows x 20 metrics, plus stats and console lines (~150 MB). */
export const BIG: RunSpec = {name: 'run-200k', rows: 200_000, metrics: 20, statsEvery: 100, consoleEvery: 20};
/** Growth pair: same small row shape (2 metrics), 10x apart in length. */
export const SMALL_200K: RunSpec = {name: 'run-200k-narrow', rows: 200_000, metrics: 2, statsEvery: 100, consoleEvery: 20};
export const SMALL_2M: RunSpec = {name: 'run-2m-narrow', rows: 2_000_000, metrics: 2, statsEvery: 100, consoleEvery: 20};

/** Bump when the recipe changes, so cached files are rebuilt. */
const RECIPE = 2;


const STATS_KEYS = [
	'cpu', 'memory_percent', 'proc.memory.rssMB', 'proc.memory.percent', 'proc.cpu.threads', 'disk./.usagePercent', 'disk./.usageGB',
	'network.sent', 'network.recv', 'disk.in', 'disk.out',
	...[0, 1, 2, 3].flatMap(g => [`gpu.${g}.gpu`, `gpu.${g}.memory`, `gpu.${g}.memoryAllocated`, `gpu.${g}.temp`, `gpu.${g}.powerWatts`, `gpu.${g}.powerPercent`]),
];

export type GeneratedRun = {runDir: string; wandbDir: string; logFile: string; bytes: number; rows: number; spec: RunSpec};

function metaPath(dir: string): string {
	return join(dir, 'bench-meta.json');
}

/** The run for `spec`, generated if missing (or stale). */
export function ensureRun(outDir: string, spec: RunSpec, log: (line: string) => void = () => {}): GeneratedRun {
	const root = join(outDir, spec.name);
	const wandbDir = join(root, 'wandb');
	const runDir = join(wandbDir, 'run-20261126_120000-bench' + spec.rows);
	const logFile = join(runDir, `run-bench${spec.rows}.wandb`);
	const want = JSON.stringify({recipe: RECIPE, spec});
	if (existsSync(metaPath(root)) && existsSync(logFile)) {
		const meta = JSON.parse(readFileSync(metaPath(root), 'utf8')) as {key: string; bytes: number};
		if (meta.key === want) return {runDir, wandbDir, logFile, bytes: meta.bytes, rows: spec.rows, spec};
	}
	rmSync(root, {recursive: true, force: true});
	mkdirSync(join(runDir, 'files'), {recursive: true});
	symlinkSync(join('run-20261126_120000-bench' + spec.rows), join(wandbDir, 'latest-run'));
	const started = performance.now();
	const bytes = writeRun(logFile + '.tmp', spec);
	renameSync(logFile + '.tmp', logFile);
	writeFileSync(metaPath(root), JSON.stringify({key: want, bytes}));
	log(`generated ${spec.name}: ${spec.rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s`);
	return {runDir, wandbDir, logFile, bytes, rows: spec.rows, spec};
}

/** Writes the whole run; returns its size in bytes. */
function writeRun(file: string, spec: RunSpec): number {
	const fd = openSync(file, 'w');
	const writer = new LogWriter();
	let pending: Uint8Array[] = [];
	let pendingBytes = 0;
	const flush = () => {
		if (pending.length === 0) return;
		writeSync(fd, Buffer.concat(pending, pendingBytes));
		pending = [];
		pendingBytes = 0;
	};
	const put = (bytes: Uint8Array) => {
		pending.push(bytes);
		pendingBytes += bytes.length;
		if (pendingBytes >= 4 << 20) flush();
	};
	const rand = random(12345 + spec.rows + spec.metrics);
	const start = 1_764_158_400; // 2025-11-26T12:00:00Z
	const rowSeconds = 0.1; // 10 rows/s
	put(writer.header());
	put(writer.record(encodeHeader({producer: '0.22.3+bench'})));
	put(
		writer.record(
			encodeRun({
				runId: 'bench' + spec.rows,
				project: 'wbtop-bench',
				entity: 'bench',
				displayName: `bench-${spec.rows}x${spec.metrics}`,
				startTime: start * 1000,
				cliVersion: '0.22.3',
				config: {model: 'gpt2-small', optimizer: {name: 'adamw', lr: 3e-4}, batch_size: 64},
			}),
		),
	);
	put(writer.record(encodeMetric({glob: 'val/*', stepMetric: '_step'})));
	const names = Array.from({length: spec.metrics}, (_, i) => metricName(i));
	const level = names.map(() => 0.5 + rand() * 5);
	let last: Record<string, number> = {};
	for (let step = 0; step < spec.rows; step++) {
		const t = start + step * rowSeconds + rand() * 0.01;
		const values: Record<string, number> = {};
		for (let i = 0; i < names.length; i++) {
			level[i] *= 0.99999;
			values[names[i]] = level[i] * (1 + (rand() - 0.5) * 0.2);
		}
		values._runtime = t - start;
		values._timestamp = t;
		values._step = step;
		last = values;
		put(writer.record(encodeHistory({step, values})));
		if (spec.statsEvery > 0 && step % spec.statsEvery === 0) {
			const stats: Record<string, number> = {};
			for (const key of STATS_KEYS) stats[key] = Math.round(rand() * 1e4) / 100;
			put(writer.record(encodeStats({timestamp: t, values: stats})));
		}
		if (spec.consoleEvery > 0 && step % spec.consoleEvery === 0) {
			const loss = values[names[0]] ?? 0;
			put(writer.record(encodeOutput({stream: 'stdout', text: `step ${step} loss ${loss.toFixed(4)} lr 3.00e-04 tokens/s ${Math.round(rand() * 1e5)}\n`, timestamp: t})));
		}
	}
	put(writer.record(encodeSummary({update: last})));
	put(writer.record(encodeExit({exitCode: 0, runtime: Math.round(spec.rows * rowSeconds)})));
	flush();
	closeSync(fd);
	return writer.size;
}

// `tsx bench/gen.ts`: generate everything now.
if (import.meta.url === `file://${process.argv[1]}`) {
	const out = join(import.meta.dirname, 'out');
	for (const spec of [BIG, SMALL_200K, SMALL_2M]) ensureRun(out, spec, console.log);
}

export {metricName};
