/** Runs the built CLI (dist/cli.js) for the fuzz tests: raw output bytes, a hard timeout, peak RSS, a small pool. */
import {spawn} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {CLI} from '../helpers/fixtures.js';

export type RawRun = {
	args: string[];
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: Buffer;
	stderr: Buffer;
	ms: number;
	timedOut: boolean;
	/** Peak RSS in KiB (GNU time), null where it could not tell. */
	maxRssKb: number | null;
};

const GNU_TIME = process.platform === 'linux' && fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** `node dist/cli.js ...args`, killed after `timeoutMs`; NO_COLOR unless `color`. */
export function runCliRaw(args: string[], options: {timeoutMs?: number; color?: boolean} = {}): Promise<RawRun> {
	const timeoutMs = options.timeoutMs ?? 10_000;
	const rssFile = path.join(os.tmpdir(), `wbtop-fuzz-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
	const [command, argv] = GNU_TIME ? [GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, CLI, ...args]] : [process.execPath, [CLI, ...args]];
	const env: NodeJS.ProcessEnv = {...process.env, FORCE_COLOR: undefined};
	if (options.color) delete env.NO_COLOR;
	else env.NO_COLOR = '1';
	const started = Date.now();
	return new Promise(resolve => {
		// Its own process group: a timeout kills node too, not only /usr/bin/time around it.
		const child = spawn(command, argv, {stdio: ['ignore', 'pipe', 'pipe'], env, detached: true});
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
		child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			try {
				process.kill(-child.pid!, 'SIGKILL');
			} catch {
				child.kill('SIGKILL');
			}
		}, timeoutMs);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			let maxRssKb: number | null = null;
			try {
				const value = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').at(-1));
				if (Number.isFinite(value) && value > 0) maxRssKb = value;
			} catch {
				// killed, or not GNU time
			}
			fs.rmSync(rssFile, {force: true});
			// GNU time reports the child's status as its own ("Command exited with non-zero status N" goes to -o).
			resolve({args, code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err), ms: Date.now() - started, timedOut, maxRssKb});
		});
	});
}

/** Runs `jobs` at most `limit` at a time, results in order. */
export async function pool<T>(limit: number, jobs: Array<() => Promise<T>>): Promise<T[]> {
	const results: T[] = new Array(jobs.length);
	let next = 0;
	const worker = async () => {
		while (next < jobs.length) {
			const i = next++;
			results[i] = await jobs[i]();
		}
	};
	await Promise.all(Array.from({length: Math.min(limit, jobs.length)}, worker));
	return results;
}

/** Stack-trace lines, `Error:` and other signs of an uncaught exception in stderr text. */
export function crashSigns(stderr: string): string[] {
	const signs: string[] = [];
	if (/^ {4}at /m.test(stderr)) signs.push('a stack trace ("    at " lines)');
	if (/Error:/.test(stderr)) signs.push('"Error:" in stderr');
	if (/node:internal|triggerUncaughtException|Uncaught/.test(stderr)) signs.push('node internals in stderr');
	return signs;
}
