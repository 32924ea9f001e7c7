import React from 'react';
import {describe, expect, it} from 'vitest';
import {renderToString} from 'ink';
import {render} from 'ink-testing-library';
import {stripVTControlCharacters} from 'node:util';
import {cpSync, mkdirSync, mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Dashboard} from '../../source/ui/Dashboard.js';
import {App} from '../../source/ui/App.js';
import {initialUiState, type UiState} from '../../source/state/ui-state.js';
import {RunCatalog} from '../../source/modes/run-catalog.js';
import {realRun} from '../helpers/fixtures.js';
import {snapshotOf} from '../helpers/snapshot.js';
import type {LiveSnapshot} from '../../source/modes/session.js';

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

function snapWithRuns(): {snap: LiveSnapshot; unfinished: string} {
	const {wandb, finished, unfinished} = folder();
	const catalog = new RunCatalog(wandb);
	catalog.refresh();
	const snap = {...snapshotOf(finished), runs: catalog.entries()};
	snap.location = {...snap.location, followDir: wandb};
	return {snap, unfinished};
}

function draw(snap: LiveSnapshot, ui: Partial<UiState>, columns = 120, rows = 40): string {
	return stripVTControlCharacters(renderToString(<Dashboard snap={snap} ui={{...initialUiState(), ...ui}} columns={columns} rows={rows} color={false} now={Date.now()} pulse={0} />, {columns}));
}

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
		expect(lines[second]).toMatch(/Log_accuracy01-0\s+anlc1q2m\s+running\s+1767/);
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
		const opened: string[] = [];
		const app = render(<App snapshot={() => snap} onBack={() => {}} onOpenRun={dir => opened.push(dir)} color={false} size={{columns: 120, rows: 40}} tickMs={20} />);
		const tick = () => new Promise(resolve => setTimeout(resolve, 40));
		await tick();
		app.stdin.write('r');
		await tick();
		expect(app.lastFrame()).toContain('Runs in');
		app.stdin.write('j'); // tmux-style burst handling is covered below; one key at a time here
		await tick();
		app.stdin.write('o');
		await tick();
		expect(app.lastFrame()).toMatch(/^\+\s+Log_accuracy01-0/m);
		app.stdin.write('\r');
		await tick();
		expect(opened).toEqual([unfinished]);
		expect(app.lastFrame()).toContain('(2 runs)');
		app.unmount();
	});

	it('several keys arriving in one chunk each count', async () => {
		const {snap} = snapWithRuns();
		const app = render(<App snapshot={() => snap} onBack={() => {}} color={false} size={{columns: 120, rows: 40}} tickMs={20} />);
		await new Promise(resolve => setTimeout(resolve, 40));
		app.stdin.write('r\u001B[Bor');
		await new Promise(resolve => setTimeout(resolve, 60));
		expect(app.lastFrame()).not.toContain('Runs in');
		expect(app.lastFrame()).toContain('(2 runs)');
		app.unmount();
	});
});
