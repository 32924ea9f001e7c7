// The tail reader of `--line` (source/sources/log-end.ts): what it folds must give the status line a
// full read gives (alerts aside: they see only the window), while reading a bounded part of the run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {execFileSync} from 'node:child_process';
import {afterAll, describe, expect, it} from 'vitest';
import {readRunEnd, type LogEnd, type LogEndOptions} from '../../source/sources/log-end.js';
import {locateRun} from '../../source/sources/locate.js';
import {loadRun, alertsFor} from '../../source/modes/load.js';
import {mainMetrics, statusLine} from '../../source/modes/line.js';
import {visibleMetrics} from '../../source/state/selectors.js';
import {initialRunState, reduceRun, type RunState} from '../../source/state/run-state.js';
import {blockStartState, BLOCK_SIZE, decodeLog, INITIAL_STATE} from '../../source/decode/log-framing.js';
import {LogWriter, encodeExit, encodeHeader, encodeHistory, encodeMetric, encodeOutput, encodeRun, encodeStats, encodeSummary, type LogWriterOptions} from '../../source/demo/writer.js';
import {readManifest} from '../helpers/run-files.js';
import {prng} from '../helpers/prng.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-log-end-'));
afterAll(() => fs.rmSync(tmp, {recursive: true, force: true}));

/** The status line without its `| ⚠ N` part. */
const withoutAlerts = (line: string) => line.replace(/ \| ⚠ \d+$/, '');

function tailLine(end: LogEnd): string {
	return statusLine(end.state, null, alertsFor(end.state, null));
}

/** The full read's line and the tail reader's, for the same run. */
function both(runPath: string, options: LogEndOptions = {}): {full: string; tail: string; end: LogEnd; fullError: string | null} {
	const loaded = loadRun(runPath);
	const end = readRunEnd(locateRun(runPath), options);
	return {full: statusLine(loaded.state, null, alertsFor(loaded.state, null)), tail: tailLine(end), end, fullError: loaded.error};
}

function expectSameLine(runPath: string, options: LogEndOptions = {}): LogEnd {
	const {full, tail, end, fullError} = both(runPath, options);
	expect(withoutAlerts(tail), runPath).toBe(withoutAlerts(full));
	expect(end.error, runPath).toBe(fullError);
	return end;
}

let runCount = 0;

/** A binary run dir holding `payloads`, written with the project's writer. */
function writeRun(payloads: Iterable<Uint8Array>, options: LogWriterOptions & {files?: Record<string, string>} = {}): {runDir: string; logFile: string; offsets: number[]; size: number} {
	const id = `t${++runCount}`;
	const runDir = path.join(tmp, `run-20260101_000000-${id}`);
	fs.mkdirSync(path.join(runDir, 'files'), {recursive: true});
	for (const [name, text] of Object.entries(options.files ?? {})) fs.writeFileSync(path.join(runDir, name), text);
	const logFile = path.join(runDir, `run-${id}.wandb`);
	const writer = new LogWriter(options);
	const parts: Uint8Array[] = [writer.header()];
	const offsets: number[] = [];
	for (const payload of payloads) {
		offsets.push(writer.size);
		parts.push(writer.record(payload));
	}
	fs.writeFileSync(logFile, Buffer.concat(parts));
	return {runDir, logFile, offsets, size: writer.size};
}

const T0 = 1_767_225_600;

/** Rows like wandb-core writes them: history, then a summary record of the row's keys. */
function* coreRows(count: number, options: {metrics?: number; first?: number; summaries?: boolean; extra?: (step: number) => Record<string, number> | null} = {}): Generator<Uint8Array> {
	const metrics = options.metrics ?? 6;
	const names = ['train/loss', 'train/acc', 'train/lr', 'val/loss', 'val/acc', 'grad_norm', 'tokens_per_sec', 'epoch'].slice(0, metrics);
	for (let i = 0; i < count; i++) {
		const step = (options.first ?? 0) + i;
		const values: Record<string, number> = {_step: step, _runtime: step / 10, _timestamp: T0 + step / 10};
		names.forEach((name, m) => (values[name] = (m + 1) * Math.exp(-step / 3000) + ((step * 7 + m) % 13) / 1000));
		Object.assign(values, options.extra?.(step) ?? {});
		yield encodeHistory({step, values});
		if (options.summaries) yield encodeSummary({update: Object.fromEntries(Object.entries(values).filter(([key]) => !key.startsWith('_')))});
	}
}

function head(name = 'tail-test'): Uint8Array[] {
	return [encodeHeader({producer: '0.22.3'}), encodeRun({runId: 'x', project: 'p', displayName: name, startTime: T0 * 1000, cliVersion: '0.22.3'})];
}

