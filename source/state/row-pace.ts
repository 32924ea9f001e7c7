/**
 * The recent timed rows of a run, kept by the run-state reducer for state/pace.ts (its own file:
 * run-state.ts holds one, and pace.ts reads RunState, so neither imports the other both ways).
 *
 * The recent window is the rows of the last 60 s of the run's clock, extended back to the 10th
 * row from the end when the minute holds fewer.
 */

/** Seconds of the run's clock the recent rate looks back. */
export const PACE_WINDOW_SECONDS = 60;
/** Rows the recent window holds at least (when the run has them). */
export const PACE_MIN_ROWS = 10;
/** Entries kept at most, however fast rows come. */
const PACE_MAX_ENTRIES = 4096;

/** The recent rows' place in time: (timestamp s, records so far, step, merged row index), oldest first. */
export class RowPace {
	private times: number[] = [];
	private records: number[] = [];
	private steps: Array<number | null> = [];
	private rowIndex: number[] = [];

	/** Note a history row (only rows with a finite `_timestamp` come here). */
	add(time: number, records: number, step: number | null, row: number): void {
		this.times.push(time);
		this.records.push(records);
		this.steps.push(step);
		this.rowIndex.push(row);
		// Keep a bit more than the window, and at least PACE_MIN_ROWS entries.
		const cutoff = time - PACE_WINDOW_SECONDS - 5;
		let drop = 0;
		const n = this.times.length;
		while (n - drop > PACE_MIN_ROWS && (this.times[drop] < cutoff || n - drop > PACE_MAX_ENTRIES)) drop++;
		// shift() is O(1) on a long array (V8 trims it in place); splice(0, 1) moves every entry.
		if (drop === 1) {
			this.times.shift();
			this.records.shift();
			this.steps.shift();
			this.rowIndex.shift();
		} else if (drop > 1) {
			this.times.splice(0, drop);
			this.records.splice(0, drop);
			this.steps.splice(0, drop);
			this.rowIndex.splice(0, drop);
		}
	}

	/** An independent copy (for a paused view). */
	clone(): RowPace {
		const copy = new RowPace();
		copy.times = [...this.times];
		copy.records = [...this.records];
		copy.steps = [...this.steps];
		copy.rowIndex = [...this.rowIndex];
		return copy;
	}

	/** Entries held. */
	get length(): number {
		return this.times.length;
	}

	/** The window: index of its first entry, or -1 with fewer than 2 entries. */
	windowStart(): number {
		const n = this.times.length;
		if (n < 2) return -1;
		const last = this.times[n - 1];
		let first = n - 1;
		while (first > 0 && (this.times[first - 1] >= last - PACE_WINDOW_SECONDS || n - first < PACE_MIN_ROWS)) first--;
		return first;
	}

	time(i: number): number {
		return this.times[i];
	}

	recordsAt(i: number): number {
		return this.records[i];
	}

	step(i: number): number | null {
		return this.steps[i];
	}

	row(i: number): number {
		return this.rowIndex[i];
	}
}
