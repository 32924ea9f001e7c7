/**
 * Full-resolution images through the terminal's graphics protocol, on a real run's PNGs: the kitty
 * escapes carry the image (their chunks, joined and decoded, are the image's own pixels), in
 * 4096-byte chunks with an id, placed again and deleted by that id; the sixel output, decoded back
 * here, has the image's colours; which terminals get which (kitty, WezTerm, ghostty; sixel by TERM;
 * nothing in tmux without passthrough, with NO_COLOR or TERM=dumb); the media page leaves the
 * image's cells blank and names them; the painter writes only when something changed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {PNG} from 'pngjs';
import {describe, expect, it} from 'vitest';
import {actionFor} from '../../source/keymap.js';
import {loadRun} from '../../source/modes/load.js';
import {onceSnapshot} from '../../source/modes/once.js';
import {readMediaFile} from '../../source/sources/media-reader.js';
import {initialHostState} from '../../source/state/host-state.js';
import {MAX_FULL_IMAGES} from '../../source/state/media.js';
import {reduceRun, type RunState} from '../../source/state/run-state.js';
import {initialUiState, reduceUi, type UiState} from '../../source/state/ui-state.js';
import {detectGraphics, shouldAskDeviceAttributes, encodePng, KITTY_CHUNK, kittyDelete, kittyImage, kittyPlace, resample, sixelImage, tmuxWrap} from '../../source/view/graphics-protocol.js';
import {imageCells} from '../../source/view/image-cells.js';
import {navigation, ScreenBuilder, type Screen} from '../../source/view/screen.js';
import {GraphicsPainter, SIXEL_CELL} from '../../source/ui/graphics.js';
import {LiveSession} from '../../source/modes/session.js';
import {locateRun} from '../../source/sources/locate.js';
import type {Pixels} from '../../source/decode/media-file.js';
import {realRun} from '../helpers/fixtures.js';

const IMAGES = realRun('pvzznizc'); // 15 PNGs (640x480) under files/media/images/
const ESC = '\u001B';

function imagePaths(): string[] {
	return fs.readdirSync(path.join(IMAGES, 'files', 'media', 'images')).sort().map(name => `media/images/${name}`);
}

/** The image as wbtop decodes it (full resolution), and as pngjs decodes it here (over black). */
function realImage(relative: string): {full: Pixels; png: PNG} {
	const file = readMediaFile(IMAGES, relative, 'image');
	if (file.kind !== 'image' || !file.thumb.full) throw new Error(`no image: ${JSON.stringify(file).slice(0, 200)}`);
	return {full: file.thumb.full, png: PNG.sync.read(fs.readFileSync(path.join(IMAGES, 'files', relative)))};
}

/** The escapes of a string of APC/DCS sequences, each `ESC _ G keys ; payload ESC \`. */
function kittyEscapes(text: string): Array<{keys: Record<string, string>; payload: string}> {
	const out: Array<{keys: Record<string, string>; payload: string}> = [];
	const pattern = /\u001B_G([^;\u001B]*)(?:;([^\u001B]*))?\u001B\\/g;
	for (const match of text.matchAll(pattern)) out.push({keys: Object.fromEntries(match[1].split(',').map(pair => pair.split('=') as [string, string])), payload: match[2] ?? ''});
	return out;
}

