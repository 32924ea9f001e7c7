/**
 * The GPU source: one long-lived `nvidia-smi --query-gpu=… -lms N` child, read line by line, plus
 * a slower one-shot `--query-compute-apps` poll. Failures become `gpu/status` events (the panel
 * shows them in place); the stream is restarted with back-off when it dies or hangs.
 *
 * Why a loop-mode child and not one call per tick: every nvidia-smi start re-initialises NVML
 * (~30 ms on an H100 with persistence mode, far more without), see research §4.
 */
import {readFile} from 'node:fs/promises';
import {execa, type ResultPromise} from 'execa';
import type {GpuProcess, GpuSample, HostEvent, HostSource, SourceStatus} from '../decode/host-events.js';
import {
	appsQueryArgs,
	classifySmiFailure,
	dropField,
	GPU_QUERY_FIELDS,
	gpuQueryArgs,
	parseComputeApps,
	parseGpuCsv,
	parseGpuLine,
	type SmiFailure,
} from '../decode/nvidia-smi.js';
import {parseStatPpid} from '../decode/proc.js';

/** Options of startGpuSource. */
export type GpuSourceOptions = {
	/** Sampling interval of `-lms`, in ms. */
	intervalMs: number;
	onEvent: (event: HostEvent) => void;
	/** The nvidia-smi executable (name looked up in PATH, or a path). */
	command?: string;
	/** Extra environment for the children (merged over process.env). */
	env?: NodeJS.ProcessEnv;
	/**
	 * Compute-apps poll interval when GPU memory holds still; default max(30 s, 5 × intervalMs).
	 * A sample whose memory use moved by APPS_MEMORY_MIB since the last poll polls at once.
	 */
	appsIntervalMs?: number;
	/** No output for this long counts as a hang; default max(5 s, 5 × intervalMs). */
	hangMs?: number;
	/** First restart delay; doubles up to maxBackoffMs. Defaults 1 s and 30 s. */
	backoffMs?: number;
	maxBackoffMs?: number;
	/** Pid of the watched run, read at each poll (it may be learned later); marks its processes. */
	runPid?: () => number | null | undefined;
};

/**
 * A process that starts or ends on a GPU moves its memory use: a change this large since the last
 * compute-apps poll polls again at once. So the list follows within a sample, while a box whose
 * jobs hold still pays for a spawn every 30 s, not every 5 (a spawn is ~5 ms of wbtop's CPU).
 */
const APPS_MEMORY_MIB = 64;
/** Least time between two compute-apps polls. */
const APPS_MIN_GAP_MS = 1000;
/** How long a one-shot call may take before it counts as hung. */
const ONE_SHOT_TIMEOUT_MS = 5000;
/** Lines that are not GPU data (error text) kept to explain an exit, and the length kept of each. */
const KEPT_TEXT_LINES = 20;
const KEPT_LINE_CHARS = 500;
/** The start and the end of stderr kept to explain an exit (the reason comes first). */
const STDERR_KEPT_CHARS = 4 * 1024;
/** A status message is one line of the panel. */
const MAX_MESSAGE_CHARS = 300;
/** A killed stream child not reaped this long after its restart came due is reported as stuck. */
const STUCK_GRACE_MS = 1000;
/** A stream that lived this long resets the restart back-off. */
const HEALTHY_RUN_MS = 60_000;
/**
 * Longest line taken from nvidia-smi (a GPU line is ~200 characters). A longer one, or output
 * without line breaks, is garbage: dropped up to the next line break, so memory stays bounded.
 */
export const MAX_LINE_CHARS = 64 * 1024;
/** GPUs in one sample at most; a longer block (indices that never restart) is cut. */
const MAX_GPUS = 64;

/**
 * Splits a stream into lines, holding at most `maxChars` of an unfinished line: a line longer
 * than that is dropped whole (up to its line break) and counted in `overflows`.
 */
export class LineSplitter {
	private partial = '';
	private dropping = false;
	/** Lines dropped for being longer than maxChars. */
	overflows = 0;

	constructor(
		private readonly onLine: (line: string) => void,
		private readonly onOverflow: () => void = () => {},
		readonly maxChars = MAX_LINE_CHARS,
	) {}

