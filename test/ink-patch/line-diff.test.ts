/**
 * The patch's partial line rewrite (node_modules/ink/build/line-diff.js, used by incremental
 * log-update): after every frame the terminal must hold exactly the frame, characters and styles,
 * as if it had been drawn on a blank screen; and a small change must cost a few bytes.
 */
import stringWidth from 'string-width';
import {describe, expect, it} from 'vitest';
import {prng} from '../helpers/prng.js';
import {chance, int, pick, type Rng} from './gen.js';
import {importBuild, PATCHED_INK, type LogUpdate} from './stock-ink.js';
import {Screen} from './vt.js';

const COLUMNS = 100;
const ROWS = 30;

const OPEN = ['\u001B[31m', '\u001B[36m', '\u001B[1m', '\u001B[2m', '\u001B[7m', '\u001B[4m', '\u001B[92m', '\u001B[44m', '\u001B[38;5;208m', '\u001B[48;5;17m', '\u001B[38;2;255;128;0m', '\u001B[1;31m', '\u001B[2;7m', '\u001B[12345m', '\u001B[38;5m'];
const CLOSE = ['\u001B[39m', '\u001B[49m', '\u001B[22m', '\u001B[27m', '\u001B[24m', '\u001B[0m', '\u001B[m', '\u001B[;m'];
const TEXT = ['loss', '0.4123', 'step 1714', '─', '│', '┤', '█', '▁▂▃▅▇', ' ', '   ', 'GPU0 97%', '61.2/79.6G', '✓', '⚠', '·', 'é', '±'];
const WIDE = ['中', '😀', 'e\u0301'];

/** A line of exactly `columns` cells: styled runs of narrow text (now and then a wide character). */
function randomLine(r: Rng, columns = COLUMNS): string {
	let line = '';
	let cells = 0;
	while (cells < columns) {
		let text = chance(r, 0.02) ? pick(r, WIDE) : pick(r, TEXT);
		if (cells + stringWidth(text) > columns) text = 'x'.repeat(columns - cells);
		const styled = chance(r, 0.4);
		line += (styled ? pick(r, OPEN) : '') + text + (styled && chance(r, 0.8) ? pick(r, CLOSE) : '');
		cells += stringWidth(text);
	}
	return line;
}

/** A local change: a run of characters replaced (same count), or a style added or dropped there. */
function mutate(r: Rng, line: string): string {
	const roll = r();
	if (roll < 0.15) return randomLine(r);
	// Work on the raw string at a spot outside escape sequences.
	const spots: number[] = [];
	for (let i = 0, inEscape = false; i < line.length; i++) {
		if (line[i] === '\u001B') inEscape = true;
		else if (inEscape && line[i] === 'm') inEscape = false;
		// One-column characters only (not half of an emoji, a wide or a combining character).
		else if (!inEscape && /[\u0020-\u02ff\u2010-\u25fc]/.test(line[i]) && !/[\u0300-\u036f]/.test(line[i + 1] ?? '')) spots.push(i);
	}
	if (spots.length === 0) return line;
	const at = pick(r, spots);
	if (roll < 0.6) {
		const n = int(r, 1, 4);
		let out = line;
		for (let k = 0; k < n; k++) {
			const i = spots[Math.min(spots.length - 1, spots.indexOf(at) + k)];
			out = out.slice(0, i) + pick(r, ['0', '9', '%', ' ', '█', '▂']) + out.slice(i + 1);
		}
		return out;
	}
	if (roll < 0.8) return line.slice(0, at) + pick(r, OPEN) + line.slice(at);
	return line.slice(0, at) + pick(r, CLOSE) + line.slice(at);
}

async function patchedLog(): Promise<LogUpdate> {
	return (await importBuild<{default: LogUpdate}>(PATCHED_INK, 'log-update.js')).default;
}

/** The screen a frame leaves when drawn on a blank terminal. */
function fresh(frame: string): string[] {
	const screen = new Screen(COLUMNS, ROWS);
	screen.write(frame);
	return screen.styledLines();
}

