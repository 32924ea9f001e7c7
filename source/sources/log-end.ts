/**
 * What `--line` shows, read from a run's end instead of all of it: a tmux status bar calls
 * `wbtop --line` every few seconds, so its cost must not grow with the run (read whole, a 169 MB
 * log took 0.5 s and ~100 MB).
 *
 * Binary runs: the log's head (the file header and the run record: name, id, project; metric
 * declarations) and a window at its end. The window starts at a 32 KiB block boundary ~64 KiB
 * before EOF and resyncs there (log-framing.ts `blockStartState`: chunks are skipped until a FULL
 * or FIRST one starts a record); while it holds no history row it doubles, up to 8 MiB, and then
 * the whole log is read. Legacy runs: the end of `wandb-history.jsonl`, cut at a line boundary,
 * with `wandb-metadata.json`.
 *
 * Head and window fold into a RunState with the reducer every mode uses, so the status line is
 * built as for a full read: last step, state (the exit record is near the end), the last values
 * of the metrics the window logs. A metric the window does not log takes its value from the
 * newest summary in the window (wandb-core writes one after each row; Python writes the full
 * summary after the exit record), else from `wandb-summary.json`. What differs from a full read:
 * alerts see only the window (a NaN far back is not counted); a metric logged neither in the
 * window nor in a summary is missing; a key only ever written to the summary (`run.summary[k] =
 * v`) counts as a metric; the console is the window's console records, else the end of output.log.
 *
 * Files are opened through side-file.ts: read-only, non-blocking, regular files only (a FIFO must
 * not hang `--line`, a device must not flood it), side files under a size limit.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {FlatValues, RunEvent, Value} from '../decode/run-events.js';
import {blockStartState, decodeLog, INITIAL_STATE, MAX_RECORD_SIZE, type DecodeState} from '../decode/log-framing.js';
import {RecordDecoder, RecordField, emptyRunInfo, recordType, type RunStatus} from '../decode/records.js';
import {flattenCapped, parseJsonLoose, UNPARSABLE} from '../decode/values.js';
import {isUnsafeKey} from '../decode/caps.js';
import {initialRunState, reduceRun, reduceRunEvents, type RunState} from '../state/run-state.js';
import {LEGACY_HISTORY, LEGACY_METADATA, LEGACY_SUMMARY, legacyHistoryEvent, legacyRunInfo, legacyStateEvent, MAX_LINE_BYTES, parseObject} from '../decode/legacy.js';
import {findLogFile, runIdFromNames, type RunLocation} from './locate.js';
import {OutputLogSource} from './output-log.js';
import {MAX_SIDE_FILE_BYTES, openRegularFile, readAt, readSideText, strayLogProblem} from './side-file.js';

export const LOG_END_DEFAULTS = {
	/** Bytes of the log's start read for the run record; doubled (up to maxHeadBytes) while it is cut. */
	headBytes: 64 * 1024,
	maxHeadBytes: 1024 * 1024,
	/** The first window at the end; doubled while it holds no (whole) history row. */
	windowBytes: 64 * 1024,
	/** The largest window; past it the whole log is read. */
	maxWindowBytes: 8 * 1024 * 1024,
	/** A bigger `wandb-summary.json` is not read (it only fills in values). */
	summaryFileBytes: 1024 * 1024,
	/** The end of `output.log` read when the window has no console records. */
	outputLogBytes: 64 * 1024,
};

export type LogEndOptions = Partial<typeof LOG_END_DEFAULTS> & {
	/** The clock (ms) the events are folded at; default Date.now(). */
	now?: number;
	/**
	 * Called once before the first read of more than {@link LARGE_READ_BYTES} (a grown window, or
	 * the whole log when no window held a row): the work is no longer small.
	 */
	beforeLargeRead?: () => void;
};

/** A run's end, folded into state. */
export type LogEnd = {
	location: RunLocation;
	state: RunState;
	/** Why the log could not be read (not a wandb log, a FIFO): the message the full reader gives. */
	error: string | null;
	/** The error is that the log could not be opened or read (permission, a FIFO), as ReadResult.unreadable. */
	unreadable: boolean;
	/** Bytes read from the run's files, all of them (log or history, side files, output.log). */
	bytesRead: number;
	/** Size of the log (legacy: of wandb-history.jsonl); 0 when there is none yet. */
	fileSize: number;
	/** `tail`: head and window; `whole`: everything (a small file, or no history row near the end). */
	mode: 'tail' | 'whole';
	/** File offset the window started at (0 when whole). */
	windowStart: number;
	/** Where the values of metrics the window does not log came from. */
	filledFrom: Array<'summary records' | 'wandb-summary.json'>;
};