/** Decodes a sixel image (as this test reads the format, independently of the encoder): its pixels, and its palette. */
function decodeSixel(text: string): {width: number; height: number; rgb: Uint8Array; palette: Map<number, [number, number, number]>} {
	const body = text.slice(text.indexOf('q') + 1, text.lastIndexOf(`${ESC}\\`));
	const raster = /^"1;1;(\d+);(\d+)/.exec(body);
	if (!raster) throw new Error('no raster attributes');
	const width = Number(raster[1]);
	const height = Number(raster[2]);
	const rgb = new Uint8Array(width * height * 3);
	const palette = new Map<number, [number, number, number]>();
	let at = raster[0].length;
	let x = 0;
	let band = 0;
	let colour = 0;
	while (at < body.length) {
		const c = body[at];
		if (c === '#') {
			const m = /^#(\d+)(?:;2;(\d+);(\d+);(\d+))?/.exec(body.slice(at));
			if (!m) throw new Error('bad colour');
			colour = Number(m[1]);
			if (m[2] !== undefined) palette.set(colour, [Number(m[2]), Number(m[3]), Number(m[4])].map(p => Math.round((p * 255) / 100)) as [number, number, number]);
			at += m[0].length;
			continue;
		}
		if (c === '$') {
			x = 0;
			at++;
			continue;
		}
		if (c === '-') {
			x = 0;
			band++;
			at++;
			continue;
		}
		let run = 1;
		if (c === '!') {
			const m = /^!(\d+)/.exec(body.slice(at))!;
			run = Number(m[1]);
			at += m[0].length;
		}
		const bits = body.charCodeAt(at) - 63;
		if (bits < 0 || bits > 63) throw new Error(`bad sixel character at ${at}`);
		const rgbOf = palette.get(colour);
		if (rgbOf === undefined) throw new Error(`colour ${colour} used before it is defined`);
		for (let i = 0; i < run; i++, x++) {
			for (let dy = 0; dy < 6; dy++) {
				const y = band * 6 + dy;
				if (bits & (1 << dy) && y < height && x < width) rgb.set(rgbOf, (y * width + x) * 3);
			}
		}
		at++;
	}
	return {width, height, rgb, palette};
}

describe('the full-resolution image wbtop decodes', () => {
	it('is the PNG itself, pixel for pixel (decoded independently with pngjs, over black)', () => {
		const {full, png} = realImage(imagePaths()[0]);
		expect([full.width, full.height]).toEqual([png.width, png.height]);
		let worst = 0;
		for (let p = 0; p < png.width * png.height; p++) {
			for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(full.rgb[p * 3 + c] - (png.data[p * 4 + c] * png.data[p * 4 + 3]) / 255));
		}
		expect(worst).toBeLessThanOrEqual(0.5);
	});
});

describe('kitty graphics escapes', () => {
	it('carry the image as PNG in 4096-byte base64 chunks: a=T,f=100 with id and cell size first, m=1 until the last (m=0)', () => {
		const {full} = realImage(imagePaths()[1]);
		const text = kittyImage(encodePng(full), 7, 76, 29);
		const escapes = kittyEscapes(text);
		const base64 = escapes.map(e => e.payload).join('');
		expect(escapes.length).toBe(Math.ceil(base64.length / KITTY_CHUNK));
		expect(escapes.length).toBeGreaterThan(1);
		expect(escapes[0].keys).toMatchObject({a: 'T', f: '100', i: '7', c: '76', r: '29', q: '2', m: '1'});
		for (const e of escapes.slice(0, -1)) {
			expect(e.payload.length).toBe(KITTY_CHUNK);
			expect(e.keys.m).toBe('1');
		}
		expect(escapes.at(-1)!.keys.m).toBe('0');
		expect(escapes.at(-1)!.payload.length).toBeLessThanOrEqual(KITTY_CHUNK);
		// Nothing but the escapes.
		expect(text.replace(/\u001B_G[^\u001B]*\u001B\\/g, '')).toBe('');
		// The chunks joined are a PNG of the image's own pixels.
		const back = PNG.sync.read(Buffer.from(base64, 'base64'));
		expect([back.width, back.height]).toEqual([full.width, full.height]);
		let differ = 0;
		for (let p = 0; p < full.width * full.height; p++) for (let c = 0; c < 3; c++) if (back.data[p * 4 + c] !== full.rgb[p * 3 + c]) differ++;
		expect(differ).toBe(0);
	});

	it('send a small image in one escape, m=0', () => {
		const small = resample(realImage(imagePaths()[1]).full, 8, 6);
		const escapes = kittyEscapes(kittyImage(encodePng(small), 1, 4, 2));
		expect(escapes).toHaveLength(1);
		expect(escapes[0].keys).toMatchObject({a: 'T', m: '0'});
		expect(PNG.sync.read(Buffer.from(escapes[0].payload, 'base64')).width).toBe(8);
	});

	it('place an image again and delete it by its id; in tmux, each escape is wrapped with its ESCs doubled', () => {
		expect(kittyEscapes(kittyPlace(3, 40, 12))[0].keys).toMatchObject({a: 'p', i: '3', p: '1', c: '40', r: '12'});
		expect(kittyEscapes(kittyDelete(3))[0].keys).toMatchObject({a: 'd', d: 'I', i: '3'});
		const plain = kittyDelete(3);
		const wrapped = kittyDelete(3, true);
		expect(wrapped.startsWith(`${ESC}Ptmux;`)).toBe(true);
		expect(wrapped.endsWith(`${ESC}\\`)).toBe(true);
		const inner = wrapped.slice(`${ESC}Ptmux;`.length, -2);
		expect(inner).not.toMatch(/(^|[^\u001B])\u001B(?!\u001B)/);
		expect(inner.replaceAll(ESC + ESC, ESC)).toBe(plain);
		expect(tmuxWrap(plain)).toBe(wrapped);
	});
});

