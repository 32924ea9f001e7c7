/**
 * The chart cursor on real runs: what it reads must be the run's own history value at that step
 * (the nearest logged point at or before it), raw and smoothed, and each overlaid run's, taken
 * here from the decoded log's events independently of the chart store. The keys move it column
 * by column over the chart as drawn, and every chart of the page shows the same x.
 */
import {describe, expect, it} from 'vitest';
import {readRunOnce} from '../../source/sources/run-reader.js';
import {initialUiState, reduceUi, type UiState} from '../../source/state/ui-state.js';
import {visibleMetrics} from '../../source/state/selectors.js';
import type {Snapshot} from '../../source/state/snapshot.js';
import {navigation, ScreenBuilder} from '../../source/view/screen.js';
import {formatNumber} from '../../source/view/format.js';
import {readCursor} from '../../source/view/cursor.js';
import {realRun} from '../helpers/fixtures.js';
import {LiveSession} from '../../source/modes/session.js';
import {locateRun} from '../../source/sources/locate.js';
import {snapshotOf} from '../helpers/snapshot.js';

const NER = realRun('SabhyaC26__ner_experiments__run-20211109_214345-31f67q0f');
const FINAL_A = realRun('TheDingodile__ML_final__run-20240528_042705-anlc1q2m');
const FINAL_B = realRun('TheDingodile__ML_final__run-20240529_073551-h0sbxufh');

/** (step, value) of every history row that logged `key`, in log order, from the decoder alone. */
function historyOf(runDir: string, key: string): Array<[number, number]> {
	const points: Array<[number, number]> = [];
	for (const event of readRunOnce(runDir).events) {
		if (event.type !== 'history') continue;
		const value = event.values[key];
		const step = typeof event.values._step === 'number' ? event.values._step : event.step;
		// A repeated step keeps its first value (the store refuses a second one for the same row).
		if (typeof value === 'number' && step !== null && (points.length === 0 || step > points[points.length - 1][0])) points.push([step, value]);
	}
	return points;
}

/** TensorBoard's debiased EMA up to and including point `index`, written out again here. */
function ema(values: readonly number[], index: number, weight: number): number {
	let last = 0;
	let n = 0;
	for (let i = 0; i <= index; i++) {
		if (!Number.isFinite(values[i])) continue;
		last = last * weight + (1 - weight) * values[i];
		n++;
	}
	return last / (1 - weight ** n);
}

function screen(snap: Snapshot, ui: Partial<UiState>, columns = 120, rows = 40) {
	const full = {...initialUiState(), ...ui};
	return {ui: full, screen: new ScreenBuilder().build({snap, ui: full, columns, rows, now: Date.now(), pulse: 0})};
}

function titleOf(lines: readonly string[], metric: string): string {
	// In a grid several charts share a screen line: from this chart's title on.
	const line = lines.find(text => text.includes(`${metric}  @`));
	expect(line, `a cursor title for ${metric}`).toBeDefined();
	return line!.slice(line!.indexOf(`${metric}  @`)).trim();
}

describe('the cursor reads the exact history value', () => {
	const snap = snapshotOf(NER);
	const metrics = visibleMetrics(snap.run, '');
	const selected = metrics.findIndex(metric => metric.name === 'train_loss');
	const history = historyOf(NER, 'train_loss');

	it('raw and smoothed, at logged steps and between them, on a real run', () => {
		expect(history.length).toBeGreaterThan(500);
		const values = history.map(([, value]) => value);
		for (const index of [0, 17, 250, 401, history.length - 1]) {
			const [step, value] = history[index];
			for (const smoothing of [0, 0.6, 0.99]) {
				const {screen: s} = screen(snap, {focused: true, selected, cursor: {axis: '_step', x: step}, smoothing});
				const title = titleOf(s.lines.map(line => line.text), 'train_loss');
				expect(title).toContain(`@${step.toLocaleString('en-US')}  ${formatNumber(value, 10)}`);
				const metric = metrics[selected];
				const reading = readCursor(metric.series, snap.run.axes.get('_step')!, step, [step, step + 1], smoothing);
				expect(reading.value).toBe(value);
				expect(reading.x).toBe(step);
				if (smoothing > 0) {
					const expected = ema(values, index, smoothing);
					expect(Math.abs(reading.smoothed! - expected) / Math.abs(expected)).toBeLessThan(1e-12);
					expect(title).toContain(`~${formatNumber(ema(values, index, smoothing), 10)}`);
				}
			}
		}
		// Between two logged steps: the point before (its own step shown next to the cursor's).
		const gap = history.findIndex(([step], i) => i > 0 && step - history[i - 1][0] > 1);
		expect(gap).toBeGreaterThan(0);
		const [before, value] = history[gap - 1];
		const {screen: s} = screen(snap, {focused: true, selected, cursor: {axis: '_step', x: before + 1}});
		expect(titleOf(s.lines.map(line => line.text), 'train_loss')).toContain(`@${(before + 1).toLocaleString('en-US')}  ${formatNumber(value, 10)} (x ${before.toLocaleString('en-US')})`);
	});

	it('every chart of the page shows the cursor at the same x', () => {
		const {screen: s} = screen(snap, {cursor: {axis: '_step', x: history[300][0]}});
		const text = s.lines.map(line => line.text);
		for (const metric of ['train_loss', 'val_loss']) {
			const points = historyOf(NER, metric);
			const at = [...points].reverse().find(([step]) => step <= history[300][0]);
			expect(titleOf(text, metric)).toContain(at ? formatNumber(at[1], 10) : '—');
		}
	});

	it('moves one column and ten columns of the chart as drawn', () => {
		let {ui} = screen(snap, {focused: true, selected});
		const nav = () => navigation({snap, ui, columns: 120, rows: 40, now: Date.now(), pulse: 0});
		const chart = nav().chart!;
		expect(chart.x0).toBe(history[0][0]);
		const dx = (chart.x1 - chart.x0) / chart.columns;
		ui = reduceUi(ui, 'cursor', nav());
		const start = ui.cursor!.x;
		ui = reduceUi(ui, 'cursorRight', nav());
		expect(ui.cursor!.x - start).toBeCloseTo(dx, 9);
		ui = reduceUi(ui, 'cursorLeftFar', nav());
		expect(start - ui.cursor!.x).toBeCloseTo(9 * dx, 9);
		for (let i = 0; i < 100; i++) ui = reduceUi(ui, 'cursorRightFar', nav());
		// Clamped to the last column: its middle.
		expect(ui.cursor!.x).toBeCloseTo(chart.x1 - dx / 2, 9);
		const before = [...history].reverse().find(([step]) => step <= ui.cursor!.x)!;
		const drawn = screen(snap, ui).screen.lines.map(line => line.text);
		expect(titleOf(drawn, 'train_loss')).toContain(`  ${formatNumber(before[1], 10)}`);
		// Esc leaves the focus first, then hides the cursor.
		ui = reduceUi(ui, 'escape', nav());
		expect(ui.focused).toBe(false);
		ui = reduceUi(ui, 'escape', nav());
		expect(ui.cursor).toBeNull();
	});
});