describe('the real runs', () => {
	const runs = readManifest();

	it('give the full read status line (except the alert count), with every window size', () => {
		const tails = new Map<number, number>();
		for (const run of runs) {
			for (const windowBytes of [8192, 32768, 65536, 262144]) {
				const end = expectSameLine(run.path, {windowBytes, headBytes: 16384});
				if (end.mode === 'tail') tails.set(windowBytes, (tails.get(windowBytes) ?? 0) + 1);
			}
			expectSameLine(run.path); // the defaults
		}
		// The small windows really read only the end of most runs.
		expect(tails.get(8192) ?? 0).toBeGreaterThanOrEqual(8);
		expect(tails.get(32768) ?? 0).toBeGreaterThanOrEqual(8);
	});

	it('a legacy run: the end of wandb-history.jsonl, its metadata and summary', () => {
		const legacy = runs.filter(run => run.format === 'legacy');
		expect(legacy.length).toBeGreaterThan(0);
		for (const run of legacy) {
			const end = expectSameLine(run.path, {windowBytes: 4096});
			expect(end.mode, run.dir).toBe('tail');
			expect(end.windowStart).toBeGreaterThan(0);
		}
	});

	it('mainMetrics picks what the sort by rank, length and localeCompare over visibleMetrics picked', () => {
		const reference = (state: RunState) => {
			const rank = (name: string) => (/loss/i.test(name) ? 0 : /acc|f1|score|reward|return/i.test(name) ? 1 : /lr|learning_rate/i.test(name) ? 3 : 2);
			return visibleMetrics(state, '')
				.map(metric => metric.name)
				.sort((a, b) => rank(a) - rank(b) || a.length - b.length || a.localeCompare(b))
				.slice(0, 3);
		};
		for (const run of runs) {
			const {state} = loadRun(run.path);
			expect(mainMetrics(state), run.dir).toEqual(reference(state));
		}
		// Ties in rank and length, decided by localeCompare (which orders `_` and `/`, case and
		// digits unlike code units), across the cut at three.
		const random = prng(7);
		const pool = ['a/loss', 'a_loss', 'A/loss', 'b/loss', 'loss/1', 'loss_2', 'Loss10', 'x/acc', 'X_acc', 'x/f1', 'lr', 'ppl', 'aux', 'Aux', 'val/loss', 'val_loss'];
		for (let trial = 0; trial < 200; trial++) {
			const state = initialRunState();
			const values: Record<string, number> = {};
			for (const name of pool) if (random() < 0.5) values[name] = random();
			reduceRun(state, {type: 'history', step: 0, values}, 0);
			expect(mainMetrics(state)).toEqual(reference(state));
		}
	});
});

