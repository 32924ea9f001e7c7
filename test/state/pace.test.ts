/**
 * The run's speed now (the last minute of its own clock, or its last 10 rows) and over its life:
 * on runs whose speed changes, synthesised and real.
 */
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {initialRunState, reduceRun, type RunState} from '../../source/state/run-state.js';
import {counterRate, lifetimeRate, recentRate, runSpeed, PACE_MIN_ROWS, PACE_WINDOW_SECONDS} from '../../source/state/pace.js';
import {loadRun} from '../../source/modes/load.js';
import {speedText} from '../../source/view/progress-text.js';
import {realRun} from '../helpers/fixtures.js';
import {decodeEvents, historyOf, logFileOf} from '../helpers/run-files.js';

/** Rows at `stepsPerSecond` for `seconds`, one step a row, from the state's last row on. */
function run(state: RunState, stepsPerSecond: number, seconds: number, extra: (step: number) => Record<string, number> = () => ({})): void {
	const startStep = state.lastStep === null ? 0 : state.lastStep + 1;
	const startTime = state.lastRowTimestamp === null ? 1_700_000_000 : state.lastRowTimestamp + 1 / stepsPerSecond;
	const rows = Math.round(stepsPerSecond * seconds);
	for (let i = 0; i < rows; i++) {
		const step = startStep + i;
		reduceRun(state, {type: 'history', step, values: {_step: step, _timestamp: startTime + i / stepsPerSecond, loss: 1 / (step + 1), ...extra(step)}}, 0);
	}
}

describe('speed now', () => {
	it('follows a run that slows down and speeds up, while the life average lags behind', () => {
		const state = initialRunState();
		run(state, 2, 600);
		expect(recentRate(state)!.perSecond).toBeCloseTo(2, 6);
		run(state, 0.5, 120);
		// The last minute is all slow rows: the rate is the new pace, not the 10-minute one.
		expect(recentRate(state)!.perSecond).toBeCloseTo(0.5, 6);
		const life = lifetimeRate(state)!;
		expect(life.average).toBe(true);
		expect(life.perSecond).toBeCloseTo(state.lastStep! / (state.lastRowTimestamp! - 1_700_000_000), 6);
		expect(life.perSecond).toBeGreaterThan(1.5);
		expect(speedText(recentRate(state)!)).toBe('2 s/step');
		run(state, 20, 90);
		expect(recentRate(state)!.perSecond).toBeCloseTo(20, 6);
		expect(speedText(recentRate(state)!)).toBe('20 steps/s (50 ms/step)');
		expect(speedText(runSpeed(state, false)!)).toMatch(/^avg \d/);
	});

	it('a slow run gets its rate over its last 10 rows, not over the 1 or 2 of the last minute', () => {
		const state = initialRunState();
		run(state, 1 / 10, 600);
		run(state, 1 / 42, 42 * 20);
		const rate = recentRate(state)!;
		expect(rate.seconds).toBeCloseTo(42 * (PACE_MIN_ROWS - 1), 6);
		expect(rate.seconds).toBeGreaterThan(PACE_WINDOW_SECONDS);
		expect(speedText(rate)).toBe('42 s/step');
	});

	it('counts rows per second where the steps do not move', () => {
		const state = initialRunState();
		for (let i = 0; i < 100; i++) reduceRun(state, {type: 'history', step: null, values: {_timestamp: 1000 + i / 4, x: i}}, 0);
		const rate = recentRate(state)!;
		expect(rate.unit).toBe('rows');
		expect(rate.perSecond).toBeCloseTo(4, 6);
		expect(speedText(rate)).toBe('4 rows/s (0.25 s/row)');
	});

	it('does not depend on when wbtop read the rows (catching up on a log reads them all at once)', () => {
		const a = initialRunState();
		const b = initialRunState();
		for (let step = 0; step < 500; step++) {
			const event = {type: 'history' as const, step, values: {_step: step, _timestamp: 5000 + step * 0.3}};
			reduceRun(a, event, 0);
			reduceRun(b, event, 1e12 + step * 1000);
		}
		expect(recentRate(a)).toEqual(recentRate(b));
		expect(recentRate(a)!.perSecond).toBeCloseTo(1 / 0.3, 6);
	});

	it('a coarse counter (an epoch every 100 steps) gets the recent step rate times its growth per step', () => {
		const state = initialRunState();
		run(state, 4, 300, step => ({epoch: Math.floor(step / 100)}));
		run(state, 1, 120, step => ({epoch: Math.floor(step / 100)}));
		const epoch = state.axes.get('epoch')!;
		const perStep = (epoch.last! - epoch.first!) / (state.lastStep! - state.firstStep!);
		expect(counterRate(state, 'epoch')).toBeCloseTo(1 * perStep, 6);
		expect(counterRate(state, '_step')).toBeCloseTo(1, 6);
	});

	it('on a real run that sped up: the rate over its last minute, and the average over its life', () => {
		const dir = realRun('f230dm6e');
		const rows = historyOf(decodeEvents(readFileSync(logFileOf(dir))))
			.map(row => [row.values._timestamp, row.step] as const)
			.filter((pair): pair is readonly [number, number] => typeof pair[0] === 'number' && pair[1] !== null);
		// By hand: the rows of the last 60 s (at least 10).
		const [lastTime, lastStep] = rows[rows.length - 1];
		let first = rows.length - 1;
		while (first > 0 && (rows[first - 1][0] >= lastTime - 60 || rows.length - first < 10)) first--;
		const expected = (lastStep - rows[first][1]) / (lastTime - rows[first][0]);
		const lifeExpected = (lastStep - rows[0][1]) / (lastTime - rows[0][0]);

		const {state} = loadRun(dir);
		expect(recentRate(state)!.perSecond).toBeCloseTo(expected, 9);
		expect(lifetimeRate(state)!.perSecond).toBeCloseTo(lifeExpected, 9);
		// This run's first epoch was slow (03:44 in its console, the next ones ~00:03): the two differ.
		expect(recentRate(state)!.perSecond).toBeGreaterThan(2 * lifetimeRate(state)!.perSecond);
	});
});