describe('partial line rewrites (incremental rendering)', () => {
	it('360 frames of local changes: characters and styles on screen are exactly the frame', async () => {
		const log = await patchedLog();
		for (const seed of [1, 2, 3]) {
			const r = prng(seed);
			const screen = new Screen(COLUMNS, ROWS);
			const render = log.create({write: (data: string) => screen.write(data)}, {incremental: true});
			const trailingNewline = seed !== 2;
			let lines = Array.from({length: 20}, () => randomLine(r));
			for (let frame = 0; frame < 120; frame++) {
				lines = lines.map(line => (chance(r, 0.3) ? mutate(r, line) : line));
				// Each line ends in the default style, as Ink's lines do.
				const text = lines.map(line => `${line}\u001B[0m`).join('\n') + (trailingNewline ? '\n' : '');
				render(text);
				const want = fresh(text);
				const got = screen.styledLines();
				const row = got.findIndex((line, y) => line !== want[y]);
				expect(row, `seed ${seed} frame ${frame} row ${row}:\n got ${got[row]}\nwant ${want[row]}`).toBe(-1);
			}
		}
	});

	it('a clock ticking in a 200-column coloured header costs a few bytes, not the line', async () => {
		const log = await patchedLog();
		const screen = new Screen(200, 50);
		let written = '';
		const render = log.create({write: (data: string) => {
			written += data;
			screen.write(data);
		}}, {incremental: true});
		const header = (clock: string) => `\u001B[1m\u001B[36mresnet50\u001B[39m\u001B[22m  \u001B[32m● running\u001B[39m  step 1200  \u001B[2mruntime ${clock}\u001B[22m${' '.repeat(152)}`;
		const body = Array.from({length: 40}, (_, i) => `\u001B[36m${'─'.repeat(100)}\u001B[39m${String(i).padStart(100)}`);
		render([header('1h02m03s'), ...body].join('\n'));
		written = '';
		const next = [header('1h02m04s'), ...body].join('\n');
		render(next);
		expect(written.length).toBeLessThan(40);
		const blank = new Screen(200, 50);
		blank.write(next);
		expect(screen.styledLines()).toEqual(blank.styledLines());
	});
});

describe('partial line rewrites: where the raw text and the cells disagree', () => {
	const cases: Array<[string, string, string]> = [
		// The raw lines end alike from "39mZ" on: the end of ESC[39m in one, text in the other.
		['digits that are text in one line and SGR parameters in the other', `${'a'.repeat(20)}PQRS\u001B[39mZ${'b'.repeat(20)}\u001B[0m`, `${'a'.repeat(20)}Q39mZ${'b'.repeat(20)}\u001B[0m`],
		['the same text, its colour changed', `${'a'.repeat(20)}\u001B[31mred${'b'.repeat(20)}\u001B[0m`, `${'a'.repeat(20)}\u001B[32mred${'b'.repeat(20)}\u001B[0m`],
		['a style that ends later', `${'a'.repeat(20)}\u001B[1mbold\u001B[22m${'b'.repeat(20)}\u001B[0m`, `${'a'.repeat(20)}\u001B[1mbold${'b'.repeat(20)}\u001B[0m`],
		['one SGR spelled two ways', `${'a'.repeat(20)}\u001B[1;31mx${'b'.repeat(20)}\u001B[0m`, `${'a'.repeat(20)}\u001B[1m\u001B[31mx${'b'.repeat(20)}\u001B[0m`],
		['a change in the first and in the last cell', `a${'b'.repeat(40)}c\u001B[0m`, `A${'b'.repeat(40)}C\u001B[0m`],
	];
	it.each(cases)('%s', async (_name, before, after) => {
		const log = await patchedLog();
		const screen = new Screen(COLUMNS, 5);
		const render = log.create({write: (data: string) => screen.write(data)}, {incremental: true});
		render(`head\n${before}\ntail\n`);
		render(`head\n${after}\ntail\n`);
		const blank = new Screen(COLUMNS, 5);
		blank.write(`head\n${after}\ntail\n`);
		expect(screen.styledLines()).toEqual(blank.styledLines());
	});
});
