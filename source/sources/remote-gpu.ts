/**
 * Other nodes' GPUs (`--hosts`): per host one long-lived `ssh HOST nvidia-smi --query-gpu=… -lms N`,
 * read with the local stream's line splitter and parser. Nothing runs on the nodes but sshd and
 * nvidia-smi. Failures become `remote/status` events; the stream is restarted with back-off (1, 2,
 * 4 … 60 s), one attempt per step, and never while the last child lives.
 */
import {mkdirSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {execa, type ResultPromise} from 'execa';
import type {GpuSample, HostEvent, HostSource, RemoteStatus} from '../decode/host-events.js';
import {dropField, GPU_QUERY_FIELDS, gpuQueryArgs, parseGpuCsv, parseGpuLine} from '../decode/nvidia-smi.js';
import {classifySshFailure, sshArgs, type RemoteFailure} from '../decode/ssh.js';
import {LineSplitter} from './nvidia-smi.js';

/** GPUs in one sample at most (as for the local stream). */
const MAX_GPUS = 64;
/** Text kept to explain an exit. */
const KEPT_CHARS = 4 * 1024;
/** ssh's ConnectTimeout (decode/ssh.ts), in ms. */
const CONNECT_TIMEOUT_MS = 5000;
/** How long output may still arrive after the ssh child exited. */
const PIPE_GRACE_MS = 200;
/** A stream that lived this long resets the back-off. */
const HEALTHY_RUN_MS = 60_000;

/**
 * wbtop's runtime dir for the ssh ControlMaster sockets: $XDG_RUNTIME_DIR/wbtop, else a 0700
 * `wbtop-<uid>` dir under the temp dir (refused if another user owns it). Never the run dir.
 */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
	const base = env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'wbtop') : join(tmpdir(), `wbtop-${process.getuid?.() ?? 'user'}`);
	mkdirSync(base, {recursive: true, mode: 0o700});
	const stat = statSync(base);
	if (process.getuid && stat.uid !== process.getuid()) throw new Error(`${base} belongs to another user`);
	return base;
}

/** Options of startRemoteGpuSource. */
export type RemoteGpuOptions = {
	host: string;
	intervalMs: number;
	onEvent: (event: HostEvent) => void;
	/** Where the ControlMaster socket lives (runtimeDir()). */
	controlDir: string;
	/** No sample this long is `stalled`; default 3 intervals (the first sample: 5 s more, to connect). */
	stallMs?: number;
	backoffMs?: number;
	maxBackoffMs?: number;
	/** The ssh executable; default `ssh` from PATH. */
	ssh?: string;
	env?: NodeJS.ProcessEnv;
};

