/**
 * The chart cursor: what a series holds at the cursor's x, read from the data (never from the
 * drawn cells), and the cursor column drawn over a chart's lines.
 *
 * The rule: the value is the last point at or before the cursor's x that the store holds as a
 * point (a bucket's last value is a real point; the store holds every point of a run up to 1,024
 * rows, and of a zoomed range up to 65,536: state/zoom.ts); min and max are over the points in
 * the cursor's column.
 */
import type {AxisColumn, Series} from '../state/series.js';
import {emaSmooth, MAX_SMOOTHING} from './smoothing.js';
import {fitLine, type Line, type Span, type Style} from './line.js';
import {formatClock, formatDuration, formatNumber} from './format.js';
import type {XKind} from './chart.js';

/** What one series holds at the cursor. */
export type CursorReading = {
	/** x of the point read, null when the series has no point at or before the cursor. */
	x: number | null;
	/** Its value (may be NaN/±Infinity as logged), null with x. */
	value: number | null;
	/** The smoothed line there (the chart's EMA), null when smoothing is off or not available. */
	smoothed: number | null;
	/** Min/max over the finite points in the cursor's column, null when it has none. */
	min: number | null;
	max: number | null;
	/** Points (finite) in the cursor's column. */
	points: number;
};

const smoothMemo = new WeakMap<Series, {count: number; weight: number; values: Float64Array}>();

/** The chart's smoothed value per bucket (state: a bucket's mean, weighted by its points), memoized on the data. */
function smoothedOf(series: Series, weight: number): Float64Array | null {
	const w = Math.min(weight, MAX_SMOOTHING);
	if (!(w > 0)) return null;
	const hit = smoothMemo.get(series);
	if (hit && hit.count === series.count && hit.weight === w) return hit.values;
	const b = series.buckets();
	const means = new Float64Array(b.length);
	for (let i = 0; i < b.length; i++) means[i] = b.finite[i] > 0 ? b.sum[i] / b.finite[i] : Number.NaN;
	const values = emaSmooth(means, w, b.finite);
	smoothMemo.set(series, {count: series.count, weight: w, values});
	return values;
}

/**
 * The reading of `series` at `x`; `column` is the cursor's column's x range [start, end) (the
 * last column includes its end).
 */
export function readCursor(series: Series, axis: AxisColumn | null, x: number, column: readonly [number, number], smoothing: number): CursorReading {
	const none: CursorReading = {x: null, value: null, smoothed: null, min: null, max: null, points: 0};
	const b = series.buckets();
	const n = b.length;
	if (n === 0 || !Number.isFinite(x)) return none;
	const xOf = (row: number): number => (axis ? (axis.xAt(row) ?? Number.NaN) : row);
	// Buckets are in x order (the axis only grows): the last one starting at or before x.
	const lastAtOrBefore = (limit: number, inclusive: boolean): number => {
		let lo = 0;
		let hi = n - 1;
		let found = -1;
		while (lo <= hi) {
			const mid = (lo + hi) >> 1;
			const xm = xOf(b.rowFirst[mid]);
			if (xm < limit || (inclusive && xm === limit) || xm !== xm) {
				if (xm === xm) found = mid;
				lo = mid + 1;
			} else hi = mid - 1;
		}
		return found;
	};
	const out = {...none};
	let i = lastAtOrBefore(x, true);
	if (i >= 0 && b.rowLast[i] !== b.rowFirst[i] && xOf(b.rowLast[i]) > x) i--; // inside a merged bucket: its last point is after x
	if (i >= 0) {
		out.x = xOf(b.rowLast[i]);
		out.value = b.last[i];
		const smooth = smoothedOf(series, smoothing);
		out.smoothed = smooth && Number.isFinite(smooth[i]) ? smooth[i] : null;
	}
	// The column's points: buckets from the one holding its start to the last starting before its end.
	const [start, end] = column;
	const lastIn = lastAtOrBefore(end, false);
	let min = Infinity;
	let max = -Infinity;
	for (let k = Math.max(0, lastAtOrBefore(start, true)); k <= lastIn; k++) {
		if (xOf(b.rowLast[k]) < start || b.finite[k] === 0) continue;
		if (b.min[k] < min) min = b.min[k];
		if (b.max[k] > max) max = b.max[k];
		out.points += b.finite[k];
	}
	if (out.points > 0) {
		out.min = min;
		out.max = max;
	}
	return out;
}

/** The column [start, end) of a plot `width` columns wide over [x0, x1] that holds x (clamped). */
export function cursorColumn(x: number, x0: number, x1: number, width: number): {index: number; range: [number, number]} {
	const w = Math.max(1, Math.floor(width));
	const dx = x1 > x0 ? (x1 - x0) / w : 0;
	const index = dx === 0 ? 0 : Math.min(w - 1, Math.max(0, Math.floor((x - x0) / dx)));
	// The last column takes its end too (x1 is drawn there).
	const end = index === w - 1 ? x1 + Math.max(dx, Number.MIN_VALUE) * 1e-9 : x0 + (index + 1) * dx;
	return {index, range: [x0 + index * dx, dx === 0 ? x1 + 1 : end]};
}

/** An x as the cursor reads it: whole steps, a duration with its seconds, a clock time, or the number. */
export function cursorXText(x: number, kind: XKind): string {
	switch (kind) {
		case 'step':
			return Math.round(x).toLocaleString('en-US');
		case 'duration':
			return `${formatDuration(x)} (${formatNumber(x, 10)} s)`;
		case 'clock':
			return formatClock(x, true);
		case 'number':
			return formatNumber(x, 10);
	}
}

/** A reading as text: `0.4123 ~0.4201 ▾0.40 ▴0.43 (12)`; `—` where there is no point. */
export function readingText(reading: CursorReading, smoothing: number): string {
	if (reading.value === null) return '—';
	let text = formatNumber(reading.value, 10);
	if (smoothing > 0) text += ` ~${reading.smoothed === null ? '—' : formatNumber(reading.smoothed, 10)}`;
	if (reading.points > 1 && reading.min !== null && reading.max !== null) text += ` ▾${formatNumber(reading.min, 8)} ▴${formatNumber(reading.max, 8)} (${reading.points})`;
	return text;
}

const MARK: Style = {color: 'yellow'};
const ON_LINE: Style = {inverse: true};

/**
 * The chart's lines with the cursor's column marked on its plot rows: `│` in empty cells, the
 * drawn cell inverted. `offset` is the column within each line; plot rows are `rows` lines from `top`.
 */
export function markCursor(lines: readonly Line[], offset: number, top: number, rows: number): Line[] {
	return lines.map((line, r) => {
		if (r < top || r >= top + rows || offset < 0 || offset >= line.width) return line;
		const spans: Span[] = [];
		let at = 0;
		for (const span of line.spans) {
			// Chart lines are one column per code unit (ASCII labels, box drawing, dots).
			const end = at + span.text.length;
			if (offset >= at && offset < end) {
				const i = offset - at;
				const cell = span.text[i];
				if (i > 0) spans.push({text: span.text.slice(0, i), style: span.style});
				spans.push(cell === ' ' ? {text: '│', style: MARK} : {text: cell, style: {...span.style, ...ON_LINE}});
				if (i + 1 < span.text.length) spans.push({text: span.text.slice(i + 1), style: span.style});
			} else spans.push(span);
			at = end;
		}
		return fitLine(spans, line.width);
	});
}
