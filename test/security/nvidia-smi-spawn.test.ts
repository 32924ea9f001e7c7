/**
 * nvidia-smi is spawned with fixed arguments and no shell. A run (and the path to it) full of
 * shell syntax must never be executed: a fake nvidia-smi on PATH (replaying real H100 captures)
 * logs every invocation, and the shell payloads would create marker files if anything ran them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {appsQueryArgs, gpuQueryArgs} from '../../source/decode/nvidia-smi.js';
import {encodeExit, encodeFraming, encodeHeader, encodeHistory, encodeOutput, encodeRun, encodeSummary} from '../../source/demo/writer.js';
import {ROOT, CLI} from '../helpers/fixtures.js';
import {hasTmux, startPane} from '../helpers/tmux.js';

let tmp: string;
let binDir: string;
let smiLog: string;
let runDir: string;

/** Shell payloads; each would create a file whose name starts with `pwned` in tmp (absolute or via the cwd). */
function payloads(dir: string): string[] {
	return [
		`$(touch ${dir}/pwned-dollar)`,
		`\`touch ${dir}/pwned-backtick\``,
		`; touch ${dir}/pwned-semicolon ;`,
		`| touch ${dir}/pwned-pipe`,
		`&& touch ${dir}/pwned-and`,
		`$(touch pwned-relative)`,
		`'; touch ${dir}/pwned-quote; '`,
		`"; rm -rf ${dir}/canary; "`,
		`\ntouch ${dir}/pwned-newline\n`,
	];
}

beforeAll(() => {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-smi-'));
	binDir = path.join(tmp, 'bin');
	fs.mkdirSync(binDir);
	fs.symlinkSync(path.join(ROOT, 'test', 'fixtures', 'fake-nvidia-smi', 'nvidia-smi'), path.join(binDir, 'nvidia-smi'));
	smiLog = path.join(tmp, 'smi.log');
	fs.mkdirSync(path.join(tmp, 'canary'));
	fs.writeFileSync(path.join(tmp, 'canary', 'keep'), 'do not delete');
	// The path itself holds shell syntax too (no single quote, so tmux can quote it).
	const project = path.join(tmp, 'proj $(touch pwned-path) ; touch pwned-path2 ; `touch pwned-path3`');
	runDir = path.join(project, 'wandb', 'run-20250301_120000-inj00001');
	fs.mkdirSync(path.join(runDir, 'files'), {recursive: true});
	const shell = payloads(tmp).join(' ');
	const records = [
		encodeHeader({producer: '0.22.3'}),
		encodeRun({runId: 'inj00001', displayName: `INJ ${shell}`, project: shell, notes: shell, tags: payloads(tmp), config: {cmd: shell}, startTime: Date.now()}),
	];
	for (let step = 0; step < 10; step++) records.push(encodeHistory({step, values: {[`loss ${shell}`]: 1 / (step + 1), _step: step}}));
	records.push(encodeSummary({update: {note: shell}}), encodeOutput({stream: 'stdout', text: `${shell}\n`}));
	fs.writeFileSync(path.join(runDir, 'run-inj00001.wandb'), encodeFraming(records));
	// The pid wbtop uses to mark the run's GPU processes.
	fs.writeFileSync(path.join(runDir, 'files', 'wandb-metadata.json'), JSON.stringify({pid: process.pid, program: shell, args: payloads(tmp)}));
});
afterAll(() => {
	fs.rmSync(tmp, {recursive: true, force: true});
});

const env = () => ({NO_COLOR: '1', PATH: `${binDir}${path.delimiter}${process.env.PATH}`, FAKE_NVIDIA_SMI_LOG: smiLog});

/** Files a payload created anywhere under tmp (or in the test's own cwd). */
function pwned(): string[] {
	const found: string[] = [];
	const walk = (dir: string) => {
		for (const name of fs.readdirSync(dir)) {
			const full = path.join(dir, name);
			if (/^pwned/.test(name)) found.push(full);
			if (fs.lstatSync(full).isDirectory()) walk(full);
		}
	};
	walk(tmp);
	for (const name of fs.readdirSync(process.cwd())) if (/^pwned/.test(name)) found.push(path.join(process.cwd(), name));
	return found;
}

/** Every logged nvidia-smi call: its arguments must be one of the fixed lists. */
function expectFixedInvocations(): number {
	const allowed = [gpuQueryArgs().join(' '), appsQueryArgs().join(' ')];
	const lines = fs.existsSync(smiLog) ? fs.readFileSync(smiLog, 'utf8').trim().split('\n').filter(Boolean) : [];
	for (const line of lines) {
		const args = line.slice(line.indexOf(' ') + 1).replace(/ -lms \d+$/, '');
		expect(allowed, `unexpected nvidia-smi arguments: ${line}`).toContain(args);
	}
	return lines.length;
}

describe('nvidia-smi with a run full of shell syntax', () => {
	it('--once, --once --json and --line call the fake nvidia-smi with fixed arguments; no payload runs', async () => {
		const once = await execa('node', [CLI, '--once', '--width', '120', '--height', '40', runDir], {reject: false, cwd: tmp, env: env(), timeout: 30_000});
		expect(once.exitCode, once.stderr).toBe(0);
		expect(once.stdout).toContain('INJ ');
		expect(once.stdout).toMatch(/H100/); // the fake answered: the GPU panel shows the captured card

		const json = await execa('node', [CLI, '--once', '--json', runDir], {reject: false, cwd: tmp, env: env(), timeout: 30_000});
		expect(json.exitCode, json.stderr).toBe(0);
		const doc = JSON.parse(json.stdout);
		expect(doc.host.gpuStatus).toBe('ok');
		expect(doc.run.name).toContain('$(touch');

		const line = await execa('node', [CLI, '--line', runDir], {reject: false, cwd: tmp, env: env(), timeout: 30_000});
		expect(line.exitCode, line.stderr).toBe(0);
		expect(line.stdout).toMatch(/GPU0 \d+%/);

		expect(expectFixedInvocations()).toBeGreaterThanOrEqual(3);
		expect(pwned()).toEqual([]);
		expect(fs.existsSync(path.join(tmp, 'canary', 'keep'))).toBe(true);
	}, 60_000);

	(hasTmux ? it : it.skip)('the live dashboard (long-lived nvidia-smi -lms child plus apps polls): no payload runs', async () => {
		fs.rmSync(smiLog, {force: true});
		const quoted = `'${runDir}'`;
		// PATH is set in the command: tmux's own environment wins over `new-session -e PATH=…`.
		const pane = startPane(`cd ${tmp} && env PATH='${env().PATH}' FAKE_NVIDIA_SMI_LOG='${smiLog}' node ${CLI} --interval 500 ${quoted}`, 120, 40, {NO_COLOR: '1'});
		try {
			await pane.waitFor(s => s.includes('INJ ') && /H100/.test(s), 15_000);
			await new Promise(resolve => setTimeout(resolve, 3000)); // a few samples and an apps poll
			pane.keys('q');
			await pane.waitFor(() => !pane.alive(), 5000);
		} finally {
			pane.kill();
		}
		const calls = expectFixedInvocations();
		expect(calls).toBeGreaterThanOrEqual(2); // the -lms stream and at least one apps query
		expect(fs.readFileSync(smiLog, 'utf8')).toMatch(/ -lms 500$/m);
		expect(pwned()).toEqual([]);
		expect(fs.existsSync(path.join(tmp, 'canary', 'keep'))).toBe(true);
	}, 40_000);
});
