import {describe, expect, it} from 'vitest';
import {loadRun} from '../../source/modes/load.js';
import {activeXAxis, summaryRows, visibleMetrics} from '../../source/state/selectors.js';
import {initialRunState, reduceRun, stepsPerSecond, xAxisCandidates, defaultXAxis} from '../../source/state/run-state.js';
import {runStatus} from '../../source/state/run-life.js';
import {realRun} from '../helpers/fixtures.js';

describe('run state from real runs', () => {
	it('offers _step, _runtime, _timestamp and a monotonic user key (epoch) as x-axes, and drops keys that decrease', () => {
		const {state} = loadRun(realRun('f230dm6e'));
		const axes = xAxisCandidates(state);
		expect(axes.slice(0, 3)).toEqual(['_step', '_runtime', '_timestamp']);
		expect(axes).toContain('epoch');
		// A metric that goes up and down is no x-axis.
		for (const name of state.metrics.keys()) {
			if (state.nonMonotonic.has(name)) expect(axes).not.toContain(name);
		}
		expect(state.nonMonotonic.size).toBeGreaterThan(0);
	});

	it('uses a define_metric glob step metric as the default x-axis (wandb-core 0.21, Lightning style)', () => {
		const {state} = loadRun(realRun('2owu8boc'));
		const stepMetrics = state.declarations.filter(d => d.stepMetric).map(d => d.stepMetric);
		expect(stepMetrics.length).toBeGreaterThan(0);
		expect(defaultXAxis(state)).toBe(stepMetrics[stepMetrics.length - 1]);
		expect(activeXAxis(state, {xAxis: null})).toBe(defaultXAxis(state));
		// The user's choice wins while it exists.
		expect(activeXAxis(state, {xAxis: '_runtime'})).toBe('_runtime');
	});

	it('records NaN/Inf history values per metric with the first step they appeared at', () => {
		const {state} = loadRun(realRun('f230dm6e'));
		expect(state.nonFinite.size).toBeGreaterThan(0);
		for (const [name, seen] of state.nonFinite) {
			expect(state.metrics.get(name)!.series.nonFinite).toBe(seen.count);
			expect(seen.firstStep).not.toBeNull();
		}
	});

	it('derives crashed, failed, finished, running and stale for every SDK generation', () => {
		const now = Date.now();
		expect(runStatus(loadRun(realRun('31f67q0f')).state, now)).toBe('crashed'); // exit 255, 0.12
		expect(runStatus(loadRun(realRun('2zuxwf70')).state, now)).toBe('failed'); // exit 1, 0.12
		expect(runStatus(loadRun(realRun('f230dm6e')).state, now)).toBe('finished');
		expect(runStatus(loadRun(realRun('jsr4s3y6')).state, now)).toBe('crashed'); // legacy: killed
		expect(runStatus(loadRun(realRun('29wa70cs')).state, now)).toBe('failed'); // legacy: failed
		// No exit record, written on another host in 2024: stale today, running a minute after its last record.
		const dead = loadRun(realRun('anlc1q2m')).state;
		expect(runStatus(dead, now)).toBe('stale');
		expect(runStatus(dead, (dead.lastRecordTime! + 60) * 1000)).toBe('running');
	});

	it('merges summary records with the latest history values in the summary table', () => {
		const {state} = loadRun(realRun('h0sbxufh'));
		const rows = summaryRows(state, '');
		for (const metric of state.metrics.values()) {
			const row = rows.find(r => r.key === metric.name);
			expect(row, metric.name).toBeDefined();
		}
		// `_` keys sort last.
		const firstUnderscore = rows.findIndex(row => row.key.startsWith('_'));
		if (firstUnderscore >= 0) expect(rows.slice(firstUnderscore).every(row => row.key.startsWith('_'))).toBe(true);
	});

	it('groups metrics by prefix and filters by substring or /regex/', () => {
		const {state} = loadRun(realRun('2aygi55c'));
		const names = visibleMetrics(state, '').map(m => m.name);
		const groups = names.map(name => (name.includes('/') ? name.split('/')[0] : ''));
		// Groups are contiguous.
		const seen = new Set<string>();
		for (let i = 0; i < groups.length; i++) {
			if (i > 0 && groups[i] !== groups[i - 1]) {
				expect(seen.has(groups[i])).toBe(false);
			}
			seen.add(groups[i]);
		}
		const lossy = visibleMetrics(state, 'loss').map(m => m.name);
		expect(lossy.length).toBeGreaterThan(0);
		expect(lossy.every(name => name.toLowerCase().includes('loss'))).toBe(true);
		const regex = visibleMetrics(state, '/^train/').map(m => m.name);
		expect(regex.every(name => name.startsWith('train'))).toBe(true);
	});
});

describe('run state reducer', () => {
	it('shares one row index between rows with the same step and counts every record', () => {
		const state = initialRunState();
		reduceRun(state, {type: 'history', step: 5, values: {_step: 5, 'train/loss': 1}}, 0);
		reduceRun(state, {type: 'history', step: 5, values: {_step: 5, 'val/loss': 2}}, 0);
		reduceRun(state, {type: 'history', step: 6, values: {_step: 6, 'train/loss': 0.5}}, 0);
		expect(state.rows).toBe(3);
		expect(state.lastRowIndex).toBe(1);
		expect(state.metrics.get('val/loss')!.series.lastRow).toBe(0);
		expect(state.metrics.get('train/loss')!.series.last).toBe(0.5);
	});

	it('computes steps/s over the last minute of row timestamps', () => {
		const state = initialRunState();
		for (let step = 0; step <= 200; step++) reduceRun(state, {type: 'history', step, values: {_step: step, _timestamp: 1000 + step / 2, x: step}}, 0);
		expect(stepsPerSecond(state)).toBeCloseTo(2, 5);
	});

	it('applies a step metric declared by glob to metrics seen before and after the declaration', () => {
		const state = initialRunState();
		reduceRun(state, {type: 'history', step: 0, values: {'val/acc': 1, epoch: 0}}, 0);
		reduceRun(state, {type: 'metric', name: null, glob: 'val/*', stepMetric: 'epoch', hidden: false, defined: false, goal: null}, 0);
		reduceRun(state, {type: 'history', step: 1, values: {'val/loss': 1, epoch: 1}}, 0);
		expect(state.metrics.get('val/acc')!.stepMetric).toBe('epoch');
		expect(state.metrics.get('val/loss')!.stepMetric).toBe('epoch');
		expect(state.metrics.get('epoch')!.stepMetric).toBeNull();
	});

	it('drops a hidden metric from the charts', () => {
		const state = initialRunState();
		reduceRun(state, {type: 'metric', name: 'secret', glob: null, stepMetric: null, hidden: true, defined: false, goal: null}, 0);
		reduceRun(state, {type: 'history', step: 0, values: {secret: 1, shown: 2}}, 0);
		expect(visibleMetrics(state, '').map(m => m.name)).toEqual(['shown']);
	});
});
