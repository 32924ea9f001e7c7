/** RunReader: following a growing run, resets, byte caps, odd files, and never writing. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/decode/run-events.js';
import {locateRun} from '../../source/sources/locate.js';
import {readRunOnce, RunReader, type ReadResult} from '../../source/sources/run-reader.js';
import {encodeExit, encodeFraming, encodeHeader, encodeHistory, LogWriter} from '../../source/demo/writer.js';
import {FIXTURES, historyOf, logFileOf, readManifest, rng, tempDir} from '../helpers/run-files.js';

const manifest = readManifest();
const fixture = (idPart: string) => manifest.find(run => run.dir.includes(idPart))!;

let tmp: {dir: string; cleanup: () => void};
beforeEach(() => {
	tmp = tempDir('wbtop-reader-');
});
afterEach(() => tmp.cleanup());

/** A run dir in tmp with the fixture's side files but an empty `.wandb`, to be grown by the test. */
function emptyCopy(idPart: string): {runDir: string; logFile: string; bytes: Buffer} {
	const run = fixture(idPart);
	const source = logFileOf(run.path);
	const runDir = path.join(tmp.dir, path.basename(run.path).split('__').at(-1)!);
	fs.cpSync(run.path, runDir, {recursive: true});
	const logFile = path.join(runDir, path.basename(source));
	fs.writeFileSync(logFile, '');
	return {runDir, logFile, bytes: fs.readFileSync(source)};
}

function drain(reader: RunReader): ReadResult[] {
	const results: ReadResult[] = [];
	do results.push(reader.read());
	while (reader.hasMore);
	return results;
}

describe('following a growing log', () => {
	it.each([
		['core file, growing in whole 32 KiB blocks', 'f230dm6e', 'blocks'],
		['Python file, growing in odd-sized writes', 'tlc2uulp', 'random'],
		['Python file with a lone 7-byte header at its end', '7exzgvj1', 'random'],
	] as const)('%s: the same events as reading it at once, each once', (_name, idPart, growth) => {
		const {runDir, logFile, bytes} = emptyCopy(idPart);
		const expected = readRunOnce(fixture(idPart).path);
		const reader = new RunReader(locateRun(runDir));
		const events: RunEvent[] = [];
		const random = rng(bytes.length);
		let size = 0;
		while (size < bytes.length) {
			const next = growth === 'blocks' ? Math.min(bytes.length, size + 32768) : Math.min(bytes.length, size + 1 + Math.floor(random() * 9000));
			fs.appendFileSync(logFile, bytes.subarray(size, next));
			size = next;
			for (const result of drain(reader)) {
				expect(result.reset).toBe(false);
				expect(result.error).toBeNull();
				events.push(...result.events);
			}
		}
		expect(events).toEqual(expected.events);
		expect(reader.read().integrity).toEqual(expected.integrity);
		expect(reader.sdkVersion).toBe(fixture(idPart).version);
		expect(reader.format).toBe('binary');
	});

	it('reading with nothing new returns no events and reads no bytes', () => {
		const reader = new RunReader(locateRun(fixture('tlc2uulp').path));
		drain(reader);
		const again = reader.read();
		expect(again.events).toEqual([]);
		expect(again.bytesRead).toBe(0);
	});

	it('caps what one read takes, and says there is more', () => {
		const run = fixture('f230dm6e');
		const expected = readRunOnce(run.path).events;
		const reader = new RunReader(locateRun(run.path), {maxBytesPerRead: 64 * 1024});
		const results = drain(reader);
		expect(results.length).toBeGreaterThan(10);
		expect(results.slice(0, -1).every(r => r.hasMore)).toBe(true);
		expect(results.at(-1)!.hasMore).toBe(false);
		for (const r of results) expect(r.bytesRead).toBeLessThanOrEqual(64 * 1024);
		expect(results.flatMap(r => r.events)).toEqual(expected);
	});

	it('widens the window for a record larger than the cap instead of stalling', () => {
		const big = 'x'.repeat(50_000);
		const runDir = path.join(tmp.dir, 'run-20240101_000000-big');
		fs.mkdirSync(runDir);
		fs.writeFileSync(path.join(runDir, 'run-big.wandb'), encodeFraming([encodeHeader(), encodeHistory({step: 0, values: {text: big}}), encodeExit({exitCode: 0})]));
		const reader = new RunReader(locateRun(runDir), {maxBytesPerRead: 4096});
		const events = drain(reader).flatMap(r => r.events);
		expect(historyOf(events)[0].values.text).toBe(big);
		expect(events.at(-1)).toMatchObject({type: 'exit'});
	});
});

