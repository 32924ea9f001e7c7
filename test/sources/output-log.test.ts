/**
 * OutputLogSource: output.log followed by byte offset. Appends cost only the appended bytes; a
 * rewritten last line (a progress bar) replaces that line; other rewrites, shrinks and
 * replacements reload the file's last window; a huge file costs one window. Folded through
 * reduceRun like the live session and loadRun do.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/decode/run-events.js';
import {OUTPUT_LOG_FINGERPRINT_BYTES, OUTPUT_LOG_LINE_END_BYTES, OutputLogSource} from '../../source/sources/output-log.js';
import {OUTPUT_LOG_WINDOW_BYTES} from '../../source/sources/side-file.js';
import {initialRunState, reduceRunEvents, type RunState} from '../../source/state/run-state.js';
import {loadRun} from '../../source/modes/load.js';
import {copyRun, hasMkfifo, makeFifo} from '../helpers/hostile-files.js';
import {realRun} from '../helpers/fixtures.js';

let run: {runDir: string; cleanup: () => void};
let log: string;
beforeEach(() => {
	// A real binary-era run without console records, its output.log replaced by the test's.
	run = copyRun('dz01opvs');
	log = path.join(run.runDir, 'files', 'output.log');
	fs.writeFileSync(log, '');
});
afterEach(() => run.cleanup());

const texts = (state: RunState) => state.console.lines().map(line => line.text);

/** A source and a state it is folded into, as the session does. */
function follow(options: ConstructorParameters<typeof OutputLogSource>[1] = {}) {
	const state = initialRunState();
	const source = new OutputLogSource(run.runDir, options);
	const poll = (): RunEvent[] => {
		const before = source.bytesRead;
		const events = source.poll();
		reduceRunEvents(state, events, 0);
		lastRead = source.bytesRead - before;
		return events;
	};
	let lastRead = 0;
	return {state, source, poll, read: () => lastRead};
}

/** A distinct mtime for each rewrite (some filesystems have coarse mtimes). */
let tick = 1_700_000_000;
function write(text: string, mode: 'append' | 'rewrite' = 'rewrite'): void {
	if (mode === 'append') fs.appendFileSync(log, text);
	else fs.writeFileSync(log, text);
	tick += 1;
	fs.utimesSync(log, tick, tick);
}

