/**
 * The media panel on real runs, checked against the runs' own files read here independently:
 * an image's half-block cells have the average colours of the PNG's regions (decoded with pngjs
 * in the test), a histogram's bars have the heights its bins say (from wandb-summary.json), the
 * all-gradients view is in the order of their max |value| (from the same JSON), a table's preview
 * shows the table file's first row, and a run copied without its media files says which is missing.
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
import {reduceRun, type RunState} from '../../source/state/run-state.js';
import {initialUiState, reduceUi, type UiState} from '../../source/state/ui-state.js';
import {imageCells} from '../../source/view/image-cells.js';
import {histogramBars} from '../../source/view/histogram-draw.js';
import {mediaKeys, mediaPage} from '../../source/view/panels/media.js';
import {navigation, ScreenBuilder, type Screen} from '../../source/view/screen.js';
import {realRun} from '../helpers/fixtures.js';

const IMAGES = realRun('pvzznizc'); // 15 PNGs under files/media/images/
const WATCH = realRun('0xy6x921'); // wandb.watch(log="all"): 80 histogram keys
const TABLES = realRun('lpl8zlhs'); // table-file x9 with their .table.json files
const NO_MEDIA_FILES = realRun('i1darie0'); // image-file and table-file logged, files not copied

function load(dir: string): RunState {
	const loaded = loadRun(dir);
	expect(loaded.error).toBeNull();
	return loaded.state;
}

/** The UI after these keys, each reduced against the screen they were pressed on. */
function press(run: RunState, keys: Array<[string, Record<string, boolean>?]>, columns: number, rows: number, depth: 'truecolor' | '256' | 'none' = 'truecolor'): {ui: UiState; screen: Screen} {
	const snap = onceSnapshot({location: {runDir: '', logFile: null, format: 'binary', followDir: null} as never, state: run, error: null}, initialHostState());
	let ui = initialUiState();
	for (const [input, flags] of keys) {
		const action = actionFor(input, flags ?? {});
		if (action === null) throw new Error(`no action for ${input}`);
		ui = reduceUi(ui, action, navigation({snap, ui, columns, rows, now: 0, pulse: 0, colorDepth: depth}));
	}
	const screen = new ScreenBuilder().build({snap, ui, columns, rows, now: 0, pulse: 0, colorDepth: depth});
	return {ui, screen};
}

/** Reads the media file the screen asks for, as the session does, and folds it into the run. */
function serve(run: RunState, dir: string, screen: Screen): void {
	const want = screen.mediaRequest;
	expect(want, 'the media page asks for its file').toBeTruthy();
	reduceRun(run, {type: 'media-file', path: want!.path, file: readMediaFile(dir, want!.path, want!.kind)}, 0);
}

const hexRgb = (color: string): [number, number, number] => {
	const n = Number.parseInt(color.slice(1), 16);
	return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
};