describe('sixel', () => {
	it('has a raster header and a palette of at most 256 colours, each defined before use, and decodes back to the image colours', () => {
		const {full} = realImage(imagePaths()[2]);
		const scaled = resample(full, 320, 240);
		const text = sixelImage(scaled);
		expect(text.startsWith(`${ESC}Pq"1;1;320;240`)).toBe(true);
		expect(text.endsWith(`${ESC}\\`)).toBe(true);
		const decoded = decodeSixel(text);
		expect(decoded.palette.size).toBeLessThanOrEqual(256);
		expect(decoded.palette.size).toBeGreaterThan(3);
		expect([decoded.width, decoded.height]).toEqual([320, 240]);
		// Every pixel within the cube's quantization (half a step of 51) of the image, first rows and all.
		let worst = 0;
		let worstFirst = 0;
		for (let p = 0; p < 320 * 240; p++) {
			for (let c = 0; c < 3; c++) {
				const error = Math.abs(decoded.rgb[p * 3 + c] - scaled.rgb[p * 3 + c]);
				worst = Math.max(worst, error);
				if (p < 320 * 12) worstFirst = Math.max(worstFirst, error);
			}
		}
		expect(worstFirst).toBeLessThanOrEqual(26);
		expect(worst).toBeLessThanOrEqual(26);
		// Run-length coding makes it smaller than a character a pixel column per band and colour.
		expect(text.length).toBeLessThan(320 * 40 * decoded.palette.size);
	});
});

