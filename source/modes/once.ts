/** `wbtop --once`: the dashboard once, as plain text, from the same screen model as the live view. */
import type {HostState} from '../state/host-state.js';
import {machineSnapshot, type Snapshot} from '../state/snapshot.js';
import {initialUiState} from '../state/ui-state.js';
import {ScreenBuilder} from '../view/screen.js';
import {alertsFor, type LoadedRun} from './load.js';

/** The snapshot of a run read once (no session around it). */
export function onceSnapshot(loaded: LoadedRun, host: HostState): Snapshot {
	return {
		version: 0,
		run: loaded.state,
		host,
		runDir: loaded.location.runDir,
		notice: null,
		runError: loaded.error,
		runGone: false,
		alerts: alertsFor(loaded.state, host),
		runs: null,
		paused: null,
	};
}

/** The dashboard as plain text at the given size: no escape codes, never wider than `columns`. */
export function onceText(loaded: LoadedRun, host: HostState, columns: number, rows: number): string {
	const screen = new ScreenBuilder().build({snap: onceSnapshot(loaded, host), ui: initialUiState(), columns, rows, now: Date.now(), pulse: 0});
	return screen.lines.map(line => line.paint('plain').trimEnd()).join('\n');
}

/** The machine view (no run) as plain text at the given size; `notice` says why there is no run. */
export function machineText(host: HostState, notice: string | null, columns: number, rows: number): string {
	const screen = new ScreenBuilder().build({snap: machineSnapshot(host, notice), ui: initialUiState(), columns, rows, now: Date.now(), pulse: 0});
	return screen.lines.map(line => line.paint('plain').trimEnd()).join('\n');
}
