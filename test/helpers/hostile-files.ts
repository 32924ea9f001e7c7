/** Hostile things to put where a run's files belong (FIFOs, device links, huge sparse files), and a CLI runner that measures. */
import {execFileSync, spawn} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {CLI, realRun} from './fixtures.js';

/** True when `mkfifo` works here (not on Windows, not on some filesystems). */
export const hasMkfifo: boolean = (() => {
	if (process.platform === 'win32') return false;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-fifo-probe-'));
	try {
		execFileSync('mkfifo', [path.join(dir, 'probe')], {stdio: 'ignore'});
		return fs.statSync(path.join(dir, 'probe')).isFIFO();
	} catch {
		return false;
	} finally {
		fs.rmSync(dir, {recursive: true, force: true});
	}
})();

/** Character devices that never end when read. */
export const hasDevZero = fs.existsSync('/dev/zero') && fs.existsSync('/dev/urandom');

/** Replaces `file` (if any) by a FIFO nobody writes to. */
export function makeFifo(file: string): void {
	fs.rmSync(file, {force: true});
	fs.mkdirSync(path.dirname(file), {recursive: true});
	execFileSync('mkfifo', [file]);
}

/** Replaces `file` (if any) by a symlink to `target` (e.g. /dev/zero). */
export function linkTo(file: string, target: string): void {
	fs.rmSync(file, {force: true});
	fs.mkdirSync(path.dirname(file), {recursive: true});
	fs.symlinkSync(target, file);
}

/** A copy of a real fixture run in a fresh temp dir, to be mutated (fixtures stay as they are). */
export function copyRun(idPart: string): {runDir: string; cleanup: () => void} {
	const source = realRun(idPart);
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-hostile-'));
	const runDir = path.join(tmp, path.basename(source).split('__').at(-1)!);
	fs.cpSync(source, runDir, {recursive: true});
	return {runDir, cleanup: () => fs.rmSync(tmp, {recursive: true, force: true})};
}

export type CliRun = {code: number | null; stdout: string; stderr: string; ms: number; timedOut: boolean; /** Peak RSS in KiB, where /usr/bin/time could tell. */ maxRssKb: number | null};

const GNU_TIME = fs.existsSync('/usr/bin/time') && process.platform === 'linux' ? '/usr/bin/time' : null;

/** Runs the built CLI (`dist/cli.js`) with a hard timeout; kills it (and reports timedOut) past it. */
export function runCli(args: string[], timeoutMs = 8000): Promise<CliRun> {
	const rssFile = path.join(os.tmpdir(), `wbtop-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
	const [command, argv] = GNU_TIME ? [GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, CLI, ...args]] : [process.execPath, [CLI, ...args]];
	const started = Date.now();
	return new Promise(resolve => {
		const child = spawn(command, argv, {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', chunk => (stdout += chunk));
		child.stderr.on('data', chunk => (stderr += chunk));
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			child.kill('SIGKILL');
		}, timeoutMs);
		child.on('close', code => {
			clearTimeout(timer);
			let maxRssKb: number | null = null;
			try {
				const value = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').at(-1));
				if (Number.isFinite(value) && value > 0) maxRssKb = value;
				fs.rmSync(rssFile, {force: true});
			} catch {
				// no /usr/bin/time output (killed, or not GNU time)
			}
			resolve({code, stdout, stderr, ms: Date.now() - started, timedOut, maxRssKb});
		});
	});
}