	/** Characters of the unfinished line held now (at most maxChars). */
	get pendingChars(): number {
		return this.partial.length;
	}

	push(chunk: string): void {
		let from = 0;
		for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', from)) {
			if (this.dropping) this.dropping = false; // the end of an overlong line
			else if (this.partial.length + nl - from > this.maxChars) this.overflow();
			else this.onLine(this.partial + chunk.slice(from, nl));
			this.partial = '';
			from = nl + 1;
		}
		if (this.dropping || from === chunk.length) return;
		if (this.partial.length + chunk.length - from > this.maxChars) {
			this.partial = '';
			this.dropping = true;
			this.overflow();
		} else this.partial += chunk.slice(from);
	}

	/** The stream ended: an unfinished last line counts as a line. */
	end(): void {
		const rest = this.partial;
		this.partial = '';
		if (!this.dropping && rest !== '') this.onLine(rest);
		this.dropping = false;
	}

	private overflow(): void {
		this.overflows++;
		this.onOverflow();
	}
}

/** "2 s", "0.5 s" */
function seconds(ms: number): string {
	return `${ms >= 1000 ? Math.round(ms / 1000) : (ms / 1000).toFixed(1)} s`;
}

/**
 * Starts watching the GPUs. Emits `gpu/sample` once per interval, `gpu/processes` every
 * appsIntervalMs and `gpu/status` when the state of the source changes (including back to ok).
 */
