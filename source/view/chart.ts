/**
 * Chart strings for one metric: a Series (plus an optional x-axis column) → exactly `height` lines of
 * at most `width` columns.
 *
 * Pipeline: buckets → per-column min/max/line value by x (spikes survive as the column max) → y
 * rows → asciichart draws the line from integer rows (so its rounding and height quirks cannot
 * bite) → we blank gap columns, add the faint min/max envelope, our own y labels and x labels, and
 * style runs of cells (one span per run, not per cell).
 */
import * as asciichart from 'asciichart';
import type {AxisColumn, Series} from '../state/series.js';
import {fitLine, type Color, type Line, type Span, type Style} from './line.js';
import {formatClock, formatDuration, formatExponent, formatNumber, formatSI} from './format.js';
import {emaSmooth, MAX_SMOOTHING} from './smoothing.js';
import {colorStyle} from './palette.js';

/** How x values read: step counts (`1.2k`), durations (`1h23m`), local clock times, plain numbers. */
export type XKind = 'step' | 'duration' | 'clock' | 'number';

export type ChartOptions = {
	series: Series;
	/** x per history row; null: x is the row index. */
	axis: AxisColumn | null;
	xKind: XKind;
	width: number;
	height: number;
	/** EMA weight 0..0.999 (TensorBoard-style, debiased); > 0 draws the smoothed line. */
	smoothing?: number;
	/** Log10 y axis; non-positive values become gaps. Labels stay in real units. */
	logScale?: boolean;
	/** Fixed x range (for aligned charts); default: the data's range. */
	xRange?: readonly [number, number];
	/** Colour of the line (default cyan; null: no colour, the mono palette). */
	lineColor?: Color | null;
	/** Fixed y range (raw units; the whole run's min..max while zoomed with y kept); default: fitted to what is drawn. */
	yRange?: readonly [number, number];
};

/** Where a drawn chart's plot is: its first column in the chart's lines, how many columns, the x range they map. */
export type ChartGeometry = {plotStart: number; plotTop?: number; plotWidth: number; plotRows: number; x0: number; x1: number};

const geometries = new WeakMap<readonly Line[], ChartGeometry>();

/** The plot geometry of lines renderChart (or memoChart, renderOverlayChart) made; undefined for a tiny or empty chart. */
export function chartGeometry(lines: readonly Line[]): ChartGeometry | undefined {
	return geometries.get(lines);
}

/** @internal Records the geometry of a chart's lines (overlay-chart.ts). */
export function setChartGeometry(lines: readonly Line[], geometry: ChartGeometry): void {
	if (geometry.plotWidth > 0 && Number.isFinite(geometry.x0) && Number.isFinite(geometry.x1)) geometries.set(lines, geometry);
}

/** One chart column: min/max over its finite values, the last one, and their mean (the line). */
export type ColumnStat = {min: number; max: number; last: number; mean: number};

// Column states.
const EMPTY = 0;
const DATA = 1;
const NON_FINITE = 2;

/** Per-column aggregates in typed arrays (values in plotted space: log10 when logScale). */
type Columns = {
	width: number;
	state: Uint8Array;
	min: Float64Array;
	max: Float64Array;
	/** Last finite value in the column. */
	last: Float64Array;
	/**
	 * The value the line is drawn at: the mean of the column's finite points (robust: a merged
	 * bucket's last value is just one random sample of its noise), or the smoothed value.
	 */
	line: Float64Array;
	/** The x range mapped onto the columns (NaN when nothing could be placed). */
	x0: number;
	x1: number;
};

type ColumnOptions = {
	xRange?: readonly [number, number];
	logScale?: boolean;
	/** Smoothed value per bucket (see smoothBuckets); null: the line is the column mean. */
	smooth?: Float64Array | null;
};

/** The debiased EMA of each bucket's mean, weighted by its point count; null when weight is 0. */
export function smoothBuckets(series: Series, smoothing: number | undefined): Float64Array | null {
	const weight = Math.min(smoothing ?? 0, MAX_SMOOTHING);
	if (!(weight > 0)) return null;
	const b = series.buckets();
	const means = new Float64Array(b.length);
	for (let i = 0; i < b.length; i++) means[i] = b.finite[i] > 0 ? b.sum[i] / b.finite[i] : Number.NaN;
	return emaSmooth(means, weight, b.finite);
}

function log10OrNaN(v: number): number {
	return v > 0 ? Math.log10(v) : Number.NaN;
}

