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

/** How long a read's tail that starts a report (`ESC [` or `ESC [ <` and numbers) waits for the rest. */
const HOLD_MS = 25;
/** The rest of a report whose ESC ended the read before (and went on as the Esc key). */
const REPORT_REST = /^\[<\d{1,5};\d{1,5};\d{1,5}[Mm]/;

/** What Ink needs of stdin (a TTY stream), here over the real one. */
export type KeyInput = Readable & {isTTY: boolean; setRawMode(mode: boolean): KeyInput; ref(): KeyInput; unref(): KeyInput};

/**
 * Wrap `stdin` (a TTY): keys come out of the returned stream, mouse reports go to `onMouse`.
 * `close` detaches from stdin.
 */
export function mouseFilteredInput(stdin: NodeJS.ReadStream, onMouse: (event: MouseEvent) => void): {input: KeyInput; close: () => void} {
	let pending = '';
	let timer: NodeJS.Timeout | null = null;
	let immediate: NodeJS.Immediate | null = null;
	// The last read ended in a lone ESC, passed on as the Esc key.
	let escPassed = false;
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
	const emit = (split: ReturnType<typeof splitMouse>, flushed = false) => {
		pending = split.pending;
		escPassed = flushed && split.text === '\u001B';
		for (const event of split.events) onMouse(event);
		if (split.text) input.push(split.text);
		if (timer) clearTimeout(timer);
		if (immediate) clearImmediate(immediate);
		timer = null;
		immediate = null;
		// A lone ESC is the Esc key unless more follows at once: held only until the next turn, as
		// Ink holds it (held longer, an Esc and the key after it would read as Alt+key).
		if (pending === '\u001B') immediate = setImmediate(() => emit(flushMouse(pending), true));
		else if (pending) timer = setTimeout(() => emit(flushMouse(pending), true), HOLD_MS);
	};
	const onData = (data: Buffer | string) => {
		const chunk = typeof data === 'string' ? data : data.toString('utf8');
		// A report split right after its ESC: the Esc key went out, the rest is still no key.
		if (escPassed && pending === '' && REPORT_REST.test(chunk)) return emit(splitMouse('\u001B', chunk));
		emit(splitMouse(pending, chunk));
	};
	stdin.setEncoding('utf8');
	stdin.on('data', onData);
	return {
		input,
		close: () => {
			if (timer) clearTimeout(timer);
			if (immediate) clearImmediate(immediate);
			stdin.off('data', onData);
			stdin.pause();
		},
	};
}