describe('OutputLogSource', () => {
	it('a growing file: appended lines show up, and each poll reads only the appended bytes', () => {
		const {state, poll, read} = follow();
		let expected: string[] = [];
		for (let i = 0; i < 200; i++) expected.push(`line ${i} ${'x'.repeat(i % 50)}`);
		write(expected.join('\n') + '\n');
		expect(poll()).toMatchObject([{type: 'console-file', file: 'files/output.log', reset: true}]);
		expect(texts(state)).toEqual(expected);
		expect(state.consoleSource).toBe('files/output.log');
		for (let round = 0; round < 50; round++) {
			const line = `epoch ${round}: loss ${(1 / (round + 1)).toFixed(4)}`;
			write(line + '\n', 'append');
			expect(poll()).toMatchObject([{type: 'console-file', reset: false, text: line + '\n'}]);
			// The appended line, plus the fingerprint check of the bytes before it.
			expect(read()).toBeLessThanOrEqual(Buffer.byteLength(line) + 1 + OUTPUT_LOG_FINGERPRINT_BYTES);
			expected.push(line);
		}
		expect(texts(state)).toEqual(expected);
		expect(poll()).toEqual([]); // unchanged: nothing read
		expect(read()).toBe(0);
		expected = [];
	});

	it('a rewritten unfinished last line (a progress bar) replaces that line', () => {
		const {state, poll} = follow();
		write('start\nEpoch 1:  10%|█         |');
		poll();
		expect(texts(state)).toEqual(['start', 'Epoch 1:  10%|█         |']);
		write('start\nEpoch 1:  50%|█████     |');
		expect(poll()).toMatchObject([{reset: false, text: 'Epoch 1:  50%|█████     |'}]);
		expect(texts(state)).toEqual(['start', 'Epoch 1:  50%|█████     |']);
		write('start\nEpoch 1: 100%|██████████|\nEpoch 2:   0%|          |');
		poll();
		expect(texts(state)).toEqual(['start', 'Epoch 1: 100%|██████████|', 'Epoch 2:   0%|          |']);
		expect(state.console.totalLines).toBe(2);
	});

	// The unfinished line was read again whole on every poll: a `\r` bar without a newline cost
	// quadratic reads, then the 4 MiB window each poll.
	it('an unfinished line is not read again: a poll reads what was appended (and the fingerprint), the line shows as written', () => {
		const {state, poll, read} = follow();
		write('start\n');
		poll();
		const long = 'x'.repeat(100_000); // over what the console keeps of a line (4096 chars)
		for (const piece of [long, long, '\r 10%|█', '\r 50%|█████', '\r\r', '\r100%|██████████|']) {
			write(piece, 'append');
			poll();
			expect(read()).toBeLessThanOrEqual(Buffer.byteLength(piece) + OUTPUT_LOG_FINGERPRINT_BYTES + OUTPUT_LOG_LINE_END_BYTES);
			if (piece === long) expect(texts(state)).toEqual(['start', 'x'.repeat(4096)]);
		}
		expect(texts(state)).toEqual(['start', '100%|██████████|']);
		write(' done\nnext', 'append');
		poll();
		expect(texts(state)).toEqual(['start', '100%|██████████| done', 'next']);
		expect(state.console.totalLines).toBe(2);
	});

	it('a rewrite that leaves the last bytes as they were (a long run of one byte) but moves the line break reloads', () => {
		const {state, poll} = follow();
		write('a\n' + 'L'.repeat(6000));
		poll();
		// Same size, same last 4 KiB; the newline is elsewhere. Then more is appended.
		write('bb\n' + 'L'.repeat(5999) + ' end\n');
		expect(poll()).toMatchObject([{reset: true}]);
		expect(texts(state)).toEqual(['bb', 'L'.repeat(4096)]);
	});

	it('a rewrite with different content, a shrink and a replacement each reload the file (reset)', () => {
		const {state, poll} = follow();
		write('a\nb\nc\n');
		poll();
		write('x\ny\nz\nw\n'); // same inode, longer, but the bytes already read changed
		expect(poll()).toMatchObject([{reset: true}]);
		expect(texts(state)).toEqual(['x', 'y', 'z', 'w']);
		write('short\n'); // shrank
		expect(poll()).toMatchObject([{reset: true}]);
		expect(texts(state)).toEqual(['short']);
		const next = `${log}.new`;
		fs.writeFileSync(next, 'short\nreplaced\n');
		fs.renameSync(next, log); // new inode
		expect(poll()).toMatchObject([{reset: true}]);
		expect(texts(state)).toEqual(['short', 'replaced']);
	});

	it('a 1 GB file (sparse, real lines at its end) shows its last lines for one window read', () => {
		const {state, poll, source} = follow();
		fs.truncateSync(log, 1024 ** 3);
		const tailLines = Array.from({length: 100}, (_, i) => `step ${i} done`);
		fs.appendFileSync(log, '\n' + tailLines.join('\n') + '\n');
		poll();
		expect(source.bytesRead).toBeLessThanOrEqual(OUTPUT_LOG_WINDOW_BYTES + 1);
		expect(texts(state).slice(-100)).toEqual(tailLines);
		// Then it grows: only the new bytes.
		write('one more\n', 'append');
		const before = source.bytesRead;
		poll();
		expect(source.bytesRead - before).toBeLessThanOrEqual(9 + OUTPUT_LOG_FINGERPRINT_BYTES);
		expect(texts(state).at(-1)).toBe('one more');
	});

	it('more appended than one window between polls: reloads the last window instead of reading it all', () => {
		const {state, poll, source} = follow({windowBytes: 1024});
		write('first\n');
		poll();
		const lines = Array.from({length: 1000}, (_, i) => `row ${i}`);
		write(lines.join('\n') + '\n', 'append');
		const before = source.bytesRead;
		expect(poll()).toMatchObject([{reset: true}]);
		expect(source.bytesRead - before).toBeLessThanOrEqual(1025);
		const shown = texts(state);
		expect(shown.at(-1)).toBe('row 999');
		expect(lines.slice(-shown.length)).toEqual(shown); // starts at a line boundary
	});

	it('restart() sends the whole window again, for a fresh state', () => {
		const {poll, source} = follow();
		write('a\nb\n');
		poll();
		source.restart();
		const fresh = initialRunState();
		reduceRunEvents(fresh, source.poll(), 0);
		expect(texts(fresh)).toEqual(['a', 'b']);
	});

	it('console records win over output.log, before and after', () => {
		const {state, poll} = follow();
		write('from the file\n');
		poll();
		reduceRunEvents(state, [{type: 'console', stream: 'stdout', text: 'from a record\n', timestamp: null}], 0);
		expect(texts(state)).toEqual(['from a record']);
		write('from the file\nmore\n', 'rewrite');
		poll();
		expect(texts(state)).toEqual(['from a record']);
		expect(state.consoleSource).toBe('console records');
	});

	it('a legacy run: output.log at the run dir root', () => {
		const state = initialRunState();
		reduceRunEvents(state, new OutputLogSource(realRun('jsr4s3y6')).poll(), 0);
		expect(state.consoleSource).toBe('output.log');
		expect(state.console.totalLines).toBeGreaterThan(1000);
	});

	it.skipIf(!hasMkfifo)('a FIFO as output.log: refused at once, reported once, and fine again once it is a file', () => {
		const errors: string[] = [];
		const {state, poll} = follow({onError: message => errors.push(message)});
		makeFifo(log);
		const started = Date.now();
		expect(poll()).toEqual([{type: 'file-problem', file: 'files/output.log', message: 'files/output.log is not a regular file (a FIFO): not read'}]);
		expect(poll()).toEqual([]);
		expect(Date.now() - started).toBeLessThan(1000);
		expect(errors).toEqual(['files/output.log is not a regular file (a FIFO): not read']);
		expect(state.fileProblems.get('files/output.log')).toMatch(/not a regular file/);
		fs.rmSync(log);
		fs.writeFileSync(log, 'back\n');
		poll();
		expect(state.fileProblems.size).toBe(0);
		expect(texts(state)).toEqual(['back']);
	});

	it('loadRun reads output.log once, through the source', () => {
		write('hello\nworld\n');
		const loaded = loadRun(run.runDir);
		expect(loaded.state.consoleSource).toBe('files/output.log');
		expect(texts(loaded.state)).toEqual(['hello', 'world']);
	});
});
