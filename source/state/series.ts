/**
 * Bounded multi-resolution stores for history metrics and their x-axis candidates.
 *
 * A run can log millions of rows; a chart is at most a few hundred columns wide. Each store keeps
 * between capacity/2 and capacity buckets in typed arrays. While it has room every point is its own
 * bucket (exact); when full, adjacent pairs merge and from then on each bucket holds twice as many
 * points (`span`). All buckets therefore hold the same number of points (the last one may be
 * partial), so resolution is uniform over the whole run, memory is fixed, and append is amortized
 * O(1) (a merge costs O(capacity) once every capacity/2 * span appends).
 *
 * Buckets keep min/max (so a one-point spike survives any number of merges), first/last (for the
 * line), sum/finite count (for smoothing), and a gap flag for NaN/±Infinity values.
 */

/** Typed-array views over a Series' buckets (valid until the next append). */
export type SeriesBuckets = {
	readonly length: number;
	/** First and last history row covered by each bucket (contiguous, increasing). */
	readonly rowFirst: Float64Array;
	readonly rowLast: Float64Array;
	/** Min/max over the bucket's finite values; NaN when it has none. */
	readonly min: Float64Array;
	readonly max: Float64Array;
	/** First/last value appended to the bucket, as given (may be NaN/±Infinity). */
	readonly first: Float64Array;
	readonly last: Float64Array;
	/** 1 when the bucket holds at least one non-finite value. */
	readonly gap: Uint8Array;
	/** Sum and number of the bucket's finite values (mean = sum / finite), for smoothing. */
	readonly sum: Float64Array;
	readonly finite: Uint32Array;
};

const INITIAL_ROOM = 64;

/** Capacity as an even integer >= 4, so pairs always merge cleanly. */
function checkCapacity(capacity: number): number {
	if (!Number.isFinite(capacity) || capacity < 4) return 4;
	const whole = Math.floor(capacity);
	return whole % 2 === 0 ? whole : whole + 1;
}

function growFloat(array: Float64Array, room: number): Float64Array {
	const next = new Float64Array(room);
	next.set(array);
	return next;
}

/** min/max that skip NaN (a bucket with no finite value stores NaN). */
function minOf(a: number, b: number): number {
	if (a !== a) return b;
	if (b !== b) return a;
	return a < b ? a : b;
}

function maxOf(a: number, b: number): number {
	if (a !== a) return b;
	if (b !== b) return a;
	return a > b ? a : b;
}

/** One metric against the run's history row index. */
/** A copy of a store: its typed arrays copied, cached views dropped (they point into the old arrays). */
function cloneStore<T extends object>(store: T): T {
	const copy = Object.assign(Object.create(Object.getPrototypeOf(store)) as T, store);
	for (const [key, value] of Object.entries(copy)) {
		if (ArrayBuffer.isView(value)) (copy as Record<string, unknown>)[key] = (value as Float64Array).slice();
	}
	if ('views' in copy) (copy as {views: unknown}).views = null;
	return copy;
}

export class Series {
	readonly capacity: number;
	private room: number;
	private size = 0;
	/** Points per full bucket: 1 until the first merge, then doubling. */
	private span = 1;
	/** Points in the last bucket. */
	private tailPoints = 0;
	private rowFirstArr: Float64Array;
	private rowLastArr: Float64Array;
	private minArr: Float64Array;
	private maxArr: Float64Array;
	private firstArr: Float64Array;
	private lastArr: Float64Array;
	private sumArr: Float64Array;
	private finiteArr: Uint32Array;
	private gapArr: Uint8Array;
	private views: SeriesBuckets | null = null;

	private points = 0;
	private nonFiniteCount = 0;
	private lastValue = Number.NaN;
	private lastFiniteValue = Number.NaN;
	private minValue = Number.NaN;
	private maxValue = Number.NaN;
	private firstRowValue = Number.NaN;
	private lastRowValue = Number.NaN;