describe('odd files', () => {
	it('a run dir whose log does not exist yet, then a 0-byte log, then data', () => {
		const runDir = path.join(tmp.dir, 'run-20240101_000000-newrun01');
		fs.mkdirSync(runDir);
		const reader = new RunReader(locateRun(runDir));
		expect(reader.read()).toMatchObject({events: [], error: null, integrity: {tail: 'clean', corruptChunks: 0}});
		const logFile = path.join(runDir, 'run-newrun01.wandb');
		fs.writeFileSync(logFile, '');
		expect(reader.read()).toMatchObject({events: [], error: null, integrity: {tail: 'clean'}});
		fs.writeFileSync(logFile, encodeFraming([encodeHeader({producer: '0.23.0+abc'}), encodeHistory({step: 0, values: {loss: 1}})]));
		const result = reader.read();
		// First the id from the log's name (a run record may never come), then the records.
		expect(result.events.map(e => e.type)).toEqual(['run-dir', 'header', 'history']);
		expect(result.events[0]).toEqual({type: 'run-dir', id: 'newrun01'});
		expect(reader.sdkVersion).toBe('0.23.0');
	});

	it('a file that is not a wandb log: a clear error, no throw, no events', () => {
		const runDir = path.join(tmp.dir, 'run-20240101_000000-notalog');
		fs.mkdirSync(runDir);
		fs.writeFileSync(path.join(runDir, 'run-notalog.wandb'), 'hello, this is text\n');
		const reader = new RunReader(locateRun(runDir));
		const first = reader.read();
		expect(first.error).toMatch(/not a W&B run log/);
		expect(first.events).toEqual([]);
		expect(reader.read().error).toBe(first.error);
	});

	it('a log replaced by a new file (new inode): reset, then the new file from its start', () => {
		const {runDir, logFile, bytes} = emptyCopy('tlc2uulp');
		fs.writeFileSync(logFile, bytes);
		const reader = new RunReader(locateRun(runDir));
		drain(reader);
		const replacement = encodeFraming([encodeHeader(), encodeHistory({step: 0, values: {loss: 2}})]);
		fs.writeFileSync(`${logFile}.tmp`, replacement);
		fs.renameSync(`${logFile}.tmp`, logFile);
		const result = reader.read();
		expect(result.reset).toBe(true);
		// (the id from the log's name again, for the new state, plus the version from
		// files/config.yaml, since the new log has none)
		expect(result.events.map(e => e.type)).toEqual(['run-dir', 'header', 'history', 'telemetry']);
		expect(result.integrity).toMatchObject({tail: 'clean', corruptChunks: 0});
	});

	it('a log truncated in place: reset, and the remaining records again', () => {
		const {runDir, logFile, bytes} = emptyCopy('tlc2uulp');
		fs.writeFileSync(logFile, bytes);
		const reader = new RunReader(locateRun(runDir));
		const all = drain(reader).flatMap(r => r.events);
		fs.truncateSync(logFile, 20_000);
		const result = reader.read();
		expect(result.reset).toBe(true);
		expect(result.events.length).toBeGreaterThan(0);
		expect(result.events).toEqual(all.slice(0, result.events.length));
		expect(result.integrity.tail).toBe('partial');
	});

	it('damage in a live file is counted once and reading goes on', () => {
		const {runDir, logFile, bytes} = emptyCopy('f230dm6e');
		const damaged = Buffer.from(bytes);
		damaged[10 * 32768 + 5000] ^= 0xff;
		const reader = new RunReader(locateRun(runDir));
		let corrupt = 0;
		for (let size = 0; size < damaged.length; size += 32768) {
			fs.appendFileSync(logFile, damaged.subarray(size, Math.min(damaged.length, size + 32768)));
			corrupt = drain(reader).at(-1)!.integrity.corruptChunks;
		}
		expect(corrupt).toBe(1);
	});

	it('LogWriter output read live, record by record', () => {
		const runDir = path.join(tmp.dir, 'run-20240101_000000-livewrit');
		fs.mkdirSync(runDir);
		const logFile = path.join(runDir, 'run-livewrit.wandb');
		const writer = new LogWriter();
		fs.writeFileSync(logFile, writer.header());
		const reader = new RunReader(locateRun(runDir));
		for (let step = 0; step < 200; step++) {
			fs.appendFileSync(logFile, writer.record(encodeHistory({step, values: {loss: 1 / (step + 1), _step: step}})));
			const rows = historyOf(reader.read().events);
			expect(rows.map(r => r.step)).toEqual([step]);
		}
	});
});

describe('read-only', () => {
	/** Every file under `dir` with its size and mtime. */
	function snapshot(dir: string): string[] {
		const out: string[] = [];
		const walk = (d: string) => {
			for (const entry of fs.readdirSync(d, {withFileTypes: true})) {
				const p = path.join(d, entry.name);
				const st = fs.lstatSync(p);
				out.push(`${path.relative(dir, p)} ${st.size} ${st.mtimeMs}`);
				if (entry.isDirectory()) walk(p);
			}
		};
		walk(dir);
		return out.sort();
	}

	it('reading every fixture run leaves its directory exactly as it was', () => {
		const before = snapshot(FIXTURES);
		for (const run of manifest) readRunOnce(run.path);
		expect(snapshot(FIXTURES)).toEqual(before);
	});
});