function finiteOr(v: number, fallback: number): number {
	return Number.isFinite(v) ? v : fallback;
}

// x of each bucket's first and last row, reused from call to call: a frame redraws a dozen charts
// of up to 1024 buckets each, and fresh arrays there were most of what a frame allocated.
let scratchFirst = new Float64Array(0);
let scratchLast = new Float64Array(0);

/** Two scratch arrays of at least `n` values (read only the first `n`; valid until the next call). */
function scratchX(n: number): [Float64Array, Float64Array] {
	if (scratchFirst.length < n) {
		scratchFirst = new Float64Array(Math.max(n, 2 * scratchFirst.length));
		scratchLast = new Float64Array(scratchFirst.length);
	}
	return [scratchFirst, scratchLast];
}

function computeColumns(series: Series, axis: AxisColumn | null, width: number, options: ColumnOptions): Columns {
	const w = Math.max(0, Math.floor(width));
	const cols: Columns = {
		width: w,
		state: new Uint8Array(w),
		min: new Float64Array(w).fill(Number.NaN),
		max: new Float64Array(w).fill(Number.NaN),
		last: new Float64Array(w).fill(Number.NaN),
		line: new Float64Array(w).fill(Number.NaN),
		x0: Number.NaN,
		x1: Number.NaN,
	};
	const b = series.buckets();
	const n = b.length;
	if (n === 0 || w === 0) return cols;

	let xFirst: Float64Array = b.rowFirst;
	let xLast: Float64Array = b.rowLast;
	if (axis) {
		[xFirst, xLast] = scratchX(n);
		axis.xsAt(b.rowFirst, xFirst);
		axis.xsAt(b.rowLast, xLast);
	}

	let x0 = Infinity;
	let x1 = -Infinity;
	const range = options.xRange;
	if (range && Number.isFinite(range[0]) && Number.isFinite(range[1]) && range[1] > range[0]) {
		x0 = range[0];
		x1 = range[1];
	} else {
		for (let i = 0; i < n; i++) {
			const a = xFirst[i];
			const z = xLast[i];
			if (a < x0) x0 = a;
			if (a > x1) x1 = a;
			if (z < x0) x0 = z;
			if (z > x1) x1 = z;
		}
		if (!(x1 >= x0)) return cols;
	}
	cols.x0 = x0;
	cols.x1 = x1;
	const scale = x1 > x0 ? w / (x1 - x0) : 0;
	const columnOf = (x: number) => (scale === 0 ? 0 : Math.min(w - 1, Math.floor((x - x0) * scale)));

	const smooth = options.smooth ?? null;
	const log = options.logScale === true;
	const t = log ? log10OrNaN : (v: number) => v;
	// Running sums for the column means (raw units; a bucket spanning k columns gives each 1/k).
	const sum = new Float64Array(w);
	const weight = new Float64Array(w);

	let previousSmooth = Number.NaN;
	for (let i = 0; i < n; i++) {
		let xa = xFirst[i];
		let xb = xLast[i];
		if (xa !== xa) xa = xb;
		if (xb !== xb) xb = xa;
		const smoothed = smooth ? smooth[i] : Number.NaN;
		const smoothedBefore = previousSmooth;
		if (smoothed === smoothed) previousSmooth = smoothed;
		if (xa !== xa) continue; // no x for this bucket (before the axis' first row)
		if (Math.max(xa, xb) < x0 || Math.min(xa, xb) > x1) continue;
		const ca = columnOf(Math.min(Math.max(xa, x0), x1));
		const cb = columnOf(Math.min(Math.max(xb, x0), x1));
		const c0 = Math.min(ca, cb);
		const c1 = Math.max(ca, cb);

		let hi = t(b.max[i]);
		let lo = t(b.min[i]);
		if (!Number.isFinite(hi)) {
			// Only NaN/±Inf here (or, on a log axis, only values <= 0): a gap unless data shares the column.
			for (let c = c0; c <= c1; c++) if (cols.state[c] === EMPTY) cols.state[c] = NON_FINITE;
			continue;
		}
		const lastValue = Number.isFinite(b.last[i]) ? b.last[i] : b.max[i];
		// On a log axis the bucket min may be <= 0 while it has positive values.
		if (!Number.isFinite(lo)) lo = Math.min(hi, finiteOr(t(lastValue), hi));
		const share = b.finite[i] / (c1 - c0 + 1);
		const part = b.sum[i] / (c1 - c0 + 1);
		for (let c = c0; c <= c1; c++) {
			cols.state[c] = DATA;
			if (!(cols.min[c] <= lo)) cols.min[c] = lo;
			if (!(cols.max[c] >= hi)) cols.max[c] = hi;
			cols.last[c] = t(lastValue);
			sum[c] += part;
			weight[c] += share;
			if (smooth) {
				// The EMA is continuous: across a wide bucket, run from the previous value to this one.
				const end = t(smoothed);
				const start = finiteOr(t(smoothedBefore), end);
				cols.line[c] = ca === cb ? end : start + ((end - start) * (c - ca)) / (cb - ca);
			}
		}
	}
	for (let c = 0; c < w; c++) {
		if (cols.state[c] !== DATA) continue;
		if (!smooth) cols.line[c] = t(sum[c] / weight[c]);
		// A log axis with a non-positive mean, or a smoothed value that is not plottable.
		if (!Number.isFinite(cols.line[c])) cols.line[c] = finiteOr(cols.last[c], (cols.min[c] + cols.max[c]) / 2);
		if (!Number.isFinite(cols.last[c])) cols.last[c] = cols.line[c];
	}
	return cols;
}