describe('resync at a block boundary', () => {
	it('blockStartState: the start of the block holding an offset, resyncing; block 0 is the file start', () => {
		expect(blockStartState(5)).toEqual(INITIAL_STATE);
		expect(blockStartState(BLOCK_SIZE - 1)).toEqual(INITIAL_STATE);
		expect(blockStartState(BLOCK_SIZE + 100)).toEqual({offset: BLOCK_SIZE, resyncing: true, blockOrigin: 0});
		expect(blockStartState(3 * BLOCK_SIZE)).toEqual({offset: 3 * BLOCK_SIZE, resyncing: true, blockOrigin: 0});
		expect(blockStartState(3 * BLOCK_SIZE + 6, 7)).toEqual({offset: 2 * BLOCK_SIZE + 7, resyncing: true, blockOrigin: 7});
		expect(blockStartState(3 * BLOCK_SIZE + 7, 7)).toEqual({offset: 3 * BLOCK_SIZE + 7, resyncing: true, blockOrigin: 7});
	});

	it('decodes from any block: the records that start there or later, none counted as damage', () => {
		const random = prng(3);
		const payloads = [...head(), ...coreRows(400)];
		// Records of every size, some far bigger than a block.
		for (let i = 0; i < 60; i++) payloads.push(encodeOutput({stream: 'stdout', text: 'x'.repeat(Math.floor(random() * 90_000)) + '\n'}));
		const {logFile} = writeRun(payloads);
		const bytes = fs.readFileSync(logFile);
		const whole = decodeLog(bytes, INITIAL_STATE);
		expect(whole.records).toHaveLength(payloads.length);
		expect(whole.corrupt).toBe(0);
		for (let block = 1; block * BLOCK_SIZE < bytes.length; block++) {
			const state = blockStartState(block * BLOCK_SIZE + 123);
			const part = decodeLog(bytes.subarray(state.offset), state);
			expect(part.corrupt).toBe(0);
			const expected = whole.recordOffsets.filter(offset => offset >= state.offset);
			expect(part.recordOffsets).toEqual(expected);
			expect(part.records.map(r => Buffer.from(r).toString('base64'))).toEqual(whole.records.slice(payloads.length - expected.length).map(r => Buffer.from(r).toString('base64')));
		}
	});

	it('the last records straddle blocks and the last row is bigger than 32 KiB', () => {
		const wide: Record<string, number> = {};
		for (let i = 0; i < 3000; i++) wide[`wide/metric_${String(i).padStart(4, '0')}`] = i / 7;
		const payloads = [...head(), ...coreRows(3000, {summaries: true})];
		payloads.push(encodeOutput({stream: 'stdout', text: 'y'.repeat(70_000) + '\n'}));
		payloads.push(encodeHistory({step: 3000, values: {...wide, 'train/loss': 0.125, _step: 3000}}));
		payloads.push(encodeSummary({update: {'train/loss': 0.125}}), encodeExit({exitCode: 0}));
		const {runDir, offsets, size} = writeRun(payloads);
		const bigRow = offsets[offsets.length - 3];
		expect(size - bigRow).toBeGreaterThan(2 * BLOCK_SIZE);
		for (const windowBytes of [8192, 16384, 65536, 131072, 262144]) {
			const end = expectSameLine(runDir, {windowBytes, headBytes: 16384});
			expect(end.mode).toBe('tail');
			expect(end.state.lastStep).toBe(3000);
			expect(end.state.metrics.get('train/loss')?.series.last).toBe(0.125);
			expect(end.state.integrity.corruptChunks).toBe(0);
		}
		expect(tailLine(readRunEnd(locateRun(runDir)))).toMatch(/^tail-test ✓ finished step 3000 val\/loss \S+ train\/loss 0\.125 /);
	});

	it('the old wandb-core layout (blocks counted from offset 7)', () => {
		const {runDir} = writeRun([...head(), ...coreRows(3000, {summaries: true}), encodeExit({exitCode: 0})], {blockOrigin: 7});
		for (const options of [{windowBytes: 8192, headBytes: 40_000}, {}]) {
			const end = expectSameLine(runDir, options);
			expect(end.mode).toBe('tail');
			expect(end.state.integrity.corruptChunks).toBe(0);
			expect((end.windowStart - 7) % BLOCK_SIZE).toBe(0);
		}
	});
});

