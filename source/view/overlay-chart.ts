/**
 * One metric across several runs in one chart (sweeps, restarts): each run's column values on a
 * shared x range, drawn by asciichart as coloured series, with a legend line.
 */
import * as asciichart from 'asciichart';
import type {AxisColumn, Series} from '../state/series.js';
import {columnsOf, tickLabels} from './chart.js';
import {formatClock, formatDuration, formatNumber} from './format.js';
import {sanitize} from './sanitize.js';

/** One run's line in an overlay chart. */
export type OverlayLine = {label: string; series: Series; axis: AxisColumn | null};

/** Colours per run, in order; the legend repeats them. */
export const OVERLAY_COLORS = [asciichart.cyan, asciichart.yellow, asciichart.magenta, asciichart.green, asciichart.red, asciichart.blue, asciichart.white];
const MARKS = ['●', '▲', '■', '◆', '✚', '✱', '○'];
const RESET = '\u001B[0m';

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
 * Exactly `height` lines of at most `width` columns: a legend, the chart, the x labels.
 * Gaps inside a run's line are bridged (asciichart cannot draw holes); a run that ended early
 * stops there, and one that started late is drawn flat at its first value until it starts.
 */
export function renderOverlayChart(opts: {lines: readonly OverlayLine[]; xKind: 'step' | 'duration' | 'clock' | 'number'; width: number; height: number; color: boolean}): string[] {
	const {lines, width, height, color} = opts;
	const out: string[] = [];
	const legend = lines.map((line, i) => (color ? `${OVERLAY_COLORS[i % OVERLAY_COLORS.length]}${MARKS[i % MARKS.length]}${RESET}` : MARKS[i % MARKS.length]) + ' ' + sanitize(line.label)).join('  ');
	out.push(legend);
	const range = xRangeOf(lines);
	const plotRows = Math.max(1, height - 2);
	if (range === null || width < 16 || height < 4) {
		while (out.length < height) out.push('');
		return out.slice(0, height);
	}
	// Label width from the overall y range.
	let lo = Infinity;
	let hi = -Infinity;
	for (const line of lines) {
		if (line.series.min !== null && line.series.min < lo) lo = line.series.min;
		if (line.series.max !== null && line.series.max > hi) hi = line.series.max;
	}
	if (!(lo <= hi)) {
		out.push('no finite values');
		while (out.length < height) out.push('');
		return out.slice(0, height);
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
	const plot = asciichart.plot(series, {
		height: plotRows - 1,
		min: lo,
		max: hi,
		format: (value: number) => labelFor(value).padStart(labelWidth),
		colors: color ? lines.map((_, i) => OVERLAY_COLORS[i % OVERLAY_COLORS.length]) : undefined,
	});
	for (const row of plot.split('\n').slice(0, plotRows)) out.push(row);
	const left = xText(range[0], opts.xKind);
	const right = xText(range[1], opts.xKind);
	out.push(' '.repeat(labelWidth + 1) + left + ' '.repeat(Math.max(1, plotWidth - left.length - right.length)) + right);
	while (out.length < height) out.push('');
	return out.slice(0, height);
}
