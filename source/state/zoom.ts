/**
 * Zoom and the zoom cache. The run's own series keep 512-1024 buckets over the whole run: at 1 %
 * of a 2M-row run a bucket holds ~2,000 rows, far coarser than a chart column. So a zoomed range
 * is read again from the log at full resolution (sources/zoom-reader.ts, off the frame path) and
 * folded here, with no I/O, into a cache of its own bounded size: every row of the range is its
 * own point (up to ZOOM_POINTS per metric; past that, uniform buckets like Series), plus a warm-up
 * of rows before the range so the smoothed line there is the same as over the whole run.
 */
import type {RunEvent} from '../decode/run-events.js';
import {AxisColumn, Series} from './series.js';

/** What a zoom asks for: an x range on one x-axis, for some metrics. */
export type ZoomRequest = {
	/** The x-axis the range is on (`_step`, `_runtime`, `_timestamp`, a step metric). */
	axis: string;
	x0: number;
	x1: number;
	/** The metrics to read (the charts on the page), at most ZOOM_MAX_METRICS. */
	metrics: readonly string[];
};

/** The zoomed range, read at full resolution. */
export type ZoomCache = {
	request: ZoomRequest;
	/** Each metric against the cache's own rows (0, 1, 2... from where reading started). */
	metrics: Map<string, Series>;
	/** x of each of the cache's rows on the request's axis. */
	x: AxisColumn;
	/** Rows read inside [x0, x1], and before x0 (the warm-up). */
	rows: number;
	warmupRows: number;
	/** More rows in the range than a metric keeps point by point: the cache is bucketed too. */
	bucketed: boolean;
	/** Bytes of the log read, and how long it took (ms), for the status line and the bench. */
	bytes: number;
	ms: number;
};

/** Rows in the range kept point by point per metric (a column of a 200-column chart at 1 % of 2M rows holds 100). */
export const ZOOM_POINTS = 65_536;
/**
 * Rows before the range folded in first: the EMA's memory. At the strongest smoothing the keys
 * offer (0.99), 0.99^4096 ≈ 1e-18, so the smoothed value in the range equals the whole run's
 * to double precision (the debias term is 1 there too).
 */
export const ZOOM_WARMUP = 4096;
/** Metrics one zoom reads (a page of charts; the rest of a bigger fixed grid keep their series' resolution). */
export const ZOOM_MAX_METRICS = 16;

/** Whether a cache answers a request (same axis, range and every metric asked). */
export function zoomCovers(cache: ZoomCache | null, request: ZoomRequest | null): boolean {
	if (cache === null || request === null) return false;
	const r = cache.request;
	return r.axis === request.axis && r.x0 === request.x0 && r.x1 === request.x1 && request.metrics.every(name => r.metrics.includes(name));
}

/**
 * Folds decoded events, in log order, into a zoom cache. Rows are merged like the run state's
 * (consecutive rows with the same step are one row); rows before x0 are the warm-up, and the
 * first row past x1 ends it.
 */
export class ZoomBuilder {
	private readonly metrics = new Map<string, Series>();
	private readonly x: AxisColumn;
	private readonly wanted: Set<string>;
	private row = -1;
	private lastStep: number | null = null;
	private inRange = 0;
	private before = 0;
	private finished = false;

	constructor(readonly request: ZoomRequest) {
		const capacity = ZOOM_POINTS + 2 * ZOOM_WARMUP;
		this.wanted = new Set(request.metrics.slice(0, ZOOM_MAX_METRICS));
		for (const name of this.wanted) this.metrics.set(name, new Series(capacity));
		this.x = new AxisColumn(capacity);
	}

	/** Past x1: nothing more is needed. */
	get done(): boolean {
		return this.finished;
	}

	/** Rows before x0 folded so far. */
	get warmupRows(): number {
		return this.before;
	}

	/** Rows inside the range folded so far. */
	get rows(): number {
		return this.inRange;
	}

	add(events: readonly RunEvent[]): void {
		for (const event of events) {
			if (this.finished) return;
			if (event.type !== 'history') continue;
			const values = event.values;
			const step = event.step;
			const axisValue = this.request.axis === '_step' ? (typeof values._step === 'number' ? values._step : step) : values[this.request.axis];
			const x = typeof axisValue === 'number' && Number.isFinite(axisValue) ? axisValue : null;
			if (x !== null && x > this.request.x1) {
				this.finished = true;
				return;
			}
			const sameStep = step !== null && step === this.lastStep && this.row >= 0;
			if (!sameStep) {
				this.row++;
				if (x !== null && x >= this.request.x0) this.inRange++;
				else if (this.inRange === 0) this.before++;
			}
			this.lastStep = step;
			if (x !== null) this.x.append(this.row, x);
			for (const name of this.wanted) {
				const value = values[name];
				if (typeof value === 'number') this.metrics.get(name)!.append(this.row, value);
			}
		}
	}

	finish(bytes: number, ms: number): ZoomCache {
		let bucketed = false;
		for (const series of this.metrics.values()) if (series.pointsPerBucket > 1) bucketed = true;
		return {request: this.request, metrics: this.metrics, x: this.x, rows: this.inRange, warmupRows: this.before, bucketed, bytes, ms};
	}
}

/** A visible x range: the zoom, or the whole extent. */
export type XRange = readonly [number, number];

/** The range `factor` times as wide around `center` (kept inside `extent`); null when it covers it all. */
export function zoomAround(range: XRange, extent: XRange, center: number, factor: number): XRange | null {
	const full = extent[1] - extent[0];
	if (!(full > 0)) return null;
	// Not narrower than a millionth of the run: below that the x labels cannot tell columns apart.
	const width = Math.max(full / 1e6, (range[1] - range[0]) * factor);
	if (width >= full) return null;
	const c = Math.min(extent[1], Math.max(extent[0], center));
	// The centre keeps its place in the range (as a wheel zoom does).
	const at = range[1] > range[0] ? (c - range[0]) / (range[1] - range[0]) : 0.5;
	return clampRange(c - width * at, width, extent);
}

/** The range moved by `fraction` of its width, kept inside `extent`. */
export function panRange(range: XRange, extent: XRange, fraction: number): XRange {
	const width = range[1] - range[0];
	return clampRange(range[0] + width * fraction, width, extent);
}

function clampRange(start: number, width: number, extent: XRange): XRange {
	const x0 = Math.min(extent[1] - width, Math.max(extent[0], start));
	return [x0, x0 + width];
}
