/**
 * The terminal's input with the mouse taken out: a stream Ink reads its keys from (they never see
 * a mouse report), and the mouse reports as events. Also the escape sequences that turn SGR mouse
 * reporting on and off.
 */
import {Readable} from 'node:stream';
import {flushMouse, splitMouse, type MouseEvent} from '../decode/mouse.js';

/** Button presses, releases and drags (1000 + 1002), reported in SGR form (1006). */
export const MOUSE_ON = '\u001B[?1000h\u001B[?1002h\u001B[?1006h';
export const MOUSE_OFF = '\u001B[?1006l\u001B[?1002l\u001B[?1000l';

/** How long a read's tail that may start a report waits for the rest (a lone Esc key waits this long). */
const HOLD_MS = 25;

/** What Ink needs of stdin (a TTY stream), here over the real one. */
export type KeyInput = Readable & {isTTY: boolean; setRawMode(mode: boolean): KeyInput; ref(): KeyInput; unref(): KeyInput};

/**
 * Wrap `stdin` (a TTY): keys come out of the returned stream, mouse reports go to `onMouse`.
 * `close` detaches from stdin.
 */
export function mouseFilteredInput(stdin: NodeJS.ReadStream, onMouse: (event: MouseEvent) => void): {input: KeyInput; close: () => void} {
	let pending = '';
	let timer: NodeJS.Timeout | null = null;
	const input = new Readable({read() {}, encoding: 'utf8'}) as KeyInput;
	input.isTTY = true;
	input.setRawMode = mode => {
		stdin.setRawMode?.(mode);
		return input;
	};
	// Ink refs stdin while it reads keys and unrefs it after: the real one is what keeps the process alive.
	input.ref = () => {
		stdin.ref();
		return input;
	};
	input.unref = () => {
		stdin.unref();
		return input;
	};
	const emit = (split: ReturnType<typeof splitMouse>) => {
		pending = split.pending;
		for (const event of split.events) onMouse(event);
		if (split.text) input.push(split.text);
		if (timer) clearTimeout(timer);
		timer = pending ? setTimeout(() => emit(flushMouse(pending)), HOLD_MS) : null;
	};
	const onData = (chunk: Buffer | string) => emit(splitMouse(pending, typeof chunk === 'string' ? chunk : chunk.toString('utf8')));
	stdin.setEncoding('utf8');
	stdin.on('data', onData);
	return {
		input,
		close: () => {
			if (timer) clearTimeout(timer);
			stdin.off('data', onData);
			stdin.pause();
		},
	};
}
