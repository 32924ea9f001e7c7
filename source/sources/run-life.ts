/**
 * Is the run's training process still alive? wbtop runs on the training box, so it can ask the
 * OS. On Linux `/proc/<pid>/stat` says whether the PID is a live process (a zombie has ended) and
 * when it started, which tells the writer from a younger process that got its PID after it died;
 * elsewhere `kill(pid, 0)` says whether the PID exists.
 *
 * The answer counts only when the run was written on this host: its recorded host name is this
 * one's, or the PID's process started when the run did (a renamed host, a container). Otherwise
 * (another host, no PID, a copied run dir) it is `alive: null`, and the run state falls back to
 * the run's own timestamps (state/run-life.ts). Costs one small /proc read (or one syscall).
 */
import {readFileSync} from 'node:fs';
import {hostname} from 'node:os';
import type {LifeEvent, RunInfo} from '../decode/run-events.js';

/** What the probe asks of the OS (tests hand in their own). */
export type LifeSystem = {
	hostname(): string;
	/**
	 * The process with this PID: whether it exists (null: cannot tell; a zombie does not count,
	 * it has ended), and when it started (ms since the epoch; null where unknown, e.g. no /proc).
	 */
	process(pid: number): {exists: boolean | null; startedAt: number | null};
};

/** What is known of the run's writer. */
export type LifeTarget = {
	pid: number | null;
	/** Host name the run recorded (RunRecord.host, legacy wandb-metadata.json). */
	host: string | null;
	/** The run's start (ms since the epoch), from its run record. */
	startTime: number | null;
};

/** Whether a probe says what the run already holds (same liveness, PID and reason): nothing new to fold. */
export function sameLife<Held extends {alive: boolean | null; pid: number | null; why: LifeEvent['why']}>(held: Held | null, event: LifeEvent): held is Held {
	return held !== null && held.alive === event.alive && held.pid === event.pid && held.why === event.why;
}

/** The writer to probe for a run: the PID its debug.log names (else the run record's), its host and start. */
export function lifeTargetOf(info: RunInfo | null, debugLogPid: number | null): LifeTarget {
	return {pid: debugLogPid ?? info?.pid ?? null, host: info?.host ?? null, startTime: info?.startTime ?? null};
}

/**
 * Slack between a process's start and the run's start. The run starts at `wandb.init`, after the
 * process; /proc's start time is in clock ticks from a boot time rounded to the second.
 */
const START_SLACK_MS = 60_000;
/** A process started this long before its run (data loading, a notebook kernel) still fits it. */
const START_BEFORE_MS = 3 * 24 * 3600 * 1000;
/** USER_HZ: /proc's clock ticks per second; 100 on every Linux architecture in use. */
const CLOCK_TICKS = 100;

let bootTimeMs: number | null | undefined;

/** Boot time (ms since the epoch) from /proc/stat's `btime`, read once. */
function bootTime(): number | null {
	if (bootTimeMs === undefined) {
		try {
			const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
			bootTimeMs = btime ? Number(btime[1]) * 1000 : null;
		} catch {
			bootTimeMs = null;
		}
	}
	return bootTimeMs;
}

/** `kill(pid, 0)`: the PID exists (EPERM: someone else's process, but there is one). */
function pidExists(pid: number): boolean | null {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		return code === 'EPERM' ? true : code === 'ESRCH' ? false : null;
	}
}

/** The OS as the live probe sees it: Linux's /proc where there is one, else `kill(pid, 0)`. */
export const liveSystem: LifeSystem = {
	hostname,
	process(pid) {
		if (process.platform === 'linux') {
			let stat: string;
			try {
				stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
			} catch (error) {
				const code = (error as NodeJS.ErrnoException).code;
				if (code === 'ENOENT' || code === 'ESRCH') return {exists: false, startedAt: null};
				return {exists: pidExists(pid), startedAt: null};
			}
			const parsed = parseProcStat(stat, bootTime());
			return {exists: !parsed.ended, startedAt: parsed.startedAt};
		}
		return {exists: pidExists(pid), startedAt: null};
	},
};

/**
 * A `/proc/<pid>/stat` line: whether the process has ended (state Z, a zombie its parent has not
 * reaped, or X), and its start time (field 22, clock ticks since boot) in ms since the epoch.
 */
export function parseProcStat(stat: string, bootTimeMs: number | null): {ended: boolean; startedAt: number | null} {
	// The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	const ticks = Number(fields[22 - 3]);
	return {ended: fields[0] === 'Z' || fields[0] === 'X', startedAt: bootTimeMs !== null && Number.isFinite(ticks) ? bootTimeMs + (ticks / CLOCK_TICKS) * 1000 : null};
}

/** Two host names name the same machine: equal, or equal up to the domain (`gpu1` and `gpu1.lab.example`). */
export function sameHost(a: string, b: string): boolean {
	const short = (name: string) => name.toLowerCase().split('.')[0];
	return a.toLowerCase() === b.toLowerCase() || (short(a) !== '' && short(a) === short(b));
}

/** Probe the run's writer once. */
export function probeRunLife(target: LifeTarget, system: LifeSystem = liveSystem): LifeEvent {
	const {pid, host, startTime} = target;
	if (pid === null || !(pid > 1)) return {type: 'life', alive: null, pid: null, why: 'no-pid'};
	const here = host !== null && host !== '' && sameHost(host, system.hostname());
	const found = system.process(pid);
	const exists = found.exists;
	const started = exists === true ? found.startedAt : null;
	if (here) {
		if (exists === false) return {type: 'life', alive: false, pid, why: 'gone'};
		if (exists === null) return {type: 'life', alive: null, pid, why: 'unknown'};
		// The PID is someone's: the writer's, unless that process started after the run did (its
		// PID was free again, so the writer is gone).
		if (started !== null && startTime !== null && started > startTime + START_SLACK_MS) return {type: 'life', alive: false, pid, why: 'pid-reused'};
		return {type: 'life', alive: true, pid, why: 'alive'};
	}
	// Another host name (or none): the PID's process is the writer only if it started with the run.
	const fits = started !== null && startTime !== null && started <= startTime + START_SLACK_MS && started >= startTime - START_BEFORE_MS;
	if (fits) return {type: 'life', alive: true, pid, why: 'alive'};
	return {type: 'life', alive: null, pid, why: 'other-host'};
}
