/**
 * The run's `wandb-metadata.json` (doc §1.2, §5.9): host, OS, Python, program and arguments, git,
 * GPUs, CUDA. `files/wandb-metadata.json` in binary-era runs, `wandb-metadata.json` at the run
 * dir's root in legacy ones. Written near the start, and rewritten by core 0.21+ on each
 * environment record, so the live session looks again every few seconds: a `stat`, and a read only
 * when the file changed. Read through side-file.ts (non-blocking, regular files only, at most
 * MAX_SIDE_FILE_BYTES); also says whether `diff.patch` (the uncommitted changes) is there.
 * Read-only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {RunEvent} from '../decode/run-events.js';
import {environmentFromMetadata, type Environment} from '../decode/environment.js';
import {parseObject} from '../decode/legacy.js';
import {MAX_SIDE_FILE_BYTES, readSideText} from './side-file.js';

/** Where the file may be, relative to the run dir, in order. */
export const METADATA_FILES = ['files/wandb-metadata.json', 'wandb-metadata.json'] as const;

/** Where the SDK saves the uncommitted changes (`save_code`/git diff), relative to the run dir. */
export const DIFF_PATCH_FILES = ['files/diff.patch', 'diff.patch'] as const;

/** How often the live session looks at the file. */
export const METADATA_POLL_MS = 5000;

export type MetadataSourceOptions = {
	/** The events of a poll from the timer that found something. */
	onEvents?: (events: RunEvent[]) => void;
	pollMs?: number;
};

function signatureOf(file: string): string | null {
	try {
		const st = fs.statSync(file);
		return `${st.ino}:${st.size}:${st.mtimeMs}`;
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		// Missing is normal; anything else (a loop, no permission) is tried, and refused with its reason.
		return code === 'ENOENT' || code === 'ENOTDIR' ? null : `error:${code ?? ''}`;
	}
}

function isRegularFile(file: string): boolean {
	try {
		return fs.statSync(file).isFile();
	} catch {
		return false;
	}
}

/** Follows a run's wandb-metadata.json; emits `metadata` events (and `file-problem` ones). */
export class MetadataSource {
	/** What the last event said (file, signature, diff.patch): a poll that finds the same says nothing. */
	private last: string | null = null;
	private problem: {file: string; message: string} | null = null;
	private timer: NodeJS.Timeout | null = null;
	private environment: Environment | null = null;

	constructor(
		readonly runDir: string,
		private readonly options: MetadataSourceOptions = {},
	) {}

	/** Looks at the file now; returns the events for what changed since the last look. */
	poll(): RunEvent[] {
		const events: RunEvent[] = [];
		let name: string | null = null;
		let signature: string | null = null;
		for (const candidate of METADATA_FILES) {
			signature = signatureOf(path.join(this.runDir, candidate));
			if (signature !== null) {
				name = candidate;
				break;
			}
		}
		const diffPatch = DIFF_PATCH_FILES.some(file => isRegularFile(path.join(this.runDir, file)));
		const key = `${name}|${signature}|${diffPatch}`;
		if (key === this.last) return events;
		let environment: Environment | null = null;
		let problem: {file: string; message: string} | null = null;
		if (name !== null) {
			const read = readSideText(path.join(this.runDir, name), {maxBytes: MAX_SIDE_FILE_BYTES, name});
			if (read.ok) {
				const metadata = parseObject(read.text);
				// Caught mid-rewrite (core rewrites it on each environment record): look again next time.
				if (metadata === null) return events;
				environment = environmentFromMetadata(metadata);
			} else if (read.reason !== 'missing') {
				problem = {file: name, message: read.message};
			}
		}
		if (this.problem !== null && (problem === null || problem.file !== this.problem.file)) events.push({type: 'file-problem', file: this.problem.file, message: null});
		if (problem !== null && problem.message !== this.problem?.message) events.push({type: 'file-problem', file: problem.file, message: problem.message});
		this.problem = problem;
		// A refused file keeps what was read of it before.
		if (problem === null) this.environment = environment;
		this.last = key;
		events.push({type: 'metadata', environment: this.environment, diffPatch});
		return events;
	}

	/** Look every `pollMs` (the first look at once), handing what changed to `onEvents`. */
	start(): void {
		const look = () => {
			const events = this.poll();
			if (events.length > 0) this.options.onEvents?.(events);
		};
		look();
		this.timer = setInterval(look, this.options.pollMs ?? METADATA_POLL_MS);
		this.timer.unref?.();
	}

	stop(): void {
		if (this.timer) clearInterval(this.timer);
		this.timer = null;
	}

	/** The run's state was rebuilt: the next look reports the file again. */
	restart(): void {
		this.last = null;
		this.problem = null;
		this.environment = null;
	}
}
