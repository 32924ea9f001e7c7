/**
 * The live session behind the dashboard: it runs the sources (run tail, output.log, nvidia-smi,
 * system sampler, the followed folder), folds their events into state, computes alerts when data
 * changes (and on a timer, for stalls), follows new runs, and tells the UI what changed. The UI
 * reads `snapshot()`, which has no side effects; it sends quit, back, open-run and pause here
 * through `command()`.
 */
import {realpathSync} from 'node:fs';
import {watch as watchFolder, type FSWatcher} from 'chokidar';
import type {HostEvent, HostSource} from '../decode/host-events.js';
import type {RunEvent} from '../decode/run-events.js';
import {startHostSources} from './host-sources.js';
import {locateRun, type RunLocation} from '../sources/locate.js';
import {withSharedNodes} from '../sources/nodes.js';
import {foldNodeEvents, nodeFor, resetNode} from '../state/nodes.js';
import {NodeTails} from './node-tails.js';
import {RunTail} from '../sources/run-tail.js';
import {readRunPid} from '../sources/run-pid.js';
import {lifeTargetOf, probeRunLife, sameLife} from '../sources/run-life.js';
import {runLife} from '../state/run-life.js';
import {OutputLogSource} from '../sources/output-log.js';
import {MetadataSource} from '../sources/run-metadata.js';
import {MediaReader} from '../sources/media-reader.js';
import {initialHostState, reduceHost, type HostState} from '../state/host-state.js';
import {cloneRunState, initialRunState, reduceRunEvents, type RunState} from '../state/run-state.js';
import type {ChangeKind, RunListEntry, SessionCommand, Snapshot} from '../state/snapshot.js';
import {RunCatalog} from './run-catalog.js';
import {computeAlerts, type Alert, type AlertMemory, initialAlertMemory} from '../state/alerts.js';
import {findLogFile} from '../sources/locate.js';
import {readZoom, type ZoomJob} from '../sources/zoom-reader.js';
import type {ZoomCache, ZoomRequest} from '../state/zoom.js';

export type LiveOptions = {
	/** Host sampling interval, ms. */
	intervalMs: number;
	gpu: boolean;
	follow: boolean;
	poll: boolean;
	/** nvidia-smi command (tests put a stand-in on PATH). */
	nvidiaSmi?: string;
	/** Other nodes whose GPUs are watched over ssh (`--hosts`). */
	hosts?: readonly string[];
	/** Called after each new alert (for `--bell`). */
	onNewAlert?: (alert: Alert) => void;
	/** Called once the user asked to quit (the session has stopped its sources). */
	onQuit?: () => void;
	clock?: () => number;
	/** Host samples taken before the session (the machine view it replaces): its charts go on. */
	initialHost?: HostState;
};

/** How often time-based alerts (a stall, an idle GPU) are looked at when nothing else changes. */
const ALERT_TICK_MS = 5000;
/** Least time between two alert computations while data streams in. */
const ALERT_MIN_MS = 250;
/** How often the run's training process is asked whether it still lives (one kill(pid, 0) and one /proc read). */
const LIFE_POLL_MS = 1000;

/** Runs the sources for one dashboard session. */
export class LiveSession {
	private run: RunState = initialRunState();
	private host: HostState = initialHostState();
	private tail: RunTail | null = null;
	/** A shared-mode run's other writers' dirs, each followed on its own. */
	private nodeTails: NodeTails | null = null;
	private hostSources: HostSource[] = [];
	private followTimer: NodeJS.Timeout | null = null;
	private folderWatcher: FSWatcher | null = null;
	private alertTimer: NodeJS.Timeout | null = null;
	private lifeTimer: NodeJS.Timeout | null = null;
	/** The run state word last told to listeners (it changes with the clock: stale). */
	private lastStatus: string | null = null;
	private outputLog: OutputLogSource | null = null;
	/** The run's wandb-metadata.json (the overview's environment). */
	private metadata: MetadataSource | null = null;
	/** Reads the media files the media panel asks for (thumbnails, table previews). */
	private mediaReader: MediaReader | null = null;
	private version = 0;
	private notice: string | null = null;
	private runError: string | null = null;
	private runGone = false;
	private previous: RunLocation | null = null;
	private pinned = false;
	private alertMemory: AlertMemory = initialAlertMemory();
	private alerts: Alert[] = [];
	private readonly listeners = new Set<(kind: ChangeKind) => void>();
	private readonly clock: () => number;
	private catalog: RunCatalog | null = null;
	/** The watched run's training process, to mark its GPU processes. */
	private runPid: number | null = null;
	private catalogTimer: NodeJS.Timeout | null = null;
	/** Changes not yet told to listeners (they are batched, with the alerts they may raise). */
	private pending = new Set<ChangeKind>();
	private flushScheduled = false;
	private alertsAt = 0;
	private alertCatchUp: NodeJS.Timeout | null = null;
	/** While paused: the snapshot on screen, and how many history rows arrived since. */
	private frozen: Snapshot | null = null;
	private lastSnapshot: Snapshot | null = null;
	private rowsWhilePaused = 0;
	private stopped = false;
	/** The zoomed range read at full resolution (null: none), the read under way, and what was asked last. */
	private zoom: ZoomCache | null = null;
	private zoomJob: ZoomJob | null = null;
	private zoomKey = '';