describe('media panel: images', () => {
	it('draws a PNG whose half-block cells have the average colours of its regions (PNG decoded independently)', () => {
		const run = load(IMAGES);
		const keys = mediaKeys(run).map(track => track.key);
		const at = keys.indexOf('confusion_matrix_2');
		expect(at).toBeGreaterThanOrEqual(0);
		const moves: Array<[string, Record<string, boolean>?]> = [['m'], ...Array.from({length: at}, (): [string, Record<string, boolean>] => ['', {downArrow: true}]), ['', {return: true}]];
		// 60x30: one column, the detail pane alone.
		const first = press(run, moves, 60, 30);
		expect(first.screen.lines.map(line => line.text).join('\n')).toContain('reading media/images/confusion_matrix_2_8_');
		serve(run, IMAGES, first.screen);
		const {screen} = press(run, moves, 60, 30);
		const text = screen.lines.map(line => line.text);
		expect(text[1]).toContain('confusion_matrix_2  step 8 (1/1)');

		const entry = run.mediaLog.tracks.get('confusion_matrix_2')!.entries[0];
		const png = PNG.sync.read(fs.readFileSync(path.join(IMAGES, 'files', entry.path!)));
		// The image area: the body less the title (1), the key's line (1), the info line (1), the footer.
		const bodyRows = 30 - 1 - 1 - 2 - 1 - 1;
		const size = imageCells(png.width, png.height, 60, bodyRows);
		expect(size.columns).toBe(60); // 640x480 in 60x23 cells: width-bound
		let totalError = 0;
		let cells = 0;
		const errors: number[] = [];
		for (let row = 0; row < size.rows; row++) {
			const line = screen.lines[2 + row];
			let x = 0;
			for (const span of line.spans) {
				for (const char of span.text) {
					if (x >= size.columns) break;
					expect(char).toBe('▀');
					const top = hexRgb(span.style!.color!);
					const bottom = span.style!.bg ? hexRgb(span.style!.bg) : null;
					for (const [half, drawn] of [[0, top], [1, bottom]] as const) {
						const py = 2 * row + half;
						if (drawn === null || py >= size.pixelRows) continue;
						// The PNG's own pixels over this half cell, averaged here.
						const x0 = Math.floor((x * png.width) / size.columns);
						const x1 = Math.floor(((x + 1) * png.width) / size.columns);
						const y0 = Math.floor((py * png.height) / size.pixelRows);
						const y1 = Math.floor(((py + 1) * png.height) / size.pixelRows);
						const sum = [0, 0, 0];
						for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) for (let c = 0; c < 3; c++) sum[c] += png.data[(yy * png.width + xx) * 4 + c] * (png.data[(yy * png.width + xx) * 4 + 3] / 255);
						const n = (x1 - x0) * (y1 - y0);
						const error = Math.max(...[0, 1, 2].map(c => Math.abs(sum[c] / n - drawn[c])));
						errors.push(error);
						totalError += error;
						cells++;
					}
					x++;
				}
			}
			expect(x).toBeGreaterThanOrEqual(size.columns);
		}
		errors.sort((a, b) => a - b);
		// Two box filters (the cached thumbnail, then the cells) against one: close, not equal.
		expect(totalError / cells).toBeLessThan(6);
		expect(errors[Math.floor(errors.length * 0.95)]).toBeLessThan(40);
		// The image is not one flat colour: the test would pass on nothing otherwise.
		const colours = new Set(screen.lines.slice(2, 2 + size.rows).flatMap(line => line.spans.map(span => span.style?.color)));
		expect(colours.size).toBeGreaterThan(10);
	});

	it('uses the 256-colour palette where the terminal has no 24-bit colour, and shade characters with no colour', () => {
		const run = load(IMAGES);
		const moves: Array<[string, Record<string, boolean>?]> = [['m'], ['', {return: true}]];
		serve(run, IMAGES, press(run, moves, 60, 30).screen);
		const in256 = press(run, moves, 60, 30, '256').screen;
		const styles = in256.lines.slice(2, 10).flatMap(line => line.spans.map(span => span.style?.color)).filter(Boolean);
		expect(styles.length).toBeGreaterThan(0);
		for (const color of styles) expect(color).toMatch(/^256:\d+$/);
		const plain = press(run, moves, 60, 30, 'none').screen;
		const rows = plain.lines.slice(2, 10).map(line => line.text);
		for (const row of rows) expect(row).toMatch(/^[ ░▒▓█]+$/);
		expect(new Set(rows.join('')).size).toBeGreaterThan(1);
		for (const line of plain.lines.slice(2, 10)) for (const span of line.spans) expect(span.style?.color).toBeUndefined();
	});

	it('says which image file is missing in a run copied without its media, and the rest goes on', () => {
		const run = load(NO_MEDIA_FILES);
		const list = press(run, [['m']], 120, 40).screen.lines.map(line => line.text).join('\n');
		expect(list).toMatch(/image\s+data_visualization\s+1× @0/);
		expect(list).toMatch(/table\s+sample_data\s+1× @1/);
		const moves: Array<[string, Record<string, boolean>?]> = [['m'], ['', {return: true}]];
		const first = press(run, moves, 120, 40);
		serve(run, NO_MEDIA_FILES, first.screen);
		const text = press(run, moves, 120, 40).screen.lines.map(line => line.text).join('\n');
		expect(text).toContain('image file missing: media/images/data_visualization_0_');
		// Nothing is asked again for a file already known missing.
		expect(press(run, moves, 120, 40).screen.mediaRequest).toBeNull();
	});

	it('reads only inside the run dir', () => {
		expect(readMediaFile(IMAGES, '../../../../etc/passwd', 'image')).toEqual({kind: 'error', message: '../../../../etc/passwd: a path outside the run directory: not read'});
		expect(readMediaFile(IMAGES, '/etc/passwd', 'table').kind).toBe('error');
	});
});

