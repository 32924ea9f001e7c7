/**
 * Reads one run directory, incrementally: each `read()` returns the events in the bytes appended
 * since the previous call. Binary (`.wandb`) and legacy (jsonl) runs look the same from outside.
 * It only ever opens files read-only; nothing is written into the run dir.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {Integrity, RunEvent, RunFormat} from '../decode/run-events.js';
import {LegacyReader, readConfigYaml} from './legacy-reader.js';
import {findLogFile, locateRun, runIdFromNames, type RunLocation} from './locate.js';
import {strayLogProblem} from './side-file.js';
import {readDebugLogVersion} from './debug-log.js';

export {UnreadableRunError} from './locate.js';
import {BLOCK_SIZE, CHUNK_HEADER_SIZE, decodeLog, INITIAL_STATE, MAX_RECORD_SIZE, type DecodeState} from '../decode/log-framing.js';
import {openRegularFile} from './side-file.js';
import {RecordDecoder} from '../decode/records.js';

export {deriveRunState, type RunStatus} from '../decode/records.js';

/** What one {@link RunReader.read} call found. */
export type ReadResult = {
	events: RunEvent[];
	/** Cumulative since the reader started (or since the last reset). */
	integrity: Integrity;
	/** Bytes this call read from the log (each byte of the log is read once, unless it is reset). */
	bytesRead: number;
	/** Bytes of the log read so far (since the start or the last reset), and its size at this read: how far catching up has got. */
	position: number;
	size: number;
	/**
	 * The log was replaced or shrank: the reader started over, and `events` come from the new
	 * file's beginning. Drop what was built from earlier events.
	 */
	reset: boolean;
	/**
	 * Set when the log cannot be read: not a wandb log (wrong file header), not a regular file (a
	 * FIFO named `run-x.wandb`), unreadable. Nothing is read from it.
	 */
	error: string | null;
	/**
	 * The error is that the log could not be opened or read (permission, a FIFO, an I/O error),
	 * not that it is not a wandb log: one-shot modes stop with it (exit 2).
	 */
	unreadable: boolean;
	/** This call stopped at its byte cap with more bytes already on disk: read again soon. */
	hasMore: boolean;
};


export type RunReaderOptions = {
	/** Most bytes one `read()` takes, so a UI can interleave drawing. Default 8 MiB. */
	maxBytesPerRead?: number;
};

const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

/**
 * `maxBytesPerRead` for reading a run whole while folding each read as it comes (`--once`,
 * `export`). Small enough that one read's events (~0.6 KB per KB of log) die young in V8's nursery
 * instead of being copied and promoted: on a 169 MB run, 8 MiB reads peaked ~60 MB higher and took
 * ~10 % more CPU than 1 MiB reads. (A UI wants fewer, larger reads: the default.)
 */
export const STREAMING_READ_BYTES = 1024 * 1024;

/** Bytes compared before the resume point to tell a rewritten log from a grown one. */
const FINGERPRINT_BYTES = 64;

/**
 * Most bytes of an unfinished record held between reads: the record cap plus its framing (a
 * chunk header per block, up to 6 bytes of trailer per block) and a block of slack. decodeLog
 * refuses a bigger record, so this is never reached by a well-behaved decode; it is a backstop.
 */
export const MAX_HELD_BYTES = MAX_RECORD_SIZE + Math.ceil(MAX_RECORD_SIZE / (BLOCK_SIZE - CHUNK_HEADER_SIZE)) * (CHUNK_HEADER_SIZE + 6) + 2 * BLOCK_SIZE;

const EMPTY = Buffer.alloc(0);

/**
 * Follows one run directory. Each {@link read} returns the events appended since the last call.
 * Binary logs are read once: the bytes of a record still being written are held (at most
 * {@link MAX_HELD_BYTES}) and only what was appended is read next time; legacy jsonl files resume
 * at the last complete line. Synchronous and bounded by `maxBytesPerRead`, so a UI can call it on
 * a timer.
 */
