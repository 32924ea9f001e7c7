/**
 * Pre-0.10 run directories (doc §1.4): no `.wandb` log, but `wandb-history.jsonl` (one row per
 * line), `wandb-events.jsonl` (system metrics), `wandb-summary.json`, `config.yaml` and
 * `wandb-metadata.json`, all at the run dir's root.
 *
 * Read incrementally like the binary log: the jsonl files are tailed by byte offset (a last line
 * without its newline is still being written, so it waits), the JSON/YAML files are re-read when
 * they change. A step can appear on two history lines; rows are emitted as they are and the
 * reducer merges them by step.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import type {FlatValues, RunEvent, RunInfo} from '../decode/run-events.js';
import {flattenCapped, flattenInto, toValue} from '../decode/values.js';
import {LEGACY_CONFIG, LEGACY_EVENTS, LEGACY_HISTORY, LEGACY_METADATA, LEGACY_SUMMARY, legacyHistoryEvent, legacyRunInfo, legacyStateEvent, MAX_LINE_BYTES, parseObject} from '../decode/legacy.js';
import {MAX_SIDE_FILE_BYTES, openRegularFile, readAt, readSideText} from './side-file.js';

export {MAX_LINE_BYTES} from '../decode/legacy.js';


export type LegacyReadResult = {
	events: RunEvent[];
	/** Lines skipped as corrupt (or longer than MAX_LINE_BYTES) in this call. */
	corrupt: number;
	/** `partial` when a jsonl file ends in a line without its newline. */
	tail: 'clean' | 'partial';
	bytesRead: number;
	/** Bytes of the jsonl files read so far, and their sizes (for a progress bar). */
	position: number;
	size: number;
	/** More bytes were already there than this call took. */
	hasMore: boolean;
	/** A file shrank or was replaced: state restarted, `events` start from scratch. */
	reset: boolean;
	/**
	 * A jsonl file is not a regular file or cannot be read (one line naming it). Set only on a
	 * call that leaves nothing more to read (`hasMore` false), so a caller that stops at the
	 * first error still reads the other file whole.
	 */
	error: string | null;
};

/** Identity of a file version: changes when it is rewritten. */
type Signature = string;

function signatureOf(file: string): Signature | null {
	try {
		const st = fs.statSync(file);
		return `${st.ino}:${st.size}:${st.mtimeMs}`;
	} catch (error) {
		// Missing: nothing to read yet. Any other error (ELOOP from a symlink loop, EACCES) is a
		// file that is there but cannot be looked at: it gets a signature of its own, so the read
		// is tried and refused with its reason, like a FIFO there (not passed over as missing).
		const code = (error as NodeJS.ErrnoException).code;
		return code === 'ENOENT' || code === 'ENOTDIR' ? null : `error:${code ?? (error as Error).message}`;
	}
}

/** Follows one jsonl file by byte offset; returns complete lines only. */
class JsonlTail {
	offset = 0;
	private ino = -1;
	private lastSize = 0;
	/** Inside a line over MAX_LINE_BYTES: its bytes are passed over, up to its newline. */
	private skipping = false;
	partial = false;
	hasMore = false;
	/** Why the file could not be read on the last call (a FIFO, unreadable), or null. */
	problem: string | null = null;

	constructor(readonly file: string) {}

	/** The file's size when last read. */
	get size(): number {
		return this.lastSize;
	}