/** Most metrics filled in from the summary (each costs a series; three are shown). */
const MAX_FILLED = 1000;

/** Bytes per read of a window: its events are folded before the next read, so they die young. */
const WINDOW_PIECE_BYTES = 64 * 1024;
/** Bytes per read of a whole log (the full reader's streaming size). */
const WHOLE_PIECE_BYTES = 1024 * 1024;

/** Reads bigger than this are large ({@link LogEndOptions.beforeLargeRead}). */
export const LARGE_READ_BYTES = 1024 * 1024;

type Settings = typeof LOG_END_DEFAULTS & {now: number; reading: (bytes: number) => void};

/** Reads what `--line` needs from the run at `location`. Never throws for bad data. */
export function readRunEnd(location: RunLocation, options: LogEndOptions = {}): LogEnd {
	let large = false;
	const reading = (bytes: number) => {
		if (large || bytes <= LARGE_READ_BYTES) return;
		large = true;
		options.beforeLargeRead?.();
	};
	const settings: Settings = {...LOG_END_DEFAULTS, ...options, now: options.now ?? Date.now(), reading};
	const end: LogEnd = {location, state: initialRunState(), error: null, unreadable: false, bytesRead: 0, fileSize: 0, mode: 'whole', windowStart: 0, filledFrom: []};
	if (location.format === 'legacy') readLegacyEnd(end, settings);
	else readBinaryEnd(end, settings);
	if (location.format === 'binary' && end.error === null && end.fileSize > 0) {
		// As the full reader does: the id from the names until a run record says (a header-only log).
		const id = runIdFromNames(location.logFile ?? findLogFile(location.runDir), location.runDir);
		if (id !== null) reduceRun(end.state, {type: 'run-dir', id}, settings.now);
	}
	end.state.format = location.format;
	if (end.error === null && end.state.consoleSource !== 'console records') {
		const output = new OutputLogSource(location.runDir, {windowBytes: settings.outputLogBytes});
		reduceRunEvents(end.state, output.poll(), settings.now);
		end.bytesRead += output.bytesRead;
	}
	return end;
}

// ---------------------------------------------------------------------------------------------
// Binary logs.

function readBinaryEnd(end: LogEnd, settings: Settings): void {
	const logFile = end.location.logFile ?? findLogFile(end.location.runDir);
	if (logFile === null) {
		// No log yet, or something that is not a file where it should be: what the full reader says.
		end.error = strayLogProblem(end.location.runDir);
		end.unreadable = end.error !== null;
		return;
	}
	const opened = openRegularFile(logFile);
	if (!opened.ok) {
		if (opened.reason !== 'missing') {
			end.error = opened.message;
			end.unreadable = true;
		}
		return;
	}
	const fd = opened.fd;
	try {
		const size = opened.stats.size;
		end.fileSize = size;
		if (size <= settings.headBytes + settings.windowBytes) {
			readWholeLog(end, fd, size, settings.now);
			return;
		}

		// The head: the file header, then the run record (the 2nd record, but its config can be big).
		let headLength = Math.min(size, settings.headBytes);
		let head: ReturnType<typeof decodeLog>;
		for (;;) {
			const bytes = readAt(fd, headLength, 0);
			end.bytesRead += bytes.length;
			head = decodeLog(bytes, INITIAL_STATE);
			if (head.headerError !== undefined) {
				end.error = head.headerError;
				return;
			}
			const hasRun = head.records.some(payload => recordType(payload) === RecordField.run);
			if (hasRun || head.tail === 'clean' || headLength >= settings.maxHeadBytes || headLength * 2 > size - settings.windowBytes) break;
			headLength *= 2;
		}
		// Only what describes the run: its rows, summaries and console come from the window.
		const decoder = new RecordDecoder();
		const headEvents: RunEvent[] = [];
		for (const payload of head.records) if (HEAD_RECORDS.has(recordType(payload))) decoder.decode(payload, headEvents);

		// The window: from a block boundary before EOF, doubled while it holds no whole row.
		const origin = head.next.blockOrigin;
		for (let windowBytes = settings.windowBytes; windowBytes <= settings.maxWindowBytes; windowBytes *= 2) {
			const start = blockStartState(size - windowBytes, origin);
			if (start.offset <= head.nextOffset) break; // the window reaches the head: read it all
			settings.reading(size - start.offset);
			const undecodableBefore = decoder.undecodable;
			const window = new WindowFold(headEvents, settings.now);
			const range = decodeRange(fd, start, size, decoder, WINDOW_PIECE_BYTES, events => window.fold(events));
			end.bytesRead += range.bytesRead;
			if (window.state.rows === 0) continue;
			end.mode = 'tail';
			end.windowStart = start.offset;
			window.state.integrity = {tail: range.tail, corruptChunks: range.corrupt, undecodableRecords: decoder.undecodable - undecodableBefore};
			window.finish(end, path.join(end.location.runDir, 'files', 'wandb-summary.json'), settings.summaryFileBytes);
			return;
		}
		// No history row near the end (a run that logs none, or ends in MBs of console): read it all.
		settings.reading(size);
		readWholeLog(end, fd, size, settings.now);
	} finally {
		fs.closeSync(fd);
	}
}

