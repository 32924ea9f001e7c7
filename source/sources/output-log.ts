/**
 * The console of runs whose log has no console records (console capture off, older SDKs): the
 * run's `output.log`, which wandb writes after terminal emulation and **rewrites in place**
 * (wandb-core flushes it on a ~5 s debounce; doc §1.2, §1.3). `files/output.log` in binary-era
 * runs, `output.log` at the run dir's root in legacy ones.
 *
 * Followed by byte offset, like the run log: each poll reads only the bytes appended since the
 * last one, when the bytes before that point are still the same (a fingerprint); a file that
 * shrank, was replaced or was rewritten differently is reloaded from its last window only. So a
 * 1 GB file costs one 4 MiB read, and a growing one the appended bytes. The unfinished last line
 * is sent again with what is appended to it (the console redraws it) from what is kept of it
 * here, not read again: a `\r` progress bar without a newline grows for as long as it runs, and
 * re-reading it cost quadratic reads, then the whole window every poll. Only when it was
 * rewritten in place is it read again. Read-only, non-blocking.
 *
 * Core 0.19+ may name it otherwise (doc §1.2, §5.10): `files/output_<label>.log` for a labelled
 * (shared-mode) writer, or, with `console_multipart`, parts `files/logs/output[_<label>]_<YYYYMMDD_HHMMSS>_<ns>.log`,
 * a new one started when a part is big or old enough (0.22.3+). Parts are one console: the
 * newest is followed as above, the parts before it are complete, so a new part continues the
 * console (the old part's rest is read first), and a first load fills its window from the newest
 * parts' ends. Their events all carry one name (`files/logs/output_*.log`), so the console is not
 * reset from one part to the next.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {RunEvent} from '../decode/run-events.js';
import {MAX_LINE_CHARS} from '../state/console.js';
import {openRegularFile, OUTPUT_LOG_WINDOW_BYTES, readAt, readSideFile} from './side-file.js';

/** Where output.log may be, relative to the run dir, in order of preference (labelled and multipart names come between them). */
export const OUTPUT_LOG_FILES = ['files/output.log', 'output.log'] as const;

/** `files/output_<label>.log`: a labelled writer's console (shared mode sets a label, doc §5.10). */
const LABELLED_NAME = /^output_.+\.log$/;

/** `files/logs/output[_<label>]_<YYYYMMDD_HHMMSS>_<ns>.log`: one part of a multipart console. */
const PART_NAME = /^output(?:_(.+))?_(\d{8}_\d{6})_(\d{9})\.log$/;

/** Most multipart parts looked at per poll (a hostile folder of millions must not cost a sort of millions). */
const MAX_PARTS = 10_000;

/**
 * One place the console may be: `name` the file (relative to the run dir), `source` the name its
 * events carry (a multipart console's parts share one), `earlier` the parts before it, oldest first.
 */
type ConsoleFile = {name: string; source: string; earlier: string[]};

/** The multipart parts under `files/logs/`, oldest first: by the time in the name, then the nanoseconds; only the newest part's label. */
export function multipartParts(names: readonly string[]): string[] {
	const parts: Array<{name: string; label: string; order: string}> = [];
	for (const name of names) {
		const match = PART_NAME.exec(name);
		if (match && parts.length < MAX_PARTS) parts.push({name, label: match[1] ?? '', order: `${match[2]}_${match[3]}`});
	}
	parts.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
	const label = parts.length > 0 ? parts[parts.length - 1].label : '';
	return parts.filter(part => part.label === label).map(part => part.name);
}

function listNames(dir: string): string[] {
	try {
		return fs.readdirSync(dir);
	} catch {
		return [];
	}
}

