/**
 * Chaos: a writer appends a long run to a `.wandb` file in random pieces, with random pauses,
 * while a RunTail (chokidar hints + stat poll, or poll only) follows it. At the end the tail must
 * hold exactly what was written: every history row once, in order, with its values, and the same
 * console text. A wandb-core-style variant writes whole 32 KiB blocks and ends mid-record until
 * the final flush.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {Integrity, RunEvent} from '../../source/decode/run-events.js';
import {BLOCK_SIZE} from '../../source/decode/log-framing.js';
import {locateRun} from '../../source/sources/locate.js';
import {RunTail} from '../../source/sources/run-tail.js';
import {encodeExit, encodeHeader, encodeHistory, encodeMetric, encodeOutput, encodeRun, encodeStats, encodeSummary, LogWriter} from '../../source/demo/writer.js';
import {Rand} from './prng.js';

const ROWS = 10_500;
const RUN_NAME = 'run-20250301_120000-chaos01';

/** What the writer put in the file, and where each record ends. */
type Written = {
	bytes: Buffer;
	/** Per history row: step and the `train/loss` value (NaN now and then). */
	rows: Array<{step: number; loss: number; lr: number}>;
	/** File offset just past each history row's record (same order as rows). */
	rowEnds: number[];
	/** File offset just past every record, in order. */
	recordEnds: number[];
	console: string;
	stats: number;
};

/**
 * A long run: 10.5k history rows (both key encodings: Python items with whole JSON values, core
 * items with nested_key leaves), a stats record every 50 rows, a console chunk every 3 rows
 * (plain lines and `\r` progress redraws), and a few records bigger than a block (a 40 KB console
 * chunk, a 70 KB history row) so FIRST/MIDDLE/LAST chunks cross block boundaries.
 */
function buildRun(seed: number): Written {
	const rand = new Rand(seed);
	const writer = new LogWriter();
	const parts: Uint8Array[] = [writer.header()];
	const rows: Written['rows'] = [];
	const rowEnds: number[] = [];
	const recordEnds: number[] = [];
	let consoleText = '';
	let stats = 0;
	const add = (payload: Uint8Array) => {
		parts.push(writer.record(payload));
		recordEnds.push(writer.size);
	};
	const t0 = 1_740_000_000;

	add(encodeHeader({producer: '0.22.3+chaos'}));
	add(encodeRun({runId: 'chaos01', project: 'chaos', displayName: 'chaos-run', startTime: t0 * 1000, cliVersion: '0.22.3', config: {lr: 3e-4, model: {depth: 50}}}));
	add(encodeMetric({name: 'epoch', defined: true}));
	for (let i = 0; i < ROWS; i++) {
		const loss = i % 997 === 13 ? NaN : rand.next() * 3;
		const lr = 1e-4 + rand.next() * 1e-4;
		const values: Record<string, unknown> = {
			'train/loss': loss,
			'train/acc': rand.next(),
			// Nested: the Python encoding writes {"lr": x} under "opt", core writes the leaf opt.lr.
			opt: {lr},
			epoch: Math.floor(i / 1000),
			_step: i,
			_runtime: i * 0.05,
			_timestamp: t0 + i * 0.05,
		};
		if (i % 2500 === 1234) values.blob = 'x'.repeat(70_000); // a record spanning three blocks
		add(encodeHistory({step: i, values, encoding: i % 3 === 0 ? 'python' : 'core', num: i + 10}));
		rows.push({step: i, loss, lr});
		rowEnds.push(writer.size);
		if (i % 3 === 0) {
			let text: string;
			if (i % 3000 === 1500) text = `${'y'.repeat(40_000)}\n`; // a record spanning two blocks
			else if (i % 9 === 0) text = `\rEpoch ${Math.floor(i / 1000)}: ${i % 1000}/1000 loss=${Number.isNaN(loss) ? 'nan' : loss.toFixed(4)}`;
			else text = `step ${i}: loss ${loss} — ünïcödé ✓\n`;
			add(encodeOutput({stream: i % 2 === 0 ? 'stdout' : 'stderr', text, timestamp: t0 + i * 0.05}));
			consoleText += text;
		}
		if (i % 50 === 0) {
			add(encodeStats({timestamp: t0 + i * 0.05, values: {'gpu.0.gpu': rand.next() * 100, cpu: rand.next() * 100, memory_percent: 40}}));
			stats++;
		}
		if (i % 1000 === 999) add(encodeSummary({update: {'train/loss': loss, epoch: Math.floor(i / 1000)}, encoding: i % 2000 === 999 ? 'python' : 'core'}));
	}
	add(encodeOutput({stream: 'stdout', text: 'done\n'}));
	consoleText += 'done\n';
	add(encodeExit({exitCode: 0, runtime: Math.round(ROWS * 0.05)}));
	return {bytes: Buffer.concat(parts), rows, rowEnds, recordEnds, console: consoleText, stats};
}

