/**
 * One metric across several runs in one chart (sweeps, restarts): each run's column values on a
 * shared x range, drawn by asciichart as coloured series (the palette's colours), or, in the mono
 * palette, each run as its own glyph; with a legend line.
 */
import * as asciichart from 'asciichart';
import type {PaletteName} from '../state/settings.js';
import type {AxisColumn, Series} from '../state/series.js';
import {columnsOf, setChartGeometry, tickLabels} from './chart.js';
import {formatClock, formatDuration, formatNumber} from './format.js';
import {colorCode, fitLine, type Color, type Line, type Span, type Style} from './line.js';
import {colorStyle, SERIES_MARKS, seriesColor} from './palette.js';

/** One run's line in an overlay chart. */
export type OverlayLine = {label: string; series: Series; axis: AxisColumn | null};

/** The SGR sequence asciichart is given for a colour (it wraps each run's cells in it). */
function sgrOf(color: Color): string {
	return `\u001B[${colorCode(color)}m`;
}

/** asciichart's coloured row (its own SGR codes, nothing from the run) as styled spans. */
function spansOfPlotRow(row: string, styleOf: ReadonlyMap<string, Style>): Span[] {
	const spans: Span[] = [];
	let style: Style | undefined;
	for (const part of row.split(/(\u001B\[[\d;]*m)/)) {
		if (part.startsWith('\u001B[')) style = styleOf.get(part);
		else if (part) spans.push({text: part, style});
	}
	return spans;
}

/**
 * The mono palette's plot: each run's value in each column as its glyph (the first run on top
 * where two meet), rows top to bottom, `plotRows` rows of `labelWidth + 2 + columns` characters.
 */
function glyphPlot(series: readonly number[][], lo: number, hi: number, plotRows: number, label: (row: number) => string): string[] {
	const width = Math.max(0, ...series.map(values => values.length));
	const grid = Array.from({length: plotRows}, () => new Array<string>(width).fill(' '));
	for (let i = series.length - 1; i >= 0; i--) {
		const mark = SERIES_MARKS[i % SERIES_MARKS.length];
		series[i].forEach((value, c) => {
			if (!Number.isFinite(value)) return;
			const row = hi > lo ? Math.round(((value - lo) / (hi - lo)) * (plotRows - 1)) : Math.floor((plotRows - 1) / 2);
			grid[plotRows - 1 - Math.min(plotRows - 1, Math.max(0, row))][c] = mark;
		});
	}
	return grid.map((cells, r) => `${label(r)} ┤${cells.join('')}`);
}

function xRangeOf(lines: readonly OverlayLine[]): [number, number] | null {
	let lo = Infinity;
	let hi = -Infinity;
	for (const line of lines) {
		const buckets = line.series.buckets();
		if (buckets.length === 0) continue;
		const first = line.axis ? line.axis.xAt(buckets.rowFirst[0]) : buckets.rowFirst[0];
		const last = line.axis ? line.axis.xAt(buckets.rowLast[buckets.length - 1]) : buckets.rowLast[buckets.length - 1];
		if (first !== null && first < lo) lo = first;
		if (last !== null && last > hi) hi = last;
	}
	return lo <= hi ? [lo, hi === lo ? lo + 1 : hi] : null;
}

function xText(x: number, kind: 'step' | 'duration' | 'clock' | 'number'): string {
	if (kind === 'duration') return formatDuration(x);
	if (kind === 'clock') return formatClock(x);
	return formatNumber(x);
}

/**
 * Exactly `height` lines of `width` columns: a legend, the chart, the x labels.
 * Gaps inside a run's line are bridged (asciichart cannot draw holes); a run that ended early
 * stops there, and one that started late is drawn flat at its first value until it starts.
 */
export function renderOverlayChart(opts: {lines: readonly OverlayLine[]; xKind: 'step' | 'duration' | 'clock' | 'number'; width: number; height: number; palette?: PaletteName; xRange?: readonly [number, number]}): Line[] {
	const {lines, width, height} = opts;
	const palette = opts.palette ?? 'default';
	const rows: Array<readonly (Span | string)[]> = [];
	const legend: Span[] = [];
	lines.forEach((line, i) => {
		if (i > 0) legend.push({text: '  '});
		legend.push({text: SERIES_MARKS[i % SERIES_MARKS.length], style: colorStyle(seriesColor(palette, i))}, {text: ' ' + line.label});
	});
	rows.push(legend);
	const finish = () => {
		const out = rows.slice(0, height).map(spans => fitLine(spans, width));
		while (out.length < height) out.push(fitLine([], width));
		return out;
	};
	const range = opts.xRange && opts.xRange[1] > opts.xRange[0] ? opts.xRange : xRangeOf(lines);
	const plotRows = Math.max(1, height - 2);
	if (range === null || width < 16 || height < 4) return finish();
	// Label width from the overall y range.
	let lo = Infinity;
	let hi = -Infinity;
	for (const line of lines) {
		if (line.series.min !== null && line.series.min < lo) lo = line.series.min;
		if (line.series.max !== null && line.series.max > hi) hi = line.series.max;
	}
	if (!(lo <= hi)) {
		rows.push(['no finite values']);
		return finish();
	}
	// asciichart labels every row: size the label column for the widest of them.
	const rowValues = Array.from({length: plotRows}, (_, i) => lo + ((hi - lo) * i) / Math.max(1, plotRows - 1));
	const labels = tickLabels(rowValues);
	const labelWidth = Math.max(...labels.map(label => label.length)) + 1;
	const labelFor = (value: number) => {
		let best = 0;
		for (let i = 1; i < rowValues.length; i++) if (Math.abs(rowValues[i] - value) < Math.abs(rowValues[best] - value)) best = i;
		return labels[best];
	};
	const plotWidth = Math.max(4, width - labelWidth - 2);
	const series: number[][] = [];
	for (const line of lines) {
		const columns = columnsOf(line.series, line.axis, plotWidth, range);
		const values = columns.map(column => (column === null ? NaN : column.mean));
		const first = values.findIndex(Number.isFinite);
		const last = first < 0 ? -1 : values.length - 1 - [...values].reverse().findIndex(Number.isFinite);
		let previous = first < values.length ? values[first] : lo;
		const filled = values.map(value => (Number.isFinite(value) ? (previous = value) : previous));
		series.push(last >= 0 ? filled.slice(0, last + 1) : [lo]);
	}
	if (palette === 'mono') {
		const rowValue = (r: number) => (plotRows === 1 ? (lo + hi) / 2 : hi - ((hi - lo) * r) / (plotRows - 1));
		for (const row of glyphPlot(series, lo, hi, plotRows, r => labelFor(rowValue(r)).padStart(labelWidth))) rows.push([row]);
	} else {
		const colors = lines.map((_, i) => seriesColor(palette, i)!);
		const styleOf = new Map(colors.map(color => [sgrOf(color), colorStyle(color)!]));
		const plot = asciichart.plot(series, {
			height: plotRows - 1,
			min: lo,
			max: hi,
			format: (value: number) => labelFor(value).padStart(labelWidth),
			colors: colors.map(sgrOf),
		});
		for (const row of plot.split('\n').slice(0, plotRows)) rows.push(spansOfPlotRow(row, styleOf));
	}
	const left = xText(range[0], opts.xKind);
	const right = xText(range[1], opts.xKind);
	rows.push([' '.repeat(labelWidth + 1) + left + ' '.repeat(Math.max(1, plotWidth - left.length - right.length)) + right]);
	const out = finish();
	// Each row is the label, ' ┤', then one cell per column; row 0 is the legend.
	setChartGeometry(out, {plotStart: labelWidth + 2, plotTop: 1, plotWidth, plotRows: Math.min(plotRows, height - 2), x0: range[0], x1: range[1]});
	return out;
}