export class RunReader {
	readonly location: RunLocation;
	private readonly maxBytes: number;
	private legacy: LegacyReader | null = null;
	// Binary state.
	private logFile: string | null;
	private fd: number | null = null;
	private ino = -1;
	private lastSize = 0;
	private readEnd = 0;
	private state: DecodeState = INITIAL_STATE;
	/** The log's bytes from `state.offset` to `readEnd` (a record not complete yet), in `held[0, heldLength)`. */
	private held: Buffer = EMPTY;
	private heldLength = 0;
	/** decodeLog's `verifiedEnd` for the held bytes: their CRCs were checked already. */
	private verifiedEnd = 0;
	private records = new RecordDecoder();
	private error: string | null = null;
	private more = false;
	/** The bytes before the resume offset when last read (see rememberFingerprint). */
	private fingerprint: {end: number; bytes: Buffer} | null = null;
	private integrity: Integrity = {tail: 'clean', corruptChunks: 0, undecodableRecords: 0};
	// SDK version, by preference (doc §5.8).
	private headerVersion: string | null = null;
	private telemetryVersion: string | null = null;
	private configVersion: string | null = null;
	private configSignature = '';
	private configProblem: string | null = null;
	/** The version from `logs/debug.log`, tried once per read that found records and no version. */
	private debugLogVersion: string | null = null;
	private debugLogRead = false;
	/** The run-dir event (the id from the log's or the dir's name) went out since the last restart. */
	private runDirSent = false;

	constructor(location: RunLocation, options: RunReaderOptions = {}) {
		this.location = location;
		this.logFile = location.logFile;
		this.maxBytes = options.maxBytesPerRead ?? DEFAULT_MAX_BYTES;
		if (location.format === 'legacy') this.legacy = new LegacyReader(location.runDir);
	}

	get format(): RunFormat {
		return this.location.format;
	}

	/** The wandb version that wrote the run, once known (header, telemetry, then config.yaml). */
	get sdkVersion(): string | null {
		if (this.legacy !== null) return this.legacy.sdkVersion;
		return this.headerVersion ?? this.telemetryVersion ?? this.configVersion ?? this.debugLogVersion;
	}

	/** True when the last `read()` stopped at its byte cap with more bytes already on disk. */
	get hasMore(): boolean {
		return this.more;
	}

	/** Reads what was appended since the last call. Never throws for bad data; I/O errors surface. */
	read(): ReadResult {
		return this.legacy !== null ? this.readLegacy(this.legacy) : this.readBinary();
	}

	/** Closes the log file. The reader may be used again: it reopens. */
	close(): void {
		if (this.fd !== null) fs.closeSync(this.fd);
		this.fd = null;
	}

	private readLegacy(legacy: LegacyReader): ReadResult {
		const result = legacy.read(this.maxBytes);
		if (result.reset) this.integrity = {tail: 'clean', corruptChunks: 0};
		this.integrity = {tail: result.tail, corruptChunks: this.integrity.corruptChunks + result.corrupt};
		this.more = result.hasMore;
		// A legacy run's only errors are jsonl files it could not read.
		return {
			events: result.events,
			integrity: {...this.integrity},
			bytesRead: result.bytesRead,
			position: result.position,
			size: result.size,
			reset: result.reset,
			error: result.error,
			unreadable: result.error !== null,
			hasMore: this.more,
		};
	}

