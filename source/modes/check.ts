/** `wbtop --check`: one line per problem, and an exit code for cron and CI. */
import {runExitCode, runStatus, type RunState} from '../state/run-state.js';
import type {Alert} from '../state/alerts.js';
import {alertMessage} from '../view/alert-text.js';

/** Exit codes of `--check`: a contract for scripts. */
export const CHECK_EXIT = {ok: 0, warning: 1, failed: 2} as const;

/** `--check`: one line per problem and the exit code (2 crashed/failed, 1 any warning, else 0). */
export function checkRun(state: RunState, alerts: readonly Alert[]): {lines: string[]; exitCode: number} {
	const status = runStatus(state);
	const exitCode = runExitCode(state);
	const lines: string[] = [];
	let code: number = CHECK_EXIT.ok;
	if (status === 'crashed' || status === 'failed') {
		lines.push(`${status}: the run ${status === 'crashed' ? 'crashed' : 'failed'}${exitCode === null ? '' : ` (exit ${exitCode})`} at step ${state.lastStep ?? '—'}`);
		code = CHECK_EXIT.failed;
	}
	for (const alert of alerts) {
		lines.push(`${alert.kind}: ${alertMessage(alert)}`);
		if (code === CHECK_EXIT.ok) code = CHECK_EXIT.warning;
	}
	if (state.integrity.corruptChunks > 0) lines.push(`corrupt: ${state.integrity.corruptChunks} corrupt chunk(s) skipped in the run log`);
	if (lines.length === 0) lines.push(`ok: ${status}${state.lastStep === null ? '' : `, step ${state.lastStep}`}`);
	return {lines, exitCode: code};
}