/** wandb-summary.json's histograms, read with JSON.parse: the last histogram of every key. */
function summaryHistograms(dir: string): Map<string, {values: number[]; bins: number[]}> {
	const summary = JSON.parse(fs.readFileSync(path.join(dir, 'files', 'wandb-summary.json'), 'utf8')) as Record<string, unknown>;
	const out = new Map<string, {values: number[]; bins: number[]}>();
	const walk = (prefix: string, value: unknown) => {
		if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
		const object = value as Record<string, unknown>;
		if (object._type === 'histogram') out.set(prefix, object as unknown as {values: number[]; bins: number[]});
		else for (const [key, child] of Object.entries(object)) walk(prefix ? `${prefix}/${key}` : key, child);
	};
	for (const [key, value] of Object.entries(summary)) walk(key, value);
	return out;
}

describe('media panel: histograms', () => {
	it('draws the latest histogram with bar heights that match its bins (wandb-summary.json read independently)', () => {
		const run = load(WATCH);
		const expected = summaryHistograms(WATCH);
		const key = 'parameters/model.projection.fcs.0.weight';
		const json = expected.get(key) ?? [...expected].find(([k]) => k.endsWith('projection.fcs.0.weight'))?.[1];
		expect(json?.values.length).toBe(64);
		const track = run.mediaLog.tracks.get(key)!;
		expect(track.histograms.map(h => h.step)).toEqual([1, 3, 5, 7, 9]);
		const latest = track.histograms.at(-1)!;
		expect([...latest.counts]).toEqual(json!.values);
		// 64 columns for 64 equal bins: column i is bin i, in eighths of a cell.
		const rows = 9;
		const lines = histogramBars(latest, 64, rows + 1);
		const max = Math.max(...json!.values);
		for (let i = 0; i < 64; i++) {
			let eighths = 0;
			for (let r = 0; r < rows; r++) {
				const char = [...lines[r].text][i];
				eighths += char === '█' ? 8 : char === ' ' ? 0 : ' ▁▂▃▄▅▆▇'.indexOf(char);
			}
			expect(eighths, `bin ${i}`).toBe(Math.round((json!.values[i] / max) * rows * 8));
		}
	});

	it('steps through a key with ← →, and shows the heat strip of its steps', () => {
		const run = load(WATCH);
		const keys = mediaKeys(run).map(track => track.key);
		const at = keys.indexOf('parameters/model.projection.fcs.0.weight');
		const down: Array<[string, Record<string, boolean>?]> = Array.from({length: at}, () => ['', {downArrow: true}]);
		const latest = press(run, [['m'], ...down, ['', {return: true}]], 120, 40).screen.lines.map(line => line.text).join('\n');
		expect(latest).toContain('parameters/model.projection.fcs.0.weight  step 9 (5/5)  64 bins');
		expect(latest).toContain('over steps (a column each, 1 … 9; shade: density)');
		const back = press(run, [['m'], ...down, ['', {return: true}], ['', {leftArrow: true}], ['', {leftArrow: true}]], 120, 40).screen.lines.map(line => line.text).join('\n');
		expect(back).toContain('step 5 (3/5)');
		expect(back).toContain('over steps (a column each, 1 … 5;');
	});

	it('lists every gradient histogram smallest max |value| first (H), as the summary JSON orders them', () => {
		const run = load(WATCH);
		const expected = [...summaryHistograms(WATCH)]
			.filter(([key]) => key.startsWith('gradients/'))
			.map(([key, h]) => {
				let maxAbs = 0;
				h.values.forEach((count, i) => {
					if (count > 0) maxAbs = Math.max(maxAbs, Math.abs(h.bins[i]), Math.abs(h.bins[i + 1]));
				});
				return {key, maxAbs};
			})
			.sort((a, b) => a.maxAbs - b.maxAbs);
		expect(expected.length).toBe(40);
		const {screen} = press(run, [['H']], 160, 50);
		const text = screen.lines.map(line => line.text);
		expect(text[1]).toContain('gradients/* by max |value|, smallest first');
		const shown = text.slice(3, 3 + 40).map(line => line.split(/\s+/)[0]).filter(Boolean);
		// The summary spells the names with '.' inside one key; the order is what counts.
		expect(shown.slice(0, 10)).toEqual(expected.slice(0, 10).map(e => e.key.slice('gradients/'.length)));
	});
});