/** Records of the head that are folded: identity, config, declarations, versions. */
const HEAD_RECORDS = new Set<number>([RecordField.run, RecordField.header, RecordField.config, RecordField.metric, RecordField.telemetry, RecordField.preempting]);

/** The whole log, folded piece by piece as the full reader does (memory: the state plus one piece). */
function readWholeLog(end: LogEnd, fd: number, size: number, now: number): void {
	end.mode = 'whole';
	end.windowStart = 0;
	const state = initialRunState();
	const decoder = new RecordDecoder();
	const range = decodeRange(fd, INITIAL_STATE, size, decoder, WHOLE_PIECE_BYTES, events => reduceRunEvents(state, events, now));
	end.bytesRead += range.bytesRead;
	end.error = range.error;
	state.integrity = {tail: range.tail, corruptChunks: range.corrupt, undecodableRecords: decoder.undecodable};
	end.state = state;
}

type RangeResult = {bytesRead: number; corrupt: number; tail: 'clean' | 'partial'; error: string | null};

/**
 * Decodes the log from `state` up to `size` in pieces of `pieceBytes` (more for a record that
 * does not fit), handing each piece's events to `fold` before the next read.
 */
function decodeRange(fd: number, state: DecodeState, size: number, decoder: RecordDecoder, pieceBytes: number, fold: (events: RunEvent[]) => void): RangeResult {
	const result: RangeResult = {bytesRead: 0, corrupt: 0, tail: 'clean', error: null};
	let piece = pieceBytes;
	while (state.offset < size) {
		const length = Math.min(size - state.offset, piece);
		const bytes = readAt(fd, length, state.offset);
		result.bytesRead += bytes.length;
		const decoded = decodeLog(bytes, state);
		if (decoded.headerError !== undefined) {
			result.error = decoded.headerError;
			break;
		}
		const atEnd = state.offset + bytes.length >= size || bytes.length < length;
		if (decoded.records.length === 0 && decoded.nextOffset === state.offset && !atEnd && piece <= MAX_RECORD_SIZE) {
			piece *= 2;
			continue;
		}
		result.corrupt += decoded.corrupt;
		const events: RunEvent[] = [];
		for (const payload of decoded.records) decoder.decode(payload, events);
		fold(events);
		if (atEnd || decoded.nextOffset === state.offset) {
			result.tail = decoded.tail;
			break;
		}
		state = decoded.next;
		piece = pieceBytes;
	}
	return result;
}

// ---------------------------------------------------------------------------------------------
// Legacy runs (wandb 0.8/0.9): wandb-history.jsonl, wandb-metadata.json, wandb-summary.json.