/** What the tail delivered. */
class Collected {
	steps: Array<number | null> = [];
	losses: unknown[] = [];
	lrs: unknown[] = [];
	console = '';
	stats = 0;
	exits = 0;
	resets = 0;
	errors: string[] = [];
	integrity: Integrity | null = null;

	onEvents(events: RunEvent[], integrity: Integrity): void {
		this.integrity = integrity;
		for (const event of events) {
			if (event.type === 'history') {
				this.steps.push(event.step);
				this.losses.push(event.values['train/loss']);
				this.lrs.push(event.values['opt.lr']);
			} else if (event.type === 'console') {
				this.console += event.text;
			} else if (event.type === 'stats') {
				this.stats++;
			} else if (event.type === 'exit') {
				this.exits++;
			}
		}
	}
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function until(test: () => boolean, timeoutMs: number): Promise<boolean> {
	const end = Date.now() + timeoutMs;
	while (Date.now() < end) {
		if (test()) return true;
		await sleep(20);
	}
	return test();
}

/** First index where the tail's rows differ from the writer's, or -1. */
function firstMismatch(written: Written, got: Collected): number {
	const n = Math.max(written.rows.length, got.steps.length);
	for (let i = 0; i < n; i++) {
		const want = written.rows[i];
		if (want === undefined || got.steps[i] !== want.step || !Object.is(got.losses[i], want.loss) || got.lrs[i] !== want.lr) return i;
	}
	return -1;
}

function describeMismatch(written: Written, got: Collected, i: number): string {
	const around = (k: number) => `#${k}: wrote step ${written.rows[k]?.step} loss ${written.rows[k]?.loss}, read step ${got.steps[k]} loss ${String(got.losses[k])}`;
	return `rows differ at index ${i} (wrote ${written.rows.length}, read ${got.steps.length})\n${[i - 1, i, i + 1].filter(k => k >= 0).map(around).join('\n')}`;
}

/** Checks everything the tail delivered against what was written. */
function expectExact(written: Written, got: Collected): void {
	const mismatch = firstMismatch(written, got);
	expect(mismatch, mismatch < 0 ? '' : describeMismatch(written, got, mismatch)).toBe(-1);
	expect(got.steps.length).toBe(written.rows.length);
	expect(got.console.length).toBe(written.console.length);
	expect(got.console === written.console, 'console text differs').toBe(true);
	expect(got.stats).toBe(written.stats);
	expect(got.exits).toBe(1);
	expect(got.resets).toBe(0);
	expect(got.errors).toEqual([]);
	expect(got.integrity).toEqual({tail: 'clean', corruptChunks: 0, undecodableRecords: 0});
}

/** True when the file cut at `size` ends inside a record (not at a record end or in block padding). */
function endsMidRecord(written: Written, size: number): boolean {
	let lastEnd = 0;
	for (const end of written.recordEnds) {
		if (end > size) break;
		lastEnd = end;
	}
	// Fewer than 7 bytes between the last record and the block end are zero padding.
	return size - lastEnd >= 7 && lastEnd < written.bytes.length;
}

let tmp: string;
beforeEach(() => {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-chaos-'));
});
afterEach(() => {
	fs.rmSync(tmp, {recursive: true, force: true});
});

/** A run dir whose log does not exist yet (the tail must pick it up when it appears). */
function runDir(): {dir: string; log: string} {
	const dir = path.join(tmp, 'wandb', RUN_NAME);
	fs.mkdirSync(dir, {recursive: true});
	return {dir, log: path.join(dir, 'run-chaos01.wandb')};
}

function startTail(dir: string, got: Collected, poll: boolean): RunTail {
	const tail = new RunTail(locateRun(dir), {
		poll,
		onEvents: (events, integrity) => got.onEvents(events, integrity),
		onReset: () => got.resets++,
		onError: error => got.errors.push(error.message),
	});
	tail.start();
	return tail;
}

/** Python-writer-like: random pieces of 1 B to 64 KiB (log-uniform), random short pauses. */
async function writeRandomPieces(log: string, bytes: Buffer, rand: Rand): Promise<number> {
	const fd = fs.openSync(log, 'a');
	let pieces = 0;
	try {
		for (let at = 0; at < bytes.length; ) {
			const size = Math.min(bytes.length - at, rand.logInt(1, 64 * 1024));
			fs.writeSync(fd, bytes, at, size);
			at += size;
			pieces++;
			// Mostly a tick or two (reads land between writes), sometimes a real pause.
			if (rand.chance(0.25)) await sleep(rand.int(1, 12));
			else await new Promise(resolve => setImmediate(resolve));
		}
	} finally {
		fs.closeSync(fd);
	}
	return pieces;
}

describe('a RunTail following a log written in random pieces', () => {
	for (const poll of [false, true]) {
		const mode = poll ? 'poll only' : 'chokidar events + stat poll';
		it(`${mode}: every row exactly once, in order, with its values; the same console text`, async () => {
			const written = buildRun(poll ? 2 : 1);
			const {dir, log} = runDir();
			const got = new Collected();
			const tail = startTail(dir, got, poll);
			const started = Date.now();
			let pieces = 0;
			try {
				pieces = await writeRandomPieces(log, written.bytes, new Rand(poll ? 20 : 10));
				const writeMs = Date.now() - started;
				await until(() => got.exits > 0 && got.steps.length >= written.rows.length, 10_000);
				// Let a few more hints and polls go by: nothing may arrive twice.
				await sleep(poll ? 2200 : 1200);
				console.log(
					`chaos (${mode}): ${written.bytes.length} bytes in ${pieces} pieces over ${writeMs} ms; ` +
						`rows written ${written.rows.length}, read ${got.steps.length}; console chars written ${written.console.length}, read ${got.console.length}; ` +
						`stats written ${written.stats}, read ${got.stats}; caught up after ${Date.now() - started} ms total`,
				);
			} finally {
				tail.stop();
			}
			expectExact(written, got);
		}, 40_000);
	}
});

describe('a RunTail following a wandb-core-style log (whole 32 KiB blocks)', () => {
	it('lags by at most the unflushed block, never shows half a record, and holds everything after the final flush', async () => {
		const written = buildRun(3);
		const {dir, log} = runDir();
		fs.writeFileSync(log, ''); // core before 0.23: the file exists, empty, until a block fills
		const got = new Collected();
		const tail = startTail(dir, got, false);
		const rand = new Rand(30);
		const fullBlocks = Math.floor(written.bytes.length / BLOCK_SIZE);
		let flushed = 0;
		let writes = 0;
		let midRecordStops = 0;
		try {
			const fd = fs.openSync(log, 'a');
			try {
				for (let block = 0; block < fullBlocks; ) {
					const n = Math.min(fullBlocks - block, rand.int(1, 3));
					fs.writeSync(fd, written.bytes, block * BLOCK_SIZE, n * BLOCK_SIZE);
					block += n;
					flushed = block * BLOCK_SIZE;
					writes++;
					if (endsMidRecord(written, flushed)) midRecordStops++;
					// Now and then, check the tail against what a block-aligned prefix can hold.
					if (writes % 8 === 0) {
						const complete = written.rowEnds.filter(end => end <= flushed).length;
						expect(await until(() => got.steps.length >= complete, 5000), `rows read ${got.steps.length} < ${complete} complete in ${flushed} bytes`).toBe(true);
						expect(got.steps.length).toBe(complete);
					}
					await sleep(rand.int(5, 40));
				}
				// Before the final flush: exactly the rows whose records are wholly on disk.
				const complete = written.rowEnds.filter(end => end <= flushed).length;
				expect(await until(() => got.steps.length >= complete, 5000)).toBe(true);
				await sleep(700);
				expect(got.steps.length).toBe(complete);
				expect(got.exits).toBe(0);
				expect(got.integrity?.tail).toBe('partial'); // the file ends inside a record
				expect(endsMidRecord(written, flushed)).toBe(true);
				console.log(`chaos (core blocks): before the final flush ${flushed} of ${written.bytes.length} bytes on disk, rows read ${got.steps.length} of ${written.rows.length}`);
				// The final flush (close): the partial last block.
				fs.writeSync(fd, written.bytes, flushed, written.bytes.length - flushed);
			} finally {
				fs.closeSync(fd);
			}
			await until(() => got.exits > 0 && got.steps.length >= written.rows.length, 10_000);
			await sleep(1200);
			console.log(
				`chaos (core blocks): ${written.bytes.length} bytes in ${writes + 1} writes (${fullBlocks} blocks + final flush); ` +
					`rows written ${written.rows.length}, read ${got.steps.length}; console chars written ${written.console.length}, read ${got.console.length}; stats written ${written.stats}, read ${got.stats}`,
			);
		} finally {
			tail.stop();
		}
		expect(midRecordStops).toBeGreaterThan(0);
		expectExact(written, got);
	}, 40_000);
});
