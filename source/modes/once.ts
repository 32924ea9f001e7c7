/** `wbtop --once`: the dashboard once, as plain text, from the same screen model as the live view. */
import type {HostState} from '../state/host-state.js';
import {machineSnapshot, type Snapshot} from '../state/snapshot.js';
import {initialUiState} from '../state/ui-state.js';
import {ScreenBuilder} from '../view/screen.js';
import {alertsFor, type LoadedRun} from './load.js';
import {runOverview} from '../state/overview.js';
import {overviewBriefLines} from '../view/panels/overview.js';
import {computeLayout} from '../view/layout.js';
import {MAX_SCREEN} from '../options.js';

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

/**
 * The dashboard as plain text at the given size: no escape codes, never wider than `columns`, at
 * most `rows - 1` lines. Below it, the overview in brief (host, GPU, command, git commit) where the
 * dashboard keeps its layout with that many rows fewer.
 */
export function onceText(loaded: LoadedRun, host: HostState, columns: number, rows: number): string {
	const brief = overviewBriefLines(runOverview(loaded.state), Math.max(1, Math.min(MAX_SCREEN, Math.floor(columns))));
	const fits = brief.length > 0 && computeLayout(columns, rows - brief.length).mode === computeLayout(columns, rows).mode && computeLayout(columns, rows).mode !== 'tiny';
	const screen = new ScreenBuilder().build({snap: onceSnapshot(loaded, host), ui: initialUiState(), columns, rows: fits ? rows - brief.length : rows, now: Date.now(), pulse: 0});
	return [...screen.lines, ...(fits ? brief : [])].map(line => line.paint('plain').trimEnd()).join('\n');
}

/** The machine view (no run) as plain text at the given size; `notice` says why there is no run. */
export function machineText(host: HostState, notice: string | null, columns: number, rows: number): string {
	const screen = new ScreenBuilder().build({snap: machineSnapshot(host, notice), ui: initialUiState(), columns, rows, now: Date.now(), pulse: 0});
	return screen.lines.map(line => line.paint('plain').trimEnd()).join('\n');
}