/**
 * Per chart column (x mapped linearly over the data's range or `xRange`): min, max, last and mean
 * of its finite values, or null for a column with no data or only non-finite values.
 */
export function columnsOf(
	series: Series,
	axis: AxisColumn | null,
	width: number,
	xRange?: readonly [number, number],
): Array<ColumnStat | null> {
	const cols = computeColumns(series, axis, width, {xRange});
	const out: Array<ColumnStat | null> = [];
	for (let c = 0; c < cols.width; c++) {
		out.push(
			cols.state[c] === DATA ? {min: cols.min[c], max: cols.max[c], last: cols.last[c], mean: cols.line[c]} : null,
		);
	}
	return out;
}

/**
 * Which columns to draw: data columns, plus empty columns between two data columns (sparse data
 * is a line, not dots; the line there is interpolated). Columns of only NaN/Inf, and empty columns
 * touching them or the edges, stay gaps.
 */
function fillLine(cols: Columns): Uint8Array {
	const drawn = new Uint8Array(cols.width);
	let previous = -1;
	for (let c = 0; c < cols.width; c++) {
		const state = cols.state[c];
		if (state === NON_FINITE) {
			previous = -1;
			continue;
		}
		if (state !== DATA) continue;
		drawn[c] = 1;
		if (previous >= 0 && previous < c - 1) {
			const from = cols.line[previous];
			const to = cols.line[c];
			for (let k = previous + 1; k < c; k++) {
				cols.line[k] = from + ((to - from) * (k - previous)) / (c - previous);
				drawn[k] = 1;
			}
		}
		previous = c;
	}
	return drawn;
}

/** y range over drawn columns (envelope included); null when nothing is drawn. */
function yRange(cols: Columns, drawn: Uint8Array): [number, number] | null {
	let lo = Infinity;
	let hi = -Infinity;
	for (let c = 0; c < cols.width; c++) {
		if (!drawn[c]) continue;
		const line = cols.line[c];
		if (line < lo) lo = line;
		if (line > hi) hi = line;
		if (cols.state[c] === DATA) {
			if (cols.min[c] < lo) lo = cols.min[c];
			if (cols.max[c] > hi) hi = cols.max[c];
		}
	}
	if (!(hi >= lo) || !Number.isFinite(hi - lo)) return null;
	return [lo, hi];
}

const SPARK = '▁▂▃▄▅▆▇█';

/**
 * One-line chart with ▁▂▃▄▅▆▇█ (the max per column, so spikes show), spaces for gaps.
 * Exactly `width` characters.
 */
export function sparkline(series: Series, axis: AxisColumn | null, width: number, xRange?: readonly [number, number]): string {
	const w = Math.max(0, Math.floor(width));
	if (w === 0) return '';
	const cols = computeColumns(series, axis, w, {xRange});
	const drawn = fillLine(cols);
	const range = yRange(cols, drawn);
	if (!range) return ' '.repeat(w);
	const [lo, hi] = range;
	let out = '';
	for (let c = 0; c < w; c++) {
		if (!drawn[c]) {
			out += ' ';
			continue;
		}
		const v = cols.state[c] === DATA ? cols.max[c] : cols.line[c];
		const level = hi > lo ? Math.round(((v - lo) / (hi - lo)) * (SPARK.length - 1)) : 3;
		out += SPARK[Math.min(SPARK.length - 1, Math.max(0, level))];
	}
	return out;
}

