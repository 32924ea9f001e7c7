// Drives the built binary (dist/cli.js) as users and scripts do.
import {describe, expect, it} from 'vitest';
import {execa} from 'execa';
import {cpSync, mkdtempSync, symlinkSync, writeFileSync, mkdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {CLI, realRun, manifest, REAL_RUNS} from '../helpers/fixtures.js';

const run = (args: string[], env: Record<string, string> = {}) => execa('node', [CLI, ...args], {reject: false, env: {NO_COLOR: '1', ...env}, timeout: 20_000});

describe('wbtop --once --json', () => {
	it('prints the documented shape for every real run and exits 0', async () => {
		for (const row of manifest()) {
			const result = await run(['--once', '--json', '--no-gpu', join(REAL_RUNS, row.dir)]);
			expect(result.exitCode, row.dir + result.stderr).toBe(0);
			const doc = JSON.parse(result.stdout);
			for (const key of ['id', 'name', 'project', 'entity', 'state', 'alive', 'stateReason', 'exitCode', 'sdkVersion', 'startTime', 'format']) expect(doc.run, row.dir).toHaveProperty(key);
			expect(doc.run.format).toBe(row.format === 'legacy-jsonl' ? 'legacy' : 'binary');
			expect(['running', 'finished', 'failed', 'crashed', 'stale']).toContain(doc.run.state);
			// Every real run is long dead: one without an exit record is stale (written elsewhere, silent for months), never running.
			if (row.notes.includes('no exit record')) {
				expect(doc.run, row.dir).toMatchObject({state: 'stale', alive: null});
				expect(doc.run.stateReason, row.dir).toMatch(/^no write for \d+d\d\dh; likely crashed/);
			} else expect(doc.run.state, row.dir).not.toBe('running');
			for (const key of ['rows', 'firstStep', 'lastStep', 'metrics']) expect(doc.history).toHaveProperty(key);
			const rows = /rows=(\d+)/.exec(row.notes)?.[1];
			if (rows) expect(doc.history.rows, row.dir).toBe(Number(rows));
			expect(doc.system).toHaveProperty('records');
			expect(Array.isArray(doc.system.metrics)).toBe(true);
			expect(typeof doc.console.lines).toBe('number');
			expect(['clean', 'partial']).toContain(doc.integrity.tail);
			expect(doc.host.gpuStatus).toBe('unavailable');
		}
	}, 120_000);

	it('writes non-finite numbers as strings', async () => {
		const result = await run(['--once', '--json', '--no-gpu', realRun('f230dm6e')]);
		const doc = JSON.parse(result.stdout);
		const values = Object.values(doc.history.metrics as Record<string, {last: unknown}>).map(m => m.last);
		expect(values.every(v => typeof v === 'number' || v === 'NaN' || v === 'Infinity' || v === '-Infinity')).toBe(true);
		expect(result.stdout).not.toMatch(/:\s*NaN\b/);
	});
});

describe('bad input', () => {
	it('a path that is no run: one line naming what was expected, exit 2', async () => {
		const result = await run(['--once', '/etc']);
		expect(result.exitCode).toBe(2);
		expect(result.stderr.trim().split('\n')).toHaveLength(1);
		expect(result.stderr).toMatch(/expected a wandb\/ folder, a run directory/);
	});

	it('a missing path: exit 2', async () => {
		const result = await run(['--once', '/no/such/run']);
		expect(result.exitCode).toBe(2);
		expect(result.stderr).toMatch(/wbtop: /);
	});

	it('--interval below 100 ms: a clear error, exit 2', async () => {
		const result = await run(['--interval', '10', realRun('f230dm6e')]);
		expect(result.exitCode).toBe(2);
		expect(result.stderr).toContain("--interval must be a number of milliseconds from 100 to 600000, got '10'");
	});

	it('an unknown flag: exit 2', async () => {
		const result = await run(['--bogus', realRun('f230dm6e')]);
		expect(result.exitCode).toBe(2);
	});

	it('a file that is not a wandb log: a clear message, no crash', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'wbtop-bad-'));
		const runDir = join(dir, 'run-20240101_000000-abcd1234');
		mkdirSync(runDir);
		writeFileSync(join(runDir, 'run-abcd1234.wandb'), 'this is not a wandb log at all');
		const result = await run(['--once', '--no-gpu', '--width', '100', '--height', '30', runDir]);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toMatch(/not a wandb|header/i);
	});
});