	/**
	 * 1024 buckets: 512 at least, over 2.5 per column of the widest chart (a focused chart at 200
	 * columns), while every chart redraw walks them all (2048 made that most of a following frame).
	 */
	constructor(capacity = 1024) {
		this.capacity = checkCapacity(capacity);
		// Start small: most runs have many short metrics; grow by doubling up to capacity.
		this.room = Math.min(this.capacity, INITIAL_ROOM);
		this.rowFirstArr = new Float64Array(this.room);
		this.rowLastArr = new Float64Array(this.room);
		this.minArr = new Float64Array(this.room);
		this.maxArr = new Float64Array(this.room);
		this.firstArr = new Float64Array(this.room);
		this.lastArr = new Float64Array(this.room);
		this.sumArr = new Float64Array(this.room);
		this.finiteArr = new Uint32Array(this.room);
		this.gapArr = new Uint8Array(this.room);
	}

	/**
	 * Add a value at a history row. Rows must strictly increase: a row <= lastRow is ignored and
	 * false returned. NaN/±Infinity are counted and flagged as a gap in their bucket, never folded
	 * into min/max.
	 */
	append(row: number, value: number): boolean {
		if (!(row > this.lastRowValue) && this.points > 0) return false;
		if (row !== row) return false;
		const finite = Number.isFinite(value);
		this.points++;
		if (this.points === 1) this.firstRowValue = row;
		this.lastRowValue = row;
		this.lastValue = value;
		if (finite) {
			this.lastFiniteValue = value;
			this.minValue = minOf(this.minValue, value);
			this.maxValue = maxOf(this.maxValue, value);
		} else {
			this.nonFiniteCount++;
		}
		this.views = null;

		if (this.size > 0 && this.tailPoints < this.span) {
			// Fold into the partial last bucket.
			const i = this.size - 1;
			this.rowLastArr[i] = row;
			this.lastArr[i] = value;
			if (finite) {
				this.minArr[i] = minOf(this.minArr[i], value);
				this.maxArr[i] = maxOf(this.maxArr[i], value);
				this.sumArr[i] += value;
				this.finiteArr[i]++;
			} else {
				this.gapArr[i] = 1;
			}
			this.tailPoints++;
			return true;
		}

		if (this.size === this.capacity) this.mergePairs();
		else if (this.size === this.room) this.grow();
		const i = this.size++;
		this.rowFirstArr[i] = row;
		this.rowLastArr[i] = row;
		this.firstArr[i] = value;
		this.lastArr[i] = value;
		this.minArr[i] = finite ? value : Number.NaN;
		this.maxArr[i] = finite ? value : Number.NaN;
		this.sumArr[i] = finite ? value : 0;
		this.finiteArr[i] = finite ? 1 : 0;
		this.gapArr[i] = finite ? 0 : 1;
		this.tailPoints = 1;
		return true;
	}

	/** An independent copy (a paused view holds one while the live series grows). */
	clone(): Series {
		return cloneStore(this);
	}

	private grow(): void {
		this.room = Math.min(this.capacity, this.room * 2);
		this.rowFirstArr = growFloat(this.rowFirstArr, this.room);
		this.rowLastArr = growFloat(this.rowLastArr, this.room);
		this.minArr = growFloat(this.minArr, this.room);
		this.maxArr = growFloat(this.maxArr, this.room);
		this.firstArr = growFloat(this.firstArr, this.room);
		this.lastArr = growFloat(this.lastArr, this.room);
		this.sumArr = growFloat(this.sumArr, this.room);
		const finite = new Uint32Array(this.room);
		finite.set(this.finiteArr);
		this.finiteArr = finite;
		const gap = new Uint8Array(this.room);
		gap.set(this.gapArr);
		this.gapArr = gap;
	}

	/** Halve the bucket count; every bucket is full here (size === capacity, even). */
	private mergePairs(): void {
		const half = this.size >> 1;
		for (let i = 0; i < half; i++) {
			const a = 2 * i;
			const b = a + 1;
			this.rowFirstArr[i] = this.rowFirstArr[a];
			this.rowLastArr[i] = this.rowLastArr[b];
			this.minArr[i] = minOf(this.minArr[a], this.minArr[b]);
			this.maxArr[i] = maxOf(this.maxArr[a], this.maxArr[b]);
			this.firstArr[i] = this.firstArr[a];
			this.lastArr[i] = this.lastArr[b];
			this.sumArr[i] = this.sumArr[a] + this.sumArr[b];
			this.finiteArr[i] = this.finiteArr[a] + this.finiteArr[b];
			this.gapArr[i] = this.gapArr[a] | this.gapArr[b];
		}
		this.size = half;
		this.span *= 2;
	}

