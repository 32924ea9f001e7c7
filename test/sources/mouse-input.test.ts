/**
 * The stdin filter Ink reads keys from: reports split over two reads come out as one event and no
 * text; keys pass in order; a lone Esc (it might start a report) still reaches the keys, shortly
 * after; closing detaches from stdin.
 */
import {PassThrough} from 'node:stream';
import {describe, expect, it} from 'vitest';
import {mouseFilteredInput} from '../../source/sources/mouse-input.js';
import type {MouseEvent} from '../../source/decode/mouse.js';

/** A stand-in for a TTY stdin: a stream with the raw-mode and ref calls counted. */
function fakeStdin() {
	const stream = new PassThrough() as PassThrough & {setRawMode(mode: boolean): void; ref(): void; unref(): void; raw: boolean[]};
	stream.raw = [];
	stream.setRawMode = mode => void stream.raw.push(mode);
	stream.ref = () => {};
	stream.unref = () => {};
	return stream;
}

const tick = (ms = 5) => new Promise(resolve => setTimeout(resolve, ms));

function keysOf(input: NodeJS.ReadableStream): () => string {
	let text = '';
	input.on('readable', () => {
		for (let chunk = input.read(); chunk !== null; chunk = input.read()) text += String(chunk);
	});
	return () => text;
}

describe('the mouse-filtered stdin', () => {
	it('a report split over two reads is one event; the keys around it come through in order', async () => {
		const stdin = fakeStdin();
		const events: MouseEvent[] = [];
		const {input, close} = mouseFilteredInput(stdin as unknown as NodeJS.ReadStream, event => events.push(event));
		const keys = keysOf(input);
		stdin.write('j\u001B[<0;5');
		await tick();
		expect(events).toHaveLength(0);
		stdin.write('1;12Mk');
		await tick();
		expect(events.map(e => [e.kind, e.x, e.y])).toEqual([['press', 50, 11]]);
		expect(keys()).toBe('jk');
		input.setRawMode(true);
		expect(stdin.raw).toEqual([true]);
		close();
	});

	it('a lone Esc reaches the keys on the next turn, before a key typed after it (not Alt+key)', async () => {
		const stdin = fakeStdin();
		const events: MouseEvent[] = [];
		const {input, close} = mouseFilteredInput(stdin as unknown as NodeJS.ReadStream, event => events.push(event));
		const reads: string[] = [];
		input.on('readable', () => {
			for (let chunk = input.read(); chunk !== null; chunk = input.read()) reads.push(String(chunk));
		});
		const keys = () => reads.join('');
		stdin.write('\u001B');
		await tick(1);
		stdin.write('q');
		await tick(5);
		expect(reads).toEqual(['\u001B', 'q']);
		// A report whose ESC came alone: the Esc key went out, the rest is still a report, not text.
		stdin.write('\u001B');
		await tick(1);
		stdin.write('[<0;3;4M');
		await tick(5);
		expect(keys()).toBe('\u001Bq\u001B');
		expect(events.map(e => [e.kind, e.x, e.y])).toEqual([['press', 2, 3]]);
		// A partial report waits for the rest, then goes on as text when none came.
		stdin.write('\u001B[<0;1');
		await tick(5);
		expect(keys()).toBe('\u001Bq\u001B');
		await tick(60);
		expect(keys()).toBe('\u001Bq\u001B\u001B[<0;1');
		close();
		stdin.write('q');
		await tick();
		expect(keys()).toBe('\u001Bq\u001B\u001B[<0;1');
	});
});