describe('damage', () => {
	it('a log cut anywhere in its last records (a torn tail) reads up to the cut, never throws', () => {
		const payloads = [...head(), ...coreRows(2500, {summaries: true}), encodeOutput({stream: 'stdout', text: 'z'.repeat(50_000)}), ...coreRows(3, {first: 2500, summaries: true})];
		const {runDir, logFile, offsets, size} = writeRun(payloads);
		const bytes = fs.readFileSync(logFile);
		const n = offsets.length;
		// In the last record, in its header, in a row after the 50 KB console record, and in that record.
		const cuts = [size - 1, size - 7, offsets[n - 1] + 3, offsets[n - 4] + 10, offsets[n - 7] + 20_000, offsets[n - 7] + 45_000];
		for (const cut of cuts) {
			fs.writeFileSync(logFile, bytes.subarray(0, cut));
			const end = expectSameLine(runDir, {windowBytes: 16384, headBytes: 16384});
			expect(end.state.integrity.tail, `cut at ${cut}`).toBe('partial');
			expect(end.state.exit).toBeNull();
		}
	});

	it('a flipped byte in the window: the damaged block is skipped as the full read skips it', () => {
		const payloads = [...head(), ...coreRows(3000, {summaries: true}), encodeExit({exitCode: 0})];
		const {runDir, logFile, size} = writeRun(payloads);
		const bytes = fs.readFileSync(logFile);
		const random = prng(11);
		for (let trial = 0; trial < 40; trial++) {
			const damaged = Buffer.from(bytes);
			const at = size - 1 - Math.floor(random() * 60_000);
			damaged[at] ^= 1 << Math.floor(random() * 8);
			fs.writeFileSync(logFile, damaged);
			const end = expectSameLine(runDir, {windowBytes: 65536, headBytes: 16384});
			expect(end.mode).toBe('tail');
			expect(loadRun(runDir).state.integrity.corruptChunks).toBeGreaterThanOrEqual(end.state.integrity.corruptChunks);
		}
	});

	it('a file that is not a wandb log: the full reader`s error, nothing read as a run', () => {
		const runDir = path.join(tmp, 'run-20260101_000000-notalog');
		fs.mkdirSync(runDir, {recursive: true});
		fs.writeFileSync(path.join(runDir, 'run-notalog.wandb'), Buffer.alloc(400_000, 0x41));
		const end = expectSameLine(runDir);
		expect(end.error).toMatch(/not a W&B run log/);
		expect(end.state.rows).toBe(0);
		fs.writeFileSync(path.join(runDir, 'run-notalog.wandb'), 'hello\n');
		expect(expectSameLine(runDir).error).toMatch(/not a W&B run log/);
	});

	it('FIFOs and devices where files should be: nothing hangs or floods', () => {
		const {runDir} = writeRun([...head(), ...coreRows(3000), encodeExit({exitCode: 0})]);
		execFileSync('mkfifo', [path.join(runDir, 'files', 'wandb-summary.json')]);
		fs.symlinkSync('/dev/zero', path.join(runDir, 'files', 'output.log'));
		const started = Date.now();
		const end = readRunEnd(locateRun(runDir), {windowBytes: 16384});
		expect(Date.now() - started).toBeLessThan(5000);
		expect(end.mode).toBe('tail');
		expect(tailLine(end)).toMatch(/^tail-test ✓ finished step 2999 /);
		expect(end.bytesRead).toBeLessThan(200_000);

		// The log itself a FIFO: unreadable for both readers, with the full reader's message.
		const fifoRun = path.join(tmp, 'run-20260101_000000-fifo');
		fs.mkdirSync(fifoRun);
		execFileSync('mkfifo', [path.join(fifoRun, 'run-fifo.wandb')]);
		const fifo = readRunEnd(locateRun(fifoRun));
		expect(fifo.unreadable).toBe(true);
		expect(fifo.error).toMatch(/run-fifo\.wandb is not a regular file \(a FIFO\)/);
		expect(() => loadRun(fifoRun)).toThrow(`${fifoRun}/${fifo.error}`);

		// A legacy run whose history and metadata are FIFOs.
		const legacyRun = path.join(tmp, 'run-20191205_192624-fifolegacy');
		fs.mkdirSync(legacyRun);
		execFileSync('mkfifo', [path.join(legacyRun, 'wandb-history.jsonl'), path.join(legacyRun, 'wandb-metadata.json')]);
		const legacy = readRunEnd(locateRun(legacyRun));
		expect(legacy.unreadable).toBe(true);
		expect(legacy.error).toMatch(/wandb-history\.jsonl is not a regular file \(a FIFO\)/);
		expect(() => loadRun(legacyRun)).toThrow(/wandb-history\.jsonl is not a regular file \(a FIFO\)/);
	});
});