function readLegacyEnd(end: LogEnd, settings: Settings): void {
	const runDir = end.location.runDir;
	const head: RunEvent[] = [];
	const metadata = readSideJson(end, path.join(runDir, LEGACY_METADATA), MAX_SIDE_FILE_BYTES) ?? {};
	head.push({type: 'run', run: legacyRunInfo(metadata, path.basename(runDir))});
	const state = legacyStateEvent(metadata);
	if (state !== null) head.push(state);
	end.state = reduceRunEvents(initialRunState(), head, settings.now);

	const opened = openRegularFile(path.join(runDir, LEGACY_HISTORY));
	if (!opened.ok) {
		if (opened.reason !== 'missing') {
			end.error = opened.message;
			end.unreadable = true;
		}
		return;
	}
	const fd = opened.fd;
	try {
		const size = opened.stats.size;
		end.fileSize = size;
		for (let windowBytes = settings.windowBytes; windowBytes <= settings.maxWindowBytes && windowBytes < size; windowBytes *= 2) {
			const start = size - windowBytes;
			settings.reading(windowBytes);
			const window = new WindowFold(head, settings.now);
			const range = readJsonlRange(fd, start, size, WINDOW_PIECE_BYTES, events => window.fold(events));
			end.bytesRead += range.bytesRead;
			if (window.state.rows === 0) continue;
			end.mode = 'tail';
			end.windowStart = start;
			window.state.integrity = {tail: range.tail, corruptChunks: range.corrupt};
			window.finish(end, path.join(runDir, LEGACY_SUMMARY), settings.summaryFileBytes);
			return;
		}
		// A short history, or no row near its end: read it all.
		settings.reading(size);
		end.mode = 'whole';
		const state = end.state;
		const range = readJsonlRange(fd, 0, size, WHOLE_PIECE_BYTES, events => reduceRunEvents(state, events, settings.now));
		end.bytesRead += range.bytesRead;
		state.integrity = {tail: range.tail, corruptChunks: range.corrupt};
	} finally {
		fs.closeSync(fd);
	}
}

/**
 * History rows from the jsonl lines in [start, size), folded piece by piece: a line cut by
 * `start` is dropped, and a last line without its newline (still being written) is left out.
 * A piece widens to hold a long line, up to MAX_LINE_BYTES (the legacy reader's cap); a longer
 * line is counted as corrupt and passed over up to its newline, so a hole of zeros after the
 * last row costs a 64 MiB piece, not the hole (1 GB took 1.9 GB of RSS before the cap).
 */
function readJsonlRange(fd: number, start: number, size: number, pieceBytes: number, fold: (events: RunEvent[]) => void): RangeResult {
	const result: RangeResult = {bytesRead: 0, corrupt: 0, tail: 'clean', error: null};
	let offset = start;
	let piece = pieceBytes;
	// Inside a line that is not ours to read (cut by `start`, or over the cap): skip to its newline.
	let skipping = start > 0;
	while (offset < size) {
		const length = Math.min(size - offset, piece);
		const bytes = readAt(fd, length, offset);
		result.bytesRead += bytes.length;
		const atEnd = offset + bytes.length >= size || bytes.length < length;
		if (skipping) {
			const newline = bytes.indexOf(0x0a);
			if (newline < 0) {
				offset += bytes.length;
				if (atEnd) result.tail = 'partial';
				continue;
			}
			skipping = false;
			offset += newline + 1;
			continue;
		}
		const lastNewline = bytes.lastIndexOf(0x0a);
		if (lastNewline < 0) {
			// No complete line in the piece: a longer line, or the unfinished last one.
			if (atEnd) {
				result.tail = 'partial';
				break;
			}
			if (piece >= MAX_LINE_BYTES) {
				result.corrupt++;
				skipping = true;
				offset += bytes.length;
				piece = pieceBytes;
			} else {
				piece = Math.min(piece * 2, MAX_LINE_BYTES);
			}
			continue;
		}
		const events: RunEvent[] = [];
		for (const line of bytes.toString('utf8', 0, lastNewline).split('\n')) {
			const event = legacyHistoryEvent(line);
			if (event === 'corrupt') result.corrupt++;
			else if (event !== null) events.push(event);
		}
		fold(events);
		offset += lastNewline + 1;
		piece = pieceBytes;
		if (atEnd) {
			result.tail = offset < size ? 'partial' : 'clean';
			break;
		}
	}
	return result;
}

// ---------------------------------------------------------------------------------------------
// Folding a window.

/**
 * Folds a window's events as they are read, into a state that starts with the head's events:
 * the rows of the window's first step are skipped ({@link fold}), and the newest summary value of
 * each key is kept for the metrics the window does not log ({@link finish}).
 */
