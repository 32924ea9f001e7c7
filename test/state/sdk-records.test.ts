/**
 * Records current SDKs write that wbtop used to skip (issue 13, item 3), on logs written with the
 * project's writer and read the way every one-shot mode reads a run (loadRun): output_logger lines
 * in the console, wandb.alert() in the alert line, --check and --once --json, an exit that does
 * not end the run (not_complete, a shared-mode secondary's), a summary removal of a nested key,
 * and a header-only log that still has its run id and SDK version.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {ProtoWriter} from '../../source/decode/protobuf.js';
import {RecordField} from '../../source/decode/records.js';
import {
	encodeAlert,
	encodeExit,
	encodeHeader,
	encodeHistory,
	encodeOutput,
	encodeOutputLogger,
	encodeRun,
	encodeSummary,
	encodeTelemetry,
	LogWriter,
} from '../../source/demo/writer.js';
import {alertsFor, loadRun} from '../../source/modes/load.js';
import {checkRun} from '../../source/modes/check.js';
import {runReport} from '../../source/modes/report.js';
import {onceText} from '../../source/modes/once.js';
import {statusLine} from '../../source/modes/line.js';
import {readRunEnd} from '../../source/sources/log-end.js';
import {locateRun} from '../../source/sources/locate.js';
import {initialHostState} from '../../source/state/host-state.js';
import {realRun} from '../helpers/fixtures.js';

const made: string[] = [];
afterEach(() => {
	for (const dir of made.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

/** A run dir `run-<date>-<id>` holding `run-<id>.wandb` with these records (the header record first unless given). */
function writeRun(records: Uint8Array[], options: {id?: string; dirName?: string} = {}): string {
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-sdk-'));
	made.push(tmp);
	const id = options.id ?? 'abc123xy';
	const runDir = path.join(tmp, options.dirName ?? `run-20260101_120000-${id}`);
	fs.mkdirSync(path.join(runDir, 'files'), {recursive: true});
	const writer = new LogWriter();
	const bytes = [writer.header(), ...records.map(record => writer.record(record))];
	fs.writeFileSync(path.join(runDir, `run-${id}.wandb`), Buffer.concat(bytes));
	return runDir;
}

const start = Date.UTC(2026, 0, 1, 12);
const t = (seconds: number) => start / 1000 + seconds;
const rows = (n: number) => Array.from({length: n}, (_, step) => encodeHistory({step, values: {_step: step, _timestamp: t(step), _runtime: step, loss: 1 / (step + 1)}}));
const begin = (version = '0.27.2') => [encodeHeader({producer: `${version}+abc`}), encodeRun({runId: 'abc123xy', project: 'p', startTime: start})];

describe('output_logger records (0.27+)', () => {
	it('join the console as whole stdout lines, between captured chunks, never glued to a progress bar', () => {
		const runDir = writeRun([
			...begin(),
			encodeOutput({stream: 'stdout', text: 'epoch 1\n', timestamp: t(1)}),
			// A progress bar on stdout mid-redraw: no newline yet.
			encodeOutput({stream: 'stdout', text: '\r 50%|█████     | 5/10', timestamp: t(2)}),
			encodeOutputLogger({line: 'INFO:trainer:checkpoint saved to /ckpt/1\n'}),
			encodeOutputLogger({line: 'WARNING:data:2 shards missing\nINFO:data:using 14\n'}),
			encodeOutput({stream: 'stdout', text: '\r100%|██████████| 10/10\n', timestamp: t(3)}),
			encodeExit({exitCode: 0, runtime: 3}),
		]);
		const {state} = loadRun(runDir);
		const lines = state.console.lines().map(line => `${line.stream}: ${line.text}`);
		expect(lines).toEqual([
			'stdout: epoch 1',
			'stdout: INFO:trainer:checkpoint saved to /ckpt/1',
			'stdout: WARNING:data:2 shards missing',
			'stdout: INFO:data:using 14',
			'stdout: 100%|██████████| 10/10',
		]);
		expect(state.consoleSource).toBe('console records');
	});

	it('are a console of their own in a run that captures nothing else, and reach --once --json', () => {
		const runDir = writeRun([...begin(), encodeOutputLogger({line: 'hello from write_logs\n'}), encodeOutputLogger({line: 'a traceback-free line\n'})]);
		const loaded = loadRun(runDir);
		expect(loaded.state.console.lines().map(line => line.text)).toEqual(['hello from write_logs', 'a traceback-free line']);
		expect(runReport(loaded.state, loaded.location, null).console).toEqual({lines: 2, source: 'console records'});
	});
});

