import {describe, expect, it} from 'vitest';
import {ConsoleBuffer, MAX_LINE_CHARS, type ConsoleStream} from '../../source/state/console.js';
import {sanitizeLine} from '../../source/view/sanitize.js';
import {prng as random} from '../helpers/prng.js';


/** What tqdm writes for one epoch: `\r` + the whole bar per update, coloured, then a newline. */
function tqdmEpoch(epoch: number): string {
	let out = '';
	for (let k = 0; k <= 10; k++) {
		const bar = '█'.repeat(k) + ' '.repeat(10 - k);
		out += `\rEpoch ${epoch}: \x1b[32m${String(k * 10).padStart(3)}%\x1b[0m|${bar}| ${k}/10 [00:0${k}<00:00]`;
	}
	return `${out}\n`;
}

const texts = (buffer: ConsoleBuffer) => buffer.lines().map(line => line.text);
/** The lines as the console panel draws them (escape codes are kept in the buffer, dropped on screen). */
const shown = (buffer: ConsoleBuffer) => buffer.lines().map(line => sanitizeLine(line.text));

describe('ConsoleBuffer', () => {
	it('collapses \\r redraws and handles \\r\\n; colour codes are kept as written and dropped when drawn', () => {
		const buffer = new ConsoleBuffer();
		buffer.append('stdout', 'start\n' + tqdmEpoch(1) + 'done\r\n\x1b[31merror\x1b[0m here\nlive 5%');
		expect(texts(buffer)[3]).toBe('\x1b[31merror\x1b[0m here');
		expect(shown(buffer)).toEqual([
			'start',
			'Epoch 1: 100%|██████████| 10/10 [00:010<00:00]',
			'done',
			'error here',
			'live 5%',
		]);
		expect(buffer.totalLines).toBe(4);
	});

	it('shows the live progress bar as the last line and replaces it in place', () => {
		const buffer = new ConsoleBuffer();
		buffer.append('stderr', '\r 10%|█         |');
		expect(buffer.lines()).toEqual([{text: ' 10%|█         |', stream: 'stderr'}]);
		buffer.append('stderr', '\r 20%|██        |');
		expect(texts(buffer)).toEqual([' 20%|██        |']);
		// A trailing \r alone does not erase the line (nothing was written over it yet).
		buffer.append('stderr', '\r');
		expect(texts(buffer)).toEqual([' 20%|██        |']);
		buffer.append('stderr', '\n');
		expect(texts(buffer)).toEqual([' 20%|██        |']);
		expect(buffer.totalLines).toBe(1);
	});

	it('gives the same lines for a stream split at any chunk boundaries', () => {
		const stream = ['loading\n', tqdmEpoch(1), 'val loss 0.25\r\n', tqdmEpoch(2), '\x1b[1mbold\x1b[0m\tend\n', 'tail \r', 'redrawn'].join('');
		const whole = new ConsoleBuffer();
		whole.append('stdout', stream);
		const expected = whole.lines();
		expect(expected.map(line => line.text)).toContain('val loss 0.25');
		const rand = random(9);
		for (let trial = 0; trial < 300; trial++) {
			const split = new ConsoleBuffer();
			let at = 0;
			while (at < stream.length) {
				const size = 1 + Math.floor(rand() * (trial % 2 === 0 ? 4 : 40));
				split.append('stdout', stream.slice(at, at + size));
				at += size;
			}
			expect(split.lines()).toEqual(expected);
			expect(split.totalLines).toBe(whole.totalLines);
		}
	});

	it('keeps stdout and stderr lines apart', () => {
		const buffer = new ConsoleBuffer();
		buffer.append('stdout', 'out part ');
		buffer.append('stderr', 'warning: x\n');
		buffer.append('stdout', 'two\n');
		expect(buffer.lines()).toEqual([
			{text: 'warning: x', stream: 'stderr'},
			{text: 'out part two', stream: 'stdout'},
		]);
	});

	it('is a bounded ring with a monotonic total', () => {
		const buffer = new ConsoleBuffer(3);
		for (let i = 1; i <= 10; i++) buffer.append('stdout', `line ${i}\n`);
		expect(texts(buffer)).toEqual(['line 8', 'line 9', 'line 10']);
		expect(buffer.totalLines).toBe(10);
		buffer.append('stdout', 'live');
		expect(buffer.tail(2).map(line => line.text)).toEqual(['line 10', 'live']);
		expect(buffer.tail(10).map(line => line.text)).toEqual(['line 8', 'line 9', 'line 10', 'live']);
		expect(buffer.completed().map(line => line.text)).toEqual(['line 8', 'line 9', 'line 10']);
	});

	it('caps very long lines', () => {
		const buffer = new ConsoleBuffer();
		buffer.append('stdout', 'x'.repeat(100_000));
		buffer.append('stdout', 'y'.repeat(100_000) + '\n');
		const [line] = buffer.lines();
		expect(line.text).toHaveLength(MAX_LINE_CHARS);
		expect(line.text).toBe('x'.repeat(MAX_LINE_CHARS));
	});

	it('bumps version on every append', () => {
		const buffer = new ConsoleBuffer();
		const before = buffer.version;
		buffer.append('stdout', 'a');
		expect(buffer.version).toBeGreaterThan(before);
	});
});

describe('an output.log fed as one chunk', () => {
	it('reads an output.log with progress bars into lines', () => {
		const log = 'No checkpoint found\n' + tqdmEpoch(1) + 'Epoch 1 Loss: 174.6566\n';
		const buffer = new ConsoleBuffer();
		buffer.append('stdout', log);
		const lines = buffer.lines();
		expect(lines.map(line => sanitizeLine(line.text))).toEqual([
			'No checkpoint found',
			'Epoch 1: 100%|██████████| 10/10 [00:010<00:00]',
			'Epoch 1 Loss: 174.6566',
		]);
		expect(lines.every(line => line.stream === ('stdout' as ConsoleStream))).toBe(true);
	});
});