	/** Points appended. */
	get count(): number {
		return this.points;
	}

	/** Points appended that were NaN or ±Infinity. */
	get nonFinite(): number {
		return this.nonFiniteCount;
	}

	/** Last value appended (may be NaN/±Infinity); null before any. */
	get last(): number | null {
		return this.points === 0 ? null : this.lastValue;
	}

	/** Last finite value appended; null if none. */
	get lastFinite(): number | null {
		return this.lastFiniteValue === this.lastFiniteValue ? this.lastFiniteValue : null;
	}

	/** Min over all finite values ever appended (exact, not sampled); null if none. */
	get min(): number | null {
		return this.minValue === this.minValue ? this.minValue : null;
	}

	/** Max over all finite values ever appended (exact); null if none. */
	get max(): number | null {
		return this.maxValue === this.maxValue ? this.maxValue : null;
	}

	get firstRow(): number | null {
		return this.points === 0 ? null : this.firstRowValue;
	}

	get lastRow(): number | null {
		return this.points === 0 ? null : this.lastRowValue;
	}

	/** Points per full bucket (1 while every point is kept). */
	get pointsPerBucket(): number {
		return this.span;
	}

	/** Views over the current buckets, oldest first. Do not keep them across appends. */
	buckets(): SeriesBuckets {
		if (this.views === null) {
			const n = this.size;
			this.views = {
				length: n,
				rowFirst: this.rowFirstArr.subarray(0, n),
				rowLast: this.rowLastArr.subarray(0, n),
				min: this.minArr.subarray(0, n),
				max: this.maxArr.subarray(0, n),
				first: this.firstArr.subarray(0, n),
				last: this.lastArr.subarray(0, n),
				gap: this.gapArr.subarray(0, n),
				sum: this.sumArr.subarray(0, n),
				finite: this.finiteArr.subarray(0, n),
			};
		}
		return this.views;
	}
}

/**
 * An x-axis candidate (`_step`, `_runtime`, `_timestamp`, `epoch`, a step metric...): maps a history
 * row to its x value. Bounded like Series; a merged bucket keeps its first and last (row, x), and
 * rows in between are linearly interpolated.
 */
export class AxisColumn {
	readonly capacity: number;
	private room: number;
	private size = 0;
	private span = 1;
	private tailPoints = 0;
	private rowFirstArr: Float64Array;
	private xFirstArr: Float64Array;
	private rowLastArr: Float64Array;
	private xLastArr: Float64Array;
	private points = 0;
	private isMonotonic = true;
	private firstX = Number.NaN;
	private lastX = Number.NaN;
	private lastRowValue = Number.NaN;

	constructor(capacity = 2048) {
		this.capacity = checkCapacity(capacity);
		this.room = Math.min(this.capacity, INITIAL_ROOM);
		this.rowFirstArr = new Float64Array(this.room);
		this.xFirstArr = new Float64Array(this.room);
		this.rowLastArr = new Float64Array(this.room);
		this.xLastArr = new Float64Array(this.room);
	}

	/**
	 * Record x at a row. Non-finite x is ignored (it neither counts nor breaks monotonicity); so is a
	 * row <= the last one. Returns whether the point was kept.
	 */
	append(row: number, x: number): boolean {
		if (!Number.isFinite(x) || row !== row) return false;
		if (this.points > 0 && !(row > this.lastRowValue)) return false;
		if (this.points > 0 && x < this.lastX) this.isMonotonic = false;
		if (this.points === 0) this.firstX = x;
		this.points++;
		this.lastX = x;
		this.lastRowValue = row;

		if (this.size > 0 && this.tailPoints < this.span) {
			const i = this.size - 1;
			this.rowLastArr[i] = row;
			this.xLastArr[i] = x;
			this.tailPoints++;
			return true;
		}
		if (this.size === this.capacity) this.mergePairs();
		else if (this.size === this.room) this.grow();
		const i = this.size++;
		this.rowFirstArr[i] = row;
		this.xFirstArr[i] = x;
		this.rowLastArr[i] = row;
		this.xLastArr[i] = x;
		this.tailPoints = 1;
		return true;
	}

