/**
 * Reads the media files the media panel asks for: an image (PNG, JPEG) becomes a thumbnail, a
 * `.table.json` a preview of its first rows. Files are read like every side file (non-blocking
 * open, regular files only, size-limited, read-only) from `files/<path>` (legacy runs:
 * `<path>` in the run dir), and only inside the run dir: a path with `..` or an absolute one is
 * refused. One file at a time, each decoded on a later turn of the event loop (never inside a
 * frame); a missing file is reported as such, and the rest of the screen goes on.
 */
import * as path from 'node:path';
import type {RunEvent} from '../decode/run-events.js';
import {decodeTable, decodeThumbnail, type MediaFile} from '../decode/media-file.js';
import {formatLimit, readSideFile} from './side-file.js';

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

/**
 * Reads requested media files one after another, each on its own turn of the event loop, and
 * hands each result to `onEvents` as a `media-file` event. A path asked for again while it is
 * queued is not queued twice (the caller asks only for what state has no result for).
 */
export class MediaReader {
	private readonly queue: Array<{path: string; kind: MediaRequestKind}> = [];
	private readonly asked = new Set<string>();
	private timer: NodeJS.Immediate | null = null;
	private stopped = false;

	constructor(
		private readonly runDir: string,
		private readonly onEvents: (events: RunEvent[]) => void,
	) {}

	/** Ask for a file; the newest request is read first (the one on screen). */
	request(relative: string, kind: MediaRequestKind): void {
		if (this.stopped || this.asked.has(relative)) return;
		this.asked.add(relative);
		this.queue.unshift({path: relative, kind});
		this.schedule();
	}

	stop(): void {
		this.stopped = true;
		if (this.timer) clearImmediate(this.timer);
		this.timer = null;
	}

	private schedule(): void {
		if (this.timer || this.queue.length === 0) return;
		this.timer = setImmediate(() => {
			this.timer = null;
			const next = this.queue.shift();
			if (next === undefined || this.stopped) return;
			this.asked.delete(next.path);
			const file = readMediaFile(this.runDir, next.path, next.kind);
			this.onEvents([{type: 'media-file', path: next.path, file}]);
			this.schedule();
		});
	}
}