/** Where to look, in order: `files/output.log`, `files/output_<label>.log`, the newest multipart part, `output.log`. */
function consoleFiles(runDir: string): ConsoleFile[] {
	const files: ConsoleFile[] = [{name: OUTPUT_LOG_FILES[0], source: OUTPUT_LOG_FILES[0], earlier: []}];
	for (const name of listNames(path.join(runDir, 'files')).filter(n => LABELLED_NAME.test(n)).sort()) files.push({name: `files/${name}`, source: `files/${name}`, earlier: []});
	const parts = multipartParts(listNames(path.join(runDir, 'files', 'logs')));
	if (parts.length > 0) {
		const label = PART_NAME.exec(parts[0])?.[1];
		files.push({name: `files/logs/${parts[parts.length - 1]}`, source: `files/logs/output${label === undefined ? '' : `_${label}`}_*.log`, earlier: parts.slice(0, -1).map(n => `files/logs/${n}`)});
	}
	files.push({name: OUTPUT_LOG_FILES[1], source: OUTPUT_LOG_FILES[1], earlier: []});
	return files;
}

/** How often the live session looks at the file (wandb-core flushes it every ~5 s anyway). */
export const OUTPUT_LOG_POLL_MS = 2000;

/** Bytes before the resume offset compared on each poll, to tell an append from a rewrite. */
export const OUTPUT_LOG_FINGERPRINT_BYTES = 4096;

/**
 * Bytes up to the last newline compared too when the fingerprint does not reach back to it (an
 * unfinished line longer than the fingerprint): a long line or progress bar can be all one run of
 * the same bytes, which a rewritten file matches by chance (the fuzz found it); a line break at
 * the same place rarely.
 */
export const OUTPUT_LOG_LINE_END_BYTES = 64;

/**
 * Most bytes of the unfinished line's last `\r` part kept: they decode to more than the
 * MAX_LINE_CHARS UTF-16 units the console keeps of a line (UTF-8 takes at most 3 bytes a unit,
 * an invalid sequence at most 3 a U+FFFD), so what follows them is never shown.
 */
const UNFINISHED_PART_BYTES = 4 * MAX_LINE_CHARS;

export type OutputLogOptions = {
	/** The events of each poll that found something (also returned by {@link OutputLogSource.poll}). */
	onEvents?: (events: RunEvent[]) => void;
	/** The file was refused or could not be read; once per distinct message. */
	onError?: (message: string) => void;
	/** Polls from the timer are skipped while this says false (e.g. once console records arrived). */
	active?: () => boolean;
	pollMs?: number;
	/** Bytes of the file's end read when it is (re)loaded whole (tests shrink it). */
	windowBytes?: number;
};

/**
 * Where the file was left: `size` bytes read and the last of them (`fingerprint`); the offset
 * after the last newline (`lineEnd`, -1 when not known: a window without one) and the bytes
 * before it (`lineFingerprint`); of the unfinished line after it, what decides how the console
 * shows it.
 */
type Position = {file: string; ino: number; size: number; mtimeMs: number; fingerprint: Buffer; lineEnd: number; lineFingerprint: Buffer; unfinished: Buffer};

const NEWLINE = 0x0a;
const CR = 0x0d;

/** Follows a run's output.log; emits `console-file` events (and `file-problem` ones). */
export class OutputLogSource {
	private position: Position | null = null;
	private problem: string | null = null;
	private problemFile: string | null = null;
	private timer: NodeJS.Timeout | null = null;
	private pending: NodeJS.Immediate | null = null;
	private read = 0;
	private readonly windowBytes: number;

	constructor(
		readonly runDir: string,
		private readonly options: OutputLogOptions = {},
	) {
		this.windowBytes = Math.max(1, options.windowBytes ?? OUTPUT_LOG_WINDOW_BYTES);
	}

	/** Bytes read from the file so far (fingerprint checks included). */
	get bytesRead(): number {
		return this.read;
	}

	/** Why the file is not shown right now (not a regular file, unreadable), or null. */
	get status(): string | null {
		return this.problem;
	}

	/** Poll now, then every `pollMs` until {@link stop}. */
	start(): void {
		this.stop();
		this.tick();
		this.timer = setInterval(() => this.tick(), this.options.pollMs ?? OUTPUT_LOG_POLL_MS);
		this.timer.unref?.();
	}

	stop(): void {
		if (this.timer) clearInterval(this.timer);
		if (this.pending) clearImmediate(this.pending);
		this.timer = null;
		this.pending = null;
	}