describe('overlaid runs', () => {
	it("each run's value at the cursor, in the legend", () => {
		const a = snapshotOf(FINAL_A);
		const b = snapshotOf(FINAL_B);
		const snap: Snapshot = {
			...a,
			runDir: FINAL_A,
			runs: [
				{runDir: FINAL_A, id: 'anlc1q2m', name: 'run-a', mtime: 0, state: a.run},
				{runDir: FINAL_B, id: 'h0sbxufh', name: 'run-b', mtime: 0, state: b.run},
			],
		};
		const metrics = visibleMetrics(a.run, '');
		const selected = metrics.findIndex(metric => metric.name === 'loss');
		const historyA = historyOf(FINAL_A, 'loss');
		const historyB = historyOf(FINAL_B, 'loss');
		// A step both runs logged loss at or before.
		const step = historyB[Math.floor(historyB.length / 2)][0];
		const at = (points: Array<[number, number]>) => [...points].reverse().find(([s]) => s <= step)![1];
		const {screen: s} = screen(snap, {focused: true, selected, overlay: [FINAL_B], cursor: {axis: '_step', x: step}});
		const text = s.lines.map(line => line.text);
		expect(titleOf(text, 'loss')).toContain(`@${step.toLocaleString('en-US')}`);
		const legend = text.find(line => line.includes('●') && line.includes('▲'))!;
		expect(legend).toContain(formatNumber(at(historyA), 10));
		expect(legend).toContain(formatNumber(at(historyB), 10));
		// In the legend's order: the watched run first.
		expect(legend.indexOf(formatNumber(at(historyA), 10))).toBeLessThan(legend.indexOf('▲'));
	});
});

describe('the live session', () => {
	it('reads a zoom the screen asks for from the log, and drops it on reset', async () => {
		const session = new LiveSession(locateRun(NER), {intervalMs: 1000, gpu: false, follow: false, poll: false});
		session.start();
		try {
			const deadline = Date.now() + 10_000;
			while (session.snapshot().run.reading?.caughtUp !== true && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20));
			const history = historyOf(NER, 'train_loss');
			const [x0, x1] = [history[100][0], history[140][0]];
			session.command({type: 'zoom', request: {axis: '_step', x0, x1, metrics: ['train_loss']}});
			while (!session.snapshot().zoom && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20));
			const zoom = session.snapshot().zoom!;
			expect(zoom.request).toMatchObject({x0, x1});
			// Every row of the range, and the values the log holds there.
			const inRange = history.filter(([step]) => step >= x0 && step <= x1);
			const series = zoom.metrics.get('train_loss')!;
			const b = series.buckets();
			const kept: Array<[number, number]> = [];
			for (let i = 0; i < b.length; i++) {
				const x = zoom.x.xAt(b.rowFirst[i])!;
				if (x >= x0 && x <= x1) kept.push([x, b.last[i]]);
			}
			expect(kept).toEqual(inRange);
			session.command({type: 'zoom', request: null});
			expect(session.snapshot().zoom ?? null).toBeNull();
		} finally {
			session.stop();
		}
	});
});