describe('what the window does not hold', () => {
	it('a run with no history rows: the windows grow, then the whole log is read', () => {
		const payloads = [...head('no-rows')];
		for (let i = 0; i < 400; i++) payloads.push(encodeStats({timestamp: T0 + i, values: {cpu: i % 100, 'gpu.0.gpu': 50}}), encodeOutput({stream: 'stdout', text: `epoch ${i} `.repeat(100) + '\n'}));
		payloads.push(encodeExit({exitCode: 0}));
		const {runDir, size} = writeRun(payloads);
		expect(size).toBeGreaterThan(300_000);
		let large = 0;
		const end = expectSameLine(runDir, {windowBytes: 16384, maxWindowBytes: 65536, beforeLargeRead: () => large++});
		expect(end.mode).toBe('whole');
		expect(large).toBe(0); // 300 KB is not large
		const big = writeRun([...head('no-rows'), ...Array.from({length: 4000}, (_, i) => encodeOutput({stream: 'stdout', text: `line ${i} `.repeat(40) + '\n'})), encodeExit({exitCode: 0})]);
		expect(big.size).toBeGreaterThan(1024 * 1024);
		expect(expectSameLine(big.runDir, {maxWindowBytes: 256 * 1024, beforeLargeRead: () => large++}).mode).toBe('whole');
		expect(large).toBe(1);
		expect(tailLine(end)).toBe('no-rows ✓ finished step —');
	});

	it('metrics logged only now and then take the newest summary value (records, else wandb-summary.json)', () => {
		// wandb-core: val/* every 1000 steps, a summary record of the row's keys after each row.
		const rows = [...coreRows(5000, {metrics: 3, summaries: true, extra: step => (step % 1000 === 0 ? {'val/loss': step / 1e4, 'val/acc': 1 - step / 1e4} : null)})];
		const summary = JSON.stringify({'val/loss': 0.4, 'val/acc': 0.6, 'train/loss': 0.999, _step: 4999});
		const core = writeRun([...head('core'), ...rows], {files: {'files/wandb-summary.json': summary}});
		const end = expectSameLine(core.runDir, {windowBytes: 16384, headBytes: 16384});
		expect(end.mode).toBe('tail');
		expect(end.filledFrom).toContain('wandb-summary.json');
		expect(end.state.metrics.get('val/loss')?.series.last).toBe(0.4);
		// The window's own rows win over the file.
		expect(end.state.metrics.get('train/loss')?.series.last).not.toBe(0.999);

		// Python: no per-row summaries; the full summary follows the exit record.
		const python = writeRun([
			...head('python'),
			...coreRows(5000, {metrics: 3, extra: step => (step === 10 ? {'test/acc': 0.75} : null)}),
			encodeExit({exitCode: 0}),
			encodeSummary({update: {'test/acc': 0.75, 'train/loss': 1, 'train/acc': 2, 'train/lr': 3}}),
		]);
		const py = expectSameLine(python.runDir, {windowBytes: 16384, headBytes: 16384});
		expect(py.filledFrom).toEqual(['summary records']);
		expect(tailLine(py)).toContain('test/acc 0.75');
	});

	it('define_metric summaries ({"max": …}) are not metrics of their own', () => {
		const payloads = [...head('agg'), encodeMetric({name: 'val/acc', stepMetric: '_step'}), ...coreRows(3000, {metrics: 2, extra: step => (step === 5 ? {'val/acc': 0.5} : null)})];
		const {runDir} = writeRun(payloads, {files: {'files/wandb-summary.json': JSON.stringify({'val/acc': {max: 0.9}, 'train/loss': {min: 0.1}})}});
		const end = readRunEnd(locateRun(runDir), {windowBytes: 16384, headBytes: 16384});
		expect(end.mode).toBe('tail');
		expect([...end.state.metrics.keys()].filter(key => /\.(max|min)$/.test(key))).toEqual([]);
	});

	it('alerts come from the window only: a NaN far back is not counted', () => {
		const rows = [...coreRows(4000, {extra: step => (step === 100 ? {'train/loss': Number.NaN} : null)})];
		const {runDir} = writeRun([...head('nan'), ...rows, encodeExit({exitCode: 0})]);
		const full = loadRun(runDir);
		expect(alertsFor(full.state, null).map(alert => alert.kind)).toContain('nan');
		const end = expectSameLine(runDir);
		expect(alertsFor(end.state, null)).toEqual([]);
	});
});

describe('bounded reads', () => {
	it('a 2k-row run and a 20k-row run: a few windows, far below the file size', () => {
		for (const count of [2000, 20_000]) {
			const {runDir, size} = writeRun([...head(`rows-${count}`), ...coreRows(count, {metrics: 8, summaries: count === 2000}), encodeExit({exitCode: 0})]);
			const end = expectSameLine(runDir);
			expect(end.mode).toBe('tail');
			expect(end.bytesRead).toBeLessThan(200_000);
			expect(end.bytesRead * (count === 2000 ? 3 : 20)).toBeLessThan(size);
			expect(end.state.lastStep).toBe(count - 1);
		}
	});

	it('a legacy run with a long history: its end only; steps logged on two lines are merged', () => {
		const runDir = path.join(tmp, 'run-20191205_192624-legacy1');
		fs.mkdirSync(runDir, {recursive: true});
		const lines: string[] = [];
		for (let step = 0; step < 20_000; step++) {
			lines.push(JSON.stringify({loss: 1 / (step + 1), _step: step, _runtime: step, _timestamp: T0 + step}));
			if (step % 3 === 0) lines.push(JSON.stringify({acc: step / 20_000, loss: 9, _step: step}));
		}
		fs.writeFileSync(path.join(runDir, 'wandb-history.jsonl'), lines.join('\n') + '\n{"loss": 0.5, "_st');
		fs.writeFileSync(path.join(runDir, 'wandb-metadata.json'), JSON.stringify({name: 'legacy-long', state: 'killed', exitcode: 255}));
		fs.writeFileSync(path.join(runDir, 'wandb-summary.json'), JSON.stringify({loss: 0.1, acc: 0.9}));
		const size = fs.statSync(path.join(runDir, 'wandb-history.jsonl')).size;
		for (const windowBytes of [1000, 4096, 65536]) {
			const end = expectSameLine(runDir, {windowBytes});
			expect(end.mode).toBe('tail');
			expect(end.state.integrity.tail).toBe('partial');
			expect(end.bytesRead).toBeLessThan(size / 5);
		}
		expect(tailLine(readRunEnd(locateRun(runDir)))).toMatch(/^legacy-long ✗ crashed step 19999 loss \S+ acc 0\.9999$/);
	});
});