describe('which terminals get which protocol', () => {
	const on = {color: true, tmuxPassthrough: false};
	it.each([
		[{TERM: 'xterm-kitty'}, on, 'kitty', false],
		[{TERM: 'xterm-256color', KITTY_WINDOW_ID: '1'}, on, 'kitty', false],
		[{TERM: 'xterm-256color', TERM_PROGRAM: 'WezTerm'}, on, 'kitty', false],
		[{TERM: 'xterm-ghostty', TERM_PROGRAM: 'ghostty'}, on, 'kitty', false],
		[{TERM: 'foot'}, on, 'sixel', false],
		[{TERM: 'xterm-sixel'}, on, 'sixel', false],
		[{TERM: 'xterm-256color'}, on, 'none', false],
		[{TERM: 'tmux-256color', TMUX: '/tmp/tmux-0/default,1,0', KITTY_WINDOW_ID: '1'}, on, 'none', false],
		[{TERM: 'tmux-256color', TMUX: '/tmp/tmux-0/default,1,0', KITTY_WINDOW_ID: '1'}, {color: true, tmuxPassthrough: true}, 'kitty', true],
		[{TERM: 'xterm-kitty', NO_COLOR: '1'}, on, 'none', false],
		[{TERM: 'xterm-kitty'}, {color: false, tmuxPassthrough: false}, 'none', false],
		[{TERM: 'dumb', KITTY_WINDOW_ID: '1'}, on, 'none', false],
	] as const)('%o %o: %s', (env, options, kind, tmux) => {
		expect(detectGraphics(env as NodeJS.ProcessEnv, options)).toEqual({kind, tmux});
	});

	it('sixel from the device attributes reply (4 listed), asked only where it could matter', () => {
		const env = {TERM: 'xterm-256color'} as NodeJS.ProcessEnv;
		expect(detectGraphics(env, {...on, deviceAttributes: [62, 4, 22]})).toEqual({kind: 'sixel', tmux: false});
		expect(detectGraphics(env, {...on, deviceAttributes: [62, 22]})).toEqual({kind: 'none', tmux: false});
		expect(detectGraphics({...env, NO_COLOR: '1'}, {...on, deviceAttributes: [62, 4]})).toEqual({kind: 'none', tmux: false});
		// An empty NO_COLOR is unset (as options.ts reads it).
		expect(detectGraphics({TERM: 'xterm-kitty', NO_COLOR: ''}, on).kind).toBe('kitty');
		expect(shouldAskDeviceAttributes(env, true)).toBe(true);
		expect(shouldAskDeviceAttributes(env, false)).toBe(false);
		expect(shouldAskDeviceAttributes({TERM: 'xterm-kitty'} as NodeJS.ProcessEnv, true)).toBe(false);
		expect(shouldAskDeviceAttributes({...env, TMUX: '/tmp/x,1,0'}, true)).toBe(false);
		expect(shouldAskDeviceAttributes({TERM: 'dumb'} as NodeJS.ProcessEnv, true)).toBe(false);
		expect(shouldAskDeviceAttributes({...env, WBTOP_GRAPHICS: 'none'}, true)).toBe(false);
	});
});

/** The UI after these keys, each reduced against the screen they were pressed on. */
function press(run: RunState, keys: Array<[string, Record<string, boolean>?]>, columns: number, rows: number, graphics: boolean): {ui: UiState; screen: Screen} {
	const snap = onceSnapshot({location: {runDir: '', logFile: null, format: 'binary', followDir: null} as never, state: run, error: null}, initialHostState());
	let ui = initialUiState();
	for (const [input, flags] of keys) {
		const action = actionFor(input, flags ?? {});
		if (action === null) throw new Error(`no action for ${input}`);
		ui = reduceUi(ui, action, navigation({snap, ui, columns, rows, now: 0, pulse: 0, graphics}));
	}
	return {ui, screen: new ScreenBuilder().build({snap, ui, columns, rows, now: 0, pulse: 0, graphics})};
}

function serve(run: RunState, screen: Screen): void {
	const want = screen.mediaRequest;
	expect(want, 'the media page asks for its file').toBeTruthy();
	reduceRun(run, {type: 'media-file', path: want!.path, file: readMediaFile(IMAGES, want!.path, want!.kind)}, 0);
}