	constructor(
		private location: RunLocation,
		private readonly options: LiveOptions,
	) {
		this.clock = options.clock ?? Date.now;
		if (options.initialHost) this.host = options.initialHost;
	}

	start(): void {
		this.openRun(this.location);
		const onHost = (event: HostEvent) => {
			const next = reduceHost(this.host, event);
			if (next === this.host) return;
			this.host = next;
			this.changed('host');
		};
		this.hostSources = startHostSources({...this.options, runPid: () => this.runPid ?? this.run.info?.pid ?? null}, onHost);
		if (this.location.followDir) {
			// A new run or a re-pointed latest-run shows at once through the folder's events; the
			// poll backs them up (and is all there is with --poll: NFS sees no remote writes).
			this.followTimer = setInterval(() => this.checkForNewRun(), 1000);
			this.followTimer.unref?.();
			if (!this.options.poll) this.watchFolder(this.location.followDir);
			this.catalog = new RunCatalog(this.location.followDir);
			this.catalog.refresh(this.clock());
			let catalogVersion = this.catalog.version;
			this.catalogTimer = setInterval(() => {
				this.catalog?.refresh(this.clock());
				if (this.catalog && this.catalog.version !== catalogVersion) {
					catalogVersion = this.catalog.version;
					this.changed('host'); // the runs list is secondary: redraw at the slow pace
				}
			}, 2000);
			this.catalogTimer.unref?.();
		}
		this.alertTimer = setInterval(() => this.updateAlerts(), ALERT_TICK_MS);
		this.alertTimer.unref?.();
		this.lifeTimer = setInterval(() => this.probeLife(), LIFE_POLL_MS);
		this.lifeTimer.unref?.();
	}

	/** Watch the wandb/ folder's entries (not into the runs): a change is a hint to look for a new run. */
	private watchFolder(dir: string): void {
		try {
			const watcher = watchFolder(dir, {depth: 0, followSymlinks: false, ignoreInitial: true, persistent: false});
			watcher.on('all', () => this.checkForNewRun());
			watcher.on('error', () => void watcher.close());
			this.folderWatcher = watcher;
		} catch {
			// Hints only: the poll keeps working.
		}
	}

	stop(): void {
		this.stopped = true;
		this.zoomJob?.cancel();
		void this.folderWatcher?.close();
		if (this.alertTimer) clearInterval(this.alertTimer);
		if (this.lifeTimer) clearInterval(this.lifeTimer);
		if (this.alertCatchUp) clearTimeout(this.alertCatchUp);
		this.tail?.stop();
		this.nodeTails?.stop();
		for (const source of this.hostSources) source.stop();
		if (this.followTimer) clearInterval(this.followTimer);
		this.outputLog?.stop();
		this.metadata?.stop();
		this.mediaReader?.stop();
		if (this.catalogTimer) clearInterval(this.catalogTimer);
		this.catalog?.close();
	}

