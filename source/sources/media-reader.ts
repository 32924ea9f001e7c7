/**
 * Reads the media files the media panel asks for: an image (PNG, JPEG) becomes a thumbnail, a
 * `.table.json` a preview of its first rows. Files are read like every side file (non-blocking
 * open, regular files only, size-limited, read-only) from `files/<path>` (legacy runs:
 * `<path>` in the run dir), and only inside the run dir: a path with `..` or an absolute one is
 * refused. One file at a time, in a worker thread (never inside a frame, never holding the keys);
 * a missing file is reported as such, and the rest of the screen goes on.
 */
import * as path from 'node:path';
import {Worker} from 'node:worker_threads';
import type {RunEvent} from '../decode/run-events.js';
import {decodeTable, decodeThumbnail, type MediaFile} from '../decode/media-file.js';
import {formatLimit, readSideFile} from './side-file.js';
import {workerEntry as cliEntry} from './worker-entry.js';

/** Largest media file read (an image or a table file). */
export const MAX_MEDIA_FILE_BYTES = 32 * 1024 * 1024;

/** What kind of file is asked for. */
export type MediaRequestKind = 'image' | 'table';

/** The media file at `relative` (to `files/`) in `runDir`, decoded: never throws. */
export function readMediaFile(runDir: string, relative: string, kind: MediaRequestKind): MediaFile {
	const name = relative;
	if (relative === '' || path.isAbsolute(relative) || relative.split(/[\\/]/).includes('..')) return {kind: 'error', message: `${name}: a path outside the run directory: not read`};
	const candidates = [path.join(runDir, 'files', relative), path.join(runDir, relative)];
	let missing = true;
	for (const file of candidates) {
		const read = readSideFile(file, {maxBytes: MAX_MEDIA_FILE_BYTES, name});
		if (!read.ok) {
			if (read.reason === 'missing') continue;
			missing = false;
			return {kind: 'error', message: read.reason === 'too-large' ? `${name} is larger than ${formatLimit(MAX_MEDIA_FILE_BYTES)}: not read` : read.message};
		}
		return kind === 'image' ? decodeThumbnail(read.bytes, name) : decodeTable(read.bytes.toString('utf8'), name);
	}
	return {kind: 'error', message: missing ? `${kind === 'image' ? 'image' : 'table'} file missing: ${name}` : `${name}: not read`};
}

/** One file for the decoder thread to read. */
export type MediaJob = {id: number; runDir: string; path: string; kind: MediaRequestKind};

/** A decode that takes longer than this is given up (the worker is ended and started again). */
const DECODE_TIMEOUT_MS = 30_000;

/**
 * Reads requested media files one after another and hands each result to `onEvents` as a
 * `media-file` event; the newest request first (the one on screen). Decoding runs in a worker
 * thread (sources/media-worker.ts, started from the CLI's entry file) so keys and frames go on
 * while a big image decodes; where no worker can be started (tests, an unknown entry) each file is
 * decoded on its own turn of the event loop. A path asked for again while it is queued is not
 * queued twice (the caller asks only for what state has no result for).
 */
export class MediaReader {
	private readonly queue: Array<{path: string; kind: MediaRequestKind}> = [];
	private readonly asked = new Set<string>();
	private busy = false;
	private stopped = false;
	private worker: Worker | null = null;
	private workerFailed = false;
	private nextId = 0;

	constructor(
		private readonly runDir: string,
		private readonly onEvents: (events: RunEvent[]) => void,
		/** The file to start the decoder thread from (the CLI's entry), or null to decode inline. */
		private readonly workerEntry: string | null = cliEntry(),
	) {}

	/** Ask for a file; the newest request is read first. */
	request(relative: string, kind: MediaRequestKind): void {
		if (this.stopped || this.asked.has(relative)) return;
		this.asked.add(relative);
		this.queue.unshift({path: relative, kind});
		this.next();
	}

	stop(): void {
		this.stopped = true;
		void this.worker?.terminate();
		this.worker = null;
	}

	private next(): void {
		if (this.busy || this.stopped) return;
		const job = this.queue.shift();
		if (job === undefined) return;
		this.busy = true;
		const done = (file: MediaFile) => {
			this.busy = false;
			this.asked.delete(job.path);
			if (this.stopped) return;
			this.onEvents([{type: 'media-file', path: job.path, file}]);
			this.next();
		};
		const worker = this.startWorker();
		if (worker === null) {
			setImmediate(() => done(readMediaFile(this.runDir, job.path, job.kind)));
			return;
		}
		const id = this.nextId++;
		const finish = (file: MediaFile) => {
			clearTimeout(timer);
			worker.off('message', onMessage);
			worker.off('error', onError);
			done(file);
		};
		const onMessage = (message: {id: number; file: MediaFile}) => {
			if (message.id === id) finish(message.file);
		};
		const onError = () => {
			// The thread died (out of memory on a huge image, say): decode inline from now on.
			this.workerFailed = true;
			this.worker = null;
			finish(readMediaFile(this.runDir, job.path, job.kind));
		};
		const timer = setTimeout(() => {
			void worker.terminate();
			this.worker = null;
			finish({kind: 'error', message: `${job.path}: decoding took over ${DECODE_TIMEOUT_MS / 1000} s: given up`});
		}, DECODE_TIMEOUT_MS);
		timer.unref?.();
		worker.on('message', onMessage);
		worker.on('error', onError);
		worker.postMessage({id, runDir: this.runDir, path: job.path, kind: job.kind} satisfies MediaJob);
	}

	private startWorker(): Worker | null {
		if (this.worker !== null) return this.worker;
		if (this.workerEntry === null || this.workerFailed) return null;
		try {
			const worker = new Worker(this.workerEntry, {workerData: {wbtopWorker: 'media'}});
			worker.unref(); // never what keeps wbtop from exiting
			this.worker = worker;
			return worker;
		} catch {
			this.workerFailed = true;
			return null;
		}
	}
}