	private readBinary(): ReadResult {
		const events: RunEvent[] = [];
		const result: ReadResult = {events, integrity: this.integrity, bytesRead: 0, position: 0, size: 0, reset: false, error: this.error, unreadable: false, hasMore: false};
		this.logFile ??= findLogFile(this.location.runDir); // a run dir whose log is not written yet
		if (this.logFile === null) {
			result.error = strayLogProblem(this.location.runDir); // a FIFO named run-x.wandb, say
			result.unreadable = result.error !== null;
			return this.finish(result);
		}
		let st: fs.Stats;
		try {
			st = fs.statSync(this.logFile);
		} catch {
			return this.finish(result); // gone for now; keep what we have
		}
		if (this.fd !== null && (st.ino !== this.ino || st.size < this.lastSize)) {
			this.restart();
			result.reset = true;
		}
		if (this.fd === null && !this.open(result)) return this.finish(result);
		let size = fs.fstatSync(this.fd!).size;
		if (size !== this.readEnd && this.fingerprint !== null && !this.fingerprintHolds()) {
			// Same inode, not shorter, but the bytes already read changed (`cp` over the log):
			// it is another file now, so start over.
			this.restart();
			result.reset = true;
			if (!this.open(result)) return this.finish(result);
			size = fs.fstatSync(this.fd!).size;
		}
		this.lastSize = size;
		if (this.error !== null || size <= this.readEnd) return this.finish(result);

		// Only the bytes after those already read, appended to the held unfinished record.
		const length = Math.min(size - this.readEnd, this.maxBytes);
		const n = this.append(length);
		result.bytesRead += n;
		const start = this.state.offset;
		const decoded = decodeLog(this.held.subarray(0, this.heldLength), this.state, {verifiedEnd: this.verifiedEnd});
		this.state = decoded.next;
		this.verifiedEnd = decoded.verifiedEnd;
		if (decoded.headerError !== undefined) {
			this.error = decoded.headerError;
			result.error = this.error;
			this.dropHeld(this.heldLength);
		}
		// The payloads alias `held`: decode them before it is replaced.
		for (const payload of decoded.records) this.records.decode(payload, events);
		let corrupt = decoded.corrupt;
		if (this.error === null) {
			this.dropHeld(decoded.nextOffset - start);
			// Damage skips the rest of its block, which may lie past what was read: skip it unread.
			if (this.state.offset > this.readEnd) this.readEnd = this.state.offset;
			if (this.heldLength > MAX_HELD_BYTES) {
				// Backstop (decodeLog refuses records above MAX_RECORD_SIZE): skip what is held.
				this.state = {offset: this.readEnd, resyncing: true, blockOrigin: this.state.blockOrigin};
				this.dropHeld(this.heldLength);
				corrupt++;
			}
		}
		this.more = this.readEnd < size;
		this.rememberFingerprint(size);
		this.integrity = {
			tail: this.more ? 'clean' : decoded.tail,
			corruptChunks: this.integrity.corruptChunks + corrupt,
			undecodableRecords: this.records.undecodable,
		};
		this.noteVersions(events);
		if (!this.runDirSent && this.error === null) {
			// The id before any run record, once the bytes are a W&B log: a header-only log has none
			// (doc §1.1: the log is `run-<id>.wandb`, the dir `run-<date>-<id>[-N]`).
			this.runDirSent = true;
			const id = runIdFromNames(this.logFile, this.location.runDir);
			if (id) events.unshift({type: 'run-dir', id}); // first: a read in pieces gives the same events as one
		}
		return this.finish(result);
	}

	/** Opens the log (non-blocking, regular files only); a refusal goes to `result.error`. */
	private open(result: ReadResult): boolean {
		const opened = openRegularFile(this.logFile!, path.basename(this.logFile!));
		if (!opened.ok) {
			if (opened.reason !== 'missing') {
				result.error = opened.message;
				result.unreadable = true;
			}
			return false;
		}
		this.fd = opened.fd;
		this.ino = opened.stats.ino;
		return true;
	}

	/** Reads up to `length` bytes at `readEnd` onto the end of the held bytes; returns how many. */
	private append(length: number): number {
		const need = this.heldLength + length;
		if (need > this.held.length) {
			// Grow by doubling, so a record arriving in many small pieces costs linear copying.
			const grown = Buffer.allocUnsafe(Math.max(need, Math.min(2 * this.held.length, MAX_HELD_BYTES + this.maxBytes)));
			this.held.copy(grown, 0, 0, this.heldLength);
			this.held = grown;
		}
		let n = 0;
		while (n < length) {
			const got = fs.readSync(this.fd!, this.held, this.heldLength + n, length - n, this.readEnd + n);
			if (got === 0) break; // shorter than fstat said: the next read sorts it out
			n += got;
		}
		this.heldLength += n;
		this.readEnd += n;
		return n;
	}

	/** Forgets the first `consumed` held bytes (decoded records or skipped damage). */
	private dropHeld(consumed: number): void {
		if (consumed <= 0) return;
		// A fresh buffer for the rest: the record payloads just decoded still point into the old one.
		this.held = consumed >= this.heldLength ? EMPTY : Buffer.from(this.held.subarray(consumed, this.heldLength));
		this.heldLength = this.held.length;
	}

	private finish(result: ReadResult): ReadResult {
		result.integrity = {...this.integrity};
		result.hasMore = this.more;
		result.position = this.readEnd;
		result.size = Math.max(this.readEnd, this.lastSize);
		return result;
	}

	/** Keeps the bytes just before the resume point, to notice a log rewritten in place. */
	private rememberFingerprint(size: number): void {
		const end = Math.min(this.readEnd, size);
		const length = Math.min(FINGERPRINT_BYTES, end);
		if (this.fd === null || length === 0) {
			this.fingerprint = null;
			return;
		}
		const bytes = Buffer.alloc(length);
		const n = fs.readSync(this.fd, bytes, 0, length, end - length);
		this.fingerprint = {end, bytes: bytes.subarray(0, n)};
	}

