// `wbtop --line` as a tmux status bar runs it: the built binary (dist/cli.js), reading only the
// run's end (source/sources/log-end.ts) and loading only the code it needs.
import {execFileSync, spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {execa} from 'execa';
import {afterAll, describe, expect, it} from 'vitest';
import {CLI, REAL_RUNS, manifest} from '../helpers/fixtures.js';
import {loadRun, alertsFor} from '../../source/modes/load.js';
import {statusLine} from '../../source/modes/line.js';
import {LogWriter, encodeExit, encodeHeader, encodeHistory, encodeOutput, encodeRun, encodeSummary} from '../../source/demo/writer.js';

const line = (runPath: string, args: string[] = ['--no-gpu']) => execa('node', [CLI, '--line', ...args, runPath], {reject: false, env: {NO_COLOR: '1'}, timeout: 20_000, stripFinalNewline: true});

/** The line a full read of the run gives (the path `--line` took before), without the alert count. */
function fullLine(runPath: string): string {
	const {state} = loadRun(runPath);
	return withoutAlerts(statusLine(state, null, alertsFor(state, null)));
}

const withoutAlerts = (text: string) => text.replace(/ \| ⚠ \d+$/, '');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-line-e2e-'));
afterAll(() => fs.rmSync(tmp, {recursive: true, force: true}));

/** A finished core-style run of `rows` rows (12 metrics, a summary record per row, console lines). */
function generatedRun(rows: number): string {
	const runDir = path.join(tmp, `run-20260101_000000-gen${rows}`);
	fs.mkdirSync(path.join(runDir, 'files'), {recursive: true});
	const writer = new LogWriter();
	const parts: Uint8Array[] = [writer.header()];
	const put = (payload: Uint8Array) => parts.push(writer.record(payload));
	put(encodeHeader({producer: '0.22.3'}));
	put(encodeRun({runId: `gen${rows}`, project: 'p', displayName: `gen-${rows}`, startTime: 1_767_225_600_000}));
	const names = ['train/loss', 'train/acc', 'train/lr', 'train/grad_norm', 'train/ppl', 'val/loss', 'val/acc', 'eval/f1', 'memory/gb', 'tokens_per_sec', 'epoch', 'mfu'];
	for (let step = 0; step < rows; step++) {
		const values: Record<string, number> = {_step: step, _timestamp: 1_767_225_600 + step / 10, _runtime: step / 10};
		names.forEach((name, m) => (values[name] = (m + 1) * Math.exp(-step / 5000) * (1 + 0.05 * Math.sin(step + m))));
		put(encodeHistory({step, values}));
		put(encodeSummary({update: Object.fromEntries(names.map(name => [name, values[name]]))}));
		if (step % 10 === 0) put(encodeOutput({stream: 'stdout', text: `step ${step} loss ${values['train/loss'].toFixed(4)}\n`}));
	}
	put(encodeExit({exitCode: 0}));
	fs.writeFileSync(path.join(runDir, `run-gen${rows}.wandb`), Buffer.concat(parts));
	return runDir;
}

describe('wbtop --line', () => {
	it('prints, for every real run, the line a full read gives (the alert count aside)', async () => {
		for (const row of manifest()) {
			const runPath = path.join(REAL_RUNS, row.dir);
			const result = await line(runPath);
			expect(result.exitCode, row.dir + result.stderr).toBe(0);
			expect(result.stderr).toBe('');
			const lines = result.stdout.split('\n'); // execa drops the final newline
			expect(lines, row.dir).toHaveLength(1);
			expect(withoutAlerts(lines[0]), row.dir).toBe(fullLine(runPath));
		}
	}, 120_000);

	it('a 2k-row and a 20k-row run: the same line as a full read', async () => {
		for (const rows of [2000, 20_000]) {
			const runDir = generatedRun(rows);
			const result = await line(runDir);
			expect(result.exitCode).toBe(0);
			expect(result.stdout.trimEnd()).toMatch(new RegExp(`^gen-${rows} ✓ finished step ${rows - 1} val/loss `));
			expect(withoutAlerts(result.stdout.trimEnd())).toBe(fullLine(runDir));
		}
	}, 60_000);

	it('a file that is not a wandb log: the same output as before (an empty run), exit 0', async () => {
		const runDir = path.join(tmp, 'run-20260101_000000-junk');
		fs.mkdirSync(runDir, {recursive: true});
		fs.writeFileSync(path.join(runDir, 'run-junk.wandb'), Buffer.alloc(300_000, 0x41));
		const result = await line(runDir);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toBe('run ● running step —');
	});

	it('a FIFO as the summary file and /dev/zero as output.log do not hang it', async () => {
		const runDir = generatedRun(3000);
		execFileSync('mkfifo', [path.join(runDir, 'files', 'wandb-summary.json')]);
		fs.symlinkSync('/dev/zero', path.join(runDir, 'files', 'output.log'));
		const started = Date.now();
		const result = await line(runDir);
		expect(result.exitCode).toBe(0);
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(result.stdout).toMatch(/^gen-3000 ✓ finished step 2999 /);
	});

	// strace installed and allowed to trace here (a container without ptrace refuses it).
	const strace = spawnSync('strace', ['-f', '-e', 'trace=none', 'true']).status === 0;
	it.skipIf(!strace)('with --no-gpu it loads neither execa (nvidia-smi) nor Ink/React', () => {
		const runDir = generatedRun(2000);
		const trace = spawnSync('strace', ['-f', '-e', 'trace=openat', 'node', CLI, '--line', '--no-gpu', runDir], {encoding: 'utf8'});
		expect(trace.status).toBe(0);
		const chunks = [...new Set([...trace.stderr.matchAll(/"([^"]*\/dist\/chunks\/[^"]+\.js)"/g)].map(match => match[1]))].filter(file => fs.existsSync(file));
		expect(chunks.length).toBeGreaterThan(3);
		for (const chunk of chunks) {
			const text = fs.readFileSync(chunk, 'utf8');
			for (const module of ['node_modules/execa/', 'node_modules/ink/', 'node_modules/react/', 'node_modules/systeminformation/']) {
				expect(text.includes(module), `${path.basename(chunk)} holds ${module}`).toBe(false);
			}
		}
	});
});