describe('media panel: tables and other kinds', () => {
	it("shows a table's first row and columns, as in its .table.json (read independently)", () => {
		const run = load(TABLES);
		const moves: Array<[string, Record<string, boolean>?]> = [['m'], ['', {return: true}]];
		const first = press(run, moves, 80, 24);
		const want = first.screen.mediaRequest!;
		expect(want.kind).toBe('table');
		serve(run, TABLES, first.screen);
		const table = JSON.parse(fs.readFileSync(path.join(TABLES, 'files', want.path), 'utf8')) as {columns: string[]; data: unknown[][]};
		const text = press(run, moves, 80, 24).screen.lines.map(line => line.text);
		const header = text.find(line => table.columns.every(column => line.includes(column)));
		expect(header, text.join('\n')).toBeTruthy();
		const firstRow = text[text.indexOf(header!) + 1].trim().split(/\s+/);
		expect(firstRow).toEqual(table.data[0].map(String));
		expect(text.join('\n')).toContain(`of ${table.data.length}`);
	});

	it('fits 120x40, 80x24 and 60x15 with every line exactly the pane wide', () => {
		for (const dir of [IMAGES, WATCH, TABLES, NO_MEDIA_FILES]) {
			for (const [columns, rows] of [[120, 40], [80, 24], [60, 15]]) {
				const run = load(dir);
				const {screen} = press(run, [['m'], ['', {return: true}]], columns, rows);
				expect(screen.view).toBe('media');
				expect(screen.lines.length).toBe(rows - 1);
				for (const line of screen.lines) expect(line.width).toBe(columns);
			}
		}
	});

	it('page model: an empty run says no media; a list with two columns from 100 columns', () => {
		const run = load(realRun('31f67q0f'));
		const page = mediaPage(run, {...initialUiState().media, open: true}, 120, 30, 'truecolor');
		expect(page.lines[0].text).toContain('no media logged in this run');
		const images = mediaPage(load(IMAGES), {...initialUiState().media, open: true}, 120, 30, 'truecolor');
		expect(images.lines[0].text).toMatch(/^kind\s+key\s+\(15\) .*│confusion_matrix_1  step 3 \(1\/1\)  640x480 png/);
		expect(images.lines[1].text).toMatch(/^image\s+confusion_matrix_1\s+1× @3│reading media\/images\/confusion_matrix_1_3_/);
	});
});