	/**
	 * Forget what was sent: the next poll sends the file again from scratch (`reset`), and any
	 * problem again. For a fresh state (the run log was reset). When started, that poll comes soon.
	 */
	restart(): void {
		this.position = null;
		this.problem = null;
		this.problemFile = null;
		if (this.timer !== null && this.pending === null) {
			this.pending = setImmediate(() => {
				this.pending = null;
				this.tick();
			});
		}
	}

	private tick(): void {
		if (this.options.active && !this.options.active()) return;
		this.poll();
	}

	/** Look at the file now; returns the events (also handed to `onEvents`). Never throws. */
	poll(): RunEvent[] {
		const events: RunEvent[] = [];
		let found = false;
		for (const candidate of consoleFiles(this.runDir)) {
			const {name} = candidate;
			const file = path.join(this.runDir, name);
			const opened = openRegularFile(file, name);
			if (!opened.ok && opened.reason === 'missing') continue;
			found = true;
			if (!opened.ok) {
				this.report(events, name, opened.message);
				break;
			}
			try {
				if (this.position !== null && this.position.file !== name && candidate.earlier.includes(this.position.file)) this.nextPart(candidate, events);
				this.readFrom(opened.fd, opened.stats, candidate, events);
				this.report(events, name, null);
			} catch (error) {
				this.report(events, name, `${name} is unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
			} finally {
				fs.closeSync(opened.fd);
			}
			break;
		}
		if (!found) this.report(events, '', null);
		if (events.length > 0) this.options.onEvents?.(events);
		return events;
	}

	/** Tracks the one problem shown: a `file-problem` event (and `onError`) only when it changes. */
	private report(events: RunEvent[], file: string, message: string | null): void {
		if (message === this.problem && (message === null || file === this.problemFile)) return;
		if (this.problem !== null && this.problemFile !== null) events.push({type: 'file-problem', file: this.problemFile, message: null});
		this.problem = message;
		this.problemFile = message === null ? null : file;
		if (message === null) return;
		events.push({type: 'file-problem', file, message});
		this.options.onError?.(message);
	}

	/**
	 * A newer multipart part appeared: the rest of the part being followed, then the parts between
	 * it and the newest, whole, as a continuation of the console. Leaves the position at the start
	 * of the newest part (its bytes are read next), or null (reload) when the parts in between do
	 * not fit in a window.
	 */
	private nextPart(candidate: ConsoleFile, events: RunEvent[]): void {
		const pos = this.position!;
		const old = {...candidate, name: pos.file};
		this.readPart(old, events);
		let carried = this.position!.unfinished;
		const between = candidate.earlier.slice(candidate.earlier.indexOf(pos.file) + 1);
		let budget = this.windowBytes;
		const texts: Buffer[] = [];
		for (const name of between) {
			const read = readSideFile(path.join(this.runDir, name), {maxBytes: budget, ifLarger: 'refuse', name});
			if (!read.ok) {
				if (read.reason === 'missing') continue;
				this.position = null; // too much to continue with (or refused): the newest part's window instead
				return;
			}
			this.read += read.bytes.length;
			budget -= read.bytes.length;
			texts.push(read.bytes);
		}
		// A part that is done ends its last line, whatever its bytes end with.
		const joined: Buffer[] = [];
		for (const bytes of [carried, ...texts]) {
			if (bytes.length === 0) continue;
			joined.push(bytes);
			if (bytes[bytes.length - 1] !== NEWLINE) joined.push(Buffer.of(NEWLINE));
		}
		carried = Buffer.alloc(0);
		if (joined.length > 0) events.push({type: 'console-file', file: candidate.source, reset: false, text: Buffer.concat(joined).toString('utf8')});
		// The newest part, as if it had been read up to its start: an empty file that is growing.
		// (ino -1: whichever file has that name; readFrom takes its inode.)
		this.position = {file: candidate.name, ino: -1, size: 0, mtimeMs: -1, fingerprint: Buffer.alloc(0), lineEnd: 0, lineFingerprint: Buffer.alloc(0), unfinished: carried};
	}

	/** The bytes appended to the part being followed (it is done now), if it is still there. */
	private readPart(part: ConsoleFile, events: RunEvent[]): void {
		const opened = openRegularFile(path.join(this.runDir, part.name), part.name);
		if (!opened.ok) return;
		try {
			this.readFrom(opened.fd, opened.stats, part, events);
		} finally {
			fs.closeSync(opened.fd);
		}
	}

	private readFrom(fd: number, st: fs.Stats, candidate: ConsoleFile, events: RunEvent[]): void {
		const {name, source} = candidate;
		if (this.position !== null && this.position.ino === -1 && this.position.file === name) this.position = {...this.position, ino: st.ino};
		const pos = this.position !== null && this.position.file === name && this.position.ino === st.ino ? this.position : null;
		if (pos !== null && st.size === pos.size && st.mtimeMs === pos.mtimeMs) return; // unchanged
		if (pos !== null && st.size >= pos.size && st.size - pos.size <= this.windowBytes && this.grewFrom(fd, pos)) {
			// Grown: only the appended bytes, sent after the unfinished line they continue.
			const bytes = this.take(fd, st.size - pos.size, pos.size);
			this.position = advance(pos, st.mtimeMs, Buffer.concat([pos.fingerprint, bytes]), bytes, pos.unfinished);
			if (bytes.length > 0) events.push({type: 'console-file', file: source, reset: false, text: Buffer.concat([pos.unfinished, bytes]).toString('utf8')});
			return;
		}
		if (pos !== null && pos.lineEnd >= 0 && pos.lineEnd < pos.size && st.size >= pos.lineEnd && st.size - pos.lineEnd <= this.windowBytes && this.holds(fd, pos.lineFingerprint, pos.lineEnd)) {
			// The unfinished last line rewritten (a progress bar redrawn in place): that line again, whole.
			const bytes = this.take(fd, st.size - pos.lineEnd, pos.lineEnd);
			this.position = advance({...pos, size: pos.lineEnd}, st.mtimeMs, Buffer.concat([pos.lineFingerprint, bytes]), bytes, Buffer.alloc(0));
			events.push({type: 'console-file', file: source, reset: false, text: bytes.toString('utf8')});
			return;
		}
		// New, replaced, shrunk, rewritten, or grown by more than a window: its last window only,
		// from a line boundary (one byte earlier, to see whether the window starts at one).
		const windowStart = Math.max(0, st.size - this.windowBytes);
		const readStart = windowStart > 0 ? windowStart - 1 : 0;
		const bytes = this.take(fd, st.size - readStart, readStart);
		let from = 0;
		if (readStart > 0) {
			const firstNewline = bytes.indexOf(NEWLINE);
			from = firstNewline < 0 ? 1 : firstNewline + 1; // no newline at all: one long line, shown from the window
		}
		const lastNewline = bytes.lastIndexOf(NEWLINE);
		this.position = {
			file: name,
			ino: st.ino,
			size: readStart + bytes.length,
			mtimeMs: st.mtimeMs,
			fingerprint: tail(bytes, OUTPUT_LOG_FINGERPRINT_BYTES),
			lineEnd: lastNewline >= 0 ? readStart + lastNewline + 1 : readStart === 0 ? 0 : -1,
			lineFingerprint: tail(bytes.subarray(0, lastNewline + 1), OUTPUT_LOG_FINGERPRINT_BYTES),
			unfinished: unfinishedLine(bytes.subarray(Math.max(from, lastNewline + 1))),
		};
		// A multipart console's newest part may hold less than a window: the parts before it fill the rest.
		const earlier = readStart === 0 && candidate.earlier.length > 0 ? this.earlierTail(candidate.earlier, this.windowBytes - bytes.length) : '';
		events.push({type: 'console-file', file: source, reset: true, text: earlier + bytes.toString('utf8', from)});
	}

	/**
	 * The last `budget` bytes of the earlier parts (oldest first), from a line boundary, each part
	 * ending its last line: what precedes the newest part on a first load.
	 */
	private earlierTail(parts: readonly string[], budget: number): string {
		const pieces: Buffer[] = [];
		for (let i = parts.length - 1; i >= 0 && budget > 0; i--) {
			const read = readSideFile(path.join(this.runDir, parts[i]), {maxBytes: budget, ifLarger: 'truncate', from: 'end', name: parts[i]});
			if (!read.ok || read.bytes.length === 0) continue;
			this.read += read.bytes.length;
			budget -= read.bytes.length;
			let bytes = read.bytes;
			if (read.truncated) {
				// Cut into the part: from its first line boundary on (its start is older than the window).
				const newline = bytes.indexOf(NEWLINE);
				bytes = newline < 0 ? Buffer.alloc(0) : bytes.subarray(newline + 1);
			}
			if (bytes.length > 0 && bytes[bytes.length - 1] !== NEWLINE) bytes = Buffer.concat([bytes, Buffer.of(NEWLINE)]);
			pieces.unshift(bytes);
			if (read.truncated) break;
		}
		return Buffer.concat(pieces).toString('utf8');
	}

	private take(fd: number, length: number, position: number): Buffer {
		const bytes = readAt(fd, length, position);
		this.read += bytes.length;
		return bytes;
	}

	/** `expected` is still what the file holds just before `end`. */
	private holds(fd: number, expected: Buffer, end: number): boolean {
		return expected.length === 0 || this.take(fd, expected.length, end - expected.length).equals(expected);
	}

	/** The last bytes read are what they were, and the last line break: the file grew rather than changed. */
	private grewFrom(fd: number, pos: Position): boolean {
		if (!this.holds(fd, pos.fingerprint, pos.size)) return false;
		if (pos.lineEnd <= 0 || pos.lineEnd - 1 >= pos.size - pos.fingerprint.length) return true; // no newline, or the fingerprint holds it
		return this.holds(fd, tail(pos.lineFingerprint, OUTPUT_LOG_LINE_END_BYTES), pos.lineEnd);
	}
}

/**
 * The position after `bytes` were read at `pos.size`; `seen` is the file's bytes that end with
 * them (the fingerprint before them first), `before` the unfinished line they continue.
 */
function advance(pos: Position, mtimeMs: number, seen: Buffer, bytes: Buffer, before: Buffer): Position {
	const newline = bytes.lastIndexOf(NEWLINE);
	return {
		...pos,
		size: pos.size + bytes.length,
		mtimeMs,
		fingerprint: tail(seen, OUTPUT_LOG_FINGERPRINT_BYTES),
		lineEnd: newline < 0 ? pos.lineEnd : pos.size + newline + 1,
		lineFingerprint: newline < 0 ? pos.lineFingerprint : tail(seen.subarray(0, seen.length - bytes.length + newline + 1), OUTPUT_LOG_FINGERPRINT_BYTES),
		unfinished: unfinishedLine(newline < 0 ? Buffer.concat([before, bytes]) : bytes.subarray(newline + 1)),
	};
}

/** The last `n` bytes of `bytes`, as a copy (so the read buffer can be freed). */
function tail(bytes: Buffer, n: number): Buffer {
	return Buffer.from(bytes.subarray(Math.max(0, bytes.length - n)));
}

/**
 * The bytes of an unfinished line (no newline) that decide what the console shows of it
 * (state/console.ts): text after a `\r` replaces the line, so only its last non-empty `\r` part
 * counts, of which the console keeps MAX_LINE_CHARS; and a `\r` after that part (the next text
 * replaces it). Sent again before appended bytes, these give the console the same line as all of
 * them would, in at most UNFINISHED_PART_BYTES + 1 bytes. A copy (the read buffer can be freed).
 */
function unfinishedLine(line: Buffer): Buffer {
	let end = line.length;
	while (end > 0 && line[end - 1] === CR) end--;
	if (end === 0) return Buffer.alloc(0); // empty, or only `\r`s: the same as nothing
	const start = line.lastIndexOf(CR, end - 1) + 1;
	const part = line.subarray(start, Math.min(end, start + UNFINISHED_PART_BYTES));
	return end < line.length ? Buffer.concat([part, Buffer.of(CR)]) : Buffer.from(part);
}
