/**
 * SGR mouse reports (`CSI < b ; x ; y M` press / motion, `m` release) taken out of the terminal's
 * input before key handling sees it. Pure: the caller keeps `pending` between reads, since a
 * report can arrive split over two reads (tmux writes what it has).
 */

/** One mouse report, in the terminal's 1-based cells turned 0-based. */
export type MouseEvent = {
	kind: 'press' | 'release' | 'drag' | 'move' | 'wheelUp' | 'wheelDown';
	/** 0 left, 1 middle, 2 right (for wheel, motion without a button and release: as the terminal sent it). */
	button: number;
	/** Column and row, 0-based. */
	x: number;
	y: number;
	shift: boolean;
	meta: boolean;
	ctrl: boolean;
};

/** What one read held: the text for key handling, the mouse reports, and what to keep for the next read. */
export type MouseSplit = {text: string; events: MouseEvent[]; pending: string};

// A whole report; its numbers are bounded so a flood of digits is never held.
const REPORT = /\u001B\[<(\d{1,5});(\d{1,5});(\d{1,5})([Mm])/g;
// The start of a report a read ended in the middle of (ESC alone, ESC [, or ESC [ < and numbers).
const PARTIAL = /\u001B(?:\[(?:<[\d;]{0,17})?)?$/;

/** Decode a report's numbers (xterm's SGR encoding: button bits, +4 shift, +8 meta, +16 ctrl, +32 motion, +64 wheel). */
export function decodeReport(code: number, x: number, y: number, final: 'M' | 'm'): MouseEvent {
	const button = code & 3;
	const base = {button, x: Math.max(0, x - 1), y: Math.max(0, y - 1), shift: (code & 4) !== 0, meta: (code & 8) !== 0, ctrl: (code & 16) !== 0};
	if (code & 64) return {...base, kind: button === 0 ? 'wheelUp' : button === 1 ? 'wheelDown' : 'move'};
	if (final === 'm') return {...base, kind: 'release'};
	if (code & 32) return {...base, kind: button === 3 ? 'move' : 'drag'};
	return {...base, kind: 'press'};
}

/**
 * Take the mouse reports out of `pending + chunk`. A chunk that ends inside what may be a report
 * keeps that tail as `pending` (flush it with {@link flushMouse} when no more input follows: a lone
 * Esc key is such a tail).
 */
export function splitMouse(pending: string, chunk: string): MouseSplit {
	const input = pending + chunk;
	const events: MouseEvent[] = [];
	let text = '';
	let at = 0;
	REPORT.lastIndex = 0;
	for (let match = REPORT.exec(input); match !== null; match = REPORT.exec(input)) {
		text += input.slice(at, match.index);
		events.push(decodeReport(Number(match[1]), Number(match[2]), Number(match[3]), match[4] as 'M' | 'm'));
		at = match.index + match[0].length;
	}
	const rest = input.slice(at);
	const partial = PARTIAL.exec(rest);
	if (partial === null) return {text: text + rest, events, pending: ''};
	return {text: text + rest.slice(0, partial.index), events, pending: rest.slice(partial.index)};
}

/** The held tail as key input, when no more input came to finish it. */
export function flushMouse(pending: string): MouseSplit {
	return {text: pending, events: [], pending: ''};
}
