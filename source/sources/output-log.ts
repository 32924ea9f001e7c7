/**
 * The console of runs whose log has no console records (console capture off, older SDKs): the
 * run's `output.log`, which wandb writes after terminal emulation and **rewrites in place**
 * (wandb-core flushes it on a ~5 s debounce; doc §1.2, §1.3). `files/output.log` in binary-era
 * runs, `output.log` at the run dir's root in legacy ones.
 *
 * Followed by byte offset, like the run log: each poll reads only what follows the last complete
 * line it sent, when the bytes before that point are still the same (a fingerprint); a file that
 * shrank, was replaced or was rewritten differently is reloaded from its last window only. So a
 * 1 GB file costs one 4 MiB read, and a growing one the appended bytes. Read-only, non-blocking.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {RunEvent} from '../decode/run-events.js';
import {openRegularFile, OUTPUT_LOG_WINDOW_BYTES, readAt} from './side-file.js';

/** Where output.log may be, relative to the run dir, in order of preference. */
export const OUTPUT_LOG_FILES = ['files/output.log', 'output.log'] as const;

/** How often the live session looks at the file (wandb-core flushes it every ~5 s anyway). */
export const OUTPUT_LOG_POLL_MS = 2000;

/** Bytes before the resume offset compared on each poll, to tell an append from a rewrite. */
export const OUTPUT_LOG_FINGERPRINT_BYTES = 4096;

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

/** Where the file was left: the offset just after the last complete line sent, and what preceded it. */
type Position = {file: string; ino: number; size: number; mtimeMs: number; end: number; fingerprint: Buffer};

const NEWLINE = 0x0a;

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
		for (const name of OUTPUT_LOG_FILES) {
			const file = path.join(this.runDir, name);
			const opened = openRegularFile(file, name);
			if (!opened.ok && opened.reason === 'missing') continue;
			found = true;
			if (!opened.ok) {
				this.report(events, name, opened.message);
				break;
			}
			try {
				this.readFrom(opened.fd, opened.stats, name, events);
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

	private readFrom(fd: number, st: fs.Stats, name: string, events: RunEvent[]): void {
		const pos = this.position !== null && this.position.file === name && this.position.ino === st.ino ? this.position : null;
		if (pos !== null && st.size === pos.size && st.mtimeMs === pos.mtimeMs) return; // unchanged
		if (pos !== null && st.size >= pos.end && st.size - pos.end <= this.windowBytes && this.fingerprintHolds(fd, pos)) {
			// Grown (or its unfinished last line rewritten): only the bytes after the last complete line.
			const bytes = this.take(fd, st.size - pos.end, pos.end);
			const lastNewline = bytes.lastIndexOf(NEWLINE);
			const end = lastNewline < 0 ? pos.end : pos.end + lastNewline + 1;
			const fingerprint = lastNewline < 0 ? pos.fingerprint : tail(Buffer.concat([pos.fingerprint, bytes.subarray(0, lastNewline + 1)]), OUTPUT_LOG_FINGERPRINT_BYTES);
			this.position = {file: name, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, end, fingerprint};
			events.push({type: 'console-file', file: name, reset: false, text: bytes.toString('utf8')});
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
		const endInBytes = lastNewline + 1 > from ? lastNewline + 1 : from;
		this.position = {
			file: name,
			ino: st.ino,
			size: st.size,
			mtimeMs: st.mtimeMs,
			end: readStart + endInBytes,
			fingerprint: Buffer.from(bytes.subarray(Math.max(from, endInBytes - OUTPUT_LOG_FINGERPRINT_BYTES), endInBytes)),
		};
		events.push({type: 'console-file', file: name, reset: true, text: bytes.toString('utf8', from)});
	}

	private take(fd: number, length: number, position: number): Buffer {
		const bytes = readAt(fd, length, position);
		this.read += bytes.length;
		return bytes;
	}

	/** The bytes before the resume offset are what they were: the file grew rather than changed. */
	private fingerprintHolds(fd: number, pos: Position): boolean {
		const length = pos.fingerprint.length;
		if (length === 0) return true;
		return this.take(fd, length, pos.end - length).equals(pos.fingerprint);
	}
}

/** The last `n` bytes of `bytes`, as a copy (so the read buffer can be freed). */
function tail(bytes: Buffer, n: number): Buffer {
	return Buffer.from(bytes.subarray(Math.max(0, bytes.length - n)));
}
