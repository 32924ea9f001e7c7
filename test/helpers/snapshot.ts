/** Builds Snapshots for UI tests from real runs, without starting any source. */
import {loadRun} from '../../source/modes/load.js';
import {onceSnapshot} from '../../source/modes/once.js';
import type {Snapshot} from '../../source/state/snapshot.js';
import {hostStateFromOnce, initialHostState, type HostState} from '../../source/state/host-state.js';
import {parseGpuCsv} from '../../source/decode/nvidia-smi.js';
import {initialUiState, type UiState} from '../../source/state/ui-state.js';
import {ScreenBuilder, type Screen} from '../../source/view/screen.js';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {ROOT} from './fixtures.js';

/** Host state from the real H100 capture under load (first sample of the -lms stream). */
export function h100Host(): HostState {
	const lines = readFileSync(join(ROOT, 'test/fixtures/nvidia-smi/h100/query-load-lms.csv'), 'utf8').trim().split('\n');
	const gpus = parseGpuCsv(lines[0]);
	return hostStateFromOnce({status: 'ok', message: null, gpus, processes: []}, null);
}

export function snapshotOf(runDir: string, host: HostState = initialHostState()): Snapshot {
	return {...onceSnapshot(loadRun(runDir), host), version: 1};
}

/** The screen model for a snapshot at a size (a fresh builder: no memo from earlier frames). */
export function screenOf(snap: Snapshot, columns: number, rows: number, ui: Partial<UiState> = {}, now = Date.now()): Screen {
	return new ScreenBuilder().build({snap, ui: {...initialUiState(), ...ui}, columns, rows, now, pulse: 0});
}

/** The screen as plain text lines (what --once prints, trailing spaces kept). */
export function drawPlain(snap: Snapshot, columns: number, rows: number, ui: Partial<UiState> = {}): string[] {
	return screenOf(snap, columns, rows, ui).lines.map(line => line.paint('plain'));
}
