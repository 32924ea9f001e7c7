/**
 * The SGR mouse parser on reports as tmux writes them to an application that asked for SGR
 * mouse (`\033[<%u;%u;%u%c`, 1-based cells; tmux's input-keys.c): presses, releases, wheel codes
 * 64/65, drags, modifiers; split over reads at every byte; keys around them left as they were.
 */
import {describe, expect, it} from 'vitest';
import {flushMouse, splitMouse, type MouseEvent} from '../../source/decode/mouse.js';

/** Feed `chunks` one read at a time, as the stdin filter does, flushing at the end. */
function feed(chunks: readonly string[]): {text: string; events: MouseEvent[]} {
	let pending = '';
	let text = '';
	const events: MouseEvent[] = [];
	for (const chunk of chunks) {
		const split = splitMouse(pending, chunk);
		pending = split.pending;
		text += split.text;
		events.push(...split.events);
	}
	text += flushMouse(pending).text;
	return {text, events};
}

const E = '\u001B';

describe('SGR mouse reports', () => {
	it('a left click (press M, release m) at 1-based column 51, row 12 is cell (50, 11)', () => {
		const {text, events} = feed([`${E}[<0;51;12M${E}[<0;51;12m`]);
		expect(text).toBe('');
		expect(events.map(e => [e.kind, e.button, e.x, e.y])).toEqual([
			['press', 0, 50, 11],
			['release', 0, 50, 11],
		]);
	});

	it('wheel codes 64 (up) and 65 (down); with ctrl (+16) and shift (+4)', () => {
		const {events} = feed([`${E}[<64;10;5M${E}[<65;10;5M${E}[<80;3;4M${E}[<69;3;4M`]);
		expect(events.map(e => e.kind)).toEqual(['wheelUp', 'wheelDown', 'wheelUp', 'wheelDown']);
		expect(events.map(e => [e.ctrl, e.shift, e.meta])).toEqual([
			[false, false, false],
			[false, false, false],
			[true, false, false],
			[false, true, false],
		]);
	});

	it('modifiers on a press: shift 4, meta 8, ctrl 16; right (2) and middle (1) buttons', () => {
		const {events} = feed([`${E}[<4;1;1M${E}[<8;1;1M${E}[<16;1;1M${E}[<2;7;7M${E}[<1;7;7M`]);
		expect(events.map(e => [e.kind, e.button, e.shift, e.meta, e.ctrl])).toEqual([
			['press', 0, true, false, false],
			['press', 0, false, true, false],
			['press', 0, false, false, true],
			['press', 2, false, false, false],
			['press', 1, false, false, false],
		]);
	});

	it('drags (32 + button) and motion with no button (35, mode 1003)', () => {
		const {events} = feed([`${E}[<32;20;9M${E}[<35;21;9M`]);
		expect(events.map(e => [e.kind, e.x])).toEqual([
			['drag', 19],
			['move', 20],
		]);
	});

	it('coordinates past 223 (SGR has no limit, unlike X10) are read whole', () => {
		expect(feed([`${E}[<0;300;250M`]).events[0]).toMatchObject({x: 299, y: 249});
	});

	it('split over two reads at every byte: the same events, and no byte of them reaches the keys', () => {
		const stream = `j${E}[<0;51;12M${E}[<0;51;12mk${E}[<64;60;14Mq`;
		const whole = feed([stream]);
		expect(whole.text).toBe('jkq');
		expect(whole.events).toHaveLength(3);
		for (let cut = 1; cut < stream.length; cut++) {
			const split = feed([stream.slice(0, cut), stream.slice(cut)]);
			expect(split.text, `cut at ${cut}`).toBe('jkq');
			expect(split.events, `cut at ${cut}`).toEqual(whole.events);
		}
	});

	it('one byte a read', () => {
		const stream = `${E}[<65;2;3M${E}[<0;4;5M`;
		expect(feed([...stream]).events.map(e => e.kind)).toEqual(['wheelDown', 'press']);
		expect(feed([...stream]).text).toBe('');
	});

	it('keys are left as they were: arrows, Esc, Alt+x, a CSI that is not a mouse report', () => {
		const keys = `${E}[A${E}[5~${E}x${E}[1;5C/abc`;
		expect(feed([keys])).toEqual({text: keys, events: []});
	});

	it('a read ending in a lone Esc holds it (it may start a report) until flushed, then it is the Esc key', () => {
		const split = splitMouse('', `q${E}`);
		expect(split).toEqual({text: 'q', events: [], pending: E});
		expect(flushMouse(split.pending).text).toBe(E);
		// The next read finishing it as a report: no Esc key.
		expect(splitMouse(split.pending, '[<0;1;1M')).toMatchObject({text: '', pending: ''});
	});

	it('a broken report (a letter inside) is passed on as text, not held', () => {
		const bad = `${E}[<0;1x;2M`;
		expect(feed([bad])).toEqual({text: bad, events: []});
		expect(splitMouse('', bad).pending).toBe('');
	});
});