// ---------------------------------------------------------------------------------------------
// Labels

type TickStyle = 'fixed' | 'si' | 'exp';

function tickText(v: number, style: TickStyle, digits: number): string {
	if (v === 0) return '0';
	switch (style) {
		case 'fixed': {
			const text = v.toFixed(Math.min(digits, 100));
			// `-0.00` reads as a bug.
			return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
		}
		case 'si':
			return formatSI(v, digits);
		case 'exp':
			return formatExponent(v, digits);
	}
}

function adjacentDistinct(texts: string[]): boolean {
	for (let i = 1; i < texts.length; i++) if (texts[i] === texts[i - 1]) return false;
	return true;
}

/**
 * Labels for evenly spaced values (top to bottom), as short as possible while adjacent labels
 * differ: fixed decimals for ordinary magnitudes, SI suffixes from 1e4, exponents below 1e-3.
 * On a log axis the values are spread geometrically and get significant-digit labels.
 */
export function tickLabels(values: readonly number[], log = false): string[] {
	if (values.length === 0) return [];
	let mag = 0;
	for (const v of values) mag = Math.max(mag, Math.abs(v));
	if (mag === 0 || !Number.isFinite(mag)) return values.map(v => formatNumber(v));
	let step = Infinity;
	for (let i = 1; i < values.length; i++) {
		const d = Math.abs(values[i] - values[i - 1]);
		if (d > 0 && d < step) step = d;
	}
	if (!Number.isFinite(step)) step = mag;
	// Snap values that are zero up to rounding noise (lo + k*step can give 1e-17 for 0).
	const clean = values.map(v => (Math.abs(v) < step * 1e-9 ? 0 : v));

	let style: TickStyle;
	let start: number;
	if (log) {
		// Each label on its own magnitude: significant digits.
		style = 'si';
		start = 2;
		const small = clean.some(v => v !== 0 && Math.abs(v) < 1e-3);
		if (small) {
			style = 'exp';
			start = 1;
		}
	} else if (mag >= 1e21 || mag < 1e-3) {
		// Enough digits to resolve half a step between labels.
		style = 'exp';
		start = Math.max(0, Math.ceil(Math.log10(mag / (step / 2))) - 1);
	} else if (mag >= 1e4) {
		style = 'si';
		start = Math.max(2, Math.ceil(Math.log10(mag / (step / 2))));
	} else {
		style = 'fixed';
		start = Math.max(0, Math.ceil(-Math.log10(step / 2)));
	}
	// Underflow (denormal steps) can make `start` infinite: keep the search finite.
	start = Number.isFinite(start) ? Math.min(start, 20) : 0;
	let texts = clean.map(v => tickText(v, style, start));
	for (let digits = start + 1; digits <= start + 10 && !adjacentDistinct(texts); digits++) {
		texts = clean.map(v => tickText(v, style, digits));
	}
	return texts;
}

function xLabel(x: number, kind: XKind, span: number): string {
	if (!Number.isFinite(x)) return '';
	switch (kind) {
		case 'step':
			// Zoomed in far: 1.23M would label both ends alike; whole steps tell them apart.
			return span > 0 && span < Math.abs(x) / 200 ? Math.round(x).toLocaleString('en-US') : formatSI(Math.round(x), 3);
		case 'duration':
			return formatDuration(x);
		case 'clock':
			return formatClock(x, span < 120);
		case 'number':
			return formatNumber(x, 8);
	}
}

/** The x-axis line: start label under the first column, end label ending under the last. */
function xAxisLine(indent: number, plotWidth: number, x0: number, x1: number, kind: XKind): string {
	const span = x1 - x0;
	const start = xLabel(x0, kind, span);
	const end = x1 > x0 ? xLabel(x1, kind, span) : '';
	let body: string;
	if (start.length + 1 + end.length <= plotWidth) {
		body = start + ' '.repeat(plotWidth - start.length - end.length) + end;
	} else if (end && end.length <= plotWidth) {
		body = end.padStart(plotWidth);
	} else {
		body = start.slice(0, plotWidth);
	}
	return (' '.repeat(indent) + body).trimEnd();
}

