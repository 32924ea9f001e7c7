// The machine view and the no-PATH start, driven through the built binary: in tmux (with the
// stand-in nvidia-smi that replays the real H100 captures) and as scripts call it.
import {cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {execa} from 'execa';
import {CLI, ROOT, realRun} from '../helpers/fixtures.js';
import {hasTmux, startPane} from '../helpers/tmux.js';

let tmp: string;
let bin: string;
beforeAll(() => {
	tmp = mkdtempSync(join(tmpdir(), 'wbtop-machine-'));
	bin = join(tmp, 'bin');
	mkdirSync(bin);
	symlinkSync(join(ROOT, 'test', 'fixtures', 'fake-nvidia-smi', 'nvidia-smi'), join(bin, 'nvidia-smi'));
});
afterAll(() => rmSync(tmp, {recursive: true, force: true}));

/** A fresh empty working directory. */
function emptyDir(name: string): string {
	const dir = join(tmp, name);
	mkdirSync(dir);
	return dir;
}

/** A working directory holding `wandb/<run>` copied from a real fixture. */
function projectWith(name: string, runId: string): {dir: string; runName: string} {
	const dir = emptyDir(name);
	const source = realRun(runId);
	const runName = /(?:offline-)?run-\d{8}_\d{6}-\w+$/.exec(source)![0];
	cpSync(source, join(dir, 'wandb', runName), {recursive: true});
	return {dir, runName};
}

const cli = (args: string[], cwd: string, env: Record<string, string> = {}) =>
	execa('node', [CLI, ...args], {cwd, reject: false, timeout: 20_000, env: {NO_COLOR: '1', PATH: `${bin}:${process.env.PATH}`, WANDB_DIR: '', ...env}});

const maybe = hasTmux ? describe : describe.skip;

function checkFits(screen: string, columns: number, rows: number) {
	const lines = screen.split('\n');
	expect(lines.length).toBeLessThanOrEqual(rows + 1);
	for (const line of lines) expect([...line].length).toBeLessThanOrEqual(columns);
}

maybe('the machine view in tmux', () => {
	const pane = (dir: string, args: string, columns: number, rows: number, env = '') =>
		startPane(`cd '${dir}' && env PATH='${bin}:${process.env.PATH}' WANDB_DIR= ${env} node ${CLI} --interval 200 ${args}`, columns, rows);

	it('wbtop --system at 120x40: live GPU lines and charts, processes, CPU/memory/network; only q and ? offered; help; q quits', async () => {
		const p = pane(emptyDir('system'), '--system', 120, 40);
		try {
			// The stand-in plays the idle capture, then the load capture: utilization moves to 100 %.
			const screen = await p.waitFor(s => /^0 H100 80GB 100%/m.test(s) && s.includes('GPU processes') && /NET ↓\S+\/s/.test(s), 15_000);
			checkFits(screen, 120, 40);
			expect(screen).toMatch(/^wbtop {2}this machine {2}1 GPU/m);
			expect(screen).toMatch(/GPU 0 H100 80GB util 100%/);
			expect(screen).toMatch(/605 +0 +19\.7G python3/);
			expect(screen).toMatch(/CPU +\d+%/);
			expect(screen).toMatch(/█{5,}/);
			const footer = screen.trimEnd().split('\n').at(-1)!;
			expect(footer).toMatch(/^q quit · \? help +this machine$/);
			expect(screen).not.toContain('no W&B run');
			p.keys('p', 'x', '/');
			await new Promise(resolve => setTimeout(resolve, 500));
			expect(p.screen().trimEnd().split('\n').at(-1)).toMatch(/^q quit · \? help/); // no filter prompt: keys for a run do nothing
			p.keys('?');
			await p.waitFor(s => s.includes('wbtop keys'));
			p.keys('Escape');
			await p.waitFor(s => s.includes('GPU processes'));
			p.keys('q');
			await p.waitFor(() => !p.alive(), 5000);
		} finally {
			p.kill();
		}
	}, 40_000);

	it('at 60x15 the compact machine view shows the GPUs and CPU, at 16x5 the tiny one', async () => {
		const compact = pane(emptyDir('compact'), '--system', 60, 15, 'FAKE_NVIDIA_SMI_MODE=gpus8');
		try {
			const screen = await compact.waitFor(s => /^7 H100|\+\d more GPUs/m.test(s) && /^CPU +\d+%/m.test(s), 15_000);
			checkFits(screen, 60, 15);
			expect(screen.split('\n').filter(line => /^\d H100 80GB/.test(line)).length).toBeGreaterThanOrEqual(4);
		} finally {
			compact.kill();
		}
		const tiny = pane(emptyDir('tiny'), '--system', 16, 5);
		try {
			const screen = await tiny.waitFor(s => /^0:\d+%/m.test(s), 15_000);
			checkFits(screen, 16, 5);
			expect(screen).toContain('this machine');
		} finally {
			tiny.kill();
		}
	}, 40_000);

	it('wbtop with no PATH in an empty dir: the machine view says no run was found, then switches to the run when one starts in ./wandb', async () => {
		const dir = emptyDir('no-run');
		const p = pane(dir, '', 120, 40);
		try {
			const screen = await p.waitFor(s => s.includes('no W&B run found in ./wandb; showing this machine') && /^0 H100/m.test(s), 15_000);
			checkFits(screen, 120, 40);
			cpSync(realRun('f230dm6e'), join(dir, 'wandb', 'run-20251222_161624-f230dm6e'), {recursive: true});
			const run = await p.waitFor(s => s.includes('step 1714') && s.includes('Summary'), 15_000);
			expect(run).not.toContain('this machine');
			// The live GPU panel goes on in the run's dashboard.
			expect(run).toMatch(/0 H100 80GB/);
			p.keys('q');
			await p.waitFor(() => !p.alive(), 5000);
		} finally {
			p.kill();
		}
	}, 40_000);
});

describe('--system and no PATH, as scripts call them', () => {
	it('--system --once --json prints the host object, the same shape as host in --once --json', async () => {
		const dir = emptyDir('json');
		const machine = await cli(['--system', '--once', '--json'], dir);
		expect(machine.exitCode, machine.stderr).toBe(0);
		const host = JSON.parse(machine.stdout);
		const runDoc = JSON.parse((await cli(['--once', '--json', realRun('h0sbxufh')], dir)).stdout);
		expect(Object.keys(host).sort()).toEqual(Object.keys(runDoc.host).sort());
		expect(Object.keys(host.gpus[0]).sort()).toEqual(Object.keys(runDoc.host.gpus[0]).sort());
		expect(host.gpuStatus).toBe('ok');
		expect(host.gpus[0].name).toBe('NVIDIA H100 80GB HBM3');
		expect(host.processes.map((p: {pid: number}) => p.pid)).toEqual([605]);
		expect(host.mem.totalBytes).toBeGreaterThan(0);
	}, 30_000);

	it('--system --once prints the machine view as text at the given size', async () => {
		const result = await cli(['--system', '--once', '--width', '100', '--height', '30'], emptyDir('text'));
		expect(result.exitCode, result.stderr).toBe(0);
		expect(result.stdout).not.toMatch(/\u001B/);
		const lines = result.stdout.split('\n');
		expect(lines.length).toBeLessThanOrEqual(30);
		for (const line of lines) expect([...line].length).toBeLessThanOrEqual(100);
		expect(result.stdout).toMatch(/^0 H100 80GB/m);
		expect(result.stdout).toContain('GPU processes');
	}, 30_000);

	it('no PATH: ./wandb, then $WANDB_DIR/wandb, keeping latest-run', async () => {
		const here = projectWith('cwd-run', 'h0sbxufh');
		const result = await cli(['--once', '--json', '--no-gpu'], here.dir);
		expect(result.exitCode, result.stderr).toBe(0);
		expect(JSON.parse(result.stdout).run.id).toBe('h0sbxufh');
		// Only $WANDB_DIR has runs: used.
		const elsewhere = projectWith('wandb-dir', 'anlc1q2m');
		const fromEnv = await cli(['--once', '--json', '--no-gpu'], emptyDir('cwd-empty'), {WANDB_DIR: elsewhere.dir});
		expect(fromEnv.exitCode, fromEnv.stderr).toBe(0);
		expect(JSON.parse(fromEnv.stdout).run.id).toBe('anlc1q2m');
		// Both: ./wandb first.
		const both = await cli(['--once', '--json', '--no-gpu'], here.dir, {WANDB_DIR: elsewhere.dir});
		expect(JSON.parse(both.stdout).run.id).toBe('h0sbxufh');
		// latest-run names the run to show, whatever the others' start times.
		cpSync(realRun('f230dm6e'), join(here.dir, 'wandb', 'run-20251222_161624-f230dm6e'), {recursive: true});
		expect(JSON.parse((await cli(['--once', '--json', '--no-gpu'], here.dir)).stdout).run.id).toBe('f230dm6e');
		symlinkSync(here.runName, join(here.dir, 'wandb', 'latest-run'));
		expect(JSON.parse((await cli(['--once', '--json', '--no-gpu'], here.dir)).stdout).run.id).toBe('h0sbxufh');
	}, 60_000);

	it('no PATH and no run: --once shows this machine and says so; the script modes exit 2 with one line', async () => {
		const dir = emptyDir('nothing');
		const once = await cli(['--once', '--width', '100', '--height', '30'], dir);
		expect(once.exitCode, once.stderr).toBe(0);
		expect(once.stdout).toContain('no W&B run found in ./wandb; showing this machine');
		expect(once.stdout).toMatch(/^0 H100 80GB/m);
		const withEnv = await cli(['--once', '--width', '120', '--height', '30'], dir, {WANDB_DIR: join(tmp, 'nowhere')});
		expect(withEnv.stdout).toContain(`no W&B run found in ./wandb or ${join(tmp, 'nowhere', 'wandb')}; showing this machine`);
		for (const args of [['--once', '--json'], ['--check'], ['--line'], ['export']]) {
			const result = await cli(args, dir);
			expect(result.exitCode, args.join(' ')).toBe(2);
			expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
			expect(result.stderr).toMatch(/^wbtop: no PATH given and no W&B run found in \.\/wandb/);
		}
	}, 60_000);

	it('an explicit PATH that does not exist stays an error (exit 2); --system takes no PATH and no script mode', async () => {
		const dir = emptyDir('errors');
		const missing = await cli(['--once', join(dir, 'no-such-run')], dir);
		expect(missing.exitCode).toBe(2);
		expect(missing.stderr).toMatch(/no such file or directory/);
		for (const args of [['--system', realRun('h0sbxufh')], ['--system', '--check'], ['--system', '--line'], ['--system', 'export']]) {
			const result = await cli(args, dir);
			expect(result.exitCode, args.join(' ')).toBe(2);
			expect(result.stderr, args.join(' ')).toMatch(/--system/);
		}
	}, 30_000);

	it('an explicit wandb/ folder with no run yet: --once shows this machine, --check says there is no run (exit 2)', async () => {
		const dir = emptyDir('empty-wandb');
		mkdirSync(join(dir, 'wandb'));
		const once = await cli(['--once', '--width', '100', '--height', '30', join(dir, 'wandb')], dir);
		expect(once.exitCode, once.stderr).toBe(0);
		expect(once.stdout).toContain('no W&B run in');
		expect(once.stdout).toMatch(/^0 H100 80GB/m);
		const check = await cli(['--check', join(dir, 'wandb')], dir);
		expect(check.exitCode).toBe(2);
		expect(check.stderr).toMatch(/has no runs yet/);
	}, 30_000);
});
