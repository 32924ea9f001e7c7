/**
 * The terminal is left as it was found, however wbtop ends: q, SIGTERM (`timeout 4 wbtop …`,
 * `kill`), SIGHUP (the SSH link drops); a killed --demo takes its temporary run with it; a
 * dashboard without a terminal on stdin says so and exits 2 (before, q could not quit it); and
 * TERM=dumb gets the plain text snapshot instead of cursor movement and colour.
 */
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {CLI, realRun} from '../helpers/fixtures.js';
import {hasTmux, startPane, type Pane} from '../helpers/tmux.js';

const maybe = hasTmux ? describe : describe.skip;
/** The pid of the process the pane's shell runs (wbtop), or null once it has exited. */
function childOf(pane: Pane): () => number | null {
	const shell = pane.tmux('display-message', '-p', '-t', pane.id(), '#{pane_pid}');
	return () => {
		try {
			return Number(execFileSync('ps', ['-o', 'pid=', '--ppid', shell], {encoding: 'utf8'}).trim().split('\n')[0]) || null;
		} catch {
			return null;
		}
	};
}

/** Start wbtop under a shell that reports its exit status, and wait for the dashboard. */
async function startDashboard(command: string, ready: (screen: string) => boolean): Promise<{pane: Pane; id: string; pid: number}> {
	const pane = startPane(`sh -c '${command}; echo "EXIT=$?"; sleep 30'`, 100, 30);
	await pane.waitFor(ready);
	const id = pane.id();
	const pid = childOf(pane)();
	if (pid === null) throw new Error('no wbtop process in the pane');
	return {pane, id, pid};
}

maybe('the terminal after wbtop', () => {
	it.each([
		['SIGTERM', 143],
		['SIGHUP', 129],
	] as const)('%s: back on the normal screen, cursor shown, exit %i', async (signal, code) => {
		const {pane, id, pid} = await startDashboard(`node ${CLI} --no-gpu ${realRun('f230dm6e')}`, s => s.includes('Summary'));
		try {
			expect(pane.tmux('display-message', '-p', '-t', id, '#{alternate_on}')).toBe('1');
			process.kill(pid, signal);
			const screen = await pane.waitFor(s => s.includes('EXIT='));
			expect(screen).toContain(`EXIT=${code}`);
			expect(pane.tmux('display-message', '-p', '-t', id, '#{alternate_on} #{cursor_flag}')).toBe('0 1');
			expect(screen).not.toContain('Summary');
		} finally {
			pane.kill();
		}
	}, 30_000);

	it('a --demo killed with SIGTERM removes its temporary run', async () => {
		const tmp = mkdtempSync(join(tmpdir(), 'wbtop-demo-kill-'));
		const {pane, pid} = await startDashboard(`TMPDIR=${tmp} node ${CLI} --demo --no-gpu`, s => s.includes('train/loss'));
		try {
			expect(readdirSync(tmp)).toHaveLength(1);
			process.kill(pid, 'SIGTERM');
			await pane.waitFor(s => s.includes('EXIT=143'));
			expect(readdirSync(tmp)).toEqual([]);
		} finally {
			pane.kill();
			rmSync(tmp, {recursive: true, force: true});
		}
	}, 30_000);

	it('no terminal on stdin: one line and exit 2, the screen untouched', async () => {
		const pane = startPane(`sh -c 'node ${CLI} --no-gpu ${realRun('f230dm6e')} < /dev/null; echo "EXIT=$?"; sleep 30'`, 100, 30);
		try {
			const screen = await pane.waitFor(s => s.includes('EXIT='));
			expect(screen).toContain('EXIT=2');
			expect(screen).toMatch(/wbtop: the live dashboard needs a terminal on stdin/);
			expect(pane.tmux('display-message', '-p', '-t', pane.id(), '#{alternate_on}')).toBe('0');
		} finally {
			pane.kill();
		}
	}, 30_000);

	it('TERM=dumb: the plain text snapshot, no escape sequences, no alternate screen', async () => {
		const raw = join(mkdtempSync(join(tmpdir(), 'wbtop-dumb-')), 'raw');
		const pane = startPane(`sh -c 'sleep 0.3; TERM=dumb node ${CLI} --no-gpu --height 20 ${realRun('f230dm6e')}; echo "EXIT=$?"; sleep 30'`, 100, 30);
		try {
			pane.tmux('pipe-pane', '-o', '-t', pane.id(), `cat >> ${raw}`);
			const screen = await pane.waitFor(s => s.includes('EXIT='));
			expect(screen).toContain('EXIT=0');
			expect(screen).toContain('step 1714');
			const bytes = execFileSync('cat', [raw]);
			// Only what the shell and tmux add (newlines, carriage returns): no ESC from wbtop.
			expect(bytes.includes(0x1b)).toBe(false);
		} finally {
			pane.kill();
		}
	}, 30_000);
});
