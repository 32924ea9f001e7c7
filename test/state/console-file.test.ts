/** The fold of output.log text (`console-file` events) and side-file problems into the run state. */
import {describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/decode/run-events.js';
import {ConsoleBuffer} from '../../source/state/console.js';
import {initialRunState, reduceRunEvents, type RunState} from '../../source/state/run-state.js';

const texts = (state: RunState) => state.console.lines().map(line => line.text);
const file = (text: string, reset = false, name = 'files/output.log'): RunEvent => ({type: 'console-file', file: name, reset, text});

describe('ConsoleBuffer.dropUnfinished', () => {
	it('forgets the unfinished line of one stream only, and counts as a change', () => {
		const buffer = new ConsoleBuffer();
		buffer.append('stdout', 'done\n 10%|█');
		buffer.append('stderr', 'warn: x');
		const version = buffer.version;
		buffer.dropUnfinished('stdout');
		expect(buffer.lines().map(line => line.text)).toEqual(['done', 'warn: x']);
		expect(buffer.version).toBeGreaterThan(version);
		expect(buffer.totalLines).toBe(1);
		buffer.append('stdout', ' 20%|██');
		expect(buffer.lines().map(line => line.text)).toEqual(['done', 'warn: x', ' 20%|██']);
		const after = buffer.version;
		buffer.dropUnfinished('stderr');
		buffer.dropUnfinished('stderr'); // nothing left: no change
		expect(buffer.version).toBe(after + 1);
	});

	it('after a trailing \\r the next text is a new line, not a redraw of the dropped one', () => {
		const buffer = new ConsoleBuffer();
		buffer.append('stdout', 'bar 1\r');
		buffer.dropUnfinished('stdout');
		buffer.append('stdout', 'bar 2');
		expect(buffer.lines().map(line => line.text)).toEqual(['bar 2']);
	});
});

describe("reduceRun: 'console-file'", () => {
	it('appends after dropping the unfinished line; a reset or another file starts over', () => {
		const state = initialRunState();
		reduceRunEvents(state, [file('a\nb\nprogress 10%', true)], 0);
		expect(texts(state)).toEqual(['a', 'b', 'progress 10%']);
		expect(state.consoleSource).toBe('files/output.log');
		reduceRunEvents(state, [file('progress 100%\nc\n')], 0);
		expect(texts(state)).toEqual(['a', 'b', 'progress 100%', 'c']);
		reduceRunEvents(state, [file('x\n', true)], 0);
		expect(texts(state)).toEqual(['x']);
		reduceRunEvents(state, [file('legacy\n', false, 'output.log')], 0);
		expect(texts(state)).toEqual(['legacy']);
		expect(state.consoleSource).toBe('output.log');
	});

	it('console records win: they replace output.log text, and later output.log text is ignored', () => {
		const state = initialRunState();
		reduceRunEvents(state, [file('from file\n', true), {type: 'console', stream: 'stdout', text: 'from record\n', timestamp: null}, file('more file\n')], 0);
		expect(texts(state)).toEqual(['from record']);
		expect(state.consoleSource).toBe('console records');
	});

	it("'file-problem' records and clears a refusal per file", () => {
		const state = initialRunState();
		reduceRunEvents(state, [{type: 'file-problem', file: 'config.yaml', message: 'config.yaml is larger than 16 MiB: not read'}], 0);
		expect([...state.fileProblems]).toEqual([['config.yaml', 'config.yaml is larger than 16 MiB: not read']]);
		reduceRunEvents(state, [{type: 'file-problem', file: 'config.yaml', message: null}], 0);
		expect(state.fileProblems.size).toBe(0);
	});
});
