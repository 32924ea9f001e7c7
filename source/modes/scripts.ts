/**
 * Scripting modes: `--check` (for cron and CI), `--line` (a tmux status bar) and `export`
 * (history as CSV or JSON lines). They read the run once, like `--once`.
 */
import type {RunEvent} from '../decode/run-events.js';
import {RunReader, STREAMING_READ_BYTES, type ReadResult} from '../sources/run-reader.js';
import {locateRun, type RunLocation} from '../sources/locate.js';
import {MAX_SERIES, runExitCode, runStatus, type RunState} from '../state/run-state.js';
import type {HostState} from '../state/host-state.js';
import {visibleMetrics} from '../state/selectors.js';
import type {Alert} from '../state/alerts.js';
import {formatNumber} from '../view/format.js';
import {sanitize} from '../view/sanitize.js';
import {jsonNumber, jsonValue, terminalSafeJson} from './report.js';

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
		lines.push(`${alert.kind}: ${alert.message}`);
		if (code === CHECK_EXIT.ok) code = CHECK_EXIT.warning;
	}
	if (state.integrity.corruptChunks > 0) lines.push(`corrupt: ${state.integrity.corruptChunks} corrupt chunk(s) skipped in the run log`);
	if (state.droppedValues > 0) lines.push(`limit: ${state.droppedValues} value(s) of keys beyond the ${MAX_SERIES}-metric limit were not kept`);
	if (lines.length === 0) lines.push(`ok: ${status}${state.lastStep === null ? '' : `, step ${state.lastStep}`}`);
	return {lines, exitCode: code};
}

/** The metrics `--line` shows: losses first, then accuracies, then the rest; at most `count`. */
export function mainMetrics(state: RunState, count = 3): string[] {
	const rank = (name: string) => (/loss/i.test(name) ? 0 : /acc|f1|score|reward|return/i.test(name) ? 1 : /lr|learning_rate/i.test(name) ? 3 : 2);
	return visibleMetrics(state, '')
		.map(metric => metric.name)
		.sort((a, b) => rank(a) - rank(b) || a.length - b.length || a.localeCompare(b))
		.slice(0, count);
}

/** `--line`: one status line, e.g. `resnet ● running step 1200 train/loss 0.31 | GPU0 97% 61G/80G`. */
export function statusLine(state: RunState, host: HostState | null, alerts: readonly Alert[]): string {
	const status = runStatus(state);
	const mark = status === 'running' ? '●' : status === 'finished' ? '✓' : '✗';
	const name = sanitize(state.info?.name ?? state.info?.id ?? 'run');
	const parts = [`${name} ${mark} ${status}`, `step ${state.lastStep ?? '—'}`];
	for (const key of mainMetrics(state)) parts.push(`${sanitize(key)} ${formatNumber(state.metrics.get(key)!.series.last)}`);
	let line = parts.join(' ');
	if (host && host.gpus.length > 0) {
		const gpus = host.gpus.map(gpu => {
			const util = gpu.util === null ? (gpu.mig ? 'MIG' : 'N/A') : `${gpu.util.toFixed(0)}%`;
			const mem = gpu.memUsedMiB !== null && gpu.memTotalMiB !== null ? ` ${(gpu.memUsedMiB / 1024).toFixed(0)}G/${(gpu.memTotalMiB / 1024).toFixed(0)}G` : '';
			return `GPU${gpu.index} ${util}${mem}`;
		});
		line += ' | ' + gpus.join(' ');
	}
	if (alerts.length > 0) line += ` | ⚠ ${alerts.length}`;
	return line;
}

/** CSV field quoting (RFC 4180). */
function csvField(text: string): string {
	return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A history row as the decoder gives it. */
type HistoryEvent = Extract<RunEvent, {type: 'history'}>;

/**
 * The run's history rows, read by read (one `RunReader` batch in memory at a time), at most `limit`
 * of them. Closes the log when the caller stops early.
 */
function* historyRows(location: RunLocation, limit = Infinity): Generator<HistoryEvent> {
	if (limit <= 0) return;
	const reader = new RunReader(location, {maxBytesPerRead: STREAMING_READ_BYTES});
	let count = 0;
	try {
		let last: ReadResult;
		do {
			last = reader.read();
			for (const event of last.events) {
				if (event.type !== 'history') continue;
				yield event;
				if (++count >= limit) return;
			}
		} while (reader.hasMore && last.error === null);
	} finally {
		reader.close();
	}
}

/**
 * `export`: the history, one line per history row. CSV columns are `_step` then every numeric
 * metric (sorted); a cell is empty where the row did not log that metric.
 *
 * Streams: JSON lines in one pass over the log; CSV in two, since its header needs every column
 * first (the second pass stops at the rows the first one saw, should the run still be growing).
 */
export function* exportHistory(path: string, format: 'csv' | 'jsonl'): Generator<string> {
	const location = locateRun(path);
	if (format === 'jsonl') {
		for (const row of historyRows(location)) {
			const out: Record<string, unknown> = {_step: row.step};
			for (const [key, value] of Object.entries(row.values)) if (key !== '_step') out[sanitize(key)] = jsonValue(value);
			yield terminalSafeJson(out);
		}
		return;
	}
	const columns = new Set<string>();
	let rows = 0;
	for (const row of historyRows(location)) {
		rows++;
		for (const [key, value] of Object.entries(row.values)) if (typeof value === 'number' && key !== '_step') columns.add(key);
	}
	const names = [...columns].sort((a, b) => (a.startsWith('_') === b.startsWith('_') ? a.localeCompare(b) : a.startsWith('_') ? 1 : -1));
	yield ['_step', ...names].map(name => csvField(sanitize(name))).join(',');
	for (const row of historyRows(location, rows)) {
		const cells = [row.step === null ? '' : String(row.step)];
		for (const name of names) {
			const value = row.values[name];
			cells.push(typeof value === 'number' ? String(jsonNumber(value)) : '');
		}
		yield cells.join(',');
	}
}
