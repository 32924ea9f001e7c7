import React from 'react';
import {describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {stripVTControlCharacters} from 'node:util';
import {cpSync, mkdirSync, mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {App} from '../../source/ui/App.js';
import type {UiState} from '../../source/state/ui-state.js';
import type {SessionCommand, Snapshot} from '../../source/state/snapshot.js';
import {RunCatalog} from '../../source/modes/run-catalog.js';
import {realRun} from '../helpers/fixtures.js';
import {drawPlain, snapshotOf} from '../helpers/snapshot.js';

/** A wandb/ folder holding two real runs (a finished one and an unfinished one of the same project). */
function folder(): {wandb: string; finished: string; unfinished: string} {
	const wandb = join(mkdtempSync(join(tmpdir(), 'wbtop-runs-')), 'wandb');
	mkdirSync(wandb);
	const finished = join(wandb, 'run-20240529_073551-h0sbxufh');
	const unfinished = join(wandb, 'run-20240528_042705-anlc1q2m');
	cpSync(realRun('h0sbxufh'), finished, {recursive: true});
	cpSync(realRun('anlc1q2m'), unfinished, {recursive: true});
	return {wandb, finished, unfinished};
}

function snapWithRuns(): {snap: Snapshot; unfinished: string} {
	const {finished, unfinished, wandb} = folder();
	const catalog = new RunCatalog(wandb);
	catalog.refresh();
	const runs = catalog.entries().map(({listing, state}) => ({runDir: listing.runDir, id: listing.id, name: listing.name, mtime: listing.mtime, state}));
	return {snap: {...snapshotOf(finished), runs}, unfinished};
}

function draw(snap: Snapshot, ui: Partial<UiState>, columns = 120, rows = 40): string {
	return drawPlain(snap, columns, rows, ui).join('\n');
}

const frame = (app: {lastFrame(): string | undefined}) => stripVTControlCharacters(app.lastFrame() ?? '');

describe('runs of a wandb/ folder', () => {
	it('lists each run with display name, id, state and last step, newest first', () => {
		const {snap} = snapWithRuns();
		const text = draw(snap, {runsOpen: true});
		const lines = text.split('\n');
		const first = lines.findIndex(line => line.includes('h0sbxufh'));
		const second = lines.findIndex(line => line.includes('anlc1q2m'));
		expect(first).toBeGreaterThan(0);
		expect(second).toBeGreaterThan(first);
		expect(lines[first]).toMatch(/mini_test-0\s+h0sbxufh\s+finished\s+129/);
		// Copied just now (a fresh mtime), but its own records stop in May 2024 and it has no exit record: stale.
		expect(lines[second]).toMatch(/Log_accuracy01-0\s+anlc1q2m\s+stale\s+1767/);
		expect(lines[first]).toMatch(/^▶/); // the run on screen
	});

	it('overlays a metric across the selected runs in one chart with a legend', () => {
		const {snap, unfinished} = snapWithRuns();
		const text = draw(snap, {overlay: [unfinished]});
		expect(text).toMatch(/\(2 runs\)/);
		expect(text).toMatch(/● mini_test-0\s+▲ Log_accuracy01-0/);
	});

	it('r opens the list, o marks a run for the overlay, Enter asks to open the run under the cursor', async () => {
		const {snap, unfinished} = snapWithRuns();
		const commands: SessionCommand[] = [];
		const app = render(<App snapshot={() => snap} onCommand={command => commands.push(command)} paint="mono" size={{columns: 100, rows: 40}} tickMs={20} />);
		const tick = () => new Promise(resolve => setTimeout(resolve, 40));
		await tick();
		app.stdin.write('r');
		await tick();
		expect(frame(app)).toContain('Runs in');
		app.stdin.write('j'); // tmux-style burst handling is covered below; one key at a time here
		await tick();
		app.stdin.write('o');
		await tick();
		expect(frame(app)).toMatch(/^\+\s+Log_accuracy01-0/m);
		app.stdin.write('\r');
		await tick();
		expect(commands).toEqual([{type: 'openRun', runDir: unfinished}]);
		expect(frame(app)).toContain('(2 runs)');
		app.unmount();
	});

	it('several keys arriving in one chunk each count', async () => {
		const {snap} = snapWithRuns();
		const app = render(<App snapshot={() => snap} onCommand={() => {}} paint="mono" size={{columns: 100, rows: 40}} tickMs={20} />);
		await new Promise(resolve => setTimeout(resolve, 40));
		app.stdin.write('r\u001B[Bor');
		await new Promise(resolve => setTimeout(resolve, 60));
		expect(frame(app)).not.toContain('Runs in');
		expect(frame(app)).toContain('(2 runs)');
		app.unmount();
	});
});
