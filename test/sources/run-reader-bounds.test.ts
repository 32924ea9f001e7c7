/**
 * RunReader's bounds: each byte of a growing log is read once (a record still being written is
 * held, not re-read), reads stay under their cap, and what is not a regular file is refused with
 * a message instead of hanging the process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/decode/run-events.js';
import {locateRun} from '../../source/sources/locate.js';
import {readRunOnce, RunReader, type ReadResult} from '../../source/sources/run-reader.js';
import {encodeExit, encodeFraming, encodeHeader, encodeHistory, encodeOutput} from '../../source/demo/writer.js';
import {copyRun, hasMkfifo, makeFifo} from '../helpers/hostile-files.js';
import {historyOf, rng, tempDir} from '../helpers/run-files.js';

let tmp: {dir: string; cleanup: () => void};
beforeEach(() => {
	tmp = tempDir('wbtop-bounds-');
});
afterEach(() => tmp.cleanup());

function newRunDir(id: string): {runDir: string; log: string} {
	const runDir = path.join(tmp.dir, `run-20240101_000000-${id}`);
	fs.mkdirSync(path.join(runDir, 'files'), {recursive: true});
	return {runDir, log: path.join(runDir, `run-${id}.wandb`)};
}

function drain(reader: RunReader): ReadResult[] {
	const results: ReadResult[] = [];
	do results.push(reader.read());
	while (reader.hasMore && results.at(-1)!.error === null);
	return results;
}

describe('a record written in pieces is read once', () => {
	it('a 20 MB record in 64 KiB pieces: bytes read stay at the file size (not quadratic)', () => {
		const {runDir, log} = newRunDir('bigrec01');
		const big = 'x'.repeat(20 * 1024 * 1024);
		const bytes = encodeFraming([encodeHeader(), encodeHistory({step: 0, values: {text: big}}), encodeOutput({stream: 'stdout', text: 'after\n'}), encodeExit({exitCode: 0})]);
		fs.writeFileSync(log, '');
		const reader = new RunReader(locateRun(runDir));
		const events: RunEvent[] = [];
		let bytesRead = 0;
		for (let offset = 0; offset < bytes.length; offset += 65536) {
			fs.appendFileSync(log, bytes.subarray(offset, Math.min(bytes.length, offset + 65536)));
			for (const result of drain(reader)) {
				expect(result.error).toBeNull();
				expect(result.reset).toBe(false);
				bytesRead += result.bytesRead;
				events.push(...result.events);
			}
		}
		expect(bytesRead).toBe(bytes.length);
		expect(historyOf(events)).toHaveLength(1);
		expect(historyOf(events)[0].values.text).toBe(big);
		expect(events.at(-1)).toMatchObject({type: 'exit'});
		expect(reader.read().integrity).toMatchObject({tail: 'clean', corruptChunks: 0});
	});

	it('with a small per-read cap: every read stays under it, the record still comes through whole', () => {
		const {runDir, log} = newRunDir('bigrec02');
		const big = 'y'.repeat(300_000);
		const bytes = encodeFraming([encodeHeader(), encodeHistory({step: 0, values: {a: 1}}), encodeHistory({step: 1, values: {text: big}}), encodeHistory({step: 2, values: {a: 3}})]);
		fs.writeFileSync(log, bytes);
		const reader = new RunReader(locateRun(runDir), {maxBytesPerRead: 16 * 1024});
		const results = drain(reader);
		for (const result of results) expect(result.bytesRead).toBeLessThanOrEqual(16 * 1024);
		expect(results.reduce((sum, r) => sum + r.bytesRead, 0)).toBe(bytes.length);
		expect(historyOf(results.flatMap(r => r.events)).map(row => row.step)).toEqual([0, 1, 2]);
	});

	it('a real run grown in random pieces, some inside big records: the same events, every byte read once', () => {
		const run = copyRun('f230dm6e');
		try {
			const logFile = fs.readdirSync(run.runDir).find(name => name.endsWith('.wandb'))!;
			const source = path.join(run.runDir, logFile);
			const bytes = fs.readFileSync(source);
			const expected = readRunOnce(run.runDir);
			fs.writeFileSync(source, '');
			const reader = new RunReader(locateRun(run.runDir), {maxBytesPerRead: 100_000});
			const random = rng(7);
			const events: RunEvent[] = [];
			let size = 0;
			let bytesRead = 0;
			while (size < bytes.length) {
				const next = Math.min(bytes.length, size + 1 + Math.floor(random() * 40_000));
				fs.appendFileSync(source, bytes.subarray(size, next));
				size = next;
				for (const result of drain(reader)) {
					bytesRead += result.bytesRead;
					events.push(...result.events);
				}
			}
			expect(events).toEqual(expected.events);
			expect(bytesRead).toBe(bytes.length);
		} finally {
			run.cleanup();
		}
	});
});

describe('damage while growing', () => {
	it('a damaged chunk mid-block, the log grown in small pieces: the events of reading it whole, no byte read twice', () => {
		const {runDir, log} = newRunDir('damage01');
		const records = [encodeHeader(), encodeHistory({step: 0, values: {text: 'z'.repeat(100_000)}})];
		for (let step = 1; step < 400; step++) records.push(encodeHistory({step, values: {a: step}}));
		const bytes = Buffer.from(encodeFraming(records));
		bytes[bytes.length - 5000] ^= 0xff; // a small record mid-block: the rest of that block is skipped
		fs.writeFileSync(log, bytes);
		const expected = readRunOnce(runDir);
		expect(expected.integrity.corruptChunks).toBeGreaterThan(0);
		for (const piece of [97, 1000, 4096]) {
			fs.writeFileSync(log, '');
			const reader = new RunReader(locateRun(runDir));
			const events: RunEvent[] = [];
			let bytesRead = 0;
			for (let offset = 0; offset < bytes.length; offset += piece) {
				fs.appendFileSync(log, bytes.subarray(offset, Math.min(bytes.length, offset + piece)));
				for (const result of drain(reader)) {
					bytesRead += result.bytesRead;
					events.push(...result.events);
				}
			}
			expect(events).toEqual(expected.events);
			expect(reader.read().integrity).toEqual(expected.integrity);
			expect(bytesRead).toBeLessThanOrEqual(bytes.length);
		}
	});
});

describe('files that are not regular files', () => {
	it.skipIf(!hasMkfifo)('a FIFO named run-x.wandb: an error naming it, at once', () => {
		const {runDir, log} = newRunDir('fifolog1');
		makeFifo(log);
		const reader = new RunReader({runDir, logFile: null, format: 'binary', followDir: null});
		const started = Date.now();
		const result = reader.read();
		expect(Date.now() - started).toBeLessThan(1000);
		expect(result.error).toBe('run-fifolog1.wandb is not a regular file (a FIFO): not read');
		expect(result.events).toEqual([]);
		// Once a real log takes its place, it is read.
		fs.rmSync(log);
		fs.writeFileSync(log, encodeFraming([encodeHeader(), encodeHistory({step: 0, values: {a: 1}})]));
		const again = reader.read();
		expect(again.error).toBeNull();
		expect(historyOf(again.events)).toHaveLength(1);
	});

	it.skipIf(!hasMkfifo)('a log replaced by a FIFO while followed: reset, then the error', () => {
		const {runDir, log} = newRunDir('fifolog2');
		fs.writeFileSync(log, encodeFraming([encodeHeader(), encodeHistory({step: 0, values: {a: 1}})]));
		const reader = new RunReader(locateRun(runDir));
		expect(historyOf(reader.read().events)).toHaveLength(1);
		makeFifo(log);
		const result = reader.read();
		expect(result.reset).toBe(true);
		expect(result.error).toMatch(/run-fifolog2\.wandb is not a regular file \(a FIFO\)/);
		reader.close();
	});

	it.skipIf(!hasMkfifo)('files/config.yaml as a FIFO, or too large: the SDK-version fallback reports it once and reads on', () => {
		const {runDir, log} = newRunDir('cfgfifo1');
		fs.writeFileSync(log, encodeFraming([encodeHeader(), encodeHistory({step: 0, values: {a: 1}})]));
		const config = path.join(runDir, 'files', 'config.yaml');
		makeFifo(config);
		const reader = new RunReader(locateRun(runDir));
		const first = reader.read();
		expect(first.events).toContainEqual({type: 'file-problem', file: 'files/config.yaml', message: 'files/config.yaml is not a regular file (a FIFO): not read'});
		expect(historyOf(first.events)).toHaveLength(1);
		fs.appendFileSync(log, encodeFraming([encodeHistory({step: 1, values: {a: 2}})]).subarray(7));
		const second = reader.read();
		expect(second.events.filter(e => e.type === 'file-problem')).toEqual([]);
		expect(historyOf(second.events)).toHaveLength(1);
		// A regular one takes its place: read, the problem cleared.
		fs.rmSync(config);
		fs.writeFileSync(config, '_wandb:\n    value:\n        cli_version: 0.10.5\n');
		fs.appendFileSync(log, encodeFraming([encodeHistory({step: 2, values: {a: 3}})]).subarray(7));
		const third = reader.read();
		expect(third.events).toContainEqual({type: 'file-problem', file: 'files/config.yaml', message: null});
		expect(reader.sdkVersion).toBe('0.10.5');
	});

	it('files/config.yaml over 16 MiB is not read', () => {
		const {runDir, log} = newRunDir('cfgbig01');
		fs.writeFileSync(log, encodeFraming([encodeHeader(), encodeHistory({step: 0, values: {a: 1}})]));
		const config = path.join(runDir, 'files', 'config.yaml');
		fs.writeFileSync(config, '');
		fs.truncateSync(config, 17 * 1024 * 1024);
		const result = new RunReader(locateRun(runDir)).read();
		expect(result.events).toContainEqual({type: 'file-problem', file: 'files/config.yaml', message: 'files/config.yaml is larger than 16 MiB: not read'});
		expect(result.bytesRead).toBeLessThan(1024);
	});
});

describe('legacy runs', () => {
	it.skipIf(!hasMkfifo)('a FIFO as wandb-events.jsonl: the history is still read whole (in capped reads), then the error names the file', () => {
		const run = copyRun('jsr4s3y6');
		try {
			const expectedRows = historyOf(readRunOnce(run.runDir).events).length;
			makeFifo(path.join(run.runDir, 'wandb-events.jsonl'));
			const reader = new RunReader(locateRun(run.runDir), {maxBytesPerRead: 4096});
			const results = drain(reader);
			expect(results.length).toBeGreaterThan(2);
			expect(results.slice(0, -1).every(r => r.error === null)).toBe(true);
			expect(results.at(-1)!.error).toBe('wandb-events.jsonl is not a regular file (a FIFO): not read');
			expect(historyOf(results.flatMap(r => r.events))).toHaveLength(expectedRows);
		} finally {
			run.cleanup();
		}
	});

	it.skipIf(!hasMkfifo)('FIFOs as config.yaml, wandb-summary.json and wandb-metadata.json: each reported once, the history read', () => {
		const run = copyRun('jsr4s3y6');
		try {
			for (const name of ['config.yaml', 'wandb-summary.json', 'wandb-metadata.json']) makeFifo(path.join(run.runDir, name));
			const reader = new RunReader(locateRun(run.runDir));
			const events = drain(reader).flatMap(r => r.events);
			const problems = events.filter(e => e.type === 'file-problem');
			expect(problems.map(e => e.type === 'file-problem' && e.file).sort()).toEqual(['config.yaml', 'wandb-metadata.json', 'wandb-summary.json']);
			expect(historyOf(events).length).toBeGreaterThan(100);
			expect(drain(reader).flatMap(r => r.events).filter(e => e.type === 'file-problem')).toEqual([]);
		} finally {
			run.cleanup();
		}
	});
});
