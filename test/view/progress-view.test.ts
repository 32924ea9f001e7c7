/**
 * Where speed and progress show: the header, the compact view, `--line` and `--once --json`.
 */
import {describe, expect, it} from 'vitest';
import {initialRunState, reduceRun, type RunState} from '../../source/state/run-state.js';
import {initialHostState} from '../../source/state/host-state.js';
import {runProgress} from '../../source/state/progress.js';
import {lifetimeRate} from '../../source/state/pace.js';
import {loadRun} from '../../source/modes/load.js';
import {runReport} from '../../source/modes/report.js';
import {statusLine} from '../../source/modes/line.js';
import {onceSnapshot} from '../../source/modes/once.js';
import {progressShort, progressText, speedText} from '../../source/view/progress-text.js';
import type {Snapshot} from '../../source/state/snapshot.js';
import {realRun} from '../helpers/fixtures.js';
import {screenOf, snapshotOf} from '../helpers/snapshot.js';

const T0 = 1_700_000_000;

/** A live run: max_steps 2000 in its config, 600 rows at 4 steps/s then 240 at 2 steps/s. */
function liveRun(): RunState {
	const state = initialRunState();
	reduceRun(state, {type: 'config', update: {max_steps: 2000}, remove: []}, 0);
	let time = T0;
	let step = 0;
	for (const [rows, perSecond] of [
		[600, 4],
		[240, 2],
	]) {
		for (let i = 0; i < rows; i++, step++, time += 1 / perSecond) reduceRun(state, {type: 'history', step, values: {_step: step, _timestamp: time, loss: 1 / (step + 1)}}, time * 1000);
	}
	return state;
}

function snapshotFor(state: RunState): Snapshot {
	const location = {runDir: '/nonexistent/run-live', logFile: null, format: 'binary' as const, followDir: null};
	return {...onceSnapshot({location, state, error: null}, initialHostState()), version: 1};
}

describe('progress and speed on screen', () => {
	it('a live run: `step 839 / 2,000 (41 %) ETA ...` and the recent speed with the time per step', () => {
		const state = liveRun();
		const now = (state.lastRowTimestamp! + 1) * 1000;
		const progress = runProgress(state, true)!;
		expect(progress.etaSeconds).toBeCloseTo((2000 - 839) / 2, 6);
		const header = screenOf(snapshotFor(state), 160, 40, {}, now).lines[0].text;
		expect(header).toContain(`step 839 / 2,000 (41 %) ETA 9m 41s`);
		expect(header).toContain('2 steps/s (0.5 s/step)');
		expect(header).not.toContain('avg');
		// A small pane: the short form next to the step.
		const compact = screenOf(snapshotFor(state), 70, 15, {}, now).lines[0].text;
		expect(compact).toContain(`step 839 ${progressShort(progress)}`);
		expect(progressShort(progress)).toBe('41% ETA 9m41s');
	});

	it('paused: PAUSED shows even where progress and speed fill the line (80 and 120 columns)', () => {
		const state = liveRun();
		const now = (state.lastRowTimestamp! + 1) * 1000;
		for (const width of [80, 120]) {
			const header = screenOf({...snapshotFor(state), paused: {since: now}}, width, 40, {}, now).lines[0].text;
			expect(header, `${width} columns`).toContain('PAUSED (p: resume)');
		}
	});

	it("the speed is in the trainer's steps when the progress counts them (Hugging Face logs a row every 10 steps here)", () => {
		const state = initialRunState();
		reduceRun(state, {type: 'config', update: {max_steps: 5000}, remove: []}, 0);
		for (let step = 0; step < 300; step++) {
			const time = T0 + step;
			reduceRun(state, {type: 'history', step, values: {_step: step, _timestamp: time, 'train/global_step': step * 10}}, time * 1000);
		}
		const header = screenOf(snapshotFor(state), 160, 40, {}, (T0 + 300) * 1000).lines[0].text;
		expect(header).toContain('step 2,990 / 5,000 (59 %) ETA 3m 21s');
		expect(header).toContain('10 steps/s (0.1 s/step)');
	});

	it('a crashed real run: its progress without an ETA, and the average speed over its life, labelled', () => {
		const dir = realRun('31f67q0f');
		const snap = snapshotOf(dir);
		const progress = runProgress(snap.run, false)!;
		expect(progress.etaSeconds).toBeNull();
		const header = screenOf(snap, 160, 40).lines[0].text;
		expect(header).toContain(progressText(progress));
		expect(header).toContain(speedText(lifetimeRate(snap.run)!));
		expect(speedText(lifetimeRate(snap.run)!)).toMatch(/^avg /);
		expect(header).not.toContain('ETA');
	});

	it('--once --json has a top-level progress, null where the run says nothing of its total', () => {
		const {state, location} = loadRun(realRun('2owu8boc'));
		const progress = runProgress(state, false)!;
		const report = runReport(state, location, null);
		expect(report.progress).toEqual({current: progress.current, total: progress.total, fraction: progress.fraction, etaSeconds: null, source: progress.source, unit: 'step'});
		expect(JSON.parse(JSON.stringify(report)).progress.source).toBe('config:train.max_epochs+console:tqdm');

		const none = loadRun(realRun('anlc1q2m'));
		expect(runReport(none.state, none.location, null).progress).toBeNull();
	});

	it('--line: `14% ETA 2d3h` after the step', () => {
		const state = liveRun();
		const line = statusLine(state, null, [], (state.lastRowTimestamp! + 1) * 1000);
		expect(line).toContain(`step 839 ${progressShort(runProgress(state, true)!)} `);
		const none = loadRun(realRun('anlc1q2m'));
		expect(statusLine(none.state, null, [])).not.toMatch(/\d%/);
	});
});
