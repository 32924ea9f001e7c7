/**
 * The live session behind the dashboard: it runs the sources (run tail, nvidia-smi, system
 * sampler), folds their events into state, follows new runs, and tells the UI when something
 * changed. The UI reads `snapshot()` on its own tick, so a burst of records costs one frame.
 */
import {realpathSync} from 'node:fs';
import type {HostEvent, HostSource} from '../decode/host-events.js';
import {startGpuSource} from '../sources/nvidia-smi.js';
import {startSystemSource} from '../sources/system.js';
import {locateRun, type RunLocation} from '../sources/locate.js';
import {RunTail} from '../sources/run-tail.js';
import {readRunPid} from '../sources/run-pid.js';
import {OutputLogSource} from '../sources/output-log.js';
import {initialHostState, reduceHost, type HostState} from '../state/host-state.js';
import {initialRunState, reduceRunEvents, type RunState} from '../state/run-state.js';
import {RunCatalog, type CatalogEntry} from './run-catalog.js';
import {computeAlerts, type Alert, type AlertMemory, initialAlertMemory} from '../state/alerts.js';

export type LiveOptions = {
	/** Host sampling interval, ms. */
	intervalMs: number;
	gpu: boolean;
	follow: boolean;
	poll: boolean;
	/** nvidia-smi command (tests put a stand-in on PATH). */
	nvidiaSmi?: string;
	/** Called after each new alert (for `--bell`). */
	onNewAlert?: (alert: Alert) => void;
	clock?: () => number;
};

/** What changed: the run (its log, the followed folder, notices) or only the live host samples. */
export type ChangeKind = 'run' | 'host';

/** What the UI renders; `version` changes whenever anything in it changed. */
export type LiveSnapshot = {
	version: number;
	run: RunState;
	host: HostState;
	location: RunLocation;
	notice: string | null;
	/** A run read failure, shown in place of the run's panels. */
	runError: string | null;
	/** Set when the watched run directory disappeared. */
	runGone: boolean;
	alerts: Alert[];
	/** A previous run wbtop switched away from, for the "back" key. */
	previous: RunLocation | null;
	/** The runs of the followed wandb/ folder, newest first; null when PATH was a single run. */
	runs: CatalogEntry[] | null;
};

/** Runs the sources for one dashboard session. */
export class LiveSession {
	private run: RunState = initialRunState();
	private host: HostState = initialHostState();
	private tail: RunTail | null = null;
	private hostSources: HostSource[] = [];
	private followTimer: NodeJS.Timeout | null = null;
	private outputLog: OutputLogSource | null = null;
	private version = 0;
	private notice: string | null = null;
	private runError: string | null = null;
	private runGone = false;
	private previous: RunLocation | null = null;
	private pinned = false;
	private alertMemory: AlertMemory = initialAlertMemory();
	private alerts: Alert[] = [];
	private alertKey = '';
	private readonly listeners = new Set<(kind: ChangeKind) => void>();
	private readonly clock: () => number;
	private catalog: RunCatalog | null = null;
	/** The watched run's training process, to mark its GPU processes. */
	private runPid: number | null = null;
	private catalogTimer: NodeJS.Timeout | null = null;
	private catalogVersion = -1;

	constructor(
		private location: RunLocation,
		private readonly options: LiveOptions,
	) {
		this.clock = options.clock ?? Date.now;
	}

	start(): void {
		this.openRun(this.location);
		const onHost = (event: HostEvent) => {
			const next = reduceHost(this.host, event);
			if (next === this.host) return;
			this.host = next;
			this.changed('host');
		};
		if (this.options.gpu) {
			this.hostSources.push(
				startGpuSource({intervalMs: this.options.intervalMs, onEvent: onHost, command: this.options.nvidiaSmi, runPid: () => this.runPid ?? this.run.info?.pid ?? null}),
			);
		} else {
			onHost({type: 'gpu/status', status: 'unavailable', message: 'live GPU view off (--no-gpu)'});
		}
		// CPU/memory/network every 2 s at least: each host change redraws the whole screen (10-40 ms of CPU).
		this.hostSources.push(startSystemSource({intervalMs: Math.max(this.options.intervalMs, 2000), onEvent: onHost}));
		if (this.location.followDir) {
			this.followTimer = setInterval(() => this.checkForNewRun(), 1000);
			this.followTimer.unref?.();
			this.catalog = new RunCatalog(this.location.followDir);
			this.catalog.refresh(this.clock());
			this.catalogTimer = setInterval(() => {
				this.catalog?.refresh(this.clock());
				if (this.catalog && this.catalog.version !== this.catalogVersion) {
					this.catalogVersion = this.catalog.version;
					this.changed('host'); // the runs list is secondary: redraw at the slow pace
				}
			}, 2000);
			this.catalogTimer.unref?.();
		}
	}

