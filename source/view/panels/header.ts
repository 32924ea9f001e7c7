/** The header: run identity, state, step and rates; then the chart settings, notices and alerts. */
import type {RunStatus} from '../../state/run-state.js';
import type {Progress} from '../../state/progress.js';
import type {Rate} from '../../state/pace.js';
import {progressText, speedText} from '../progress-text.js';
import {formatDuration, truncate} from '../format.js';
import {fitLine, type Line, type Style} from '../line.js';

/** What the header shows (strings raw from the run: lines sanitize them). */
export type HeaderModel = {
	name: string | null;
	project: string | null;
	entity: string | null;
	/** The state word; `catching up` while the log is still being read to its end. */
	status: HeaderStatus;
	/** While catching up: how far reading has got (bytes of the log, rows so far, time left). */
	catchUp: CatchUp | null;
	/** Why a run without an exit record is stale or crashed (`no write for 3h`), else null. */
	stateNote: string | null;
	exitCode: number | null;
	step: number | null;
	/** Steps (or rows) per second: recent while the run lives, else its life average. */
	speed: Rate | null;
	/** How far the run is of its total, where it says (state/progress.ts). */
	progress: Progress | null;
	/** Seconds since the run started (latest `_runtime`, or exit runtime). */
	runtime: number | null;
	/** Seconds since the last new history row arrived, null when none. */
	sinceLastRow: number | null;
	xAxis: string;
	smoothing: number;
	logScale: boolean;
	filter: string;
	/** The view is paused (it holds still; reading goes on). */
	paused: boolean;
	/** Alert texts; the first ones are shown. */
	alerts: string[];
	/** A notice such as "following new run …". */
	notice: string | null;
	/** Animation phase for the live mark. */
	pulse: number;
};

export type HeaderStatus = RunStatus | 'catching up';

/** Reading a log to its end: bytes read of its size, history rows so far, seconds left (null: not known yet). */
export type CatchUp = {position: number; size: number; rows: number; secondsLeft: number | null};

const STATUS_STYLE: Record<HeaderStatus, Style> = {
	running: {color: 'green', bold: true},
	finished: {color: 'blue', bold: true},
	failed: {color: 'red', bold: true},
	crashed: {color: 'red', bold: true},
	stale: {color: 'yellow', bold: true},
	'catching up': {color: 'cyan', bold: true},
};
const BOLD: Style = {bold: true};
const PAUSED: Style = {bold: true, inverse: true};
const WARNING: Style = {color: 'yellow'};

/** The mark before a state word: a blinking dot while running, ✓ finished, ✗ failed or crashed, ◌ stale, ↻ catching up. */
export function statusMark(status: HeaderStatus, pulse = 0): string {
	switch (status) {
		case 'running':
			return pulse % 2 === 0 ? '●' : '○';
		case 'finished':
			return '✓';
		case 'stale':
			return '◌';
		case 'catching up':
			return '↻';
		default:
			return '✗';
	}
}

/** How much of the log has been read, in whole percent (0-100). */
export function catchUpPercent(catchUp: CatchUp): number {
	return catchUp.size > 0 ? Math.floor(Math.min(1, catchUp.position / catchUp.size) * 100) : 100;
}

/** `▕████░░░░▏ 42%  71.2/169 MB  84,210 rows  ~2s left`: reading a log to its end. */
export function catchUpText(catchUp: CatchUp, barWidth = 10): string {
	const fraction = catchUpPercent(catchUp) / 100;
	const filled = Math.round(fraction * barWidth);
	const mb = (bytes: number) => (bytes / 1e6 >= 100 ? (bytes / 1e6).toFixed(0) : (bytes / 1e6).toFixed(1));
	return [
		`▕${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}▏ ${catchUpPercent(catchUp)}%`,
		`${mb(catchUp.position)}/${mb(catchUp.size)} MB`,
		`${String(catchUp.rows).replace(/\B(?=(\d{3})+$)/g, ',')} rows`,
		catchUp.secondsLeft === null ? null : `~${formatDuration(catchUp.secondsLeft)} left`,
	]
		.filter(Boolean)
		.join('  ');
}

/** The two header lines, `width` columns each. */
export function headerLines(model: HeaderModel, width: number): Line[] {
	const statusText = model.status + (model.exitCode !== null && model.exitCode !== 0 ? ` (exit ${model.exitCode})` : '');
	const where = [model.entity, model.project].filter(Boolean).join('/');
	const parts = model.catchUp ? [catchUpText(model.catchUp)] : [
		model.stateNote,
		// Progress in steps takes the place of the step; in epochs or a bar's iterations it follows it.
		model.progress?.unit === 'step' ? progressText(model.progress) : model.step === null ? 'step —' : `step ${model.step}`,
		model.progress !== null && model.progress.unit !== 'step' ? progressText(model.progress) : null,
		model.speed === null ? null : speedText(model.speed),
		model.runtime === null ? null : `runtime ${formatDuration(model.runtime)}`,
		model.sinceLastRow === null ? null : `last row ${formatDuration(model.sinceLastRow)} ago`,
	].filter((part): part is string => part !== null);
	// At most 40 % of the line: the state, progress and speed after it matter as much.
	const identity = truncate(`${model.name ?? '(unnamed run)'}${where ? '  ' + where : ''}`, Math.max(10, Math.min(width - 40, Math.floor(width * 0.4))));
	// Right after the state word: the line is cut at the pane's edge, and a pause must always show.
	const paused = model.paused ? ' PAUSED (p: resume) ' : '';
	const first = fitLine(
		[{text: identity, style: BOLD}, ' ', {text: `${statusMark(model.status, model.pulse)} ${statusText}`, style: STATUS_STYLE[model.status]}, model.paused ? ' ' : '', {text: paused, style: PAUSED}, '  ' + parts.join('  ')],
		width,
	);
	const settings = [`x: ${model.xAxis}`, model.smoothing > 0 ? `smooth ${model.smoothing}` : null, model.logScale ? 'log y' : null, model.filter ? `filter: ${model.filter}` : null]
		.filter(Boolean)
		.join('  ');
	const alertText = model.alerts.length > 0 ? `⚠ ${model.alerts.length} alert${model.alerts.length > 1 ? 's' : ''}: ${model.alerts.slice(0, 2).join('; ')}` : '';
	const second = fitLine([[settings, model.notice ?? ''].filter(Boolean).join('   '), {text: alertText ? `   ${alertText}` : '', style: WARNING}], width);
	return [first, second];
}
