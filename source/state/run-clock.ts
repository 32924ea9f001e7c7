/**
 * Ages measured on the run's own clock. A run's timestamps come from the clock of the machine that
 * wrote it; the host's clock may be behind it (another machine, a clock set back), and an age
 * taken between the two would be negative. Here "now" is never earlier than the run's latest
 * timestamp, so ages between the run's own records stay right and none is negative.
 */
import type {RunState} from './run-state.js';

/** The latest time (epoch ms) the run's records speak of: its last row's `_timestamp`, its last system sample. */
export function runLatestMs(run: RunState): number | null {
	let latest: number | null = null;
	for (const seconds of [run.lastRowTimestamp, run.stats.lastTimestamp]) {
		if (seconds !== null && Number.isFinite(seconds) && (latest === null || seconds * 1000 > latest)) latest = seconds * 1000;
	}
	return latest;
}

/** "Now" for the run's ages (ms): the host clock, or the run's latest timestamp where the host clock is behind it. */
export function runNow(run: RunState, hostNow: number): number {
	const latest = runLatestMs(run);
	return latest !== null && latest > hostNow ? latest : hostNow;
}

/**
 * Seconds since the run's last history row: by the row's own `_timestamp` when it has one (a run
 * opened long after it ended shows how long ago that was), else since wbtop read it; never
 * negative. Null before any row.
 */
export function secondsSinceLastRow(run: RunState, hostNow: number): number | null {
	if (run.lastRowTimestamp !== null && Number.isFinite(run.lastRowTimestamp)) return (runNow(run, hostNow) - run.lastRowTimestamp * 1000) / 1000;
	return run.lastRowAt === null ? null : Math.max(0, hostNow - run.lastRowAt) / 1000;
}
