/**
 * The output.log fallback under the names wandb-core 0.19+ gives it (doc §1.2, §5.10): a labelled
 * writer's `files/output_<label>.log`, and multipart parts
 * `files/logs/output[_<label>]_<YYYYMMDD_HHMMSS>_<ns>.log`, one console across parts, in time
 * order, followed incrementally and loaded from the newest parts' last window.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {multipartParts, OUTPUT_LOG_FINGERPRINT_BYTES, OutputLogSource} from '../../source/sources/output-log.js';
import {initialRunState, reduceRunEvents, type RunState} from '../../source/state/run-state.js';
import {loadRun} from '../../source/modes/load.js';
import {runReport} from '../../source/modes/report.js';
import {copyRun} from '../helpers/hostile-files.js';

let run: {runDir: string; cleanup: () => void};
let logs: string;
beforeEach(() => {
	// A real binary-era run without console records; its output.log removed, so the other names count.
	run = copyRun('dz01opvs');
	fs.rmSync(path.join(run.runDir, 'files', 'output.log'), {force: true});
	logs = path.join(run.runDir, 'files', 'logs');
	fs.mkdirSync(logs, {recursive: true});
});
afterEach(() => run.cleanup());

const texts = (state: RunState) => state.console.lines().map(line => line.text);
const lines = (from: number, to: number) => Array.from({length: to - from}, (_, i) => `line ${from + i}`);
const part = (name: string, content: string[]) => fs.writeFileSync(path.join(logs, name), content.map(line => `${line}\n`).join(''));

function follow(options: ConstructorParameters<typeof OutputLogSource>[1] = {}) {
	const state = initialRunState();
	const source = new OutputLogSource(run.runDir, options);
	let lastRead = 0;
	const poll = () => {
		const before = source.bytesRead;
		reduceRunEvents(state, source.poll(), 0);
		lastRead = source.bytesRead - before;
	};
	return {state, poll, read: () => lastRead};
}

describe('files/output_<label>.log', () => {
	it('is the console of a labelled (shared-mode) writer when files/output.log is absent', () => {
		fs.writeFileSync(path.join(run.runDir, 'files', 'output_node-1-k2j4m9qa.log'), 'rank 1 ready\nstep 10 loss 0.5\n');
		const loaded = loadRun(run.runDir);
		expect(texts(loaded.state)).toEqual(['rank 1 ready', 'step 10 loss 0.5']);
		expect(runReport(loaded.state, loaded.location, null).console).toEqual({lines: 2, source: 'files/output_node-1-k2j4m9qa.log'});
	});

	it('files/output.log wins where both are there', () => {
		fs.writeFileSync(path.join(run.runDir, 'files', 'output_node-1.log'), 'labelled\n');
		fs.writeFileSync(path.join(run.runDir, 'files', 'output.log'), 'plain\n');
		expect(texts(loadRun(run.runDir).state)).toEqual(['plain']);
	});
});

describe('multipart files/logs/output_*.log', () => {
	it('orders parts by the time in their names, then the nanoseconds, keeping the newest label only', () => {
		expect(
			multipartParts([
				'output_20260101_120001_000000002.log',
				'output_20251231_235959_999999999.log',
				'output_20260101_120001_000000001.log',
				'output.log',
				'output_node-2_20250101_000000_000000000.log',
				'debug.log',
			]),
		).toEqual(['output_20251231_235959_999999999.log', 'output_20260101_120001_000000001.log', 'output_20260101_120001_000000002.log']);
		expect(multipartParts(['output_node-1_20260101_120000_000000000.log', 'output_node-1_20260101_120005_000000000.log'])).toEqual([
			'output_node-1_20260101_120000_000000000.log',
			'output_node-1_20260101_120005_000000000.log',
		]);
	});

	it('load as one console, oldest part first, its source the parts name', () => {
		part('output_20260101_120000_000000500.log', lines(0, 3));
		part('output_20260101_120005_000000100.log', lines(3, 5));
		// The last part's last line not finished yet.
		fs.writeFileSync(path.join(logs, 'output_20260101_120010_000000000.log'), 'line 5\nline 6 (running)');
		const loaded = loadRun(run.runDir);
		expect(texts(loaded.state)).toEqual([...lines(0, 6), 'line 6 (running)']);
		expect(loaded.state.consoleSource).toBe('files/logs/output_*.log');
	});

	it('a new part continues the console: the old part read to its end first, nothing read twice, nothing reset', () => {
		const first = 'output_node-1_20260101_120000_000000000.log';
		part(first, lines(0, 50));
		const live = follow();
		live.poll();
		expect(texts(live.state)).toEqual(lines(0, 50));
		// The old part gets its last lines, and a new part starts (an unfinished bar at its end).
		fs.appendFileSync(path.join(logs, first), 'line 50\nline 51\n');
		fs.writeFileSync(path.join(logs, 'output_node-1_20260101_120100_000000000.log'), 'line 52\nepoch 2: 10%');
		live.poll();
		expect(texts(live.state)).toEqual([...lines(0, 52), 'line 52', 'epoch 2: 10%']);
		expect(live.state.consoleSource).toBe('files/logs/output_node-1_*.log');
		// The appended bytes, the new part, and fingerprint checks: not the first part again.
		expect(live.read()).toBeLessThanOrEqual('line 50\nline 51\n'.length + 'line 52\nepoch 2: 10%'.length + 2 * OUTPUT_LOG_FINGERPRINT_BYTES);
		// The newest part is then followed like output.log: its bar redrawn, a line appended.
		fs.writeFileSync(path.join(logs, 'output_node-1_20260101_120100_000000000.log'), 'line 52\nepoch 2: 100%\nline 53\n');
		live.poll();
		expect(texts(live.state)).toEqual([...lines(0, 52), 'line 52', 'epoch 2: 100%', 'line 53']);
	});

	it('parts that appeared between two polls are read whole, in order', () => {
		part('output_20260101_120000_000000000.log', lines(0, 2));
		const live = follow();
		live.poll();
		part('output_20260101_120001_000000000.log', lines(2, 4));
		part('output_20260101_120002_000000000.log', lines(4, 6));
		part('output_20260101_120003_000000000.log', lines(6, 7));
		live.poll();
		expect(texts(live.state)).toEqual(lines(0, 7));
	});

	it('a first load reads only the last window across parts: older parts are not read at all', () => {
		const big = lines(0, 2000); // ~20 KB
		part('output_20260101_120000_000000000.log', big);
		part('output_20260101_120001_000000000.log', lines(2000, 2100));
		part('output_20260101_120002_000000000.log', lines(2100, 2110));
		const windowBytes = 4096;
		const live = follow({windowBytes});
		live.poll();
		const shown = texts(live.state);
		expect(shown.at(-1)).toBe('line 2109');
		// What was read fits the window (plus the byte that tells a line boundary), and the console starts at a whole line.
		expect(live.read()).toBeLessThanOrEqual(windowBytes + 1);
		expect(shown[0]).toMatch(/^line \d+$/);
		expect(shown).toEqual(lines(2110 - shown.length, 2110));
		expect(shown.length).toBeGreaterThan(300);
	});
});
