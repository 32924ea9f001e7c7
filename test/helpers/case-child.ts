/**
 * The fuzz suites' worker processes: `node --import tsx <script> <args…>` prints one JSON line per
 * case it starts (`{"at": n}`) and a last one with its summary (`{"summary": …}`).
 */
import {spawn} from 'node:child_process';
import * as path from 'node:path';
import {ROOT} from './fixtures.js';

export type CaseChild = {
	/** The child script, relative to the repository root. */
	script: string;
	args: string[];
	/** The first case it runs (the one blamed when it dies before saying). */
	from: number;
	/** How errors name the suite, e.g. `fuzz` or `hostile-text (seed 7)`. */
	name: string;
	/** A child that prints nothing for this long is stuck in a case: killed, and the case named. */
	hangMs: number;
	/** How to run case `at` alone. */
	replay: (at: number) => string;
};

/** Runs the child; resolves to its summary, rejects naming the case it hung or died in. */
export function runCaseChild<Summary>(options: CaseChild): Promise<Summary> {
	const {script, args, from, name, hangMs, replay} = options;
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, script), ...args], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']});
		let at = from;
		let summary: Summary | null = null;
		let stderr = '';
		let buffered = '';
		let timer = setTimeout(onHang, hangMs);
		function onHang() {
			child.kill('SIGKILL');
			reject(new Error(`${name} case ${at} did not finish within ${hangMs} ms (${replay(at)})`));
		}
		child.stdout.setEncoding('utf8');
		child.stdout.on('data', (data: string) => {
			clearTimeout(timer);
			timer = setTimeout(onHang, hangMs);
			buffered += data;
			const lines = buffered.split('\n');
			buffered = lines.pop()!;
			for (const line of lines) {
				const message = JSON.parse(line) as {at?: number; summary?: Summary};
				if (message.at !== undefined) at = message.at;
				if (message.summary) summary = message.summary;
			}
		});
		child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
		child.on('exit', (code, signal) => {
			clearTimeout(timer);
			if (summary && code === 0) resolve(summary);
			else reject(new Error(`${name} child ${args.join(' ')} exited ${code ?? signal} at case ${at} (${replay(at)})\n${stderr.slice(-3000)}`));
		});
	});
}
