/** Builds LiveSnapshots for UI tests from real runs, without starting any source. */
import {loadRun} from '../../source/modes/load.js';
import type {LiveSnapshot} from '../../source/modes/session.js';
import {hostStateFromOnce, initialHostState, type HostState} from '../../source/state/host-state.js';
import {parseGpuCsv} from '../../source/decode/nvidia-smi.js';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {ROOT} from './fixtures.js';
import {computeAlerts, initialAlertMemory} from '../../source/state/alerts.js';

/** Host state from the real H100 capture under load (first sample of the -lms stream). */
export function h100Host(): HostState {
	const lines = readFileSync(join(ROOT, 'test/fixtures/nvidia-smi/h100/query-load-lms.csv'), 'utf8').trim().split('\n');
	const gpus = parseGpuCsv(lines[0]);
	return hostStateFromOnce({status: 'ok', message: null, gpus, processes: []}, null);
}

export function snapshotOf(runDir: string, host: HostState = initialHostState()): LiveSnapshot {
	const loaded = loadRun(runDir);
	return {
		version: 1,
		run: loaded.state,
		host,
		location: loaded.location,
		notice: null,
		runError: null,
		runGone: false,
		alerts: computeAlerts(loaded.state, host, Date.now(), initialAlertMemory()).alerts,
		previous: null,
		runs: null,
	};
}