export function startGpuSource(options: GpuSourceOptions): HostSource {
	const {intervalMs, onEvent, command = 'nvidia-smi', env} = options;
	const lms = Math.max(100, Math.round(intervalMs));
	const appsIntervalMs = options.appsIntervalMs ?? Math.max(30_000, 5 * lms);
	const hangMs = options.hangMs ?? Math.max(5000, 5 * lms);
	const firstBackoff = options.backoffMs ?? 1000;
	const maxBackoff = options.maxBackoffMs ?? 30_000;
	// A sample is complete once every GPU has printed its line; until the GPU count is known,
	// a short quiet period after the last line closes it.
	const flushMs = Math.max(50, Math.min(250, lms / 2));

	let stopped = false;
	let fields: string[] = [...GPU_QUERY_FIELDS];
	let backoff = firstBackoff;
	let status: {status: SourceStatus; message: string | null} | null = null;
	/** The child whose output is read now. */
	let child: StreamChild | null = null;
	/**
	 * The newest stream child until it is reaped (it exited and its pipes closed). No other starts
	 * before that: a child stuck in the driver survives SIGKILL, and one per restart would pile up.
	 */
	let last: StreamChild | null = null;
	/** The restart came due while `last` was still alive: start when it is reaped. */
	let startWhenReaped = false;
	let stuckTimer: NodeJS.Timeout | undefined;
	let restartTimer: NodeJS.Timeout | undefined;
	let appsTimer: NodeJS.Timeout | undefined;
	let appsInFlight = false;
	const stopSignal = new AbortController();

	const setStatus = (next: SourceStatus, message: string | null) => {
		if (message !== null && message.length > MAX_MESSAGE_CHARS) message = `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
		if (status && status.status === next && status.message === message) return;
		status = {status: next, message};
		onEvent({type: 'gpu/status', status: next, message});
	};

	function spawnStream(): StreamChild {
		const subprocess = execa(command, [...gpuQueryArgs(fields), '-lms', String(lms)], {
			// Both streams are read here, each kept bounded: execa's buffer would grow with a
			// never-ending child, and its maxBuffer kills the child instead of reporting it.
			buffer: false,
			stdin: 'ignore',
			reject: false,
			env,
			// Killed with SIGKILL only (killStream, release): no delayed force-kill timer that would
			// keep the app alive while a stuck child lingers.
			forceKillAfterDelay: false,
		});
		const spawned: StreamChild = {subprocess, queryFields: fields, exited: false, reaped: false};
		subprocess.once('exit', () => (spawned.exited = true));
		return spawned;
	}

	function startStream(): void {
		if (stopped) return;
		if (last !== null && !last.reaped) {
			// Still alive after SIGKILL: start the next one only once it is gone, and say so unless
			// it goes soon (a killed child on a busy box may take a moment to be reaped).
			startWhenReaped = true;
			killStream(last);
			const stuck = last;
			clearTimeout(stuckTimer);
			stuckTimer = setTimeout(() => {
				if (!stopped && last === stuck && !stuck.reaped) setStatus('error', stuckMessage(stuck));
			}, STUCK_GRACE_MS);
			return;
		}
		const current = spawnStream();
		child = current;
		last = current;
		const {subprocess, queryFields} = current;
		const startedAt = Date.now();
		const textLines: string[] = [];
		let stderrHead = '';
		let stderrTail = '';
		let group: GpuSample[] = [];
		let expected = 0;
		let flushTimer: NodeJS.Timeout | undefined;
		let hangTimer: NodeJS.Timeout | undefined;
		let gotOutput = false;

		const flush = () => {
			clearTimeout(flushTimer);
			if (group.length === 0 || stopped) return;
			const gpus = group;
			group = [];
			if (gpus.length > expected) expected = gpus.length;
			armHang();
			setStatus('ok', null);
			onEvent({type: 'gpu/sample', time: Date.now(), gpus});
			latestMemory = gpus.map(gpu => gpu.memUsedMiB);
			if (memoryAtPoll.length === 0) memoryAtPoll = latestMemory;
			if (memoryMoved(gpus)) void pollApps();
		};

		// A hang is no *sample* for hangMs: output that never makes one (no line breaks, error text
		// over and over) must not keep a dead stream alive.
		const armHang = () => {
			clearTimeout(hangTimer);
			hangTimer = setTimeout(() => {
				if (child !== current) return;
				// Stop reading it and kill it; the next one starts after the back-off, once this one
				// is reaped (see `last`).
				child = null;
				clearTimeout(flushTimer);
				killStream(current);
				subprocess.stdout?.resume(); // drained and dropped from here on, so its pipe can close
				const why = lines.overflows > 0
					? `no sample for ${seconds(hangMs)}; its output has no line breaks`
					: textLines.length > 0
						? `no sample for ${seconds(hangMs)}; it printed "${textLines[textLines.length - 1]}"`
						: `no ${gotOutput ? 'sample' : 'output'} for ${seconds(hangMs)}`;
				setStatus('error', `nvidia-smi stopped responding (${why}) — restarting`);
				scheduleRestart(startedAt);
			}, hangMs);
		};

		const onLine = (line: string) => {
			if (child !== current) return;
			const sample = parseGpuLine(line, queryFields);
			if (!sample) {
				if (line.trim() !== '') textLines.push(line.length > KEPT_LINE_CHARS ? `${line.slice(0, KEPT_LINE_CHARS)}…` : line);
				if (textLines.length > KEPT_TEXT_LINES) textLines.shift();
				return;
			}
			// Indices restart at (or below) the last one: the previous block is a whole sample.
			const lastGpu = group[group.length - 1];
			if ((lastGpu && sample.index <= lastGpu.index) || group.length >= MAX_GPUS) flush();
			group.push(sample);
			if (expected > 0 && group.length >= expected) flush();
			else {
				clearTimeout(flushTimer);
				flushTimer = setTimeout(flush, flushMs);
			}
		};

		const lines = new LineSplitter(onLine, () => {
			if (lines.overflows > 1 || child !== current) return;
			// Reported once per child. nvidia-smi never prints such a line: stop reading (decoding a
			// flood of garbage would take a core from training) and let the hang timer restart it.
			setStatus('error', `nvidia-smi printed over ${MAX_LINE_CHARS / 1024} KiB without a line break — ignoring it`);
			subprocess.stdout?.pause();
		});

		armHang();
		subprocess.stdout?.setEncoding('utf8');
		subprocess.stdout?.on('data', (chunk: string) => {
			if (child !== current) return; // a killed child's last words, or one that will not die
			gotOutput = true;
			lines.push(chunk);
		});
		subprocess.stderr?.setEncoding('utf8');
		subprocess.stderr?.on('data', (chunk: string) => {
			if (stderrHead.length < STDERR_KEPT_CHARS) {
				const room = STDERR_KEPT_CHARS - stderrHead.length;
				stderrHead += chunk.slice(0, room);
				chunk = chunk.slice(room);
			}
			if (chunk !== '') stderrTail = (stderrTail + chunk).slice(-STDERR_KEPT_CHARS);
		});

		// Settles once the child exited and its pipes closed (execa waits for both).
		void subprocess.then(result => {
			current.reaped = true;
			clearTimeout(hangTimer);
			clearTimeout(flushTimer);
			if (stopped) return;
			if (child !== current) {
				// A killed child is gone at last: the restart that waited for it goes ahead.
				if (startWhenReaped && last === current) {
					startWhenReaped = false;
					clearTimeout(stuckTimer);
					startStream();
				}
				return;
			}
			lines.end();
			flush();
			child = null;
			const failure = classifySmiFailure({
				code: (result as {code?: string}).code,
				exitCode: result.exitCode,
				output: [...textLines, stderrHead, stderrTail].join('\n'),
			});
			if (failure.status === 'unavailable') {
				// Not installed or no GPU: retrying would only repeat the message.
				setStatus(failure.status, failure.message);
				clearTimeout(appsTimer);
				return;
			}
			const fewer = failure.invalidField ? dropField(fields, failure.invalidField) : null;
			if (fewer) {
				// An older driver that lacks a field: ask again without it, at once.
				fields = fewer;
				return startStream();
			}
			const message = result.exitCode === 0 && textLines.length === 0 && !gotOutput ? 'nvidia-smi exited unexpectedly' : failure.message;
			const delay = scheduleRestart(startedAt);
			setStatus('error', `${message} — retrying in ${seconds(delay)}`);
		});
	}

	/** Restarts the stream after the back-off (doubling each time up to maxBackoff); returns the delay. */
	function scheduleRestart(startedAt: number): number {
		// A child that ran well for a while starts the back-off afresh; a crash loop keeps growing it.
		if (Date.now() - startedAt >= HEALTHY_RUN_MS) backoff = firstBackoff;
		const delay = backoff;
		backoff = Math.min(maxBackoff, backoff * 2);
		clearTimeout(restartTimer);
		if (!stopped) restartTimer = setTimeout(startStream, delay);
		return delay;
	}

	/** The last poll's child until it is reaped; no poll starts before that. */
	let appsCall: OneShotCall | null = null;

	/** GPU memory use at the last compute-apps poll, and when it started. */
	let memoryAtPoll: Array<number | null> = [];
	let lastPollAt = -Infinity;

	/** True when some GPU's memory use moved by APPS_MEMORY_MIB since the last poll (not too soon after it). */
	function memoryMoved(gpus: readonly GpuSample[]): boolean {
		if (Date.now() - lastPollAt < APPS_MIN_GAP_MS) return false;
		return gpus.some((gpu, i) => gpu.memUsedMiB !== null && memoryAtPoll[i] != null && Math.abs(gpu.memUsedMiB - memoryAtPoll[i]!) >= APPS_MEMORY_MIB);
	}

	/** The memory use a poll's list goes with: the latest sample's. */
	let latestMemory: Array<number | null> = [];

	async function pollApps(): Promise<void> {
		if (stopped || appsInFlight) return;
		appsInFlight = true;
		clearTimeout(appsTimer);
		lastPollAt = Date.now();
		memoryAtPoll = latestMemory;
		try {
			// While the stream is failing, a poll would only fail the same way.
			if (status?.status === 'error') return;
			appsCall = startOneShot(command, appsQueryArgs(), Math.min(ONE_SHOT_TIMEOUT_MS, appsIntervalMs), env, stopSignal.signal);
			const result = await appsCall.result;
			// Failures are reported by the stream; a failed poll keeps the last list.
			if (!result.failure && !stopped) {
				const runPid = options.runPid?.() ?? null;
				const processes = await markRunProcesses(parseComputeApps(result.stdout), runPid);
				if (!stopped) onEvent({type: 'gpu/processes', time: Date.now(), processes});
			}
		} finally {
			appsInFlight = false;
		}
		const next = () => {
			if (!stopped && status?.status !== 'unavailable') appsTimer = setTimeout(() => void pollApps(), appsIntervalMs);
		};
		// A given-up call whose child is still alive (stuck in the driver) holds back the next one.
		if (appsCall === null || appsCall.isReaped()) next();
		else void appsCall.reaped.then(next);
	}

	startStream();
	void pollApps();

	return {
		stop() {
			stopped = true;
			stopSignal.abort();
			clearTimeout(restartTimer);
			clearTimeout(appsTimer);
			clearTimeout(stuckTimer);
			// SIGKILL at once: the app may exit right after stop(), before a delayed force-kill. A child
			// that survives it (stuck in the driver) must not keep the app alive.
			for (const stream of new Set([child, last])) if (stream && !stream.reaped) release(stream.subprocess);
			child = null;
		},
	};
}

/** One stream child of startGpuSource. */
type StreamChild = {
	subprocess: ResultPromise;
	queryFields: string[];
	/** The process exited (it may still hold its pipes through a process it started). */
	exited: boolean;
	/** It exited and its pipes closed: nothing of it is left. */
	reaped: boolean;
};

function killStream(stream: StreamChild): void {
	stream.subprocess.kill('SIGKILL');
}

/** Why no new stream starts: the last one is still there. */
function stuckMessage(stream: StreamChild): string {
	const pid = stream.subprocess.pid ?? '?';
	return stream.exited
		? `nvidia-smi is stuck (pid ${pid} was killed, but a process it started still holds its output open)`
		: `nvidia-smi is stuck (pid ${pid} did not exit after SIGKILL)`;
}

/**
 * Kills a child and lets this process exit even if the child never dies (a process stuck in the
 * driver ignores SIGKILL too): its handle and pipes no longer keep the event loop alive.
 */
function release(subprocess: ResultPromise): void {
	subprocess.kill('SIGKILL');
	subprocess.unref();
	for (const stream of [subprocess.stdout, subprocess.stderr]) (stream as {unref?: () => void} | null)?.unref?.();
	subprocess.catch(() => {});
}

/** Result of one bounded nvidia-smi call. */
type OneShot = {stdout: string; failure: SmiFailure | null};

/** A one-shot call: its answer (bounded in time), and when its child is gone. */
export type OneShotCall = {
	result: Promise<OneShot>;
	/** Settles once the child exited and its pipes closed; never, for a child that cannot die. */
	reaped: Promise<void>;
	isReaped: () => boolean;
};

/**
 * Runs nvidia-smi once. Bounded even when the child cannot be killed (a process stuck in the
 * driver ignores SIGKILL): SIGTERM at timeoutMs, and the answer is given up 200 ms later with a
 * SIGKILL; the child then no longer keeps this process alive. `reaped` tells when it is really
 * gone. The timers are this function's own (not execa's `timeout`/`forceKillAfterDelay`, whose
 * timers run until the child's pipes close, so a stuck child would hold the process that long).
 * `signal` (the source stopping) ends the call at once. Exported for tests.
 */
export function startOneShot(
	command: string,
	args: string[],
	timeoutMs: number,
	env?: NodeJS.ProcessEnv,
	signal?: AbortSignal,
): OneShotCall {
	const subprocess = execa(command, args, {
		reject: false,
		forceKillAfterDelay: false,
		stdin: 'ignore',
		maxBuffer: 1024 * 1024,
		env,
	});
	let reaped = false;
	const reapedPromise = subprocess.then(
		() => void (reaped = true),
		() => void (reaped = true),
	);
	let timedOut = false;
	let finish: (outcome: 'given-up' | 'stopped') => void = () => {};
	const cut = new Promise<'given-up' | 'stopped'>(resolve => (finish = resolve));
	const term = setTimeout(() => {
		timedOut = true;
		subprocess.kill('SIGTERM');
	}, timeoutMs);
	const giveUp = setTimeout(() => finish('given-up'), timeoutMs + 200);
	// One listener per call, removed with it: one per poll would pile up on the source's signal.
	const onAbort = () => finish('stopped');
	if (signal?.aborted) onAbort();
	signal?.addEventListener('abort', onAbort, {once: true});
	const result = (async (): Promise<OneShot> => {
		const done = await Promise.race([subprocess, cut]);
		clearTimeout(term);
		clearTimeout(giveUp);
		signal?.removeEventListener('abort', onAbort);
		if (done === 'given-up' || done === 'stopped') {
			// SIGTERM was not enough (or there is no time left): SIGKILL, and let this process exit
			// even if the child never dies. Its pipes are not destroyed, so `reaped` still tells.
			release(subprocess);
			return {stdout: '', failure: classifySmiFailure(done === 'given-up' ? {timedOut: true} : {code: 'ABORT_ERR'})};
		}
		if (!done.failed && !timedOut) return {stdout: String(done.stdout), failure: null};
		return {
			stdout: String(done.stdout ?? ''),
			failure: classifySmiFailure({
				code: (done as {code?: string}).code,
				exitCode: done.exitCode,
				timedOut,
				output: `${String(done.stdout ?? '')}\n${String(done.stderr ?? '')}`,
			}),
		};
	})();
	return {result, reaped: reapedPromise, isReaped: () => reaped};
}

/** {@link startOneShot}, for its answer only. */
function runOneShot(command: string, args: string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<OneShot> {
	return startOneShot(command, args, timeoutMs, env).result;
}

/** What `wbtop --once` gets from the GPUs. */
export type GpuSnapshot = {status: SourceStatus; message: string | null; gpus: GpuSample[]; processes: GpuProcess[]};

/**
 * One sample of the GPUs and their processes, for `--once`. Never takes much longer than
 * timeoutMs, even when nvidia-smi hangs.
 */
export async function sampleGpusOnce(options: {
	timeoutMs: number;
	command?: string;
	env?: NodeJS.ProcessEnv;
	runPid?: number | null;
}): Promise<GpuSnapshot> {
	const {timeoutMs, command = 'nvidia-smi', env} = options;
	const deadline = Date.now() + timeoutMs;
	const appsPromise = runOneShot(command, appsQueryArgs(), timeoutMs, env);
	let fields: string[] = [...GPU_QUERY_FIELDS];
	let gpuResult: OneShot;
	for (;;) {
		gpuResult = await runOneShot(command, gpuQueryArgs(fields), Math.max(1, deadline - Date.now()), env);
		const fewer = gpuResult.failure?.invalidField ? dropField(fields, gpuResult.failure.invalidField) : null;
		if (!fewer || deadline - Date.now() < 100) break;
		fields = fewer;
	}
	const apps = await appsPromise;
	if (gpuResult.failure) return {status: gpuResult.failure.status, message: gpuResult.failure.message, gpus: [], processes: []};
	const gpus = parseGpuCsv(gpuResult.stdout, fields);
	const processes = apps.failure ? [] : await markRunProcesses(parseComputeApps(apps.stdout), options.runPid ?? null);
	if (gpus.length === 0) return {status: 'unavailable', message: 'nvidia-smi reported no GPU', gpus, processes};
	return {status: 'ok', message: null, gpus, processes};
}

/** Parent pid of a process from /proc/<pid>/stat (Linux); null when unknown. */
export async function readParentPid(pid: number): Promise<number | null> {
	try {
		return parseStatPpid(await readFile(`/proc/${pid}/stat`, 'utf8'));
	} catch {
		return null;
	}
}

/**
 * Sets `run` on each process: true when it is the watched run or descends from it (its chain of
 * parents reaches runPid), e.g. DataLoader workers or torchrun children. `parentOf` defaults to
 * reading /proc/<pid>/stat; where that is unavailable only the run's own pid is marked.
 * Note: nvidia-smi reports host pids, so inside a container without the host pid namespace the
 * match can fail.
 */
export async function markRunProcesses(
	processes: GpuProcess[],
	runPid: number | null | undefined,
	parentOf: (pid: number) => Promise<number | null> = readParentPid,
): Promise<GpuProcess[]> {
	if (runPid === null || runPid === undefined) return processes.map(p => ({...p, run: false}));
	const parents = new Map<number, number | null>();
	const isRun = async (pid: number): Promise<boolean> => {
		let p: number | null = pid;
		// The depth bound guards against a cycle from reading pids as they are being reused.
		for (let depth = 0; p !== null && p > 1 && depth < 64; depth++) {
			if (p === runPid) return true;
			if (!parents.has(p)) parents.set(p, await parentOf(p));
			p = parents.get(p)!;
		}
		return p === runPid;
	};
	return Promise.all(processes.map(async p => ({...p, run: await isRun(p.pid)})));
}
