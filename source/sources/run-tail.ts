/**
 * Follow a growing run: file-system events are only hints ("look now"); a cheap stat poll backs
 * them up, and reading always resumes at the last complete record (RunReader keeps the offset).
 *
 * The hint is one `fs.watch` on the run dir (inotify reports writes to the files in it): the log
 * is appended to several times a second, and chokidar stats the file and runs its own event
 * machinery for each write (~5 ms a second of CPU at 10 rows/s), for nothing a hint needs.
 */
import {existsSync, watch, type FSWatcher} from 'node:fs';
import type {RunEvent, Integrity} from '../decode/run-events.js';
import {RunReader} from './run-reader.js';
import type {RunLocation} from './locate.js';

export type TailOptions = {
	/** Poll interval for the stat backup, ms. */
	pollMs?: number;
	/** Use polling only (NFS and other shared filesystems, where inotify sees no remote writes). */
	poll?: boolean;
	onEvents: (events: RunEvent[], integrity: Integrity) => void;
	/** The run's log was replaced or truncated: state must restart from scratch. */
	onReset?: () => void;
	onError?: (error: Error) => void;
	/** A read went through after an error (the run dir is back, say). */
	onOk?: () => void;
	/**
	 * How far reading has got, after each read that moved it while catching up (then once when
	 * caught up, and again only if it falls behind): bytes of the log read so far, its
	 * size, and `caughtUp` once a read left nothing more on disk (a big log is read in slices,
	 * yielding between them, so a UI can show the progress and the charts filling).
	 */
	onProgress?: (progress: ReadProgress) => void;
};

export type ReadProgress = {position: number; size: number; caughtUp: boolean};

/** Tails one run directory until stop(). */
export class RunTail {
	private readonly reader: RunReader;
	private watcher: FSWatcher | null = null;
	private timer: NodeJS.Timeout | null = null;
	private reading = false;
	private again = false;
	private stopped = false;
	/** The log's exit record was read. */
	private finished = false;
	private progress: ReadProgress | null = null;

	constructor(
		readonly location: RunLocation,
		private readonly options: TailOptions,
	) {
		this.reader = new RunReader(location);
	}

	/** Read what is there now, then keep following. */
	start(): void {
		this.readNow();
		if (!this.options.poll) {
			try {
				// The log (or legacy jsonl files) sits at the top of the run dir.
				this.watcher = watch(this.location.runDir, {persistent: false}, () => this.readNow());
				this.watcher.on('error', () => {
					// Events are only hints: the poll below keeps working without them.
					this.watcher?.close();
					this.watcher = null;
				});
			} catch {
				this.watcher = null;
			}
		}
		this.schedulePoll();
	}

	/**
	 * The stat poll: what --poll relies on (every second), and behind file events a backup for a
	 * missed one: every second while the run writes, every 5 s once its exit record was read (a
	 * finished run's log hardly changes, and an idle dashboard should not wake for it).
	 */
	private schedulePoll(): void {
		const pollMs = this.options.pollMs ?? (this.options.poll ? 1000 : this.finished ? 5000 : 1000);
		if (this.timer) clearInterval(this.timer);
		this.timer = setInterval(() => this.readNow(), pollMs);
		this.timer.unref?.();
	}

	/** Read newly appended records now (coalesces concurrent calls). */
	readNow(): void {
		if (this.stopped) return;
		if (this.reading) {
			this.again = true;
			return;
		}
		this.reading = true;
		try {
			// Bounded chunks, yielding between them, so a 500 MB log does not freeze the UI.
			const result = this.reader.read();
			if (result.reset) this.options.onReset?.();
			const finished = result.reset ? false : this.finished || result.events.some(event => event.type === 'exit');
			if (finished !== this.finished) {
				this.finished = finished;
				if (this.timer) this.schedulePoll();
			}
			if (result.events.length > 0 || result.reset) this.options.onEvents(result.events, result.integrity);
			if (result.reset) this.progress = null;
			this.reportProgress({position: result.position, size: result.size, caughtUp: !this.reader.hasMore});
			if (result.error) this.options.onError?.(new Error(result.error));
			else if (!existsSync(this.location.runDir)) {
				this.options.onError?.(Object.assign(new Error('the run directory was deleted'), {code: 'ENOENT'}));
			} else this.options.onOk?.();
			if (this.reader.hasMore) this.again = true;
		} catch (error) {
			this.options.onError?.(error as Error);
		} finally {
			this.reading = false;
		}
		if (this.again && !this.stopped) {
			this.again = false;
			setImmediate(() => this.readNow());
		}
	}

	private reportProgress(progress: ReadProgress): void {
		const last = this.progress;
		// Once caught up, only falling behind again is news (each append moves the position).
		if (last !== null && last.caughtUp === progress.caughtUp && (progress.caughtUp || (last.position === progress.position && last.size === progress.size))) return;
		this.progress = progress;
		this.options.onProgress?.(progress);
	}

	stop(): void {
		this.stopped = true;
		if (this.timer) clearInterval(this.timer);
		this.watcher?.close();
		this.reader.close();
	}
}