class WindowFold {
	readonly state: RunState = initialRunState();
	/** The newest value of each key in the window's summary records. */
	private readonly summary = new Map<string, Value>();
	private exited = false;
	/** A summary record came after the exit record: Python's full final summary. */
	private fullSummary = false;
	/** The window's first step while its rows are skipped; undefined before the first row, null after. */
	private leadStep: number | null | undefined = undefined;

	constructor(
		head: readonly RunEvent[],
		private readonly now: number,
	) {
		reduceRunEvents(this.state, head, now);
	}

	/**
	 * Rows that share a step share a row index, and the first value of a metric at a step is the
	 * one kept (core splits a step's train and val rows; legacy files repeat a step). The window's
	 * first step may have lost rows to the cut, so its rows are skipped.
	 */
	fold(events: readonly RunEvent[]): void {
		for (const event of events) {
			if (event.type === 'history' && this.leadStep !== null) {
				if (this.leadStep === undefined && event.step !== null) {
					this.leadStep = event.step;
					continue;
				}
				if (event.step === this.leadStep) continue;
				this.leadStep = null; // rows without a step are never merged: none to skip
			} else if (event.type === 'summary') {
				for (const key of Object.keys(event.update)) this.summary.set(key, event.update[key]);
				for (const key of event.remove) this.summary.delete(key);
				if (this.exited) this.fullSummary = true;
			} else if (event.type === 'exit') {
				this.exited = true;
			}
			reduceRun(this.state, event, this.now);
		}
	}

	/**
	 * Gives the metrics the window does not log their newest summary value: from the window's
	 * summary records, else from the summary file (not read when the window holds the full
	 * summary). They go in as one row after the window's, which is not a row of the run: what it
	 * counted is undone (row counts; NaN and spike tracking, so alerts come from the window only).
	 */
	finish(end: LogEnd, summaryFile: string, summaryFileBytes: number): void {
		const {state} = this;
		end.state = state;
		if (this.summary.size > 0) end.filledFrom.push('summary records');
		if (!this.fullSummary) {
			const file = readSideJson(end, summaryFile, summaryFileBytes);
			if (file !== null) {
				const flat = flattenCapped(file);
				let used = false;
				for (const key of Object.keys(flat)) {
					if (this.summary.has(key) || state.metrics.has(key)) continue;
					this.summary.set(key, flat[key]);
					used = true;
				}
				if (used) end.filledFrom.push('wandb-summary.json');
			}
		}
		const filled: FlatValues = {};
		let count = 0;
		for (const [key, value] of this.summary) {
			if (count >= MAX_FILLED) break;
			if (typeof value !== 'number' || key.charCodeAt(0) === 95 /* _ */ || isUnsafeKey(key) || state.metrics.has(key) || isAggregate(state, key)) continue;
			filled[key] = value;
			count++;
		}
		if (count === 0) return;
		const {rows, lastRowIndex, lastRowAt} = state;
		reduceRun(state, {type: 'history', step: null, values: filled}, this.now);
		Object.assign(state, {rows, lastRowIndex, lastRowAt});
		for (const key in filled) {
			state.nonFinite.delete(key);
			state.recent.delete(key);
		}
	}
}

/** Summary aggregates of define_metric: `val/acc` summarized as `{"max": …}` reads `val/acc.max`. */
const AGGREGATES = new Set(['min', 'max', 'mean', 'best', 'last', 'first']);

function isAggregate(state: RunState, key: string): boolean {
	const dot = key.lastIndexOf('.');
	if (dot <= 0 || !AGGREGATES.has(key.slice(dot + 1))) return false;
	const metric = key.slice(0, dot);
	return state.metrics.has(metric) || state.declarations.some(d => d.name === metric || (d.glob !== null && globMatches(d.glob, metric)));
}

/** define_metric's glob (`*`, `?`), as the reducer matches it. */
function globMatches(glob: string, name: string): boolean {
	return new RegExp('^' + glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$').test(name);
}

// ---------------------------------------------------------------------------------------------
// Side files.

/** A side file's JSON object; null when missing, refused (not a regular file, too large) or not an object. */
function readSideJson(end: LogEnd, file: string, maxBytes: number): Record<string, unknown> | null {
	const read = readSideText(file, {maxBytes});
	if (!read.ok) return null;
	end.bytesRead += read.size;
	return parseObject(read.text);
}


