/** What the screen shows at one moment: the run, the host, and what the session knows around them. */
import type {Alert} from './alerts.js';
import type {HostState} from './host-state.js';
import {initialRunState, type RunState} from './run-state.js';
import type {ZoomCache, ZoomRequest} from './zoom.js';

/** One run of the followed `wandb/` folder, as the runs list shows it. */
export type RunListEntry = {
	runDir: string;
	/** Run id (from the log's file name, else the dir name). */
	id: string;
	/** Dir name, e.g. `run-20240219_153504-gkmcq7i0`. */
	name: string;
	/** Last change, ms since the epoch. */
	mtime: number;
	/** Null for runs that are listed but not read. */
	state: RunState | null;
};

export type Snapshot = {
	/** Changes whenever anything in the snapshot changed. */
	version: number;
	run: RunState;
	host: HostState;
	/** The run directory on screen. */
	runDir: string;
	/** A notice such as "following new run …". */
	notice: string | null;
	/** Why the run cannot be read right now (shown in place of its panels). */
	runError: string | null;
	/** The watched run directory disappeared. */
	runGone: boolean;
	alerts: readonly Alert[];
	/** The runs of the followed wandb/ folder, newest first; null when PATH was a single run. */
	runs: readonly RunListEntry[] | null;
	/** While paused (since `since`, ms): the snapshot the view holds still on; reading goes on underneath. */
	paused: {since: number} | null;
	/** The screen shows this machine only, no run (`--system`, or no run found): `run` is empty. */
	machineView?: boolean;
	/** The zoomed x range of the run, read again at full resolution (state/zoom.ts); null or absent: none. */
	zoom?: ZoomCache | null;
};

/** A snapshot of this machine with no run; `notice` says why (e.g. no run found where wbtop looked). */
export function machineSnapshot(host: HostState, notice: string | null, version = 0): Snapshot {
	return {version, run: initialRunState(), host, runDir: '', notice, runError: null, runGone: false, alerts: [], runs: null, paused: null, machineView: true};
}

/** What changed: the run (its log, the followed folder, notices, alerts) or only the live host samples. */
export type ChangeKind = 'run' | 'host';

/** What the UI asks of the session: the one path for quit, back, opening a run and pause. */
export type SessionCommand = {type: 'quit'} | {type: 'back'} | {type: 'openRun'; runDir: string} | {type: 'pause'} | {type: 'media'; path: string; kind: 'image' | 'table'} | {type: 'zoom'; request: ZoomRequest | null};