// ---------------------------------------------------------------------------------------------
// Chart

const FAINT: Style = {color: 'gray'};
const ENVELOPE = '·';
const SPACE = 32;

// Cell classes, for colouring.
const PLAIN = 0;
const LINE = 1;
const BAND = 2;

function blankLines(height: number): string[] {
	return Array.from({length: Math.max(0, height)}, () => '');
}

/** For tiny panels: a sparkline and the last value on the first line. */
function tinyChart(opts: ChartOptions, width: number, height: number): Line[] {
	const lines = blankLines(height);
	if (height > 0 && width > 0) {
		const value = formatNumber(opts.series.last, 8);
		if (width >= value.length + 4) {
			lines[0] = `${sparkline(opts.series, opts.axis, width - value.length - 1, opts.xRange)} ${value}`;
		} else {
			lines[0] = sparkline(opts.series, opts.axis, width, opts.xRange);
		}
	}
	return lines.map(line => fitLine([line], width));
}

/** Everything drawChart needs for one label width. */
type Layout = {
	cols: Columns;
	drawn: Uint8Array;
	/** Plotted y range (log10 on a log axis; widened when flat). */
	lo: number;
	hi: number;
	/** No column has finite data: nothing to draw. */
	empty: boolean;
	/** Every drawn value is the same: one line on the middle row. */
	flat: boolean;
	labelWidth: number;
	plotWidth: number;
	plotRows: number;
	labelRows: number[];
	texts: string[];
	/** Widest label text. */
	longest: number;
};

/** Label width guess from the series' exact overall min/max (the visible range is usually this). */
function estimateLabelWidth(series: Series, log: boolean, plotRows: number, budget: number): number {
	let lo = series.min;
	let hi = series.max;
	if (lo === null || hi === null) return 4;
	if (log) {
		if (hi <= 0) return 4;
		lo = lo > 0 ? Math.log10(lo) : Math.log10(hi) - 1;
		hi = Math.log10(hi);
	}
	if (!(hi > lo) || !Number.isFinite(hi - lo)) return flatLabel(lo, log, budget).length;
	return Math.max(...labelTexts(lo, hi, labelRowsFor(plotRows), plotRows, log, budget).map(t => t.length));
}

function flatLabel(value: number, log: boolean, budget: number): string {
	const real = log ? 10 ** value : value;
	const text = formatNumber(real);
	return text.length > budget ? formatNumber(real, budget) : text;
}

/** y labels on every ~4th row, top and bottom always. */
function labelRowsFor(plotRows: number): number[] {
	const count = plotRows <= 2 ? plotRows : Math.max(2, Math.floor((plotRows - 1) / 4) + 1);
	const rows: number[] = [];
	for (let j = 0; j < count; j++) rows.push(count === 1 ? 0 : Math.round((j * (plotRows - 1)) / (count - 1)));
	return rows;
}

function labelTexts(lo: number, hi: number, rows: number[], plotRows: number, log: boolean, budget: number): string[] {
	const values = rows.map(row => {
		const v = plotRows === 1 ? (lo + hi) / 2 : hi - (row * (hi - lo)) / (plotRows - 1);
		return log ? 10 ** v : v;
	});
	const texts = tickLabels(values, log);
	if (texts.every(text => text.length <= budget)) return texts;
	return values.map(v => formatNumber(v, budget));
}

function layout(
	opts: ChartOptions,
	smooth: Float64Array | null,
	width: number,
	height: number,
	labelWidth: number,
	budget: number,
): Layout {
	const log = opts.logScale === true;
	const plotRows = height - 1;
	const plotWidth = width - labelWidth - 1;
	const cols = computeColumns(opts.series, opts.axis, plotWidth, {xRange: opts.xRange, logScale: log, smooth});
	const drawn = fillLine(cols);
	const range = yRange(cols, drawn);
	const labelRows = labelRowsFor(plotRows);
	if (!range) {
		return {cols, drawn, lo: 0, hi: 1, empty: true, flat: false, labelWidth, plotWidth, plotRows, labelRows: [], texts: [], longest: labelWidth};
	}
	let [lo, hi] = range;
	const fixed = opts.yRange;
	if (fixed && fixed[1] >= fixed[0]) {
		// y kept: the whole run's range (log: in plotted units; a non-positive bottom keeps the fitted one).
		const top = log ? log10OrNaN(fixed[1]) : fixed[1];
		const bottom = log ? log10OrNaN(fixed[0]) : fixed[0];
		if (Number.isFinite(top)) hi = Math.max(top, hi);
		if (Number.isFinite(bottom)) lo = Math.min(bottom, lo);
	}
	if (lo === hi) {
		// Flat: one label, on the line's (middle) row, with the exact value.
		const text = flatLabel(lo, log, budget);
		const row = plotRows - 1 - Math.round((plotRows - 1) / 2);
		return {cols, drawn, lo, hi, empty: false, flat: true, labelWidth, plotWidth, plotRows, labelRows: [row], texts: [text], longest: text.length};
	}
	const texts = labelTexts(lo, hi, labelRows, plotRows, log, budget);
	const longest = Math.max(...texts.map(text => text.length));
	return {cols, drawn, lo, hi, empty: false, flat: false, labelWidth, plotWidth, plotRows, labelRows, texts, longest};
}

