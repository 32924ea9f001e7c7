/**
 * Zoom on a 2M-row run: the run's own series keep ~1,000 buckets (2,000+ rows each), so 1 % of the
 * run must be read again from the log. Each chart column's min/max must then be the exact min/max
 * of the rows whose x falls in that column, computed here from the formula the run was written
 * with, and the cursor must read each row's exact value, raw and smoothed (smoothed over the whole
 * run, not from the zoom's start). The zoom keys work on the chart as drawn, on every chart.
 */
import {beforeAll, describe, expect, it} from 'vitest';
import {loadRun} from '../../source/modes/load.js';
import {onceSnapshot} from '../../source/modes/once.js';
import {initialHostState} from '../../source/state/host-state.js';
import {visibleMetrics} from '../../source/state/selectors.js';
import type {Snapshot} from '../../source/state/snapshot.js';
import {initialUiState, reduceUi, type UiState} from '../../source/state/ui-state.js';
import type {ZoomCache} from '../../source/state/zoom.js';
import {readZoom} from '../../source/sources/zoom-reader.js';
import {columnsOf} from '../../source/view/chart.js';
import {readCursor} from '../../source/view/cursor.js';
import {formatNumber} from '../../source/view/format.js';
import {navigation, ScreenBuilder} from '../../source/view/screen.js';
import {ZOOM_ROWS, zoomRun, zoomRunValue} from '../helpers/zoom-run.js';

const X0 = 1_234_567;
const X1 = X0 + ZOOM_ROWS / 100; // 1 % of the steps

let logFile = '';
let snap: Snapshot;
let cache: ZoomCache;

beforeAll(async () => {
	const run = zoomRun();
	logFile = run.logFile;
	snap = {...onceSnapshot(loadRun(run.runDir), initialHostState()), version: 1};
	cache = (await readZoom(logFile, {axis: '_step', x0: X0, x1: X1, metrics: ['train/loss', 'lr', 'val/acc']}).promise)!;
}, 300_000);

/** Exact min/max of `name` over the steps whose x falls in column c of `width` over [X0, X1] (the chart's own mapping). */
function exactColumn(name: 'train/loss' | 'lr' | 'val/acc', c: number, width: number): {min: number; max: number} | null {
	const scale = width / (X1 - X0);
	let min = Infinity;
	let max = -Infinity;
	for (let step = Math.max(X0, Math.floor(X0 + c / scale) - 1); step <= X1; step++) {
		const column = Math.min(width - 1, Math.floor((step - X0) * scale));
		if (column < c) continue;
		if (column > c) break;
		const value = zoomRunValue(name, step);
		if (value === null) continue;
		min = Math.min(min, value);
		max = Math.max(max, value);
	}
	return min <= max ? {min, max} : null;
}