describe('the media page with terminal graphics', () => {
	it('leaves the image cells blank and names them, where half blocks are drawn otherwise (120x40, beside the list)', () => {
		const loaded = loadRun(IMAGES);
		expect(loaded.error).toBeNull();
		const run = loaded.state;
		const keys: Array<[string, Record<string, boolean>?]> = [['m']];
		serve(run, press(run, keys, 120, 40, true).screen);
		const {screen} = press(run, keys, 120, 40, true);
		const graphic = screen.graphic!;
		expect(graphic).toBeTruthy();
		const text = screen.lines.map(line => line.text);
		// The detail column starts right of the list's divider, below the page and key titles.
		expect(text[graphic.y - 1].slice(graphic.x)).toMatch(/^confusion_matrix_1 {2}step 3/);
		expect([...text[graphic.y]][graphic.x - 1]).toBe('│');
		const size = imageCells(640, 480, 120 - graphic.x, 40 - 1 - 2 - 1 - 1 - 1);
		expect([graphic.columns, graphic.rows]).toEqual([size.columns, size.rows]);
		expect([graphic.pixels.width, graphic.pixels.height]).toEqual([640, 480]);
		for (let row = graphic.y; row < graphic.y + graphic.rows; row++) expect([...text[row]].slice(graphic.x).join('').trim()).toBe('');
		// The line after the image says what it is.
		expect(text[graphic.y + graphic.rows].slice(graphic.x)).toMatch(/^640x480 png {2}media\/images\/confusion_matrix_1_3_/);
		// Without graphics the same cells hold half blocks, and no graphic is named.
		const blocks = press(run, keys, 120, 40, false).screen;
		expect(blocks.graphic ?? null).toBeNull();
		expect(blocks.lines[graphic.y].text.slice(graphic.x)).toContain('▀');
	});

	it(`keeps full pixels for the ${MAX_FULL_IMAGES} latest images only, and asks again for an older one it shows`, () => {
		const run = loadRun(IMAGES).state;
		const paths = imagePaths().slice(0, MAX_FULL_IMAGES + 2);
		for (const p of paths) reduceRun(run, {type: 'media-file', path: p, file: readMediaFile(IMAGES, p, 'image')}, 0);
		const full = paths.map(p => {
			const file = run.mediaLog.files.get(p)!;
			return file.kind === 'image' && file.thumb.full !== null;
		});
		expect(full).toEqual(paths.map((_, i) => i >= paths.length - MAX_FULL_IMAGES));
		// confusion_matrix_1 (the first key) is now without its full pixels: with graphics it is read again.
		const first = run.mediaLog.tracks.get('confusion_matrix_1')!.entries[0].path!;
		expect(paths).toContain(first);
		expect(press(run, [['m']], 120, 40, true).screen.mediaRequest).toEqual({path: first, kind: 'image'});
		expect(press(run, [['m']], 120, 40, false).screen.mediaRequest ?? null).toBeNull();
	});
});

describe('the live session', () => {
	it('reads an image again when its full pixels were dropped, and not while it holds them', async () => {
		const session = new LiveSession(locateRun(IMAGES), {intervalMs: 1000, gpu: false, follow: false, poll: false});
		session.start();
		const wait = async (ok: () => boolean) => {
			const deadline = Date.now() + 10_000;
			while (!ok() && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20));
			expect(ok()).toBe(true);
		};
		const held = (p: string) => session.snapshot().run.mediaLog.files.get(p);
		try {
			await wait(() => session.snapshot().run.reading?.caughtUp === true);
			const paths = imagePaths().slice(0, MAX_FULL_IMAGES + 1);
			for (const p of paths) {
				session.command({type: 'media', path: p, kind: 'image'});
				await wait(() => held(p) !== undefined);
			}
			const first = held(paths[0])!;
			expect(first.kind === 'image' && first.thumb.full).toBeNull();
			const version = session.snapshot().run.mediaLog.version;
			session.command({type: 'media', path: paths[1], kind: 'image'}); // held whole: not read
			session.command({type: 'media', path: paths[0], kind: 'image'});
			await wait(() => {
				const file = held(paths[0]);
				return file?.kind === 'image' && file.thumb.full !== null;
			});
			// One read only (the first image's): the second was not read again.
			expect(session.snapshot().run.mediaLog.version).toBe(version + 1);
		} finally {
			session.stop();
		}
	});
});

