/** The header: run identity, state, step and rates; then the chart settings, notices and alerts. */
import type {RunStatus} from '../../state/run-state.js';
import {formatDuration, formatNumber, truncate} from '../format.js';
import {fitLine, type Line, type Style} from '../line.js';

/** What the header shows (strings raw from the run: lines sanitize them). */
export type HeaderModel = {
	name: string | null;
	project: string | null;
	entity: string | null;
	status: RunStatus;
	exitCode: number | null;
	step: number | null;
	stepsPerSecond: number | null;
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

/** A rate with three significant digits (3.72, 41.5, 1250): more would only flicker. */
function formatRateNumber(value: number): string {
	return value >= 1000 ? formatNumber(Math.round(value)) : String(Number(value.toPrecision(3)));
}

const STATUS_STYLE: Record<RunStatus, Style> = {
	running: {color: 'green', bold: true},
	finished: {color: 'blue', bold: true},
	failed: {color: 'red', bold: true},
	crashed: {color: 'red', bold: true},
};
const BOLD: Style = {bold: true};
const PAUSED: Style = {bold: true, inverse: true};
const WARNING: Style = {color: 'yellow'};

/** The mark before a state word: a blinking dot while running, ✓ finished, ✗ failed or crashed. */
export function statusMark(status: RunStatus, pulse = 0): string {
	return status === 'running' ? (pulse % 2 === 0 ? '●' : '○') : status === 'finished' ? '✓' : '✗';
}

/** The two header lines, `width` columns each. */
export function headerLines(model: HeaderModel, width: number): Line[] {
	const statusText = model.status + (model.exitCode !== null && model.exitCode !== 0 ? ` (exit ${model.exitCode})` : '');
	const where = [model.entity, model.project].filter(Boolean).join('/');
	const parts = [
		model.step === null ? 'step —' : `step ${model.step}`,
		model.stepsPerSecond === null ? null : `${formatRateNumber(model.stepsPerSecond)} steps/s`,
		model.runtime === null ? null : `runtime ${formatDuration(model.runtime)}`,
		model.sinceLastRow === null ? null : `last row ${formatDuration(model.sinceLastRow)} ago`,
	].filter((part): part is string => part !== null);
	const identity = truncate(`${model.name ?? '(unnamed run)'}${where ? '  ' + where : ''}`, Math.max(10, width - 40));
	const paused = model.paused ? ' PAUSED (p: resume) ' : '';
	const first = fitLine(
		[{text: identity, style: BOLD}, ' ', {text: `${statusMark(model.status, model.pulse)} ${statusText}`, style: STATUS_STYLE[model.status]}, '  ' + parts.join('  ') + '  ', {text: paused, style: PAUSED}],
		width,
	);
	const settings = [`x: ${model.xAxis}`, model.smoothing > 0 ? `smooth ${model.smoothing}` : null, model.logScale ? 'log y' : null, model.filter ? `filter: ${model.filter}` : null]
		.filter(Boolean)
		.join('  ');
	const alertText = model.alerts.length > 0 ? `⚠ ${model.alerts.length} alert${model.alerts.length > 1 ? 's' : ''}: ${model.alerts.slice(0, 2).join('; ')}` : '';
	const second = fitLine([[settings, model.notice ?? ''].filter(Boolean).join('   '), {text: alertText ? `   ${alertText}` : '', style: WARNING}], width);
	return [first, second];
}
