// The real binary in a real terminal (tmux), at the sizes our users run it.
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {CLI, realRun} from '../helpers/fixtures.js';
import {LiveRun} from '../helpers/live-run.js';
import {hasTmux, startPane} from '../helpers/tmux.js';

const maybe = hasTmux ? describe : describe.skip;

function checkFits(screen: string, columns: number, rows: number) {
	const lines = screen.split('\n');
	expect(lines.length).toBeLessThanOrEqual(rows + 1);
	for (const line of lines) expect([...line].length).toBeLessThanOrEqual(columns);
}

maybe('wbtop in tmux', () => {
	it('the demo at 120x40: charts move live, x switches the axis, q quits and restores the screen', async () => {
		const pane = startPane(`node ${CLI} --demo --no-gpu`, 120, 40);
		try {
			const first = await pane.waitFor(screen => screen.includes('x: _step') && screen.includes('train/loss'));
			checkFits(first, 120, 40);
			const step = Number(/step (\d+)/.exec(first)![1]);
			const later = await pane.waitFor(screen => Number(/step (\d+)/.exec(screen)?.[1] ?? 0) > step);
			expect(later).toMatch(/┤/);
			expect(later).toContain('Console');
			expect(later).toContain('Summary');
			pane.keys('x');
			await pane.waitFor(screen => screen.includes('x: _runtime'));
			pane.keys('q');
			await pane.waitFor(() => !pane.alive(), 5000);
			// Back on the normal screen: no dashboard left behind.
			expect(pane.screen()).not.toContain('x: _runtime');
		} finally {
			pane.kill();
		}
	}, 30_000);

	it('at 60x15 the compact view is never garbled', async () => {
		const pane = startPane(`node ${CLI} --no-gpu ${realRun('f230dm6e')}`, 60, 15);
		try {
			const screen = await pane.waitFor(s => s.includes('step 1714'));
			checkFits(screen, 60, 15);
			expect(screen).toContain('finished');
			expect(screen.split('\n').filter(line => /[▁▂▃▄▅▆▇█]/.test(line)).length).toBeGreaterThanOrEqual(5);
			pane.keys('q');
			await pane.waitFor(() => !pane.alive(), 5000);
		} finally {
			pane.kill();
		}
	}, 30_000);

	it('at 80x24 every panel is visible', async () => {
		const pane = startPane(`node ${CLI} --no-gpu ${realRun('h0sbxufh')}`, 80, 24);
		try {
			const screen = await pane.waitFor(s => s.includes('Summary'));
			checkFits(screen, 80, 24);
			for (const text of ['finished', 'x: _step', 'Console', 'Summary', 'Recorded by W&B', 'GPU']) expect(screen).toContain(text);
			expect(screen).toMatch(/┤/);
			pane.keys('C-c');
			await pane.waitFor(() => !pane.alive(), 5000);
		} finally {
			pane.kill();
		}
	}, 30_000);

	it('re-flows on resize: full view, compact view, and back', async () => {
		const pane = startPane(`node ${CLI} --no-gpu ${realRun('f230dm6e')}`, 120, 40);
		try {
			await pane.waitFor(s => s.includes('Summary'));
			pane.resize(60, 15);
			const small = await pane.waitFor(s => !s.includes('Summary') && s.includes('step 1714'));
			checkFits(small, 60, 15);
			pane.resize(100, 30);
			const big = await pane.waitFor(s => s.includes('Summary'));
			checkFits(big, 100, 30);
			pane.keys('q');
			await pane.waitFor(() => !pane.alive(), 5000);
		} finally {
			pane.kill();
		}
	}, 30_000);

	it('p pauses: rows appended meanwhile leave the screen unchanged; p again shows them', async () => {
		const root = mkdtempSync(join(tmpdir(), 'wbtop-pause-'));
		const run = new LiveRun(root, 6);
		run.rows(200);
		const pane = startPane(`node ${CLI} --no-gpu ${run.runDir}`, 120, 40);
		try {
			await pane.waitFor(s => s.includes('step 199'));
			pane.keys('p');
			const paused = await pane.waitFor(s => s.includes('PAUSED'));
			run.rows(30);
			await new Promise(resolve => setTimeout(resolve, 1500));
			// Keys still work on the held view, and it stays the held view.
			pane.keys('x');
			await pane.waitFor(s => s.includes('x: _runtime'));
			pane.keys('x', 'x');
			const still = await pane.waitFor(s => s.includes('x: _step'));
			expect(still).toBe(paused);
			pane.keys('p');
			const resumed = await pane.waitFor(s => s.includes('step 229'));
			expect(resumed).toContain('resumed: 30 new rows arrived while paused');
			expect(resumed).not.toContain('PAUSED');
			pane.keys('q');
			await pane.waitFor(() => !pane.alive(), 5000);
		} finally {
			pane.kill();
			rmSync(root, {recursive: true, force: true});
		}
	}, 30_000);
});
