/**
 * Incremental rendering (render(..., {incrementalRendering: true})) must leave the terminal showing
 * exactly the frame: checked on a small VT emulator (vt.ts) after every frame, for patched Ink's
 * log-update driven directly and through Ink's render() on a fake TTY. Stock Ink 6.8.0's
 * incremental log-update (rebuilt from the patch, see stock-ink.ts) draws each frame one row too
 * low and erases the last column of full-width lines: the same checks fail on it.
 */
import {EventEmitter} from 'node:events';
import React from 'react';
import stringWidth from 'string-width';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {prng} from '../helpers/prng.js';
import {chance, int, pick, type Rng} from './gen.js';
import {importBuild, makeStockInk, PATCHED_INK, type InkModule, type LogUpdate} from './stock-ink.js';
import {Screen, visible} from './vt.js';

// Ink reads is-in-ci when it is first imported (this file's fork imports it first): in CI mode it
// writes no frames at all. An empty CI counts as CI too.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;

const COLUMNS = 40;
const ROWS = 24;
/** Lines on the screen before the app starts (a shell prompt): the frame starts below them. */
const PROMPT = ['$ wbtop', '(prompt)'];

let stock: {dir: string; remove(): void};
let stockLog: LogUpdate;
let patchedLog: LogUpdate;
let ink: InkModule;

beforeAll(async () => {
	stock = makeStockInk();
	stockLog = (await importBuild<{default: LogUpdate}>(stock.dir, 'log-update.js')).default;
	patchedLog = (await importBuild<{default: LogUpdate}>(PATCHED_INK, 'log-update.js')).default;
	ink = await importBuild<InkModule>(PATCHED_INK, 'index.js');
	const {default: isInCi} = (await import('is-in-ci')) as {default: boolean};
	if (isInCi) throw new Error('is-in-ci was loaded before CI was unset: Ink would render nothing');
});
afterAll(() => {
	stock?.remove();
	// cli-cursor hid the cursor of the fake TTY and left an exit handler that shows it again on the
	// worker's real stderr: drop that one sequence instead of printing it after the test run.
	const write = process.stderr.write.bind(process.stderr) as (chunk: unknown, ...rest: unknown[]) => boolean;
	process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => (chunk === '\u001B[?25h' ? true : write(chunk, ...rest))) as typeof process.stderr.write;
});

function screenWithPrompt(columns = COLUMNS, rows = ROWS): Screen {
	const screen = new Screen(columns, rows);
	screen.write(PROMPT.join('\n') + '\n');
	return screen;
}

/** What the screen must show: the prompt, then the frame's lines, then blank rows. */
function expectedScreen(frame: string, rows = ROWS): string[] {
	const lines = visible(frame.endsWith('\n') ? frame.slice(0, -1) : frame);
	return [...PROMPT, ...lines, ...Array.from({length: rows - PROMPT.length - lines.length}, () => '')];
}

/** A line for a COLUMNS-wide terminal; some fill it exactly, with a non-blank last column. */
function randomLine(r: Rng, columns = COLUMNS): string {
	const roll = r();
	let text: string;
	if (roll < 0.2) text = Array.from({length: columns - 1}, () => pick(r, ['─', 'x', ' ', '█'])).join('') + pick(r, ['┤', '9', '#']);
	else if (roll < 0.3) text = 'y'.repeat(columns - 2) + pick(r, ['中', '😀', '가']);
	else if (roll < 0.4) text = '';
	else {
		text = '';
		const parts = ['loss', ' ', '0.4123', 'step 17', '漢字', '👨‍👩‍👧', '🇯🇵', 'é', '─┤', '▁▂▃', 'GPU', '✓', '⚠'];
		const target = int(r, 1, columns);
		for (;;) {
			const next = text + pick(r, parts);
			if (stringWidth(next) > target) break;
			text = next;
		}
	}
	return chance(r, 0.3) && text !== '' ? `\u001B[${pick(r, ['31', '1', '38;5;208', '7'])}m${text}\u001B[0m` : text;
}

/** The next frame's lines: a few lines changed, some added or removed, sometimes all new. */
function nextLines(r: Rng, previous: string[], maxLines: number): string[] {
	const roll = r();
	if (roll < 0.05) return [...previous];
	if (roll < 0.12) return Array.from({length: int(r, 1, maxLines)}, () => randomLine(r));
	const lines = previous.map(line => (chance(r, 0.25) ? randomLine(r) : line));
	const grow = r();
	if (grow < 0.25 && lines.length < maxLines) lines.splice(int(r, 0, lines.length), 0, ...Array.from({length: int(r, 1, Math.min(4, maxLines - lines.length))}, () => randomLine(r)));
	else if (grow < 0.5 && lines.length > 1) lines.splice(int(r, 0, lines.length - 1), int(r, 1, Math.min(4, lines.length - 1)));
	return lines;
}

