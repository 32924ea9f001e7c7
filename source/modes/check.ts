/** `wbtop --check`: one line per problem, and an exit code for cron and CI. */
import {type RunState} from '../state/run-state.js';
import {runLife} from '../state/run-life.js';
import type {Alert} from '../state/alerts.js';
import {alertMessage} from '../view/alert-text.js';
import {lifeReasonText} from '../view/life-text.js';

/** Exit codes of `--check`: a contract for scripts. */
export const CHECK_EXIT = {ok: 0, warning: 1, failed: 2} as const;

/**
 * `--check`: one line per problem and the exit code (2 crashed/failed or a wandb.alert of level
 * ERROR, 1 stale or any warning, else 0; a wandb.alert of level INFO is listed and changes
 * nothing). `now` (ms) judges a run that stopped writing.
 */
export function checkRun(state: RunState, alerts: readonly Alert[], now = Date.now()): {lines: string[]; exitCode: number} {
	const life = runLife(state, now);
	const status = life.status;
	const reason = lifeReasonText(life.reason);
	const lines: string[] = [];
	let code: number = CHECK_EXIT.ok;
	const step = state.lastStep ?? '—';
	if (status === 'crashed' || status === 'failed') {
		lines.push(`${status}: the run ${status} at step ${step}${reason ? `: ${reason}` : ''}`);
		code = CHECK_EXIT.failed;
	} else if (status === 'stale') {
		lines.push(`stale: ${reason}; last step ${step}`);
		code = CHECK_EXIT.warning;
	}
	for (const alert of alerts) {
		lines.push(`${alert.kind}: ${alertMessage(alert)}`);
		// The run's own wandb.alert(): ERROR fails the check, WARN warns, INFO is listed only.
		if (alert.kind === 'wandb-alert' && alert.severity === 'error') code = CHECK_EXIT.failed;
		else if (alert.severity !== 'info' && code === CHECK_EXIT.ok) code = CHECK_EXIT.warning;
	}
	if (state.integrity.corruptChunks > 0) lines.push(`corrupt: ${state.integrity.corruptChunks} corrupt chunk(s) skipped in the run log`);
	if (lines.length === 0) lines.push(`ok: ${status}${state.lastStep === null ? '' : `, step ${state.lastStep}`}`);
	return {lines, exitCode: code};
}
