/** `wbtop export`: the history as CSV or JSON lines, streamed. */
import type {RunEvent} from '../decode/run-events.js';
import {RunReader, STREAMING_READ_BYTES, UnreadableRunError, type ReadResult} from '../sources/run-reader.js';
import {locateRun, type RunLocation} from '../sources/locate.js';
import {MAX_SERIES} from '../state/run-state.js';
import {sanitizeText} from '../view/sanitize.js';
import {jsonNumber, jsonValue, terminalSafeJson} from './report.js';

/** Keys beyond the column limit counted for the message (counting stops there: memory stays bounded). */
const MAX_BEYOND_COUNTED = 100_000;

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
			if (last.unreadable) throw new UnreadableRunError(`${location.runDir}/${last.error}`);
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
export function* exportHistory(path: string, format: 'csv' | 'jsonl', onLimit?: (message: string) => void): Generator<string> {
	const location = locateRun(path);
	if (format === 'jsonl') {
		for (const row of historyRows(location)) {
			const out: Record<string, unknown> = {_step: row.step};
			for (const [key, value] of Object.entries(row.values)) if (key !== '_step') out[sanitizeText(key)] = jsonValue(value);
			yield terminalSafeJson(out);
		}
		return;
	}
	const columns = new Set<string>();
	const beyond = new Set<string>();
	let rows = 0;
	for (const row of historyRows(location)) {
		rows++;
		for (const [key, value] of Object.entries(row.values)) {
			if (typeof value !== 'number' || key === '_step' || columns.has(key)) continue;
			// As many columns as the dashboard keeps metrics; the rest are counted, not kept.
			if (columns.size < MAX_SERIES) columns.add(key);
			else if (beyond.size < MAX_BEYOND_COUNTED) beyond.add(key);
		}
	}
	if (beyond.size > 0) onLimit?.(`limit: more than ${MAX_SERIES.toLocaleString('en-US')} numeric keys: the CSV has the first ${MAX_SERIES.toLocaleString('en-US')} as columns and leaves out ${beyond.size >= MAX_BEYOND_COUNTED ? `${MAX_BEYOND_COUNTED.toLocaleString('en-US')}+` : beyond.size} (export --jsonl keeps every key)`);
	const names = [...columns].sort((a, b) => (a.startsWith('_') === b.startsWith('_') ? a.localeCompare(b) : a.startsWith('_') ? 1 : -1));
	yield ['_step', ...names].map(name => csvField(sanitizeText(name))).join(',');
	for (const row of historyRows(location, rows)) {
		const cells = [row.step === null ? '' : String(row.step)];
		for (const name of names) {
			const value = row.values[name];
			cells.push(typeof value === 'number' ? String(jsonNumber(value)) : '');
		}
		yield cells.join(',');
	}
}