describe('log-update in incremental mode, driven directly', () => {
	const drive = (log: LogUpdate, frames: string[], columns = COLUMNS) => {
		const screen = screenWithPrompt(columns);
		const render = log.create({write: (data: string) => screen.write(data)}, {incremental: true});
		return frames.map(frame => {
			render(frame);
			return screen.lines();
		});
	};

	it('patched: 400 random frames (ending with a newline, as Ink writes them below a full screen) each leave exactly the frame', () => {
		const r = prng(21);
		let lines = [randomLine(r)];
		const frames: string[] = [];
		for (let i = 0; i < 400; i++) {
			frames.push(lines.length === 0 ? '\n' : lines.join('\n') + '\n');
			lines = nextLines(r, lines, ROWS - PROMPT.length - 2);
		}
		const screens = drive(patchedLog, frames);
		for (const [i, frame] of frames.entries()) expect(screens[i], `frame ${i}: ${JSON.stringify(frame)}`).toEqual(expectedScreen(frame));
	});

	it('patched: frames with and without the trailing newline (fullscreen), mixed', () => {
		const r = prng(22);
		let lines = [randomLine(r)];
		const frames: string[] = [];
		for (let i = 0; i < 300; i++) {
			frames.push(lines.join('\n') + (chance(r, 0.5) ? '\n' : ''));
			lines = nextLines(r, lines, ROWS - PROMPT.length - 2);
		}
		const screens = drive(patchedLog, frames);
		for (const [i, frame] of frames.entries()) expect(screens[i], `frame ${i}: ${JSON.stringify(frame)}`).toEqual(expectedScreen(frame));
	});

	it('stock draws a frame of the same height one row too low (the case the cursorUp fix addresses)', () => {
		const frames = ['a\nb\n', 'a\nc\n'];
		const patched = drive(patchedLog, frames);
		const stockScreens = drive(stockLog, frames);
		expect(patched[1]).toEqual(expectedScreen(frames[1]));
		expect(stockScreens[1]).not.toEqual(expectedScreen(frames[1]));
		expect(stockScreens[1].slice(0, 5)).toEqual([...PROMPT, 'a', 'b', 'c']);
	});

	it('stock erases the last column of a full-width line; patched keeps it', () => {
		// Shrinking frames: stock positions these correctly, so only the erase order differs.
		const frames = ['x\ny\nz\n', '0123456789\nq\n'];
		const patched = drive(patchedLog, frames, 10);
		const stockScreens = drive(stockLog, frames, 10);
		expect(patched[1]).toEqual(expectedScreen(frames[1]));
		expect(stockScreens[1][PROMPT.length]).toBe('012345678');
	});

	it('stock moves up a row for cursorUp(0) (a one-line frame without a newline); patched does not', () => {
		const frames = ['a', 'b'];
		expect(drive(patchedLog, frames)[1]).toEqual(expectedScreen('b'));
		expect(drive(stockLog, frames)[1]).not.toEqual(expectedScreen('b'));
	});

	it('stock fails the random frames that patched passes', () => {
		const r = prng(21);
		let lines = [randomLine(r)];
		const frames: string[] = [];
		for (let i = 0; i < 50; i++) {
			frames.push(lines.join('\n') + '\n');
			lines = nextLines(r, lines, ROWS - PROMPT.length - 2);
		}
		const wrong = drive(stockLog, frames).filter((screen, i) => JSON.stringify(screen) !== JSON.stringify(expectedScreen(frames[i])));
		expect(wrong.length).toBeGreaterThan(25);
	});
});

describe("Ink's render() with incrementalRendering on a fake TTY", () => {
	it('200 frames: changing lines, shrinking and growing, full-width lines; the screen is the frame after each', async () => {
		const screen = screenWithPrompt();
		const stdout = Object.assign(new EventEmitter(), {
			isTTY: true,
			columns: COLUMNS,
			rows: ROWS,
			write(data: string) {
				screen.write(data);
				return true;
			},
		});
		const stdin = Object.assign(new EventEmitter(), {
			isTTY: false,
			setRawMode: () => {},
			setEncoding: () => {},
			ref: () => {},
			unref: () => {},
			read: () => null,
		});
		const App = ({lines}: {lines: string[]}) => (
			<ink.Box flexDirection="column">
				{lines.map((line, i) => (
					<ink.Text key={i}>{line === '' ? ' ' : line}</ink.Text>
				))}
			</ink.Box>
		);
		const r = prng(23);
		let lines = [randomLine(r), randomLine(r)];
		const instance = ink.render(<App lines={lines} />, {
			stdout: stdout as unknown as NodeJS.WriteStream,
			stdin: stdin as unknown as NodeJS.ReadStream,
			patchConsole: false,
			exitOnCtrlC: false,
			incrementalRendering: true,
			maxFps: 1000,
			kittyKeyboard: {mode: 'disabled'},
		});
		try {
			for (let i = 0; i < 200; i++) {
				if (i > 0) {
					lines = nextLines(r, lines, ROWS - PROMPT.length - 3);
					instance.rerender(<App lines={lines} />);
				}
				const expected = expectedScreen(lines.join('\n'));
				// Throttled: wait for the frame to be written, then it must be exactly the frame.
				const end = Date.now() + 2000;
				while (JSON.stringify(screen.lines()) !== JSON.stringify(expected) && Date.now() < end) await new Promise(resolve => setTimeout(resolve, 1));
				expect(screen.lines(), `frame ${i}: ${JSON.stringify(lines)}`).toEqual(expected);
				expect(screen.row, `cursor after frame ${i}`).toBe(PROMPT.length + lines.length);
			}
		} finally {
			instance.unmount();
		}
		expect(screen.scrolled).toBe(0);
	});
});