/**
 * Render a metric chart: exactly `height` lines of at most `width` columns (y labels and axis
 * included; the last line holds the x labels). Never throws on NaN/Inf/empty/flat input: columns
 * without finite data are blank, never drawn as 0.
 */
export function renderChart(opts: ChartOptions): Line[] {
	const width = Number.isFinite(opts.width) ? Math.max(0, Math.floor(opts.width)) : 0;
	const height = Number.isFinite(opts.height) ? Math.max(0, Math.floor(opts.height)) : 0;
	if (height < 3 || width < 12) return tinyChart(opts, width, height);

	// Labels get at most a third of the width. Their width sets the plot width, which sets the
	// columns, which set the visible y range and so the labels: start from the series' overall
	// range (usually exact) and lay out again once if the labels came out another width.
	const budget = Math.max(4, Math.floor(width / 3));
	const guess = Math.min(budget, estimateLabelWidth(opts.series, opts.logScale === true, height - 1, budget));
	const smooth = smoothBuckets(opts.series, opts.smoothing);
	let plan = layout(opts, smooth, width, height, guess, budget);
	if (!plan.empty && plan.longest !== plan.labelWidth) plan = layout(opts, smooth, width, height, plan.longest, budget);
	if (plan.empty) return emptyChart(opts, plan, height, width);
	const lines = drawChart(opts, plan, width);
	setChartGeometry(lines, {plotStart: plan.labelWidth + 1, plotWidth: plan.plotWidth, plotRows: plan.plotRows, x0: plan.cols.x0, x1: plan.cols.x1});
	return lines;
}

function emptyChart(opts: ChartOptions, plan: Layout, height: number, width: number): Line[] {
	const lines = blankLines(height);
	const s = opts.series;
	const message =
		s.count === 0
			? 'no data'
			: s.max === null
				? 'no finite values'
				: opts.logScale && s.max <= 0
					? 'no positive values'
					: 'no data in range';
	lines[Math.floor((plan.plotRows - 1) / 2)] = `${' '.repeat(plan.labelWidth + 1)}${message}`.slice(0, width).trimEnd();
	lines[height - 1] = xAxisLine(plan.labelWidth + 1, plan.plotWidth, plan.cols.x0, plan.cols.x1, opts.xKind);
	return lines.map(line => fitLine([line], width));
}