	/** An independent copy. */
	clone(): AxisColumn {
		return cloneStore(this);
	}

	private grow(): void {
		this.room = Math.min(this.capacity, this.room * 2);
		this.rowFirstArr = growFloat(this.rowFirstArr, this.room);
		this.xFirstArr = growFloat(this.xFirstArr, this.room);
		this.rowLastArr = growFloat(this.rowLastArr, this.room);
		this.xLastArr = growFloat(this.xLastArr, this.room);
	}

	private mergePairs(): void {
		const half = this.size >> 1;
		for (let i = 0; i < half; i++) {
			const a = 2 * i;
			const b = a + 1;
			this.rowFirstArr[i] = this.rowFirstArr[a];
			this.xFirstArr[i] = this.xFirstArr[a];
			this.rowLastArr[i] = this.rowLastArr[b];
			this.xLastArr[i] = this.xLastArr[b];
		}
		this.size = half;
		this.span *= 2;
	}

	/** Finite points kept (appended and accepted). */
	get count(): number {
		return this.points;
	}

	/** Buckets held now (bounded by capacity). */
	get bucketCount(): number {
		return this.size;
	}

	/** x never decreased so far (non-finite x ignored). */
	get monotonic(): boolean {
		return this.isMonotonic;
	}

	get first(): number | null {
		return this.points === 0 ? null : this.firstX;
	}

	get last(): number | null {
		return this.points === 0 ? null : this.lastX;
	}

	get lastRow(): number | null {
		return this.points === 0 ? null : this.lastRowValue;
	}

	/**
	 * x at a row: exact at kept points, linearly interpolated between them, held at the last x after
	 * the last row; null before the first row or when there is no data.
	 */
	xAt(row: number): number | null {
		const n = this.size;
		if (n === 0 || !(row >= this.rowFirstArr[0])) return null;
		// Largest bucket whose first row is <= row.
		let lo = 0;
		let hi = n - 1;
		while (lo < hi) {
			const mid = (lo + hi + 1) >> 1;
			if (this.rowFirstArr[mid] <= row) lo = mid;
			else hi = mid - 1;
		}
		return this.xIn(lo, row);
	}

	/**
	 * Batch form of xAt for non-decreasing rows (a walking cursor: O(rows + buckets)). Writes NaN
	 * where xAt would give null.
	 */
	xsAt(rows: ArrayLike<number>, out: Float64Array): void {
		const n = this.size;
		let i = 0;
		for (let k = 0; k < rows.length; k++) {
			const row = rows[k];
			if (n === 0 || !(row >= this.rowFirstArr[0])) {
				out[k] = Number.NaN;
				continue;
			}
			while (i + 1 < n && this.rowFirstArr[i + 1] <= row) i++;
			// Rows must not decrease; if they do, fall back to a search.
			if (this.rowFirstArr[i] > row) {
				out[k] = this.xAt(row) ?? Number.NaN;
				continue;
			}
			out[k] = this.xIn(i, row);
		}
	}

	/** x at a row known to be >= rowFirst of bucket i (and before bucket i+1). */
	private xIn(i: number, row: number): number {
		const r0 = this.rowFirstArr[i];
		const r1 = this.rowLastArr[i];
		if (row <= r1) {
			if (row === r0 || r1 === r0) return this.xFirstArr[i];
			if (row === r1) return this.xLastArr[i];
			return lerp(r0, this.xFirstArr[i], r1, this.xLastArr[i], row);
		}
		if (i === this.size - 1) return this.xLastArr[i];
		return lerp(r1, this.xLastArr[i], this.rowFirstArr[i + 1], this.xFirstArr[i + 1], row);
	}
}

function lerp(r0: number, x0: number, r1: number, x1: number, row: number): number {
	return x0 + ((x1 - x0) * (row - r0)) / (r1 - r0);
}