	/** Call `listener` whenever something changed; `kind` says whether the run or only the host did. */
	subscribe(listener: (kind: ChangeKind) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/**
	 * Something changed: the listeners hear of it once the current burst of events is folded
	 * (one callback per burst), after the alerts were brought up to date.
	 */
	private changed(kind: ChangeKind): void {
		this.version++;
		this.pending.add(kind);
		if (this.flushScheduled) return;
		this.flushScheduled = true;
		setImmediate(() => this.flush());
	}

	private flush(): void {
		this.flushScheduled = false;
		if (this.stopped) return;
		// Alerts at most every ALERT_MIN_MS while data streams in (a run logging 50 rows a second
		// would otherwise sort its spike windows 50 times a second); the last change is never missed.
		const now = Date.now();
		if (now - this.alertsAt >= ALERT_MIN_MS) {
			this.alertsAt = now;
			if (this.updateAlerts(false)) this.pending.add('run');
		} else if (this.alertCatchUp === null) {
			this.alertCatchUp = setTimeout(() => {
				this.alertCatchUp = null;
				this.alertsAt = Date.now();
				this.updateAlerts();
			}, ALERT_MIN_MS - (now - this.alertsAt));
			this.alertCatchUp.unref?.();
		}
		const kinds = [...this.pending];
		this.pending.clear();
		// While paused the screen holds still: nothing to redraw until resume.
		if (this.frozen) return;
		for (const kind of kinds) for (const listener of this.listeners) listener(kind);
	}

	/**
	 * Recompute the alerts; ring (onNewAlert) for each new one. Returns whether the set changed.
	 * Called when data changed and every ALERT_TICK_MS (stalls and idle GPUs are about time).
	 */
	private updateAlerts(notify = true): boolean {
		if (this.stopped) return false;
		const now = this.clock();
		const {alerts, memory, fresh} = computeAlerts(this.run, this.host, now, this.alertMemory);
		this.alertMemory = memory;
		// The state word moves with the clock too (running -> stale after 10 minutes of silence).
		const life = runLife(this.run, now);
		const status = life.catchingUp ? 'catching up' : life.status;
		const statusChanged = status !== this.lastStatus;
		this.lastStatus = status;
		const changed = statusChanged || alerts.length !== this.alerts.length || alerts.some((alert, i) => alert.id !== this.alerts[i].id);
		// Same problems: keep the old objects, so the header need not be redrawn.
		if (changed || alerts.some((alert, i) => JSON.stringify(alert.detail) !== JSON.stringify(this.alerts[i].detail))) this.alerts = alerts;
		for (const alert of fresh) this.options.onNewAlert?.(alert);
		if (changed && notify) this.changed('run');
		return changed;
	}

	/**
	 * What the UI shows now: the live state, or while paused the copy taken at the pause. No side
	 * effects; the same object until something changes.
	 */
	snapshot(): Snapshot {
		return this.frozen ?? this.liveSnapshot();
	}

	private liveSnapshot(): Snapshot {
		if (this.lastSnapshot?.version === this.version) return this.lastSnapshot;
		this.lastSnapshot = {
			version: this.version,
			run: this.run,
			host: this.host,
			runDir: this.location.runDir,
			notice: this.notice,
			runError: this.runError,
			runGone: this.runGone,
			alerts: this.alerts,
			runs: this.runList(),
			paused: null,
			zoom: this.zoom,
		};
		return this.lastSnapshot;
	}

	private runList(): RunListEntry[] | null {
		if (!this.catalog) return null;
		return this.catalog.entries().map(({listing, state}) => ({
			runDir: listing.runDir,
			id: listing.id,
			name: listing.name,
			mtime: listing.mtime,
			state: listing.runDir === this.location.runDir ? this.run : state,
		}));
	}

	/** The one way the UI acts on the session. */
	command(command: SessionCommand): void {
		switch (command.type) {
			case 'quit':
				this.stop();
				this.options.onQuit?.();
				return;
			case 'back':
				return this.back();
			case 'openRun':
				return this.openRunDir(command.runDir);
			case 'pause':
				return this.togglePause();
			case 'media':
				// Read unless the run already holds what it gave (a result is kept until others push it out;
				// an image whose full-resolution pixels were dropped is read again: terminal graphics ask for it).
				const held = this.run.mediaLog.files.get(command.path);
				if (held === undefined || (held.kind === 'image' && held.thumb.full === null)) this.mediaReader?.request(command.path, command.kind);
				return;
			case 'zoom':
				return this.requestZoom(command.request);
		}
	}

	/**
	 * Reads a zoomed range of the log again at full resolution, off the frame path (the reader
	 * yields between 1 MiB pieces); a newer request cancels an older one. Legacy runs keep their
	 * series' resolution.
	 */
	private requestZoom(request: ZoomRequest | null): void {
		const key = request === null ? '' : JSON.stringify(request);
		if (key === this.zoomKey) return;
		this.zoomKey = key;
		this.zoomJob?.cancel();
		this.zoomJob = null;
		const logFile = request === null || this.location.format === 'legacy' ? null : (this.location.logFile ?? findLogFile(this.location.runDir));
		if (request === null || logFile === null) {
			if (this.zoom !== null) {
				this.zoom = null;
				this.changed('run');
			}
			return;
		}
		const runDir = this.location.runDir;
		// The log's bytes per row so far: how far back the warm-up rows start.
		const job = readZoom(logFile, request, {bytesPerRow: this.run.reading && this.run.rows > 0 ? this.run.reading.size / this.run.rows : undefined});
		this.zoomJob = job;
		void job.promise.then(cache => {
			if (this.zoomJob !== job || this.stopped || this.location.runDir !== runDir) return;
			this.zoomJob = null;
			this.zoom = cache;
			this.changed('run');
			if (this.frozen) {
				// Paused: the held view zooms too (the range was read from the log, not from new rows).
				this.frozen = {...this.frozen, zoom: cache, version: this.version};
				for (const listener of this.listeners) listener('run');
			}
		});
	}

	/**
	 * Pause: the screen keeps a copy of everything it shows (the live stores grow in place) while
	 * reading goes on underneath. Resume: the view catches up and says how many rows arrived.
	 */
	private togglePause(): void {
		if (this.frozen === null) {
			const live = this.liveSnapshot();
			const copy = (state: RunState | null) => (state === null ? null : cloneRunState(state));
			const run = cloneRunState(live.run);
			this.rowsWhilePaused = 0;
			// A version of its own: the paused view differs from the live one (it shows PAUSED).
			this.version++;
			this.frozen = {
				...live,
				run,
				runs: live.runs?.map(entry => ({...entry, state: entry.state === live.run ? run : copy(entry.state)})) ?? null,
				paused: {since: this.clock()},
				version: this.version,
			};
			// Tell the UI once, so it draws the PAUSED mark.
			for (const listener of this.listeners) listener('run');
			return;
		}
		this.frozen = null;
		const rows = this.rowsWhilePaused;
		this.notice = `resumed: ${rows} new row${rows === 1 ? '' : 's'} arrived while paused`;
		this.changed('run');
	}

	/**
	 * Ask the OS whether the run's training process lives, while the run has not recorded its end.
	 * A new answer is folded into the run (and redraws); the same answer again is folded only when
	 * records arrived since the last one (the run writes again: see state/run-life.ts).
	 */
	private probeLife(): void {
		const run = this.run;
		if (this.stopped || run.exit !== null || (run.legacyState !== null && run.legacyState.state !== 'running')) return;
		this.runPid ??= readRunPid(this.location.runDir); // debug.log may come after the run dir
		const event = probeRunLife(lifeTargetOf(run.info, this.runPid));
		const last = run.life;
		const same = sameLife(last, event);
		if (same && !(run.lastLiveWriteAt !== null && run.lastLiveWriteAt > last.at)) return;
		this.fold([event]);
		this.changed('run');
	}

	/** Fold events into the live run (counting rows that arrive while paused). */
	private fold(events: readonly RunEvent[]): void {
		reduceRunEvents(this.run, events, this.clock());
		if (this.frozen) for (const event of events) if (event.type === 'history') this.rowsWhilePaused++;
	}

	/** Switch back to the run wbtop followed away from (and stop following until the user asks again). */
	private back(): void {
		if (!this.previous) return;
		const target = this.previous;
		this.previous = this.location;
		this.pinned = !this.pinned;
		this.notice = this.pinned ? `back on ${target.runDir.split('/').pop()} (b: forward to the newest run)` : `following the newest run again`;
		this.openRun(target);
	}

	/** Show another run of the folder (from the runs list); stays on it until the user goes back. */
	private openRunDir(runDir: string): void {
		if (samePath(runDir, this.location.runDir) || !this.location.followDir) return;
		let next: RunLocation;
		try {
			next = locateRun(runDir);
		} catch (error) {
			this.notice = (error as Error).message;
			this.changed('run');
			return;
		}
		this.previous = this.location;
		this.pinned = true;
		this.notice = `showing ${runDir.split('/').pop()} (b: back)`;
		this.openRun({...next, followDir: this.location.followDir});
	}

	private openRun(location: RunLocation): void {
		this.zoomJob?.cancel();
		this.zoomJob = null;
		this.zoom = null;
		this.zoomKey = '';
		this.tail?.stop();
		this.nodeTails?.stop();
		this.outputLog?.stop();
		this.metadata?.stop();
		this.mediaReader?.stop();
		this.location = location;
		this.run = initialRunState();
		this.run.format = location.format;
		this.alertMemory = initialAlertMemory();
		this.runError = null;
		this.runGone = false;
		this.runPid = readRunPid(location.runDir);
		// Until the first read says it reached the end, the run is being caught up on, not followed.
		const openedAt = this.clock();
		const progress = (position: number, size: number, caughtUp: boolean) => this.fold([{type: 'read-progress', position, size, caughtUp, since: openedAt}]);
		progress(0, 0, false);
		this.changed('run');
		this.tail = new RunTail(location, {
			poll: this.options.poll,
			onProgress: ({position, size, caughtUp}) => {
				progress(position, size, caughtUp);
				// Caught up: the process is asked at once, so the first state word is already right.
				if (caughtUp) this.probeLife();
				this.changed('run');
			},
			onEvents: (events, integrity) => {
				this.fold(events);
				this.run.integrity = integrity;
				this.changed('run');
			},
			onReset: () => {
				this.run = initialRunState();
				this.run.format = location.format;
				progress(0, 0, false);
				this.notice = 'the run log was replaced or truncated: reloaded from the start';
				this.outputLog?.restart(); // the new state needs output.log from scratch too
				this.metadata?.restart();
				this.changed('run');
			},
			onOk: () => {
				if (this.runError !== null || this.runGone) {
					this.runError = null;
					this.runGone = false;
					this.changed('run');
				}
			},
			onError: error => {
				const message = error.message.split('\n')[0];
				if ((error as NodeJS.ErrnoException).code === 'ENOENT') this.runGone = true;
				if (message !== this.runError) {
					this.runError = message;
					this.changed('run');
				}
			},
		});
		// No console records (yet): follow output.log (only its appended bytes).
		const outputLog = new OutputLogSource(location.runDir, {
			active: () => this.run.consoleSource !== 'console records',
			onEvents: events => {
				if (this.outputLog !== outputLog) return;
				this.fold(events);
				this.changed('run');
			},
		});
		this.outputLog = outputLog;
		const metadata = new MetadataSource(location.runDir, {
			onEvents: events => {
				if (this.metadata !== metadata) return;
				this.fold(events);
				this.changed('run');
			},
		});
		this.metadata = metadata;
		const mediaReader = new MediaReader(location.runDir, events => {
			if (this.mediaReader !== mediaReader) return;
			this.fold(events);
			this.changed('run');
			if (this.frozen) {
				// Paused: the held view shows the file asked for too (it is not a new row).
				reduceRunEvents(this.frozen.run, events, this.clock());
				this.version++;
				this.frozen = {...this.frozen, version: this.version};
				for (const listener of this.listeners) listener('run');
			}
		});
		this.mediaReader = mediaReader;
		this.tail.start();
		outputLog.start();
		metadata.start();
		this.startNodes(location);
	}

	/** Follows a shared-mode run's other writers (state/nodes.ts folds what they write). */
	private startNodes(location: RunLocation): void {
		const run = this.run;
		const nodeTails = new NodeTails({
			poll: this.options.poll,
			fold: (dir, events) => {
				if (this.run !== run) return; // a reset or another run since
				foldNodeEvents(run, dir, events, this.clock());
				this.changed('run');
			},
			reset: dir => {
				if (this.run !== run) return;
				resetNode(run, dir);
				this.changed('run');
			},
			consoleFromFile: dir => nodeFor(run, dir).state.consoleSource !== 'console records',
		});
		this.nodeTails = nodeTails;
		for (const node of location.nodes ?? []) nodeTails.add(node);
	}

	/**
	 * The newest dir of the followed folder is one of this run's writers (each node's `wandb.init`
	 * re-points latest-run): follow the writers that appeared since. True when it was one of them.
	 */
	private followWriters(newest: RunLocation): boolean {
		const known = [this.location.runDir, ...(this.nodeTails?.dirs() ?? [])];
		const grouped = withSharedNodes(samePath(newest.runDir, this.location.runDir) ? this.location : {...newest, followDir: this.location.followDir});
		const writers = [grouped.runDir, ...(grouped.nodes ?? []).map(node => node.runDir)];
		if (!known.some(dir => samePath(dir, newest.runDir)) && !writers.some(dir => samePath(dir, this.location.runDir))) return false;
		if (!samePath(grouped.runDir, this.location.runDir)) {
			// The primary's log said so only now (its environment record came late): it is the run.
			this.openRun(grouped);
			return true;
		}
		for (const node of grouped.nodes ?? []) if (!known.some(dir => samePath(dir, node.runDir))) this.nodeTails?.add(node);
		return true;
	}

	private checkForNewRun(): void {
		if (!this.options.follow || this.pinned || !this.location.followDir) return;
		let next: RunLocation;
		try {
			next = locateRun(this.location.followDir);
		} catch {
			return; // the wandb/ folder is being rewritten; look again next second
		}
		if (this.followWriters(next)) return;
		next = withSharedNodes(next);
		this.previous = this.location;
		this.notice = `following new run ${next.runDir.split('/').pop()} (b: back to the previous run)`;
		this.openRun(next);
	}
}

function samePath(a: string, b: string): boolean {
	if (a === b) return true;
	try {
		return realpathSync(a) === realpathSync(b);
	} catch {
		return false;
	}
}
