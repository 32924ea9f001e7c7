/** `wbtop --once --json`: one JSON document about the run (and the host, where sampled). */
import {hostname} from 'node:os';
import {hostJson, hostsJson, type HostState} from '../state/host-state.js';
import {alertsFor, type LoadedRun} from './load.js';
import {runReport, terminalSafeJson} from './report.js';

/**
 * The `--once --json` document as text. `hosts` (where the host was sampled) is every node's
 * GPUs, this machine first, then each `--hosts` node; `host` stays this machine's, as before.
 */
export function onceJson(loaded: LoadedRun, host: HostState | null): string {
	const report = runReport(loaded.state, loaded.location, host ? hostJson(host) : null, alertsFor(loaded.state, host), loaded.error);
	return terminalSafeJson(host ? {...report, hosts: hostsJson(host, hostname())} : report, 2);
}