	/** Complete lines appended since the last call; `null` when the file shrank or was replaced. */
	read(maxBytes: number): {lines: string[]; bytesRead: number; skipped: number} | null {
		const opened = openRegularFile(this.file);
		this.problem = null;
		this.hasMore = false;
		if (!opened.ok) {
			if (opened.reason !== 'missing') this.problem = opened.message;
			return {lines: [], bytesRead: 0, skipped: 0}; // not there (yet), or refused
		}
		try {
			return this.readOpen(opened.fd, opened.stats, maxBytes);
		} catch (error) {
			this.problem = `${path.basename(this.file)} is unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
			return {lines: [], bytesRead: 0, skipped: 0};
		} finally {
			fs.closeSync(opened.fd);
		}
	}

	private readOpen(fd: number, st: fs.Stats, maxBytes: number): {lines: string[]; bytesRead: number; skipped: number} | null {
		if ((this.ino !== -1 && st.ino !== this.ino) || st.size < this.lastSize) return null;
		this.ino = st.ino;
		this.lastSize = st.size;
		const lines: string[] = [];
		let bytesRead = 0;
		let skipped = 0;
		let want = maxBytes;
		let reachedEnd = this.offset >= st.size;
		while (this.offset < st.size) {
			const buf = readAt(fd, Math.min(st.size - this.offset, want), this.offset);
			bytesRead += buf.length;
			// A short read means the file changed under us; the next call sorts it out.
			reachedEnd = buf.length === 0 || this.offset + buf.length >= st.size;
			if (this.skipping) {
				// The rest of an oversized line, one window a call (hasMore brings the next).
				const newline = buf.indexOf(0x0a);
				if (newline < 0) {
					this.offset += buf.length;
					break;
				}
				this.offset += newline + 1;
				this.skipping = false;
				continue;
			}
			const lastNewline = buf.lastIndexOf(0x0a);
			if (lastNewline < 0) {
				// A line longer than the window: widen it, up to MAX_LINE_BYTES. At EOF the line is just unfinished.
				if (reachedEnd) break;
				if (want < MAX_LINE_BYTES) {
					want = Math.min(2 * want, MAX_LINE_BYTES);
					continue;
				}
				// Longer than any line wbtop reads: skip it, from the next call on in windows of maxBytes.
				skipped++;
				this.skipping = true;
				this.offset += buf.length;
				break;
			}
			for (const line of buf.toString('utf8', 0, lastNewline).split('\n')) lines.push(line);
			this.offset += lastNewline + 1;
			break;
		}
		this.hasMore = !reachedEnd;
		// Bytes after the last newline at EOF: a line still being written (or the skipped one).
		this.partial = reachedEnd && (this.offset < st.size || this.skipping);
		return {lines, bytesRead, skipped};
	}
}

/** Parses `config.yaml` (`{key: {desc, value}}`) into flattened config and the SDK version. */
export function parseConfigYaml(text: string): {config: FlatValues; cliVersion: string | null} {
	const doc: unknown = YAML.parse(text);
	const config: FlatValues = {};
	let cliVersion: string | null = null;
	if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return {config, cliVersion};
	for (const [key, entry] of Object.entries(doc as Record<string, unknown>)) {
		if (key === 'wandb_version') continue;
		// Python writes {desc, value}, core {value}; anything else is taken as the value itself.
		const value = entry !== null && typeof entry === 'object' && !Array.isArray(entry) && 'value' in entry ? (entry as {value: unknown}).value : entry;
		if (key === '_wandb') {
			const version = (value as {cli_version?: unknown} | null)?.cli_version;
			if (typeof version === 'string' || typeof version === 'number') cliVersion = String(version);
			continue;
		}
		flattenInto(config, key, toValue(value));
	}
	return {config, cliVersion};
}

/**
 * Reads a run dir's `config.yaml` (root, or `files/` for binary runs), at most
 * MAX_SIDE_FILE_BYTES, non-blocking. `problem` is a refusal to report (a FIFO, too large,
 * unreadable); null when it is missing or caught mid-rewrite (try again later).
 */
export function readConfigYaml(file: string, name = path.basename(file)): ({ok: true} & ReturnType<typeof parseConfigYaml>) | {ok: false; problem: string | null} {
	const read = readSideText(file, {maxBytes: MAX_SIDE_FILE_BYTES, name});
	if (!read.ok) return {ok: false, problem: read.reason === 'missing' ? null : read.message};
	try {
		return {ok: true, ...parseConfigYaml(read.text)};
	} catch {
		return {ok: false, problem: null};
	}
}

/** Reads a legacy run directory incrementally. */
export class LegacyReader {
	private history: JsonlTail;
	private events: JsonlTail;
	private signatures = new Map<string, Signature>();
	private pending = new Map<string, Signature>();
	/** Side files refused, by name: reported once per distinct message. */
	private problems = new Map<string, string>();
	private summaryKeys = new Set<string>();
	private metadata: Record<string, unknown> | null = null;
	private config: FlatValues = {};
	private lastRun = '';
	private lastState = '';
	private version: string | null = null;
	private startTime: number | null = null;

	constructor(readonly runDir: string) {
		this.history = new JsonlTail(path.join(runDir, LEGACY_HISTORY));
		this.events = new JsonlTail(path.join(runDir, LEGACY_EVENTS));
	}

	/** The SDK version from `config.yaml` (`_wandb.value.cli_version`), once read. */
	get sdkVersion(): string | null {
		return this.version;
	}

	/** Reads what changed since the last call. */
	read(maxBytes = 8 * 1024 * 1024): LegacyReadResult {
		const result: LegacyReadResult = {events: [], corrupt: 0, tail: 'clean', bytesRead: 0, position: 0, size: 0, hasMore: false, reset: false, error: null};
		this.readRunFiles(result);
		const history = this.history.read(maxBytes);
		const events = history === null ? null : this.events.read(maxBytes);
		if (history === null || events === null) {
			this.restart();
			const again = this.read(maxBytes);
			again.reset = true;
			return again;
		}
		result.bytesRead += history.bytesRead + events.bytesRead;
		result.corrupt += history.skipped + events.skipped;
		for (const line of history.lines) this.historyLine(line, result);
		for (const line of events.lines) this.eventsLine(line, result);
		this.readSummary(result);
		result.tail = this.history.partial || this.events.partial ? 'partial' : 'clean';
		result.hasMore = this.history.hasMore || this.events.hasMore;
		result.position = this.history.offset + this.events.offset;
		result.size = Math.max(result.position, this.history.size + this.events.size);
		if (!result.hasMore) result.error = this.history.problem ?? this.events.problem;
		return result;
	}

	private restart(): void {
		this.history = new JsonlTail(this.history.file);
		this.events = new JsonlTail(this.events.file);
		this.signatures.clear();
		this.pending.clear();
		this.problems.clear();
		this.summaryKeys.clear();
		this.metadata = null;
		this.config = {};
		this.lastRun = '';
		this.lastState = '';
	}

	/**
	 * Returns the file's text when it changed since the last successful read. A file refused (a
	 * FIFO, a device, over MAX_SIDE_FILE_BYTES) is reported and not tried again until it changes.
	 */
	private changed(name: string, result: LegacyReadResult): string | null {
		const file = path.join(this.runDir, name);
		const signature = signatureOf(file);
		if (signature === null || this.signatures.get(name) === signature) return null;
		const read = readSideText(file, {maxBytes: MAX_SIDE_FILE_BYTES, name});
		if (!read.ok) {
			if (read.reason === 'missing') return null;
			this.signatures.set(name, signature);
			this.problem(name, read.message, result);
			return null;
		}
		this.problem(name, null, result);
		result.bytesRead += Buffer.byteLength(read.text);
		this.pending.set(name, signature);
		return read.text;
	}

	private problem(name: string, message: string | null, result: LegacyReadResult): void {
		if ((this.problems.get(name) ?? null) === message) return;
		if (message === null) this.problems.delete(name);
		else this.problems.set(name, message);
		result.events.push({type: 'file-problem', file: name, message});
	}

	/** Marks the text last returned by `changed(name)` as used, so it is not read again. */
	private accept(name: string): void {
		const signature = this.pending.get(name);
		if (signature !== undefined) this.signatures.set(name, signature);
	}

	private readRunFiles(result: LegacyReadResult): void {
		const configText = this.changed(LEGACY_CONFIG, result);
		if (configText !== null) {
			try {
				const parsed = parseConfigYaml(configText);
				this.config = parsed.config;
				if (parsed.cliVersion !== null && parsed.cliVersion !== this.version) {
					this.version = parsed.cliVersion;
					result.events.push({type: 'header', sdkVersion: parsed.cliVersion});
				}
				this.accept(LEGACY_CONFIG);
			} catch {
				// Half-written: try again on the next read.
			}
		}
		const metadataText = this.changed(LEGACY_METADATA, result);
		if (metadataText !== null) {
			const metadata = parseObject(metadataText);
			if (metadata !== null) {
				this.metadata = metadata;
				this.accept(LEGACY_METADATA);
			}
		}
		const run = this.runInfo();
		const runKey = JSON.stringify(run);
		if (runKey !== this.lastRun) {
			this.lastRun = runKey;
			result.events.push({type: 'run', run});
		}
		const state = this.metadata === null ? null : legacyStateEvent(this.metadata);
		if (state !== null) {
			const stateKey = `${state.state}:${state.exitCode}`;
			if (stateKey !== this.lastState) {
				this.lastState = stateKey;
				result.events.push(state);
			}
		}
	}

	private runInfo(): RunInfo {
		const run = legacyRunInfo(this.metadata ?? {}, path.basename(this.runDir), this.config);
		this.startTime = run.startTime;
		return run;
	}

	private historyLine(line: string, result: LegacyReadResult): void {
		const event = legacyHistoryEvent(line);
		if (event === 'corrupt') result.corrupt++;
		else if (event !== null) result.events.push(event);
	}

	private eventsLine(line: string, result: LegacyReadResult): void {
		if (line.trim() === '') return;
		const sample = parseObject(line);
		if (sample === null) {
			result.corrupt++;
			return;
		}
		let timestamp: number | null = typeof sample._timestamp === 'number' ? sample._timestamp : null;
		if (timestamp === null && typeof sample._runtime === 'number' && this.startTime !== null) {
			timestamp = this.startTime / 1000 + sample._runtime;
		}
		if (timestamp === null || !Number.isFinite(timestamp)) return; // 1e999, NaN: no place on a time axis
		// _wandb, _timestamp, _runtime are skipped; at most MAX_KEYS_PER_ROW keys (caps.ts).
		const flat = flattenCapped(sample, undefined, key => (key.startsWith('_') ? null : key.startsWith('system.') ? key.slice('system.'.length) : key));
		const values: Record<string, number> = {};
		for (const [key, value] of Object.entries(flat)) if (typeof value === 'number') values[key] = value;
		result.events.push({type: 'stats', timestamp, values});
	}

	/** The summary file is rewritten in place: emit its keys, and the removal of vanished ones. */
	private readSummary(result: LegacyReadResult): void {
		const text = this.changed(LEGACY_SUMMARY, result);
		if (text === null) return;
		const summary = parseObject(text);
		if (summary === null) return; // caught mid-rewrite: try again later
		this.accept(LEGACY_SUMMARY);
		const update = flattenCapped(summary); // at most MAX_KEYS_PER_ROW keys (caps.ts)
		const remove = [...this.summaryKeys].filter(key => !(key in update));
		this.summaryKeys = new Set(Object.keys(update));
		result.events.push({type: 'summary', update, remove});
	}
}
