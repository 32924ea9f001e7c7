/**
 * Hostile things where a run's files belong: FIFOs (a blocking open would hang wbtop for good,
 * q and Ctrl-C included), symlinks to /dev/zero and /dev/urandom (a plain read grew to 8-17 GB of
 * RSS), huge sparse files. The built CLI must finish quickly in every one-shot mode, with the
 * rest of the run shown, memory small, and the run log's refusal named. Runs are copies in a
 * temp dir; fixtures are never touched. Needs `npm run build`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadRun} from '../../source/modes/load.js';
import {CLI} from '../helpers/fixtures.js';
import {copyRun, hasDevZero, hasMkfifo, linkTo, makeFifo, runCli, type CliRun} from '../helpers/hostile-files.js';
import {hasTmux, startPane} from '../helpers/tmux.js';

/** What "finished quickly" means here (a hang is killed at 10 s). */
const QUICK_MS = 6000;
/** Peak RSS allowed, KiB: node + the run, far from the GBs a device read took. */
const MAX_RSS_KB = 300 * 1024;

const built = fs.existsSync(CLI);
const maybeFifo = hasMkfifo && built ? describe : describe.skip;
const maybeDevice = hasDevZero && built ? describe : describe.skip;

type Mode = 'once' | 'check' | 'json';
const ARGS: Record<Mode, string[]> = {once: ['--once', '--no-gpu', '--width', '120', '--height', '40'], check: ['--check'], json: ['--once', '--json', '--no-gpu']};

async function runMode(mode: Mode, runDir: string): Promise<CliRun> {
	const result = await runCli([...ARGS[mode], runDir], 10_000);
	expect(result.timedOut, `${mode} hung`).toBe(false);
	expect(result.ms).toBeLessThan(QUICK_MS);
	if (result.maxRssKb !== null) expect(result.maxRssKb).toBeLessThan(MAX_RSS_KB);
	return result;
}

/** The run is still shown: its rows (json), its state line (check), its metrics (once). */
function expectRunShown(mode: Mode, result: CliRun, rows: number, metric: string): void {
	if (mode === 'json') {
		const doc = JSON.parse(result.stdout) as {history: {rows: number}};
		expect(doc.history.rows).toBe(rows);
	} else if (mode === 'check') {
		expect(result.stdout).not.toMatch(/^unreadable/m);
		expect(result.stdout.trim().length).toBeGreaterThan(0);
	} else {
		expect(result.stdout).toContain(metric);
	}
}

/**
 * Hostile side files: [fixture, file (relative to the run dir), whether the run's state records
 * the refusal]. Binary runs read their console from output.log only without console records
 * (dz01opvs has none), config.yaml only for an SDK version the log lacks, wandb-metadata.json
 * for the overview's environment, and never wandb-summary.json; logs/debug.log only gives the PID
 * (none then).
 */
const SIDE_FILES: Array<[string, string, boolean]> = [
	['dz01opvs', 'files/output.log', true],
	['dz01opvs', 'files/config.yaml', false],
	['f230dm6e', 'logs/debug.log', false],
	['f230dm6e', 'files/config.yaml', false],
	['f230dm6e', 'files/wandb-summary.json', false],
	['f230dm6e', 'files/wandb-metadata.json', true],
	['f230dm6e', 'files/output.log', false],
	['jsr4s3y6', 'config.yaml', true],
	['jsr4s3y6', 'output.log', true],
	['jsr4s3y6', 'wandb-summary.json', true],
	['jsr4s3y6', 'wandb-metadata.json', true],
];

maybeFifo('FIFOs as side files', () => {
	it.each(SIDE_FILES)('%s: %s as a FIFO: --once, --check and --once --json finish, the run shown', async (id, file, reported) => {
		const run = copyRun(id);
		try {
			const before = loadRun(run.runDir).state;
			const metric = [...before.metrics.keys()][0] ?? '';
			makeFifo(path.join(run.runDir, file));
			for (const mode of ['once', 'check', 'json'] as const) expectRunShown(mode, await runMode(mode, run.runDir), before.rows, metric.slice(0, 10));
			const problems = loadRun(run.runDir).state.fileProblems;
			if (reported) expect(problems.get(file)).toBe(`${file} is not a regular file (a FIFO): not read`);
			else expect(problems.size).toBe(0);
		} finally {
			run.cleanup();
		}
	}, 40_000);

	it('a FIFO as the .wandb log: every mode stops at once with one line naming it, exit 2', async () => {
		const run = copyRun('f230dm6e');
		try {
			const name = fs.readdirSync(run.runDir).find(n => n.endsWith('.wandb'))!;
			makeFifo(path.join(run.runDir, name));
			const message = `${run.runDir}/${name} is not a regular file (a FIFO)`;
			const check = await runMode('check', run.runDir);
			expect(check.stdout).toContain(`unreadable: ${message}`);
			expect(check.code).toBe(2);
			for (const mode of ['json', 'once'] as const) {
				const result = await runMode(mode, run.runDir);
				expect(result.code, mode).toBe(2);
				expect(result.stdout, mode).toBe('');
				expect(result.stderr.trim(), mode).toBe(`wbtop: ${message}: not read`);
			}
		} finally {
			run.cleanup();
		}
	}, 40_000);

	it('a FIFO as the legacy wandb-history.jsonl: every mode stops at once with one line naming it, exit 2', async () => {
		const run = copyRun('jsr4s3y6');
		try {
			makeFifo(path.join(run.runDir, 'wandb-history.jsonl'));
			const check = await runMode('check', run.runDir);
			expect(check.stdout).toContain(`unreadable: ${run.runDir}/wandb-history.jsonl is not a regular file (a FIFO)`);
			expect(check.code).toBe(2);
			const json = await runMode('json', run.runDir);
			expect(json.code).toBe(2);
			expect(json.stderr).toContain('wandb-history.jsonl is not a regular file (a FIFO)');
		} finally {
			run.cleanup();
		}
	}, 40_000);
});