describe('wandb.alert() records', () => {
	const alerting = (level: 'INFO' | 'WARN' | 'ERROR' | undefined, extra: Uint8Array[] = []) =>
		writeRun([
			...begin(),
			...rows(5),
			encodeAlert({title: 'Loss diverged', text: 'loss 3.2 > 1.0 at step 4', level, waitMs: 60_000}),
			...extra,
			encodeExit({exitCode: 0, runtime: 5}),
		]);

	it('an ERROR alert fails --check (exit 2) on an otherwise finished run, and names its title and text', () => {
		const {state} = loadRun(alerting('ERROR'));
		const alerts = alertsFor(state, null);
		const result = checkRun(state, alerts);
		expect(result.exitCode).toBe(2);
		expect(result.lines).toEqual(['wandb-alert: wandb.alert ERROR: Loss diverged: loss 3.2 > 1.0 at step 4 (step 4)']);
	});

	it('WARN exits 1; INFO (also the default level) is listed and leaves the exit code alone', () => {
		const warn = loadRun(alerting('WARN')).state;
		expect(checkRun(warn, alertsFor(warn, null)).exitCode).toBe(1);
		for (const level of ['INFO', undefined] as const) {
			const info = loadRun(alerting(level)).state;
			const result = checkRun(info, alertsFor(info, null));
			expect(result.exitCode).toBe(0);
			expect(result.lines).toEqual(['wandb-alert: wandb.alert INFO: Loss diverged: loss 3.2 > 1.0 at step 4 (step 4)']);
		}
		// An INFO alert does not hide a real warning's exit code either.
		const nan = loadRun(alerting('INFO', [encodeHistory({step: 5, values: {_step: 5, _timestamp: t(5), loss: NaN}})])).state;
		expect(checkRun(nan, alertsFor(nan, null)).exitCode).toBe(1);
	});

	it('--once --json lists it as kind wandb-alert with its level, title and text (raw), repeats counted once', () => {
		const runDir = alerting('WARN', [encodeAlert({title: 'Loss diverged', text: 'still 3.5\u001b[31m', level: 'WARN'})]);
		const loaded = loadRun(runDir);
		const report = runReport(loaded.state, loaded.location, null, alertsFor(loaded.state, null));
		expect(report.alerts).toEqual([
			{kind: 'wandb-alert', severity: 'warning', message: 'wandb.alert WARN: Loss diverged: still 3.5 (2×, last at step 4)', level: 'WARN', title: 'Loss diverged', text: 'still 3.5\u001b[31m', count: 2},
		]);
	});

	it('shows in the dashboard alert line, escape codes stripped', () => {
		const runDir = alerting('ERROR', [encodeAlert({title: 'GPU \u001b]0;pwned\u0007hot', text: 'temp 92C', level: 'ERROR'})]);
		const loaded = loadRun(runDir);
		const text = onceText(loaded, initialHostState(), 160, 30);
		const alertLine = text.split('\n').find(line => line.includes('⚠'));
		expect(alertLine).toContain('2 alerts: wandb.alert ERROR: Loss diverged: loss 3.2 > 1.0 at step 4 (step 4); wandb.alert ERROR: GPU hot: temp 92C');
		expect(text).not.toMatch(/[\u001b\u0007]/);
	});
});

/** An EnvironmentRecord (26) as the primary writer writes it first (software fields). */
const environment = () => new ProtoWriter().messageField(RecordField.environment, new ProtoWriter().stringField(1, 'Linux-6.8.0-x86_64').stringField(12, 'node-1')).finish();

describe('an exit that does not end the run', () => {
	it('exit.not_complete (0.26.1+): the run stays running, says why, and --check does not call it finished or crashed', () => {
		const loaded = loadRun(writeRun([...begin(), ...rows(3), encodeExit({exitCode: 0, runtime: 3, notComplete: true})]));
		const report = runReport(loaded.state, loaded.location, null, [], null, start + 3_600_000);
		expect(report.run.state).toBe('running');
		expect(report.run.exitCode).toBeNull();
		expect(report.run.stateReason).toBe('this writer detached (exit record not_complete): the run goes on without it');
		// An hour without rows is no stall for a writer that said it left.
		const alerts = alertsFor(loaded.state, null);
		expect(checkRun(loaded.state, alerts, start + 3_600_000)).toEqual({lines: ['ok: running, step 2'], exitCode: 0});
	});

	it("a shared-mode secondary's ordinary exit (no environment record) does not end the run; the primary's does", () => {
		const shared = (version: string, extra: Uint8Array[]) => [encodeHeader({producer: `${version}+abc`}), encodeRun({runId: 'abc123xy', startTime: start}), ...extra, encodeTelemetry({cliVersion: version, sharedMode: true}), ...rows(3), encodeExit({exitCode: 0, runtime: 3})];
		const secondary = loadRun(writeRun(shared('0.26.1', []))).state;
		expect(runReport(secondary, loadRun(writeRun(shared('0.26.1', []))).location, null).run.state).toBe('running');
		expect(secondary.detached?.how).toBe('secondary');
		// The primary writes environment records: its exit ends the run.
		expect(loadRun(writeRun(shared('0.26.1', [environment()]))).state.exit).toEqual({code: 0, runtime: 3});
		// Before 0.26.1 secondaries wrote no exit record at all: an exit there is the primary's.
		expect(loadRun(writeRun(shared('0.25.0', []))).state.exit).toEqual({code: 0, runtime: 3});
		// Not shared mode: an ordinary exit, environment record or not.
		const plain = loadRun(writeRun([...begin(), ...rows(2), encodeExit({exitCode: 1, runtime: 2})])).state;
		expect(plain.exit).toEqual({code: 1, runtime: 2});
	});
});