	private fingerprintHolds(): boolean {
		if (this.fd === null || this.fingerprint === null) return true;
		const {end, bytes} = this.fingerprint;
		const now = Buffer.alloc(bytes.length);
		const n = fs.readSync(this.fd, now, 0, bytes.length, end - bytes.length);
		return n === bytes.length && now.equals(bytes);
	}

	/** Starts over on a replaced or truncated log. */
	private restart(): void {
		this.fingerprint = null;
		this.close();
		this.ino = -1;
		this.lastSize = 0;
		this.readEnd = 0;
		this.state = INITIAL_STATE;
		this.held = EMPTY;
		this.heldLength = 0;
		this.verifiedEnd = 0;
		this.records = new RecordDecoder();
		this.error = null;
		this.more = false;
		this.integrity = {tail: 'clean', corruptChunks: 0, undecodableRecords: 0};
		this.headerVersion = null;
		this.telemetryVersion = null;
		// The new state needs the version (and any problem) from config.yaml again.
		this.configVersion = null;
		this.configSignature = '';
		this.configProblem = null;
		this.debugLogVersion = null;
		this.debugLogRead = false;
		this.runDirSent = false;
	}

	/**
	 * Tracks the SDK version. Before 0.10.20 the log has none, so `files/config.yaml` is the
	 * fallback; when it supplies the version, a `telemetry` event carries it to the app.
	 */
	private noteVersions(events: RunEvent[]): void {
		for (const event of events) {
			if (event.type === 'header' && event.sdkVersion !== null) this.headerVersion = event.sdkVersion;
			else if (event.type === 'telemetry' && event.cliVersion !== null) this.telemetryVersion = event.cliVersion;
		}
		if (this.headerVersion !== null || this.telemetryVersion !== null || this.configVersion !== null || this.debugLogVersion !== null) return;
		this.noteConfigVersion(events);
		if (this.configVersion !== null) return;
		// Last: the training process's own debug log (a header-only log has nothing else yet); once
		// read, it is not read again: its version line is its first.
		if (this.debugLogRead) return;
		const debugLog = readDebugLogVersion(this.location.runDir);
		this.debugLogRead = debugLog.read;
		this.debugLogVersion = debugLog.version;
		if (debugLog.version !== null) events.push({type: 'telemetry', cliVersion: debugLog.version});
	}

	/** `files/config.yaml`'s `_wandb.cli_version` (and its problem, if refused), re-read only when it changed. */
	private noteConfigVersion(events: RunEvent[]): void {
		const file = path.join(this.location.runDir, 'files', 'config.yaml');
		let signature: string;
		try {
			const st = fs.statSync(file);
			signature = `${st.ino}:${st.size}:${st.mtimeMs}`;
		} catch {
			return;
		}
		if (signature === this.configSignature) return;
		const config = readConfigYaml(file, 'files/config.yaml');
		if (!config.ok) {
			if (config.problem === null) return; // caught mid-rewrite: try again later
			this.configSignature = signature; // refused: again only once it changes
			if (config.problem !== this.configProblem) events.push({type: 'file-problem', file: 'files/config.yaml', message: config.problem});
			this.configProblem = config.problem;
			return;
		}
		this.configSignature = signature;
		if (this.configProblem !== null) events.push({type: 'file-problem', file: 'files/config.yaml', message: null});
		this.configProblem = null;
		if (config.cliVersion !== null) {
			this.configVersion = config.cliVersion;
			events.push({type: 'telemetry', cliVersion: config.cliVersion});
		}
	}
}

/** Everything a run holds right now, read in one go (for `--once`, tests and tools). */
export function readRunOnce(inputPath: string, options: RunReaderOptions = {}): {
	location: RunLocation;
	events: RunEvent[];
	integrity: Integrity;
	sdkVersion: string | null;
	error: string | null;
} {
	const location = locateRun(inputPath);
	const reader = new RunReader(location, options);
	const events: RunEvent[] = [];
	let last: ReadResult;
	try {
		do {
			last = reader.read();
			for (const event of last.events) events.push(event);
		} while (reader.hasMore && last.error === null);
	} finally {
		reader.close();
	}
	return {location, events, integrity: last.integrity, sdkVersion: reader.sdkVersion, error: last.error};
}