function drawChart(opts: ChartOptions, plan: Layout, width: number): Line[] {
	const {cols, drawn, lo, hi, labelWidth, plotWidth: w, plotRows} = plan;
	const middle = Math.round((plotRows - 1) / 2);
	const rowOf = plan.flat
		? () => middle
		: (v: number) => Math.min(plotRows - 1, Math.max(0, Math.round(((v - lo) / (hi - lo)) * (plotRows - 1))));

	// Integer rows for asciichart (point 0 sits on the axis; point c+1 is column c). Gap columns
	// get the next drawn row (else the previous), so the segment leaving a gap starts flat; their
	// cells are blanked afterwards.
	const rows = new Array<number>(w + 1);
	let next = -1;
	for (let c = w - 1; c >= 0; c--) {
		if (drawn[c]) next = rowOf(cols.line[c]);
		rows[c + 1] = next;
	}
	let previous = -1;
	for (let c = 0; c < w; c++) {
		if (rows[c + 1] === -1) rows[c + 1] = previous;
		else previous = rows[c + 1];
	}
	rows[0] = rows[1];

	// offset 2 and a one-space label: each row is ' ' + axis + w cells + ' '.
	const plotted = asciichart
		.plot([rows], {height: plotRows - 1, min: 0, max: plotRows - 1, offset: 2, format: () => ' '})
		.split('\n');

	const cells = new Uint16Array(plotRows * w).fill(SPACE);
	const classes = new Uint8Array(plotRows * w);
	for (let r = 0; r < plotRows; r++) {
		const text = plotted[r] ?? '';
		for (let c = 0; c < w; c++) {
			if (!drawn[c]) continue;
			const code = text.charCodeAt(c + 2);
			if (code === code && code !== SPACE) {
				cells[r * w + c] = code;
				classes[r * w + c] = LINE;
			}
		}
	}
	// The faint envelope: where a column's raw min..max reaches beyond the line (spikes live here).
	const band = ENVELOPE.charCodeAt(0);
	for (let c = 0; c < w; c++) {
		if (cols.state[c] !== DATA) continue;
		const top = plotRows - 1 - rowOf(cols.max[c]);
		const bottom = plotRows - 1 - rowOf(cols.min[c]);
		for (let r = top; r <= bottom; r++) {
			const k = r * w + c;
			if (cells[k] === SPACE) {
				cells[k] = band;
				classes[k] = BAND;
			}
		}
	}

	const labelAt = new Array<string>(plotRows).fill('');
	plan.labelRows.forEach((row, j) => (labelAt[row] = plan.texts[j] ?? ''));
	const lineStyle = colorStyle(opts.lineColor === undefined ? 'cyan' : opts.lineColor);
	const styleOf = (cls: number): Style | undefined => (cls === LINE ? lineStyle : cls === BAND ? FAINT : undefined);
	const out: Line[] = [];
	for (let r = 0; r < plotRows; r++) {
		const spans: Span[] = [{text: labelAt[r].padStart(labelWidth).slice(0, labelWidth)}, {text: labelAt[r] ? '┤' : '│', style: FAINT}];
		const rowStart = r * w;
		// One span per run of a class, not per cell; spaces take no style, so they never split a run.
		let current = PLAIN;
		let runStart = 0;
		for (let c = 0; c < w; c++) {
			const k = rowStart + c;
			const cls = classes[k];
			if (cls === current || cells[k] === SPACE) continue;
			if (c > runStart) spans.push({text: String.fromCharCode.apply(null, cells.subarray(rowStart + runStart, k) as unknown as number[]), style: styleOf(current)});
			current = cls;
			runStart = c;
		}
		spans.push({text: String.fromCharCode.apply(null, cells.subarray(rowStart + runStart, rowStart + w) as unknown as number[]), style: styleOf(current)});
		out.push(fitLine(spans, width));
	}
	out.push(fitLine([xAxisLine(labelWidth + 1, w, cols.x0, cols.x1, opts.xKind)], width));
	return out;
}

// ---------------------------------------------------------------------------------------------
// Memo

type MemoEntry = {key: string; lines: Line[]};
const memo = new WeakMap<object, MemoEntry[]>();
const axisIds = new WeakMap<AxisColumn, number>();
let nextAxisId = 1;
const MEMO_PER_SERIES = 4;

function axisKey(axis: AxisColumn | null): string {
	if (!axis) return 'row';
	let id = axisIds.get(axis);
	if (id === undefined) {
		id = nextAxisId++;
		axisIds.set(axis, id);
	}
	return `${id}:${axis.count}:${axis.last}`;
}

/**
 * renderChart, memoized per series on (data version, axis version, size, options): a chart whose
 * data and size did not change is returned as the same array without re-rendering.
 */
export function memoChart(opts: ChartOptions): Line[] {
	const s = opts.series;
	const key = [
		s.count,
		s.lastRow,
		axisKey(opts.axis),
		opts.xKind,
		opts.width,
		opts.height,
		opts.smoothing ?? 0,
		opts.logScale === true,
		opts.xRange ? `${opts.xRange[0]},${opts.xRange[1]}` : '',
		opts.yRange ? `${opts.yRange[0]},${opts.yRange[1]}` : '',
		String(opts.lineColor),
	].join('|');
	let entries = memo.get(s);
	if (!entries) {
		entries = [];
		memo.set(s, entries);
	}
	const hit = entries.find(entry => entry.key === key);
	if (hit) return hit.lines;
	const lines = renderChart(opts);
	entries.unshift({key, lines});
	if (entries.length > MEMO_PER_SERIES) entries.pop();
	return lines;
}
