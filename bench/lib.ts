/** Measurement helpers shared by the benchmarks: child processes, /proc, statistics. */
import {spawn, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

export const ROOT = join(import.meta.dirname, '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
export const FAKE_SMI_DIR = join(ROOT, 'test', 'fixtures', 'fake-nvidia-smi');
export const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).stdout.trim()) || 100;

/** What one finished child process cost. */
export type ProcessCost = {
	wallS: number;
	/** user + system CPU seconds. */
	cpuS: number;
	/** Peak resident set size, MB (1e6 bytes). */
	peakRssMB: number;
	exitCode: number;
	stdoutBytes: number;
	/** stdout, when asked for. */
	stdout?: string;
};

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/**
 * Runs `argv` to completion and measures it: wall clock here, CPU and peak RSS from GNU time
 * (`/usr/bin/time`, which reads the child's rusage), else from /proc/<pid> polled every 20 ms.
 */
export async function measureProcess(argv: string[], env: NodeJS.ProcessEnv = process.env, options: {captureStdout?: boolean} = {}): Promise<ProcessCost> {
	const dir = mkdtempSync(join(tmpdir(), 'wbtop-bench-'));
	try {
		const timeFile = join(dir, 'time');
		const command = TIME ? [TIME, '-o', timeFile, '-f', '%e %U %S %M', ...argv] : argv;
		const started = performance.now();
		const child = spawn(command[0], command.slice(1), {env, stdio: ['ignore', 'pipe', 'pipe']});
		let stdoutBytes = 0;
		let stderr = '';
		const stdout: Buffer[] = [];
		child.stdout.on('data', (chunk: Buffer) => {
			stdoutBytes += chunk.length;
			if (options.captureStdout) stdout.push(chunk);
		});
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		let polledPeakKb = 0;
		let polledCpuTicks = 0;
		const poll = TIME
			? null
			: setInterval(() => {
					const status = readProcStatus(child.pid!);
					if (status) polledPeakKb = Math.max(polledPeakKb, status.vmHwmKb);
					const ticks = readCpuTicks(child.pid!);
					if (ticks !== null) polledCpuTicks = ticks;
				}, 20);
		const text = () => (options.captureStdout ? Buffer.concat(stdout).toString('utf8') : undefined);
		const exitCode: number = await new Promise(resolve => child.on('close', code => resolve(code ?? -1)));
		const wallS = (performance.now() - started) / 1000;
		if (poll) clearInterval(poll);
		if (exitCode !== 0) throw new Error(`${argv.join(' ')} exited ${exitCode}: ${stderr.slice(-2000)}`);
		if (TIME) {
			const [elapsed, user, system, maxKb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
			return {wallS: Math.min(wallS, elapsed || wallS), cpuS: user + system, peakRssMB: (maxKb * 1024) / 1e6, exitCode, stdoutBytes, stdout: text()};
		}
		return {wallS, cpuS: polledCpuTicks / CLK_TCK, peakRssMB: (polledPeakKb * 1024) / 1e6, exitCode, stdoutBytes, stdout: text()};
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
}

/** utime + stime of a process, in clock ticks (null when it is gone). */
export function readCpuTicks(pid: number): number | null {
	let text: string;
	try {
		text = readFileSync(`/proc/${pid}/stat`, 'utf8');
	} catch {
		return null;
	}
	// The command name is in parentheses and may hold spaces: fields start after the last ')'.
	const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
	return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
}

export function readProcStatus(pid: number): {vmHwmKb: number; vmRssKb: number} | null {
	let text: string;
	try {
		text = readFileSync(`/proc/${pid}/status`, 'utf8');
	} catch {
		return null;
	}
	const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
	return {vmHwmKb: field('VmHWM'), vmRssKb: field('VmRSS')};
}

/** Child pids of `pid` (from /proc/<pid>/task/<pid>/children, else by scanning /proc). */
export function childPids(pid: number): number[] {
	try {
		return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
	} catch {
		const out: number[] = [];
		for (const name of readdirSync('/proc')) {
			if (!/^\d+$/.test(name)) continue;
			try {
				const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
				if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
			} catch {
				// gone
			}
		}
		return out;
	}
}

export function processName(pid: number): string {
	try {
		return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
	} catch {
		return '';
	}
}

/** CPU used by `pid` over `seconds`, as a percentage of one core. */
export async function cpuPercentOver(pids: number[], seconds: number): Promise<number[]> {
	const before = pids.map(pid => readCpuTicks(pid));
	const started = performance.now();
	await sleep(seconds * 1000);
	const elapsed = (performance.now() - started) / 1000;
	return pids.map((pid, i) => {
		const after = readCpuTicks(pid);
		const b = before[i];
		if (after === null || b === null) return Number.NaN;
		return (100 * (after - b)) / CLK_TCK / elapsed;
	});
}

export function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

export function median(values: number[]): number {
	return quantile(values, 0.5);
}

/** Linear-interpolated quantile (q in [0, 1]). */
export function quantile(values: number[], q: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const at = (sorted.length - 1) * q;
	const lo = Math.floor(at);
	const hi = Math.ceil(at);
	return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export function min(values: number[]): number {
	return values.reduce((a, b) => Math.min(a, b), Infinity);
}

/** The 1-minute load average (how busy the box was while measuring). */
export function loadAverage(): number {
	try {
		return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
	} catch {
		return Number.NaN;
	}
}