maybeDevice('symlinks to /dev/zero and /dev/urandom', () => {
	for (const device of ['/dev/zero', '/dev/urandom']) {
		for (const [id, file] of [
			['dz01opvs', 'files/output.log'],
			['jsr4s3y6', 'output.log'],
			['jsr4s3y6', 'config.yaml'],
			['f230dm6e', 'files/config.yaml'],
		] as const) {
			it(`${id}: ${file} -> ${device}: quick, small, the run shown`, async () => {
				const run = copyRun(id);
				try {
					const rows = loadRun(run.runDir).state.rows;
					linkTo(path.join(run.runDir, file), device);
					for (const mode of ['once', 'check', 'json'] as const) expectRunShown(mode, await runMode(mode, run.runDir), rows, '');
					// Binary runs with console records and an SDK version in the log read neither file.
					const problems = loadRun(run.runDir).state.fileProblems;
					if (id !== 'f230dm6e') expect(problems.get(file)).toBe(`${file} is not a regular file (a character device): not read`);
				} finally {
					run.cleanup();
				}
			}, 40_000);
		}
	}
});

const maybeBuilt = built ? describe : describe.skip;

maybeBuilt('huge files', () => {
	it('a 1 GB output.log (sparse, real lines at its end): --once shows its last lines, quickly and small', async () => {
		const run = copyRun('dz01opvs');
		try {
			const log = path.join(run.runDir, 'files', 'output.log');
			fs.writeFileSync(log, '');
			fs.truncateSync(log, 1024 ** 3);
			fs.appendFileSync(log, '\nEpoch 41 done\nthe very last line\n');
			const once = await runMode('once', run.runDir);
			expect(once.stdout).toContain('the very last line');
			expect(once.stdout).not.toContain('no console output yet');
			const json = JSON.parse((await runMode('json', run.runDir)).stdout) as {console: {source: string; lines: number}};
			expect(json.console.source).toBe('files/output.log');
		} finally {
			run.cleanup();
		}
	}, 40_000);

	it('a 17 MiB legacy config.yaml (sparse) is not parsed; the run is shown', async () => {
		const run = copyRun('jsr4s3y6');
		try {
			const config = path.join(run.runDir, 'config.yaml');
			fs.truncateSync(config, 17 * 1024 * 1024);
			const rows = loadRun(run.runDir).state.rows;
			expect(loadRun(run.runDir).state.fileProblems.get('config.yaml')).toBe('config.yaml is larger than 16 MiB: not read');
			for (const mode of ['once', 'check', 'json'] as const) expectRunShown(mode, await runMode(mode, run.runDir), rows, '');
		} finally {
			run.cleanup();
		}
	}, 40_000);
});

const maybeLive = hasMkfifo && hasTmux && built ? describe : describe.skip;

maybeLive('the live dashboard with FIFOs in the run dir (tmux)', () => {
	it.each([
		['jsr4s3y6', ['output.log', 'config.yaml', 'wandb-summary.json']],
		['dz01opvs', ['files/output.log', 'logs/debug.log', 'files/config.yaml']],
	])('%s: it draws, and q quits at once', async (id, files) => {
		const run = copyRun(id);
		for (const file of files) makeFifo(path.join(run.runDir, file));
		const pane = startPane(`${process.execPath} ${CLI} --no-gpu ${run.runDir}`, 100, 30);
		try {
			await pane.waitFor(screen => screen.split('\n').filter(line => line.trim() !== '').length > 5, 10_000);
			await new Promise(resolve => setTimeout(resolve, 2500)); // past an output.log poll
			pane.keys('q');
			const end = Date.now() + 3000;
			while (pane.alive() && Date.now() < end) await new Promise(resolve => setTimeout(resolve, 100));
			expect(pane.alive()).toBe(false);
		} finally {
			pane.kill();
			run.cleanup();
		}
	}, 30_000);
});
