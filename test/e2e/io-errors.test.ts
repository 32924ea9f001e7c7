/**
 * I/O failures are one line naming the file and the reason, with the documented exit code, never
 * a stack trace: a log wbtop may not read (every script mode: exit 2; `--check` prints
 * `unreadable: …`), a run dir it may not list, a reader that closes the pipe early (quiet), and a
 * full disk (exit 2).
 */
import {spawnSync} from 'node:child_process';
import {chmodSync, cpSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CLI, ROOT, realRun} from '../helpers/fixtures.js';

/** A shell command's exit status, stdout and stderr (so pipes and redirections are real). */
function sh(command: string, user?: string) {
	const argv = user ? ['su', user, '-s', '/bin/sh', '-c', command] : ['sh', '-c', command];
	const result = spawnSync(argv[0], argv.slice(1), {cwd: ROOT, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}, timeout: 20_000});
	return {status: result.status, stdout: result.stdout, stderr: result.stderr};
}

describe('output errors', () => {
	it('export | head -1: the closed pipe ends it quietly', () => {
		const result = sh(`node ${CLI} export ${realRun('f230dm6e')} | head -1; echo "status=\${PIPESTATUS:-0}"`);
		expect(result.stdout.split('\n')[0]).toMatch(/^_step,/);
		expect(result.stderr).toBe('');
	});

	it.each([['export'], ['export --jsonl'], ['--once --json --no-gpu'], ['--once --no-gpu'], ['--check']])('%s > /dev/full: one line, exit 2', args => {
		const result = sh(`node ${CLI} ${args} ${realRun('f230dm6e')} > /dev/full`);
		expect(result.status).toBe(2);
		expect(result.stderr.trim()).toBe('wbtop: cannot write the output: no space left on device (ENOSPC)');
	});
});

// Permissions do not stop root: the unreadable cases run as `nobody` (skipped where that fails).
const asNobody = process.getuid?.() === 0 && sh('true', 'nobody').status === 0;
const unreadable = asNobody ? describe : describe.skip;

unreadable('a log or run dir wbtop may not read', () => {
	let tmp: string;
	let runDir: string;
	beforeAll(() => {
		tmp = mkdtempSync(join(tmpdir(), 'wbtop-eacces-'));
		chmodSync(tmp, 0o755);
		runDir = join(tmp, 'run-20251222_161624-f230dm6e');
		cpSync(realRun('f230dm6e'), runDir, {recursive: true});
		sh(`chmod -R a+rX ${tmp}`);
		chmodSync(join(runDir, 'run-f230dm6e.wandb'), 0o000);
	});
	afterAll(() => rmSync(tmp, {recursive: true, force: true}));

	it.each([['--once --no-gpu'], ['--once --json --no-gpu'], ['export'], ['export --jsonl'], ['--line --no-gpu']])('%s: one line naming the log, exit 2', args => {
		const result = sh(`node ${CLI} ${args} ${runDir}`, 'nobody');
		expect(result.status, result.stdout).toBe(2);
		expect(result.stdout).toBe('');
		expect(result.stderr.trim()).toMatch(/^wbtop: \S*run-f230dm6e\.wandb.*(permission denied|EACCES)/);
		expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
	});

	it('--check: "unreadable:" naming the log, exit 2', () => {
		const result = sh(`node ${CLI} --check ${runDir}`, 'nobody');
		expect(result.status).toBe(2);
		expect(result.stdout.trim()).toMatch(/^unreadable: \S*run-f230dm6e\.wandb.*(permission denied|EACCES)/);
	});

	it('a run dir it may not list: exit 2 for --check, never "ok: running"', () => {
		chmodSync(runDir, 0o311);
		try {
			const result = sh(`node ${CLI} --check ${runDir}`, 'nobody');
			expect(result.status).toBe(2);
			expect(`${result.stdout}${result.stderr}`).toMatch(/permission denied/);
			expect(result.stdout).not.toContain('ok:');
		} finally {
			chmodSync(runDir, 0o755);
		}
	});
});