describe('the painter', () => {
	const pixels = (): Pixels => realImage(imagePaths()[0]).full;
	it('kitty: writes the image once at its cell, again only when its rows were rewritten, deletes it when gone and on close', () => {
		const written: string[] = [];
		const painter = new GraphicsPainter({kind: 'kitty', tmux: false}, text => written.push(text), 1e6);
		const graphic = {path: 'a.png', pixels: pixels(), x: 44, y: 2, columns: 76, rows: 29};
		const frame = blankFrame();
		painter.show(graphic, frame);
		painter.flush();
		expect(written).toHaveLength(1);
		expect(written[0].startsWith(`${ESC}7${ESC}[3;45H${ESC}_Ga=T,f=100,i=1,`)).toBe(true);
		expect(written[0].endsWith(`${ESC}8`)).toBe(true);
		painter.show(graphic, [...frame]);
		painter.flush();
		expect(written).toHaveLength(1);
		// A row outside the image changed: Ink did not touch the image's rows.
		painter.show(graphic, frame.map((line, i) => (i === 0 ? 'title' : line)));
		painter.flush();
		expect(written).toHaveLength(1);
		painter.show(graphic, frame.map((line, i) => (i === 5 ? `${ESC}[7mrow rewritten${ESC}[27m` : line)));
		painter.flush();
		expect(written).toHaveLength(2);
		expect(kittyEscapes(written[1]).map(e => e.keys.a)).toEqual(['p']);
		// Another image: the old one deleted, the new one sent with a new id.
		painter.show({...graphic, path: 'b.png', pixels: pixels()}, frame);
		painter.flush();
		expect(kittyEscapes(written.slice(2).join('')).map(e => [e.keys.a, e.keys.i]).slice(0, 2)).toEqual([['d', '1'], ['T', '2']]);
		painter.show(null, frame);
		painter.flush();
		expect(kittyEscapes(written.at(-1)!)[0].keys).toMatchObject({a: 'd', i: '2'});
		const count = written.length;
		painter.close();
		expect(written).toHaveLength(count); // nothing left to delete
	});

	it('sixel: the image scaled into its cells (at 8x16 pixels a cell, aspect kept)', () => {
		const written: string[] = [];
		const painter = new GraphicsPainter({kind: 'sixel', tmux: false}, text => written.push(text), 1e6);
		const graphic = {path: 'a.png', pixels: pixels(), x: 20, y: 1, columns: 60, rows: 22};
		painter.show(graphic, blankFrame());
		painter.flush();
		expect(written).toHaveLength(1);
		expect(written[0].startsWith(`${ESC}7${ESC}[2;21H${ESC}Pq`)).toBe(true);
		const sixel = written[0].slice(written[0].indexOf(`${ESC}P`), -2);
		const decoded = decodeSixel(sixel);
		expect(decoded.width).toBeLessThanOrEqual(60 * SIXEL_CELL.width);
		expect(decoded.height).toBeLessThanOrEqual(22 * SIXEL_CELL.height);
		expect(Math.abs(decoded.width / decoded.height - 640 / 480)).toBeLessThan(0.02);
		// Gone (the page closed): the rows Ink leaves blank there are erased, a row it rewrote with text is not.
		const next = blankFrame().map((line, i) => (i === 4 ? `${' '.repeat(30)}${ESC}[1mtext${ESC}[22m` : line));
		painter.show(null, next);
		painter.flush();
		const erased = [...written[1].matchAll(/\u001B\[(\d+);(\d+)H\u001B\[(\d+)X/g)].map(m => [Number(m[1]) - 1, Number(m[2]) - 1, Number(m[3])]);
		expect(erased.map(([row]) => row)).toEqual(Array.from({length: 22}, (_, i) => i + 1).filter(row => row !== 4));
		for (const [, x, n] of erased) expect([x, n]).toEqual([20, 60]);
	});
});

/** A 120x40 frame of blank painted lines. */
function blankFrame(): string[] {
	return Array.from({length: 40}, () => ' '.repeat(120));
}
