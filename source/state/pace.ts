/**
 * How fast a run goes: steps (or rows) per second now, from the run's own clock (`_timestamp`),
 * and the average over its life. Pure: no clock is read; rates come from the rows' timestamps,
 * so catching up on a long log (all rows read in a second) does not change them.
 *
 * The recent window is the rows of the last 60 s of the run's clock, extended back to the 10th
 * row from the end when the minute holds fewer (a run logging every 42 s still gets a rate over
 * its last 10 rows, not over 2).
 */
import type {RunState} from './run-state.js';

export {PACE_MIN_ROWS, PACE_WINDOW_SECONDS} from './row-pace.js';

/** A speed: how many steps (or, where steps do not move, rows) per second. */
export type Rate = {
	perSecond: number;
	unit: 'steps' | 'rows';
	/** The average over the run's life (a finished or dead run), not the recent window. */
	average: boolean;
	/** Seconds of the run's clock the rate covers. */
	seconds: number;
};

/**
 * Steps per second over the recent window; rows per second when the steps do not move in it
 * (absent, or every row at one step). Null with fewer than two timed rows.
 */
export function recentRate(state: RunState): Rate | null {
	const pace = state.pace;
	const first = pace.windowStart();
	if (first < 0) return null;
	const last = pace.length - 1;
	const seconds = pace.time(last) - pace.time(first);
	if (!(seconds > 0)) return null;
	const fromStep = pace.step(first);
	const toStep = pace.step(last);
	if (fromStep !== null && toStep !== null && toStep > fromStep) return {perSecond: (toStep - fromStep) / seconds, unit: 'steps', average: false, seconds};
	const rows = pace.recordsAt(last) - pace.recordsAt(first);
	return rows > 0 ? {perSecond: rows / seconds, unit: 'rows', average: false, seconds} : null;
}

/** Steps (else rows) per second from the first timed row to the last: the run's life average. */
export function lifetimeRate(state: RunState): Rate | null {
	const time = state.axes.get('_timestamp');
	const from = time?.first ?? null;
	const to = time?.last ?? null;
	if (from === null || to === null || !(to > from)) return null;
	const seconds = to - from;
	if (state.firstStep !== null && state.lastStep !== null && state.lastStep > state.firstStep) {
		return {perSecond: (state.lastStep - state.firstStep) / seconds, unit: 'steps', average: true, seconds};
	}
	return state.rows > 1 ? {perSecond: (state.rows - 1) / seconds, unit: 'rows', average: true, seconds} : null;
}

/** The speed to show: the recent rate while the run lives, else the average over its life. */
export function runSpeed(state: RunState, live: boolean): Rate | null {
	return live ? recentRate(state) : lifetimeRate(state);
}

/**
 * How fast a history counter (`train/global_step`, `epoch`, ...) grows, per second of the run's
 * clock: the recent step rate times the counter's growth per step over the run (a coarse counter,
 * an epoch that moves every 10 minutes, has no rate of its own in a one-minute window); where the
 * steps do not move, the counter's own growth over the recent window, else over the run.
 * Null when it never grew.
 */
export function counterRate(state: RunState, counter: string): number | null {
	const steps = recentRate(state);
	if (counter === '_step') return steps?.unit === 'steps' ? steps.perSecond : null;
	const axis = state.axes.get(counter);
	if (!axis || axis.count < 1) return null;
	const growth = (axis.last ?? 0) - (axis.first ?? 0);
	if (!(growth > 0)) return null;
	if (steps?.unit === 'steps' && state.firstStep !== null && state.lastStep !== null && state.lastStep > state.firstStep) {
		return steps.perSecond * (growth / (state.lastStep - state.firstStep));
	}
	const pace = state.pace;
	const first = pace.windowStart();
	if (first >= 0) {
		const last = pace.length - 1;
		const seconds = pace.time(last) - pace.time(first);
		const from = axis.xAt(pace.row(first));
		const to = axis.xAt(pace.row(last));
		if (seconds > 0 && from !== null && to !== null && to > from) return (to - from) / seconds;
	}
	const life = lifetimeRate(state);
	return life === null ? null : growth / life.seconds;
}
