/**
 * Benchmarks of the live dashboard, run as a user runs it: the bundled binary in a tmux pane.
 * - idle CPU (finished run; followed run growing at 10 rows/s with the fake nvidia-smi),
 * - latency from appending a row to `step N` being on screen (inotify events, and --poll),
 * - start-up to the first frame.
 * The bench process itself is the training script: it appends rows with wbtop's own writer.
 */
import {execFileSync, spawn} from 'node:child_process';
import {rmSync} from 'node:fs';
import {startPane, type Pane} from '../test/helpers/tmux.js';
import {LiveRun} from '../test/helpers/live-run.js';
import {CLI, FAKE_SMI_DIR, cpuPercentOver, processName, sleep} from './lib.js';

export {LiveRun};

export type StartedPane = {pane: Pane; pid: number; startedAt: number};

/** Starts `command` in a tmux pane (test/helpers/tmux.ts) and finds the pid of the process in it. */
export function startMeasuredPane(command: string, columns: number, rows: number, env: Record<string, string> = {}): StartedPane {
	const startedAt = performance.now();
	// Environment on the command line: tmux's `-e` is overridden by the shell's PATH set-up here.
	const assignments = Object.entries(env).map(([key, value]) => `${key}='${value.replace(/'/g, `'\\''`)}'`);
	const pane = startPane(assignments.length > 0 ? `exec env ${assignments.join(' ')} ${command}` : `exec ${command}`, columns, rows);
	// The pane runs on its own tmux server; `exec` makes the measured command the pane's process.
	const pid = Number(pane.tmux('display-message', '-p', '-t', pane.id(), '#{pane_pid}'));
	if (!(pid > 0)) {
		pane.kill();
		throw new Error('could not find the process in the new tmux pane');
	}
	return {pane, pid, startedAt};
}

/** PATH with the fake nvidia-smi first (it replays real H100 captures). */
export function fakeSmiEnv(): Record<string, string> {
	return {PATH: `${FAKE_SMI_DIR}:${process.env.PATH ?? ''}`};
}

function wbtop(args: string): string {
	return `${process.execPath} ${CLI} ${args}`;
}

/** Waits until the screen shows `text` (polling capture-pane every `everyMs`); returns ms since `since`. */
async function waitForScreen(pane: Pane, test: (screen: string) => boolean, since: number, timeoutMs: number, everyMs = 10): Promise<number> {
	const end = performance.now() + timeoutMs;
	let screen = '';
	while (performance.now() < end) {
		screen = pane.screen();
		if (test(screen)) return performance.now() - since;
		await sleep(everyMs);
	}
	throw new Error(`timed out after ${timeoutMs} ms; screen:\n${screen}`);
}

function stepShown(step: number): (screen: string) => boolean {
	const pattern = new RegExp(`\\bstep ${step}\\b`);
	return screen => pattern.test(screen);
}

/** A `node -e "setInterval(()=>{},1000)"` started now, for the idle baseline. */
function startIdleNode(): {pid: number; stop: () => void} {
	const child = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], {stdio: 'ignore'});
	return {pid: child.pid!, stop: () => child.kill()};
}

export type IdleResult = {
	wbtopPct: number;
	/** `node -e "setInterval(()=>{},1000)"`: what any idle node process costs. */
	baselinePct: number;
	/** btop in a pane of the same size, over the same window (null where btop is missing). */
	btopPct: number | null;
	seconds: number;
	smiPct: number | null;
};

/** btop (Debian's package), installed with apt-get when missing; null when it cannot be had. */
export function ensureBtop(log: (line: string) => void): string | null {
	const found = () => {
		try {
			return execFileSync('sh', ['-c', 'command -v btop'], {encoding: 'utf8'}).trim() || null;
		} catch {
			return null;
		}
	};
	let btop = found();
	if (btop) return btop;
	log('btop is missing: installing it from Debian (apt-get install btop) for the idle-CPU baseline');
	try {
		execFileSync('sh', ['-c', 'apt-get install -y -qq btop >/dev/null 2>&1 || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq btop >/dev/null 2>&1)'], {stdio: 'ignore'});
	} catch {
		// reported below
	}
	btop = found();
	if (!btop) log('btop could not be installed: the idle figures have no btop baseline');
	return btop;
}

/**
 * CPU of wbtop (its own process, as % of one core) over `seconds`, beside an idle node process
 * and (with `btop`) btop in a pane of the same size, all measured over the same window.
 * `settle` runs once the first frame is on screen.
 */
export async function idleCpu(options: {runDir: string; args: string; env?: Record<string, string>; seconds: number; settle: (pane: Pane) => Promise<void>; columns?: number; rows?: number; btop?: string | null}): Promise<IdleResult> {
	const columns = options.columns ?? 200;
	const rows = options.rows ?? 50;
	const {pane, pid} = startMeasuredPane(wbtop(`${options.args} ${options.runDir}`), columns, rows, options.env);
	const idle = startIdleNode();
	const peer = options.btop ? startMeasuredPane(options.btop, columns, rows, {TERM: 'xterm-256color'}) : null;
	try {
		if (processName(pid) !== 'node' && processName(pid) !== 'wbtop') throw new Error(`pane process is ${processName(pid)}`);
		await options.settle(pane);
		const smi = findSmiChild(pid);
		const pids = [pid, idle.pid, peer?.pid ?? idle.pid, smi ?? idle.pid];
		const [wbtopPct, baselinePct, btopPct, smiPct] = await cpuPercentOver(pids, options.seconds);
		if (!pane.alive()) throw new Error(`wbtop exited:\n${pane.screen()}`);
		return {wbtopPct, baselinePct, btopPct: peer ? btopPct : null, seconds: options.seconds, smiPct: smi === null ? null : smiPct};
	} finally {
		idle.stop();
		pane.kill();
		peer?.pane.kill();
	}
}

/** The long-running `nvidia-smi -lms` child of wbtop, if any. */
function findSmiChild(pid: number): number | null {
	try {
		const text = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], {encoding: 'utf8'});
		for (const line of text.trim().split('\n')) {
			const match = /^\s*(\d+)\s+(.*)$/.exec(line);
			if (match && match[2].includes('nvidia-smi')) return Number(match[1]);
		}
	} catch {
		// none
	}
	return null;
}

export type LatencyResult = {samples: number[]; p50: number; p95: number; max: number};

/**
 * Appends one row with a new step, then polls the pane until `step N` shows; repeats `count` times
 * with a random pause (so appends land at every phase of wbtop's timers).
 */
export async function appendLatency(options: {root: string; args: string; count: number; env?: Record<string, string>}): Promise<LatencyResult> {
	const run = new LiveRun(options.root);
	run.rows(200);
	const {pane} = startMeasuredPane(wbtop(`${options.args} ${run.wandbDir}`), 200, 50, options.env);
	try {
		await waitForScreen(pane, stepShown(run.step - 1), performance.now(), 20_000, 50);
		await sleep(1500);
		const samples: number[] = [];
		for (let i = 0; i < options.count; i++) {
			const t0 = performance.now();
			const step = run.rows(1);
			samples.push(await waitForScreen(pane, stepShown(step), t0, 5000));
			await sleep(150 + Math.random() * 350);
		}
		const sorted = [...samples].sort((a, b) => a - b);
		const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
		return {samples, p50: q(0.5), p95: q(0.95), max: sorted[sorted.length - 1]};
	} finally {
		pane.kill();
		rmSync(options.root, {recursive: true, force: true});
	}
}

export type StartupResult = {wbtopMs: number[]; baselineMs: number[]};

/** Time from starting the pane to the header (run name) on screen, vs a node script that prints. */
export async function tmuxStartup(runDir: string, header: string, count: number): Promise<StartupResult> {
	const wbtopMs: number[] = [];
	const baselineMs: number[] = [];
	for (let i = 0; i < count; i++) {
		{
			const {pane, startedAt} = startMeasuredPane(`${process.execPath} -e "console.log('ready'); setInterval(() => {}, 1000)"`, 200, 50);
			try {
				baselineMs.push(await waitForScreen(pane, screen => screen.includes('ready'), startedAt, 10_000, 5));
			} finally {
				pane.kill();
			}
		}
		{
			const {pane, startedAt} = startMeasuredPane(wbtop(`--no-gpu ${runDir}`), 200, 50);
			try {
				wbtopMs.push(await waitForScreen(pane, screen => screen.includes(header), startedAt, 20_000, 5));
			} finally {
				pane.kill();
			}
		}
	}
	return {wbtopMs, baselineMs};
}

export async function waitForStep(pane: Pane, step: number, timeoutMs = 20_000): Promise<void> {
	await waitForScreen(pane, stepShown(step), performance.now(), timeoutMs, 50);
}

export async function waitForText(pane: Pane, text: string, timeoutMs = 20_000): Promise<void> {
	await waitForScreen(pane, screen => screen.includes(text), performance.now(), timeoutMs, 50);
}