/** Starts one host's stream; `stop()` kills its child. */
export function startRemoteGpuSource(options: RemoteGpuOptions): HostSource {
	const {host, onEvent, controlDir, ssh = 'ssh', env} = options;
	const lms = Math.max(100, Math.round(options.intervalMs));
	const stallMs = options.stallMs ?? 3 * lms;
	// A first sample also waits for the connection (ConnectTimeout 5 s): 64 nodes connecting at once
	// from a busy node took over 3 s here.
	const firstStallMs = stallMs + CONNECT_TIMEOUT_MS;
	const firstBackoff = options.backoffMs ?? 1000;
	const maxBackoff = options.maxBackoffMs ?? 60_000;
	let fields: string[] = [...GPU_QUERY_FIELDS];
	let backoff = firstBackoff;
	let stopped = false;
	let child: ResultPromise | null = null;
	/** The last child is still alive: no other starts before it is reaped. */
	let alive = false;
	let restartDue = false;
	let restartTimer: NodeJS.Timeout | undefined;
	let last: {status: RemoteStatus; message: string | null} | null = null;

	const setStatus = (status: RemoteStatus, message: string | null) => {
		if (last && last.status === status && last.message === message) return;
		last = {status, message};
		onEvent({type: 'remote/status', host, status, message});
	};

	const schedule = (startedAt: number): number => {
		if (Date.now() - startedAt >= HEALTHY_RUN_MS) backoff = firstBackoff;
		const delay = backoff;
		backoff = Math.min(maxBackoff, backoff * 2);
		clearTimeout(restartTimer);
		restartTimer = setTimeout(() => {
			if (alive) restartDue = true; // started once the last child is gone
			else start();
		}, delay);
		return delay;
	};

	function start(): void {
		if (stopped || alive) return;
		restartDue = false;
		const subprocess = execa(ssh, sshArgs(host, controlDir, [...gpuQueryArgs(fields), '-lms', String(lms)]), {
			buffer: false,
			stdin: 'ignore',
			reject: false,
			env,
			forceKillAfterDelay: false,
		});
		child = subprocess;
		alive = true;
		const startedAt = Date.now();
		let text = '';
		let group: GpuSample[] = [];
		let expected = 0;
		let flushTimer: NodeJS.Timeout | undefined;
		let stallTimer: NodeJS.Timeout | undefined;
		let stalled = false;
		let sampled = false;
		const keep = (chunk: string) => {
			if (text.length < KEPT_CHARS) text += chunk.slice(0, KEPT_CHARS - text.length);
		};
		const flush = () => {
			clearTimeout(flushTimer);
			if (group.length === 0 || stopped || child !== subprocess) return;
			const gpus = group;
			group = [];
			if (gpus.length > expected) expected = gpus.length;
			sampled = true;
			armStall();
			setStatus('ok', null);
			onEvent({type: 'remote/sample', host, time: Date.now(), gpus});
		};
		const armStall = () => {
			clearTimeout(stallTimer);
			const wait = sampled ? stallMs : firstStallMs;
			stallTimer = setTimeout(() => {
				if (child !== subprocess) return;
				stalled = true;
				child = null;
				subprocess.kill('SIGKILL');
				subprocess.stdout?.resume();
				const delay = schedule(startedAt);
				setStatus('stalled', `no sample for ${Math.round(wait / 1000)} s — reconnecting in ${Math.round(delay / 1000)} s`);
			}, wait);
		};
		const lines = new LineSplitter(line => {
			if (child !== subprocess) return;
			const sample = parseGpuLine(line, fields);
			if (!sample) {
				keep(line + '\n');
				return;
			}
			const prev = group[group.length - 1];
			if ((prev && sample.index <= prev.index) || group.length >= MAX_GPUS) flush();
			group.push(sample);
			if (expected > 0 && group.length >= expected) flush();
			else {
				clearTimeout(flushTimer);
				flushTimer = setTimeout(flush, Math.max(50, Math.min(250, lms / 2)));
			}
		});
		armStall();
		subprocess.stdout?.setEncoding('utf8');
		subprocess.stdout?.on('data', (chunk: string) => {
			if (child === subprocess) lines.push(chunk);
		});
		subprocess.stderr?.setEncoding('utf8');
		subprocess.stderr?.on('data', keep);
		// The child counts as gone when it exits: ssh's ControlPersist master, which it may have
		// forked, keeps our pipes open for a minute, so their closing cannot be waited for. Output
		// still in the pipes gets a moment to arrive.
		let finished = false;
		const finish = (exitCode: number | undefined, code?: string) => {
			if (finished) return;
			finished = true;
			alive = false;
			clearTimeout(stallTimer);
			clearTimeout(flushTimer);
			subprocess.stdout?.destroy();
			subprocess.stderr?.destroy();
			if (stopped) return;
			if (stalled || child !== subprocess) {
				if (restartDue) start();
				return;
			}
			lines.end();
			flush();
			child = null;
			const failure: RemoteFailure = classifySshFailure({code, exitCode, output: text});
			const invalid = /Field "([^"]+)" is not a valid field to query/.exec(text);
			const fewer = invalid ? dropField(fields, invalid[1]!) : null;
			if (fewer) {
				fields = fewer; // an older driver on that node
				return start();
			}
			if (!failure.retry) return setStatus(failure.status, failure.message);
			const delay = schedule(startedAt);
			setStatus(failure.status, `${failure.message} — retrying in ${Math.round(delay / 1000)} s`);
		};
		subprocess.once('exit', code => setTimeout(() => finish(code ?? undefined), PIPE_GRACE_MS));
		void subprocess.then(result => finish(result.exitCode, (result as {code?: string}).code));
	}

	setStatus('connecting', null);
	start();
	return {
		stop() {
			stopped = true;
			clearTimeout(restartTimer);
			if (child) {
				child.kill('SIGKILL');
				child.unref();
				child.catch(() => {});
			}
			child = null;
		},
	};
}

/** One host's answer for `--once`: its state, message and GPUs. */
export type RemoteSnapshot = {host: string; status: RemoteStatus; message: string | null; gpus: GpuSample[]};

/** One `ssh HOST nvidia-smi --query-gpu=…` call, bounded by timeoutMs. */
export async function sampleRemoteOnce(options: {host: string; controlDir: string; timeoutMs: number; ssh?: string; env?: NodeJS.ProcessEnv}): Promise<RemoteSnapshot> {
	const {host, controlDir, timeoutMs, ssh = 'ssh', env} = options;
	const result = await execa(ssh, sshArgs(host, controlDir, gpuQueryArgs()), {reject: false, stdin: 'ignore', timeout: timeoutMs, maxBuffer: 1024 * 1024, env, all: true});
	const gpus = result.exitCode === 0 ? parseGpuCsv(String(result.stdout)) : [];
	if (gpus.length > 0) return {host, status: 'ok', message: null, gpus};
	const failure = classifySshFailure({code: (result as {code?: string}).code, exitCode: result.exitCode, timedOut: result.timedOut, output: String(result.all ?? '')});
	if (result.exitCode === 0) return {host, status: 'no-nvidia-smi', message: 'nvidia-smi reported no GPU', gpus};
	return {host, status: failure.status, message: failure.message, gpus};
}