describe('wbtop --once (text)', () => {
	it('prints the dashboard as plain text at the given size, no escape codes', async () => {
		const result = await run(['--once', '--no-gpu', '--width', '100', '--height', '30', realRun('f230dm6e')]);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).not.toMatch(/\u001B/);
		const lines = result.stdout.trimEnd().split('\n');
		expect(lines.length).toBeLessThanOrEqual(29);
		for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
		expect(result.stdout).toContain('x: _step');
		expect(result.stdout).toContain('step 1714');
	});

	it('a stdout that is not a TTY gets the text snapshot from the plain command', async () => {
		const result = await run(['--no-gpu', '--width', '90', '--height', '26', realRun('h0sbxufh')]);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).not.toMatch(/\u001B/);
		expect(result.stdout).toContain('finished');
	});
});

describe('wbtop --check', () => {
	it('exit 2 for a crashed run, with the state on a line', async () => {
		const result = await run(['--check', realRun('31f67q0f')]);
		expect(result.exitCode).toBe(2);
		expect(result.stdout).toMatch(/^crashed: the run crashed at step 902: exit code 255: interrupted \(Ctrl-C\) or killed$/m);
	});

	it('exit 2 for a failed run (traceback in its console too)', async () => {
		const result = await run(['--check', realRun('2zuxwf70')]);
		expect(result.exitCode).toBe(2);
		expect(result.stdout).toMatch(/^failed: /m);
		expect(result.stdout).toMatch(/traceback/i);
	});

	it('a finished run that logged NaN says so and exits 1', async () => {
		const result = await run(['--check', realRun('f230dm6e')]);
		expect(result.exitCode).toBe(1);
		expect(result.stdout).toMatch(/^nan: NaN\/Inf in /m);
	});

	it('a clean finished run: exit 0', async () => {
		const result = await run(['--check', realRun('h0sbxufh')]);
		expect(result.stdout).toMatch(/^ok: finished/m);
		expect(result.exitCode).toBe(0);
	});

	it('an unfinished run silent since 2024 is stale, not stalled nor running: exit 1, one line saying why', async () => {
		const result = await run(['--check', realRun('anlc1q2m')]);
		expect(result.exitCode).toBe(1);
		expect(result.stdout).toMatch(/^stale: no write for \d+d\d\dh; likely crashed \(written on another host\); last step 1767$/m);
		expect(result.stdout).not.toMatch(/^stall: /m);
		expect(result.stdout).not.toMatch(/running/);
	});
});

describe('wbtop --line', () => {
	it('prints one line with name, step and main metrics', async () => {
		const result = await run(['--line', '--no-gpu', realRun('h0sbxufh')]);
		expect(result.exitCode).toBe(0);
		const lines = result.stdout.trimEnd().split('\n');
		expect(lines).toHaveLength(1);
		expect(lines[0]).toMatch(/finished step \d+/);
		expect(lines[0]).toMatch(/loss/);
	});
});

describe('wbtop export', () => {
	it('CSV: a header of _step plus every metric, one line per history row', async () => {
		const result = await run(['export', realRun('h0sbxufh'), '--csv']);
		expect(result.exitCode).toBe(0);
		const [header, ...rows] = result.stdout.trimEnd().split('\n');
		expect(header.split(',')[0]).toBe('_step');
		expect(rows).toHaveLength(130);
		const json = JSON.parse((await run(['--once', '--json', '--no-gpu', realRun('h0sbxufh')])).stdout);
		for (const name of Object.keys(json.history.metrics)) expect(header.split(',')).toContain(name);
		for (const row of rows) expect(row.split(',').length).toBe(header.split(',').length);
	});

	it('JSONL: one parseable object per row', async () => {
		const result = await run(['export', realRun('jsr4s3y6'), '--jsonl']);
		expect(result.exitCode).toBe(0);
		const rows = result.stdout.trimEnd().split('\n').map(line => JSON.parse(line));
		expect(rows).toHaveLength(716);
		expect(rows[0]).toHaveProperty('_step');
	});
});

describe('following a wandb/ folder', () => {
	it('picks latest-run, else the newest run dir', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'wbtop-folder-'));
		const wandb = join(dir, 'wandb');
		mkdirSync(wandb);
		cpSync(realRun('h0sbxufh'), join(wandb, 'run-20240529_073551-h0sbxufh'), {recursive: true});
		cpSync(realRun('anlc1q2m'), join(wandb, 'run-20240528_042705-anlc1q2m'), {recursive: true});
		let doc = JSON.parse((await run(['--once', '--json', '--no-gpu', wandb])).stdout);
		expect(doc.run.id).toBe('h0sbxufh');
		symlinkSync('run-20240528_042705-anlc1q2m', join(wandb, 'latest-run'));
		doc = JSON.parse((await run(['--once', '--json', '--no-gpu', wandb])).stdout);
		expect(doc.run.id).toBe('anlc1q2m');
		doc = JSON.parse((await run(['--once', '--json', '--no-gpu', join(wandb, 'latest-run')])).stdout);
		expect(doc.run.id).toBe('anlc1q2m');
	});
});