describe('zooming into 1 % of a 2M-row run', () => {
	it('reads the range again: every row of it, and a warm-up before it', () => {
		expect(snap.run.rows).toBe(ZOOM_ROWS);
		// The run's own store is far coarser than a column here.
		expect(snap.run.metrics.get('train/loss')!.series.pointsPerBucket).toBeGreaterThan(1000);
		expect(cache.rows).toBe(X1 - X0 + 1);
		expect(cache.bucketed).toBe(false);
		expect(cache.warmupRows).toBeGreaterThanOrEqual(4096);
		// A few MiB of a 250 MB log.
		expect(cache.bytes).toBeLessThan(16 << 20);
	});

	it("gives each column the exact min/max of the rows in that column's x range", () => {
		for (const width of [197, 103, 59]) {
			for (const name of ['train/loss', 'lr', 'val/acc'] as const) {
				const zoomed = columnsOf(cache.metrics.get(name)!, cache.x, width, [X0, X1]);
				const coarse = columnsOf(snap.run.metrics.get(name)!.series, snap.run.axes.get('_step')!, width, [X0, X1]);
				let coarseWrong = 0;
				for (let c = 0; c < width; c++) {
					const exact = exactColumn(name, c, width);
					expect(zoomed[c] === null ? null : {min: zoomed[c]!.min, max: zoomed[c]!.max}, `${name} column ${c} of ${width}`).toEqual(exact);
					if (coarse[c]?.min !== exact?.min || coarse[c]?.max !== exact?.max) coarseWrong++;
				}
				// The run's own buckets could not have told (so this test can fail).
				expect(coarseWrong).toBeGreaterThan(width / 2);
			}
		}
	});

	it('draws the zoomed chart from it, and the cursor reads exact values, raw and smoothed over the whole run', () => {
		const metrics = visibleMetrics(snap.run, '');
		const selected = metrics.findIndex(metric => metric.name === 'train/loss');
		const zoomed = {...snap, zoom: cache};
		let ui: UiState = {...initialUiState(), focused: true, selected, zoom: {axis: '_step', x0: X0, x1: X1}, smoothing: 0.99};
		const nav = () => navigation({snap: zoomed, ui, columns: 120, rows: 40, now: 0, pulse: 0});
		const chart = nav().chart!;
		expect([chart.x0, chart.x1]).toEqual([X0, X1]);
		// The EMA over every row from the start, written out again.
		const weight = 0.99;
		let last = 0;
		const smoothedAt = new Map<number, number>();
		const wanted = new Set<number>();
		ui = reduceUi(ui, 'cursor', nav());
		const steps: number[] = [];
		for (let i = 0; i < 6; i++) {
			steps.push(Math.floor(ui.cursor!.x));
			ui = reduceUi(ui, 'cursorRightFar', nav());
		}
		for (const step of steps) wanted.add(step);
		for (let step = 0; step <= X1; step++) {
			last = last * weight + (1 - weight) * zoomRunValue('train/loss', step)!;
			if (wanted.has(step)) smoothedAt.set(step, last / (1 - weight ** (step + 1)));
		}
		for (const step of steps) {
			const reading = readCursor(cache.metrics.get('train/loss')!, cache.x, step + 0.5, [step, step + 1], weight);
			expect(reading.x).toBe(step);
			expect(reading.value).toBe(zoomRunValue('train/loss', step));
			expect(Math.abs(reading.smoothed! - smoothedAt.get(step)!) / smoothedAt.get(step)!).toBeLessThan(1e-12);
		}
		// On screen: the title reads the cursor's step, its value and the column's exact min/max.
		const screen = new ScreenBuilder().build({snap: zoomed, ui, columns: 120, rows: 40, now: 0, pulse: 0});
		const text = screen.lines.map(line => line.text);
		const title = text.find(line => line.includes('train/loss  @'))!;
		const x = ui.cursor!.x;
		const column = Math.min(chart.columns - 1, Math.floor(((x - X0) / (X1 - X0)) * chart.columns));
		const exact = exactColumn('train/loss', column, chart.columns)!;
		expect(title).toContain(`@${Math.round(x).toLocaleString('en-US')}  ${formatNumber(zoomRunValue('train/loss', Math.floor(x)), 10)}`);
		expect(title).toContain(`▾${formatNumber(exact.min, 8)} ▴${formatNumber(exact.max, 8)}`);
		expect(screen.zoomRequest).toEqual({axis: '_step', x0: X0, x1: X1, metrics: ['train/loss']});
	});

	it('zooms around the cursor, pans, and resets, on every chart of the page', () => {
		let ui: UiState = initialUiState();
		const nav = () => navigation({snap, ui, columns: 200, rows: 50, now: 0, pulse: 0});
		ui = reduceUi(ui, 'cursor', nav());
		const cursor = ui.cursor!.x;
		ui = reduceUi(ui, 'zoomIn', nav());
		expect(ui.zoom!.x1 - ui.zoom!.x0).toBeCloseTo((ZOOM_ROWS - 1) / 2, 6);
		// The cursor keeps its place in the range.
		expect((cursor - ui.zoom!.x0) / (ui.zoom!.x1 - ui.zoom!.x0)).toBeCloseTo(cursor / (ZOOM_ROWS - 1), 6);
		for (let i = 0; i < 6; i++) ui = reduceUi(ui, 'zoomIn', nav());
		const width = ui.zoom!.x1 - ui.zoom!.x0;
		expect(width).toBeCloseTo((ZOOM_ROWS - 1) / 128, 6);
		const start = ui.zoom!.x0;
		ui = reduceUi(ui, 'panRight', nav());
		expect(ui.zoom!.x0 - start).toBeCloseTo(width / 4, 6);
		// Every chart drawn against _step asks for the same range.
		const screen = new ScreenBuilder().build({snap, ui, columns: 200, rows: 50, now: 0, pulse: 0});
		expect([...screen.zoomRequest!.metrics].sort()).toEqual(['lr', 'train/loss', 'val/acc']);
		expect(screen.lines.at(-1)!.text).toMatch(/zoom \S+–\S+ \(reading\)/);
		ui = reduceUi(ui, 'zoomOut', nav());
		expect(ui.zoom!.x1 - ui.zoom!.x0).toBeCloseTo(width * 2, 6);
		ui = reduceUi(ui, 'zoomReset', nav());
		expect(ui.zoom).toBeNull();
	});
});
