/**
 * The live session of the machine view: only the host sources (nvidia-smi, the system sampler),
 * no run. With folders to watch (wbtop started where no run was found yet) it looks for a run in
 * them every second and hands over to the run's dashboard when one appears.
 */
import type {HostEvent, HostSource} from '../decode/host-events.js';
import {locateFirstRun, type RunLocation} from '../sources/locate.js';
import {initialHostState, reduceHost, type HostState} from '../state/host-state.js';
import {machineSnapshot, type ChangeKind, type SessionCommand, type Snapshot} from '../state/snapshot.js';
import {startHostSources, type HostSourceOptions} from './host-sources.js';

/** Why the machine is shown, and where a run may appear. */
export type MachineTarget = {
	/** Why the machine is shown (no run found where wbtop looked); null for `--system`. */
	notice: string | null;
	/** `wandb/` folders to watch for a first run (empty: none). */
	watch: readonly string[];
};

export type MachineOptions = HostSourceOptions &
	MachineTarget & {	/** A run appeared in a watched folder (the session has stopped). */
	onRun?: (location: RunLocation) => void;
	/** The user asked to quit (the session has stopped). */
	onQuit?: () => void;
	/** Ms between looks for a run in the watched folders. */
	watchMs?: number;
};

/** Runs the host sources for the machine view; the same face to the UI as the run session. */
export class MachineSession {
	private host: HostState = initialHostState();
	private sources: HostSource[] = [];
	private watchTimer: NodeJS.Timeout | null = null;
	private version = 0;
	private last: Snapshot | null = null;
	private readonly listeners = new Set<(kind: ChangeKind) => void>();
	private stopped = false;

	constructor(private readonly options: MachineOptions) {}

	start(): void {
		this.sources = startHostSources(this.options, (event: HostEvent) => {
			const next = reduceHost(this.host, event);
			if (next === this.host || this.stopped) return;
			this.host = next;
			this.version++;
			for (const listener of this.listeners) listener('host');
		});
		if (this.options.watch.length > 0) {
			// One stat per folder a second; a run dir or a latest-run link showing up is enough.
			this.watchTimer = setInterval(() => this.lookForRun(), this.options.watchMs ?? 1000);
			this.watchTimer.unref?.();
		}
	}

	stop(): void {
		this.stopped = true;
		if (this.watchTimer) clearInterval(this.watchTimer);
		this.watchTimer = null;
		for (const source of this.sources) source.stop();
		this.sources = [];
	}

	/** The host samples so far (a run session that takes over starts from them). */
	hostState(): HostState {
		return this.host;
	}

	subscribe(listener: (kind: ChangeKind) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/** What the UI shows now; the same object until a host sample changes it. */
	snapshot(): Snapshot {
		if (this.last?.version !== this.version) this.last = machineSnapshot(this.host, this.options.notice, this.version);
		return this.last;
	}

	/** Quit stops the sources; the run commands (back, open, pause) have nothing to act on here. */
	command(command: SessionCommand): void {
		if (command.type !== 'quit') return;
		this.stop();
		this.options.onQuit?.();
	}

	private lookForRun(): void {
		if (this.stopped) return;
		const location = locateFirstRun(this.options.watch);
		if (location === null) return;
		this.stop();
		this.options.onRun?.(location);
	}
}
