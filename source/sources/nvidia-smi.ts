/**
 * The GPU source: one long-lived `nvidia-smi --query-gpu=… -lms N` child, read line by line, plus
 * a slower one-shot `--query-compute-apps` poll. Failures become `gpu/status` events (the panel
 * shows them in place); the stream is restarted with back-off when it dies or hangs.
 *
 * Why a loop-mode child and not one call per tick: every nvidia-smi start re-initialises NVML
 * (~30 ms on an H100 with persistence mode, far more without), see research §4.
 */
import {readFile} from 'node:fs/promises';
import {execa} from 'execa';
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
	/** Compute-apps poll interval; default 5 × intervalMs. */
	appsIntervalMs?: number;
	/** No output for this long counts as a hang; default max(5 s, 5 × intervalMs). */
	hangMs?: number;
	/** First restart delay; doubles up to maxBackoffMs. Defaults 1 s and 30 s. */
	backoffMs?: number;
	maxBackoffMs?: number;
	/** Pid of the watched run, read at each poll (it may be learned later); marks its processes. */
	runPid?: () => number | null | undefined;
};

/** How long a one-shot call may take before it counts as hung. */
const ONE_SHOT_TIMEOUT_MS = 5000;
/** Lines that are not GPU data (error text) kept to explain an exit. */
const KEPT_TEXT_LINES = 20;
/** A stream that lived this long resets the restart back-off. */
const HEALTHY_RUN_MS = 60_000;

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
	const appsIntervalMs = options.appsIntervalMs ?? 5 * lms;
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
	let child: ReturnType<typeof spawnStream> | null = null;
	let restartTimer: NodeJS.Timeout | undefined;
	let appsTimer: NodeJS.Timeout | undefined;
	let appsInFlight = false;
	const stopSignal = new AbortController();

	const setStatus = (next: SourceStatus, message: string | null) => {
		if (status && status.status === next && status.message === message) return;
		status = {status: next, message};
		onEvent({type: 'gpu/status', status: next, message});
	};

	function spawnStream() {
		const abort = new AbortController();
		const subprocess = execa(command, [...gpuQueryArgs(fields), '-lms', String(lms)], {
			// buffer:false on stdout: a never-ending child would otherwise fill maxBuffer and be killed.
			buffer: {stdout: false, stderr: true},
			maxBuffer: 64 * 1024,
			stdin: 'ignore',
			reject: false,
			env,
			cancelSignal: abort.signal,
			forceKillAfterDelay: 2000,
		});
		return {abort, subprocess, queryFields: fields};
	}

	function startStream(): void {
		if (stopped) return;
		const current = spawnStream();
		child = current;
		const {subprocess, queryFields} = current;
		const startedAt = Date.now();
		let partial = '';
		const textLines: string[] = [];
		let group: GpuSample[] = [];
		let expected = 0;
		let flushTimer: NodeJS.Timeout | undefined;
		let hangTimer: NodeJS.Timeout | undefined;

		const flush = () => {
			clearTimeout(flushTimer);
			if (group.length === 0 || stopped) return;
			const gpus = group;
			group = [];
			if (gpus.length > expected) expected = gpus.length;
			setStatus('ok', null);
			onEvent({type: 'gpu/sample', time: Date.now(), gpus});
		};

		const armHang = () => {
			clearTimeout(hangTimer);
			hangTimer = setTimeout(() => {
				// Restart without waiting for the exit: a child stuck in the driver may never exit.
				child = null;
				current.abort.abort();
				current.subprocess.kill('SIGKILL');
				setStatus('error', `nvidia-smi stopped responding (no output for ${seconds(hangMs)}) — restarting`);
				scheduleRestart(startedAt);
			}, hangMs);
		};

		const onLine = (line: string) => {
			const sample = parseGpuLine(line, queryFields);
			if (!sample) {
				if (line.trim() !== '') textLines.push(line);
				if (textLines.length > KEPT_TEXT_LINES) textLines.shift();
				return;
			}
			// Indices restart at (or below) the last one: the previous block is a whole sample.
			const last = group[group.length - 1];
			if (last && sample.index <= last.index) flush();
			group.push(sample);
			if (expected > 0 && group.length >= expected) flush();
			else {
				clearTimeout(flushTimer);
				flushTimer = setTimeout(flush, flushMs);
			}
		};

		armHang();
		subprocess.stdout?.setEncoding('utf8');
		subprocess.stdout?.on('data', (chunk: string) => {
			if (child !== current) return;
			armHang();
			const lines = (partial + chunk).split('\n');
			partial = lines.pop() ?? '';
			for (const line of lines) onLine(line);
		});

		void subprocess.then(result => {
			clearTimeout(hangTimer);
			clearTimeout(flushTimer);
			if (stopped || child !== current) return;
			if (partial) onLine(partial);
			flush();
			child = null;
			const failure = classifySmiFailure({
				code: (result as {code?: string}).code,
				exitCode: result.exitCode,
				output: [...textLines, String(result.stderr ?? '')].join('\n'),
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
			const message = result.exitCode === 0 && textLines.length === 0 ? 'nvidia-smi exited unexpectedly' : failure.message;
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

	async function pollApps(): Promise<void> {
		if (stopped || appsInFlight) return;
		appsInFlight = true;
		try {
			// While the stream is failing, a poll would only fail the same way.
			if (status?.status === 'error') return;
			const result = await runOneShot(command, appsQueryArgs(), Math.min(ONE_SHOT_TIMEOUT_MS, appsIntervalMs), env, stopSignal.signal);
			// Failures are reported by the stream; a failed poll keeps the last list.
			if (!result.failure && !stopped) {
				const runPid = options.runPid?.() ?? null;
				const processes = await markRunProcesses(parseComputeApps(result.stdout), runPid);
				if (!stopped) onEvent({type: 'gpu/processes', time: Date.now(), processes});
			}
		} finally {
			appsInFlight = false;
		}
		if (!stopped && status?.status !== 'unavailable') appsTimer = setTimeout(() => void pollApps(), appsIntervalMs);
	}

	startStream();
	void pollApps();

	return {
		stop() {
			stopped = true;
			stopSignal.abort();
			clearTimeout(restartTimer);
			clearTimeout(appsTimer);
			// SIGKILL at once: the app may exit right after stop(), before a delayed force-kill.
			child?.abort.abort();
			child?.subprocess.kill('SIGKILL');
			child = null;
		},
	};
}

/** Result of one bounded nvidia-smi call. */
type OneShot = {stdout: string; failure: SmiFailure | null};

/**
 * Runs nvidia-smi once. Bounded even when the child cannot be killed (a process stuck in the
 * driver ignores SIGKILL): the answer is given up after timeoutMs + 200 ms either way.
 */
async function runOneShot(
	command: string,
	args: string[],
	timeoutMs: number,
	env?: NodeJS.ProcessEnv,
	signal?: AbortSignal,
): Promise<OneShot> {
	const abort = new AbortController();
	const subprocess = execa(command, args, {
		reject: false,
		timeout: timeoutMs,
		cancelSignal: abort.signal,
		forceKillAfterDelay: 500,
		stdin: 'ignore',
		maxBuffer: 1024 * 1024,
		env,
	});
	// The source stopping ends the call at once.
	signal?.addEventListener('abort', () => subprocess.kill('SIGKILL'), {once: true});
	let timer: NodeJS.Timeout | undefined;
	const givenUp = new Promise<'given-up'>(resolve => {
		timer = setTimeout(() => resolve('given-up'), timeoutMs + 200);
	});
	const result = await Promise.race([subprocess, givenUp]);
	clearTimeout(timer);
	if (result === 'given-up') {
		// SIGTERM (sent at the timeout) was not enough: kill it now, since this process may exit
		// before the delayed SIGKILL; and let this process exit even if the child never dies (a
		// process stuck in the driver ignores SIGKILL too).
		abort.abort();
		subprocess.kill('SIGKILL');
		subprocess.unref();
		subprocess.stdout?.destroy();
		subprocess.stderr?.destroy();
		subprocess.catch(() => {});
		return {stdout: '', failure: classifySmiFailure({timedOut: true})};
	}
	if (!result.failed) return {stdout: String(result.stdout), failure: null};
	return {
		stdout: String(result.stdout ?? ''),
		failure: classifySmiFailure({
			code: (result as {code?: string}).code,
			exitCode: result.exitCode,
			timedOut: result.timedOut,
			output: `${String(result.stdout ?? '')}\n${String(result.stderr ?? '')}`,
		}),
	};
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
