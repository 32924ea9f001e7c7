/** Pre-0.10 runs: jsonl history/events, summary, config.yaml and metadata, read incrementally. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/decode/run-events.js';
import {LegacyReader, MAX_LINE_BYTES, parseConfigYaml} from '../../source/sources/legacy-reader.js';
import {runIdFromDirName} from '../../source/decode/legacy.js';
import {copyDir, historyOf, readManifest, tempDir} from '../helpers/run-files.js';

const legacyRuns = readManifest().filter(run => run.format === 'legacy');

const readAll = (dir: string): RunEvent[] => {
	const reader = new LegacyReader(dir);
	const events: RunEvent[] = [];
	let result;
	do {
		result = reader.read();
		events.push(...result.events);
	} while (result.hasMore);
	return events;
};

describe.each(legacyRuns.map(run => [run.dir, run] as const))('%s', (_name, run) => {
	const events = readAll(run.path);

	it('emits one history row per line, with the step of that line (duplicates kept)', () => {
		const lines = fs.readFileSync(path.join(run.path, 'wandb-history.jsonl'), 'utf8').split('\n').filter(l => l.trim() !== '');
		const steps = lines.map(line => Number(/"_step": (\d+)/.exec(line)?.[1]));
		expect(historyOf(events).map(row => row.step)).toEqual(steps);
	});

	it('turns wandb-events.jsonl into stats without the system. prefix or bookkeeping keys', () => {
		const lines = fs.readFileSync(path.join(run.path, 'wandb-events.jsonl'), 'utf8').split('\n').filter(l => l.trim() !== '');
		const stats = events.filter(e => e.type === 'stats');
		expect(stats).toHaveLength(lines.length);
		lines.forEach((line, i) => {
			const raw = JSON.parse(line) as Record<string, unknown>;
			const stat = stats[i];
			if (stat.type !== 'stats') throw new Error('not stats');
			expect(stat.timestamp).toBe(raw._timestamp);
			const expectedKeys = Object.keys(raw).filter(k => k.startsWith('system.')).map(k => k.slice(7));
			expect(Object.keys(stat.values).sort()).toEqual(expectedKeys.sort());
		});
	});

	it('reads run info from wandb-metadata.json and config from config.yaml', () => {
		const metadata = JSON.parse(fs.readFileSync(path.join(run.path, 'wandb-metadata.json'), 'utf8'));
		const yaml = YAML.parse(fs.readFileSync(path.join(run.path, 'config.yaml'), 'utf8'));
		const runEvent = events.find(e => e.type === 'run');
		if (runEvent?.type !== 'run') throw new Error('no run event');
		expect(runEvent.run).toMatchObject({host: metadata.host, project: metadata.project, startTime: Date.parse(`${metadata.startedAt}Z`)});
		expect(runEvent.run.id).toBe(run.dir.split('-').at(-1));
		const userKeys = Object.keys(yaml).filter(k => k !== 'wandb_version' && k !== '_wandb');
		expect(Object.keys(runEvent.run.config).sort()).toEqual(userKeys.sort());
		for (const key of userKeys) expect(runEvent.run.config[key]).toEqual(yaml[key].value);
		expect(events.find(e => e.type === 'header')).toEqual({type: 'header', sdkVersion: yaml._wandb.value.cli_version});
	});
});

describe('incremental legacy reading', () => {
	let tmp: {dir: string; cleanup: () => void};
	let runDir: string;
	const source = legacyRuns.find(run => run.dir.includes('jsr4s3y6'))!;
	beforeEach(() => {
		tmp = tempDir();
		runDir = path.join(tmp.dir, 'run-20191205_192624-jsr4s3y6');
		copyDir(source.path, runDir);
	});
	afterEach(() => tmp.cleanup());

	it('waits for a line without its newline, then reads it once', () => {
		const file = path.join(runDir, 'wandb-history.jsonl');
		const full = fs.readFileSync(file);
		const cut = full.indexOf(0x0a, 5000) + 30; // 30 bytes into a line
		fs.writeFileSync(file, full.subarray(0, cut));
		const reader = new LegacyReader(runDir);
		const first = reader.read();
		const completeLines = full.subarray(0, cut).toString('utf8').split('\n').length - 1;
		expect(historyOf(first.events)).toHaveLength(completeLines);
		expect(first.tail).toBe('partial');
		fs.appendFileSync(file, full.subarray(cut));
		const second = reader.read();
		expect(historyOf(first.events).length + historyOf(second.events).length).toBe(source.rows);
		expect(second.tail).toBe('clean');
		expect(reader.read().events).toEqual([]);
	});

	it('counts a corrupt line and reads on', () => {
		const file = path.join(runDir, 'wandb-history.jsonl');
		const lines = fs.readFileSync(file, 'utf8').split('\n');
		lines[10] = lines[10].slice(0, 20); // truncated JSON
		fs.writeFileSync(file, lines.join('\n'));
		const result = new LegacyReader(runDir).read();
		expect(result.corrupt).toBe(1);
		expect(historyOf(result.events)).toHaveLength(source.rows - 1);
	});

	// A 1 GB hole of zeros was read into one buffer and string: 1.9 GB of RSS, ERR_STRING_TOO_LONG.
	it('skips a line over MAX_LINE_BYTES (a hole of zeros) and counts it, reading it in bounded windows', () => {
		const file = path.join(runDir, 'wandb-history.jsonl');
		const full = fs.readFileSync(file);
		const cut = full.indexOf(0x0a, 5000) + 1; // a line boundary
		const rowsBefore = full.subarray(0, cut).toString('utf8').split('\n').length - 1;
		// Lines, a 100 MiB hole that runs into the next line (that line is lost with it), the rest.
		fs.writeFileSync(file, full.subarray(0, cut));
		fs.truncateSync(file, cut + 100 * 1024 * 1024);
		fs.appendFileSync(file, full.subarray(cut));
		const reader = new LegacyReader(runDir);
		const events: RunEvent[] = [];
		let corrupt = 0;
		let result;
		do {
			result = reader.read();
			expect(result.bytesRead).toBeLessThanOrEqual(2 * MAX_LINE_BYTES);
			events.push(...result.events);
			corrupt += result.corrupt;
		} while (result.hasMore);
		expect(corrupt).toBe(1);
		expect(result.error).toBeNull();
		expect(result.tail).toBe('clean');
		expect(historyOf(events)).toHaveLength(source.rows - 1);
		expect(historyOf(events)[rowsBefore - 1].step).toBe(historyOf(readAll(source.path))[rowsBefore - 1].step);
	});

	it('an oversized line still being written at EOF is skipped up to its newline, then reading goes on', () => {
		const file = path.join(runDir, 'wandb-history.jsonl');
		fs.writeFileSync(file, '{"_step": 0, "loss": 1}\n');
		fs.truncateSync(file, 24 + 4 * MAX_LINE_BYTES + 1000);
		const reader = new LegacyReader(runDir);
		let result = reader.read();
		const steps = historyOf(result.events).map(row => row.step);
		let corrupt = result.corrupt;
		while (result.hasMore) {
			result = reader.read();
			expect(result.bytesRead).toBeLessThanOrEqual(2 * MAX_LINE_BYTES);
			corrupt += result.corrupt;
		}
		expect(result.tail).toBe('partial');
		fs.appendFileSync(file, 'still the long line\n{"_step": 1, "loss": 0.5}\n');
		result = reader.read();
		steps.push(...historyOf(result.events).map(row => row.step));
		corrupt += result.corrupt;
		expect({steps, corrupt, tail: result.tail, hasMore: result.hasMore}).toEqual({steps: [0, 1], corrupt: 1, tail: 'clean', hasMore: false});
	});

	it('re-reads a rewritten summary: removed keys are reported, a half-written file is retried', () => {
		const file = path.join(runDir, 'wandb-summary.json');
		fs.writeFileSync(file, '{"a": 1, "b": {"c": NaN}}');
		const reader = new LegacyReader(runDir);
		const summaries = (events: RunEvent[]) => events.filter(e => e.type === 'summary');
		expect(summaries(reader.read().events)).toEqual([{type: 'summary', update: {a: 1, 'b.c': NaN}, remove: []}]);
		fs.writeFileSync(file, '{"a": 2, "d"');
		const half = reader.read();
		expect(summaries(half.events)).toEqual([]);
		expect(half.corrupt).toBe(0);
		fs.writeFileSync(file, '{"a": 3}   ');
		expect(summaries(reader.read().events)).toEqual([{type: 'summary', update: {a: 3}, remove: ['b.c']}]);
	});

	// signatureOf took any stat error for "missing": a loop there went unreported (a FIFO did not).
	it.each(['config.yaml', 'wandb-summary.json', 'wandb-metadata.json'])('%s as a symlink loop is reported once (ELOOP), and read once it is a file again', name => {
		const file = path.join(runDir, name);
		const original = fs.readFileSync(file);
		fs.rmSync(file);
		fs.symlinkSync(`${name}.loop`, file);
		fs.symlinkSync(name, `${file}.loop`);
		const problems = (events: RunEvent[]) => events.filter(e => e.type === 'file-problem');
		const reader = new LegacyReader(runDir);
		expect(problems(reader.read().events)).toEqual([{type: 'file-problem', file: name, message: `${name} is unreadable (ELOOP)`}]);
		expect(problems(reader.read().events)).toEqual([]);
		fs.rmSync(file);
		fs.writeFileSync(file, original);
		expect(problems(reader.read().events)).toEqual([{type: 'file-problem', file: name, message: null}]);
	});

	it('reports a state change in wandb-metadata.json (killed → crashed)', () => {
		const file = path.join(runDir, 'wandb-metadata.json');
		const metadata = JSON.parse(fs.readFileSync(file, 'utf8'));
		fs.writeFileSync(file, JSON.stringify({...metadata, state: 'running', exitcode: null}));
		const reader = new LegacyReader(runDir);
		expect(reader.read().events.filter(e => e.type === 'legacy-state')).toEqual([{type: 'legacy-state', state: 'running', exitCode: null}]);
		fs.writeFileSync(file, JSON.stringify({...metadata, state: 'killed', exitcode: 255, heartbeatAt: 'later'}));
		expect(reader.read().events.filter(e => e.type === 'legacy-state')).toEqual([{type: 'legacy-state', state: 'crashed', exitCode: 255}]);
	});

	it('starts over when the history file shrinks', () => {
		const reader = new LegacyReader(runDir);
		expect(historyOf(reader.read().events)).toHaveLength(source.rows);
		fs.writeFileSync(path.join(runDir, 'wandb-history.jsonl'), '{"_step": 0, "loss": 1}\n');
		const after = reader.read();
		expect(after.reset).toBe(true);
		expect(historyOf(after.events)).toEqual([{type: 'history', step: 0, values: {_step: 0, loss: 1}}]);
		expect(after.events.some(e => e.type === 'run')).toBe(true);
	});

	it('an empty history file is fine', () => {
		fs.writeFileSync(path.join(runDir, 'wandb-history.jsonl'), '');
		const result = new LegacyReader(runDir).read();
		expect(historyOf(result.events)).toEqual([]);
		expect(result.tail).toBe('clean');
	});
});

describe('helpers', () => {
	it('parseConfigYaml takes both the Python {desc, value} and core {value} shapes', () => {
		const python = parseConfigYaml('wandb_version: 1\n\n_wandb:\n  desc: null\n  value:\n    cli_version: 0.15.0\nlr:\n  desc: null\n  value: 0.001\nopt:\n  desc: null\n  value:\n    name: adam\n');
		expect(python).toEqual({config: {lr: 0.001, 'opt.name': 'adam'}, cliVersion: '0.15.0'});
		const core = parseConfigYaml('_wandb:\n    value:\n        cli_version: 0.22.3\nbatch:\n    value: 32\n');
		expect(core).toEqual({config: {batch: 32}, cliVersion: '0.22.3'});
	});

	it('runIdFromDirName', () => {
		expect(runIdFromDirName('run-20191205_192624-jsr4s3y6')).toBe('jsr4s3y6');
		expect(runIdFromDirName('dryrun-20191205_192624-abc')).toBe('abc');
		expect(runIdFromDirName('offline-run-20241208_004925-3u88hzql')).toBe('3u88hzql');
		expect(runIdFromDirName('notes')).toBeNull();
	});
});
