/** `wbtop --once --json`: one JSON document about the run (and the host, where sampled). */
import {hostJson, type HostState} from '../state/host-state.js';
import {alertsFor, type LoadedRun} from './load.js';
import {runReport, terminalSafeJson} from './report.js';

/** The `--once --json` document as text. */
export function onceJson(loaded: LoadedRun, host: HostState | null): string {
	return terminalSafeJson(runReport(loaded.state, loaded.location, host ? hostJson(host) : null, alertsFor(loaded.state, host), loaded.error), 2);
}
