/**
 * Whether a run is alive: a pure function of the run state and the clock. The log says how a run
 * ended when it wrote an exit record (or a legacy final state); a run without one is alive or dead
 * by what the OS said of its writer's process (a `life` event from sources/run-life.ts), else by
 * how long its own records have been silent. `now` comes in: nothing here reads the clock.
 */
import type {LifeEvent} from '../decode/run-events.js';
import {deriveRunState, type RunStatus} from '../decode/records.js';
import {runExitCode, type RunState} from './run-state.js';

/** A run with no exit record whose process cannot be checked is `stale` after this much silence (W&B's own viewer: 10 minutes). */
export const STALE_SECONDS = 600;

/** Why the run is in its state: data, worded by the view (view/life-text.ts). */
export type LifeReason =
	/** The log (or legacy metadata) recorded how it ended. */
	| {kind: 'exit'; status: RunStatus; code: number | null}
	/** The writer's process lives on this host. */
	| {kind: 'alive'; pid: number}
	/** The writer's process is gone (or its PID now belongs to a younger process) and no exit record came. */
	| {kind: 'gone'; pid: number; reused: boolean}
	/** No write for `quietSeconds`, and the process cannot be checked here. */
	| {kind: 'silent'; quietSeconds: number; why: LifeEvent['why'] | null}
	/**
	 * This writer's exit record says the run goes on without it (`not_complete`, or a shared-mode
	 * secondary's exit; doc §5.6, §5.10): not an end, whatever its process does now.
	 */
	| {kind: 'detached'; how: 'not-complete' | 'secondary'}
	/** Written to recently; the process cannot be checked here (`why`), or has not been yet (null). */
	| {kind: 'unverified'; quietSeconds: number | null; why: LifeEvent['why'] | null};

export type RunLife = {
	status: RunStatus;
	/** The writer's process lives (true), is gone (false), or cannot be (or need not be) checked (null). */
	alive: boolean | null;
	reason: LifeReason;
	/** A live reader is still reading the log up to its end: the state word and alerts wait. */
	catchingUp: boolean;
};

/** The latest write (epoch s): the run's own newest timestamp, or a record seen arriving live. */
export function lastWriteSeconds(state: RunState): number | null {
	const own = state.lastRecordTime;
	const live = state.lastLiveWriteAt === null ? null : state.lastLiveWriteAt / 1000;
	if (own === null) return live;
	return live === null ? own : Math.max(own, live);
}

/** The run's life at `now` (ms since the epoch). */
export function runLife(state: RunState, now: number): RunLife {
	const catchingUp = state.reading !== null && !state.reading.caughtUp;
	const recorded = deriveRunState({exitCode: state.exit?.code ?? null, legacyState: state.legacyState?.state ?? null});
	if (recorded !== 'running') return {status: recorded, alive: null, reason: {kind: 'exit', status: recorded, code: runExitCode(state)}, catchingUp};
	// The writer left a run that goes on elsewhere: running for all this log can tell, never crashed.
	if (state.detached !== null) return {status: 'running', alive: null, reason: {kind: 'detached', how: state.detached.how}, catchingUp};

	const lastWrite = lastWriteSeconds(state);
	// A host clock behind the run's makes this negative: not silent.
	const quiet = lastWrite === null ? null : Math.max(0, now / 1000 - lastWrite);
	const life = state.life;
	if (life?.alive === true && life.pid !== null) return {status: 'running', alive: true, reason: {kind: 'alive', pid: life.pid}, catchingUp};
	// Records seen arriving after the probe said "gone": the run writes again (the next probe says more).
	const wroteSince = life !== null && state.lastLiveWriteAt !== null && state.lastLiveWriteAt > life.at;
	if (life?.alive === false && life.pid !== null && !wroteSince) {
		return {status: 'crashed', alive: false, reason: {kind: 'gone', pid: life.pid, reused: life.why === 'pid-reused'}, catchingUp};
	}
	const why = life?.alive === null ? life.why : null;
	if (quiet !== null && quiet >= STALE_SECONDS) return {status: 'stale', alive: null, reason: {kind: 'silent', quietSeconds: quiet, why}, catchingUp};
	return {status: 'running', alive: null, reason: {kind: 'unverified', quietSeconds: quiet, why}, catchingUp};
}

/** The run's state word at `now`: running, finished, failed, crashed or stale. */
export function runStatus(state: RunState, now: number): RunStatus {
	return runLife(state, now).status;
}