describe('summary removals', () => {
	it('removing `val` removes its nested val.* leaves (core and Python encodings), not `valx` or `val_loss`', () => {
		for (const encoding of ['core', 'python'] as const) {
			const runDir = writeRun([
				...begin(),
				encodeSummary({update: {val: {acc: 0.9, loss: {min: 0.1, last: 0.2}}, valx: 1, val_loss: 2, other: 3}, encoding}),
				encodeSummary({update: {}, remove: ['val']}),
			]);
			const loaded = loadRun(runDir);
			expect(Object.keys(runReport(loaded.state, loaded.location, null).summary), encoding).toEqual(['other', 'val_loss', 'valx']);
		}
	});

	it('removing a nested leaf (val.loss) keeps its siblings', () => {
		const runDir = writeRun([...begin(), encodeSummary({update: {val: {acc: 0.9, loss: {min: 0.1}}}}), encodeSummary({update: {}, remove: ['val.loss']})]);
		const loaded = loadRun(runDir);
		expect(runReport(loaded.state, loaded.location, null).summary).toEqual({'val.acc': 0.9});
	});
});

describe('a 7-byte header-only log', () => {
	const debugLog = fs.readFileSync(path.join(realRun('f230dm6e'), 'logs', 'debug.log'));
	/** The version the real debug.log states on its first line, read here independently. */
	const statedVersion = /Current SDK version is (\S+)/.exec(debugLog.toString('utf8').split('\n')[0])![1];

	it('still shows the run id (from the log and dir names) and the SDK version (from logs/debug.log)', () => {
		const runDir = writeRun([], {id: 'k3x9q2zz'});
		expect(fs.statSync(path.join(runDir, 'run-k3x9q2zz.wandb')).size).toBe(7);
		fs.mkdirSync(path.join(runDir, 'logs'));
		fs.writeFileSync(path.join(runDir, 'logs', 'debug.log'), debugLog);
		const loaded = loadRun(runDir);
		const report = runReport(loaded.state, loaded.location, null);
		expect(report.run.id).toBe('k3x9q2zz');
		expect(report.run.sdkVersion).toBe(statedVersion);
		expect(onceText(loaded, initialHostState(), 120, 30).split('\n')[0]).toContain('k3x9q2zz');
		// --line reads only the log's end, and names the run the same way.
		expect(statusLine(readRunEnd(locateRun(runDir)).state, null, [])).toMatch(/^k3x9q2zz ● running step —/);
	});

	it('the id comes from a `-N`-suffixed dir through the log name; without a debug.log the version is unknown (null)', () => {
		const runDir = writeRun([], {id: 'k3x9q2zz', dirName: 'run-20260101_120000-k3x9q2zz-1'});
		const loaded = loadRun(runDir);
		const report = runReport(loaded.state, loaded.location, null);
		expect(report.run.id).toBe('k3x9q2zz');
		expect(report.run.sdkVersion).toBeNull();
	});

	it('a run record and the header, once written, win over the names and debug.log', () => {
		const runDir = writeRun([encodeHeader({producer: '0.27.2+abc'}), encodeRun({runId: 'realid', startTime: start})], {id: 'k3x9q2zz'});
		fs.mkdirSync(path.join(runDir, 'logs'));
		fs.writeFileSync(path.join(runDir, 'logs', 'debug.log'), debugLog);
		const report = runReport(loadRun(runDir).state, loadRun(runDir).location, null);
		expect(report.run.id).toBe('realid');
		expect(report.run.sdkVersion).toBe('0.27.2');
	});
});