	stop(): void {
		this.tail?.stop();
		for (const source of this.hostSources) source.stop();
		if (this.followTimer) clearInterval(this.followTimer);
		this.outputLog?.stop();
		if (this.catalogTimer) clearInterval(this.catalogTimer);
		this.catalog?.close();
	}

	/** Call `listener` whenever something changed; `kind` says whether the run or only the host did. */
	subscribe(listener: (kind: ChangeKind) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	private changed(kind: ChangeKind): void {
		this.version++;
		for (const listener of this.listeners) listener(kind);
	}

	/** Current state for rendering. Alerts are recomputed when the data changed, or every few seconds (stalls are about time). */
	snapshot(): LiveSnapshot {
		const now = this.clock();
		if (this.catalog && this.catalog.version !== this.catalogVersion) {
			this.catalogVersion = this.catalog.version;
			this.version++;
		}
		const alertKey = `${this.version}:${Math.floor(now / 5000)}`;
		if (alertKey !== this.alertKey) {
			this.alertKey = alertKey;
			const {alerts, memory, fresh} = computeAlerts(this.run, this.host, now, this.alertMemory);
			this.alertMemory = memory;
			this.alerts = alerts;
			if (fresh.length > 0) {
				this.version++;
				for (const alert of fresh) this.options.onNewAlert?.(alert);
			}
		}
		return {
			version: this.version,
			run: this.run,
			host: this.host,
			location: this.location,
			notice: this.notice,
			runError: this.runError,
			runGone: this.runGone,
			alerts: this.alerts,
			previous: this.previous,
			runs: this.catalog ? this.catalog.entries().map(entry => (entry.listing.runDir === this.location.runDir ? {...entry, state: this.run} : entry)) : null,
		};
	}

	/** Switch back to the run wbtop followed away from (and stop following until the user asks again). */
	back(): void {
		if (!this.previous) return;
		const target = this.previous;
		this.previous = this.location;
		this.pinned = !this.pinned;
		this.notice = this.pinned ? `back on ${target.runDir.split('/').pop()} (b: forward to the newest run)` : `following the newest run again`;
		this.openRun(target);
	}

	/** Show another run of the folder (from the runs list); stays on it until the user goes back. */
	openRunDir(runDir: string): void {
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
		this.tail?.stop();
		this.outputLog?.stop();
		this.location = location;
		this.run = initialRunState();
		this.run.format = location.format;
		this.alertMemory = initialAlertMemory();
		this.runError = null;
		this.runGone = false;
		this.runPid = readRunPid(location.runDir);
		this.changed('run');
		this.tail = new RunTail(location, {
			poll: this.options.poll,
			onEvents: (events, integrity) => {
				reduceRunEvents(this.run, events, this.clock());
				this.run.integrity = integrity;
				this.changed('run');
			},
			onReset: () => {
				this.run = initialRunState();
				this.run.format = location.format;
				this.notice = 'the run log was replaced or truncated: reloaded from the start';
				this.outputLog?.restart(); // the new state needs output.log from scratch too
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
				reduceRunEvents(this.run, events, this.clock());
				this.changed('run');
			},
		});
		this.outputLog = outputLog;
		this.tail.start();
		outputLog.start();
	}

	private checkForNewRun(): void {
		if (!this.options.follow || this.pinned || !this.location.followDir) return;
		let next: RunLocation;
		try {
			next = locateRun(this.location.followDir);
		} catch {
			return; // the wandb/ folder is being rewritten; look again next second
		}
		if (samePath(next.runDir, this.location.runDir)) return;
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
