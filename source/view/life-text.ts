/** The words for a run's life (state/run-life.ts): the state word and why the run is in it. */
import type {LifeEvent} from '../decode/run-events.js';
import {EXIT_CODE_KILLED, EXIT_CODE_LOST} from '../decode/records.js';
import type {LifeReason, RunLife} from '../state/run-life.js';
import {formatDuration} from './format.js';

/** The word a screen shows for the run: its state, or `catching up` while the log is still being read. */
export function stateWord(life: RunLife): string {
	return life.catchingUp ? 'catching up' : life.status;
}

/** What an exit code means, where it means more than "failed". */
export function exitCodeMeaning(code: number): string | null {
	if (code === EXIT_CODE_KILLED) return 'interrupted (Ctrl-C) or killed';
	if (code === EXIT_CODE_LOST) return 'the SDK could not get an exit code from the process';
	return null;
}

/** One line saying why the run is in its state (`--check`, `run.stateReason`); null when there is nothing to say. */
export function lifeReasonText(reason: LifeReason): string | null {
	switch (reason.kind) {
		case 'exit': {
			if (reason.code === null) return reason.status === 'crashed' ? 'killed (wandb-metadata.json)' : null;
			const meaning = exitCodeMeaning(reason.code);
			return `exit code ${reason.code}${meaning ? `: ${meaning}` : ''}`;
		}
		case 'alive':
			return `the training process ${reason.pid} is alive on this host`;
		case 'gone':
			return `the training process ${reason.pid} ended without an exit record${reason.reused ? ' (its PID now belongs to a newer process)' : ''}`;
		case 'silent':
			return `no write for ${formatDuration(reason.quietSeconds)}; likely crashed${whyUnchecked(reason.why)}`;
		case 'detached':
			return reason.how === 'not-complete'
				? 'this writer detached (exit record not_complete): the run goes on without it'
				: 'a shared-mode secondary writer exited: the run goes on in its other writers';
		case 'unverified':
			return reason.quietSeconds === null ? null : `last write ${formatDuration(reason.quietSeconds)} ago${whyUnchecked(reason.why)}`;
	}
}

/** The reason in a few words, for the header: only where the state word alone does not say it (stale, or crashed without an exit code). */
export function lifeReasonShort(reason: LifeReason): string | null {
	if (reason.kind === 'silent') return `no write for ${formatDuration(reason.quietSeconds)}`;
	if (reason.kind === 'gone') return `process ${reason.pid} ended, no exit record`;
	if (reason.kind === 'detached') return 'writer detached';
	return null;
}

function whyUnchecked(why: LifeEvent['why'] | null): string {
	switch (why) {
		case 'no-pid':
			return ' (no PID known to check)';
		case 'other-host':
			return ' (written on another host)';
		case 'unknown':
			return ' (its process cannot be checked)';
		default:
			return '';
	}
}
