/**
 * The mouse's hit test and gestures on screen models of real runs at 120x40 and 80x24: every cell
 * of each chart as drawn (found from the drawn titles, not from the grid's arithmetic) selects
 * that chart; a click on the plot places the cursor at the x the axis labels give there; the wheel
 * zooms around the pointer's x and scrolls the console and summary; a click on a panel title
 * moves the focus there; a double click focuses the chart and another unfocuses it.
 */
import {describe, expect, it} from 'vitest';
import {initialUiState, type UiState} from '../../source/state/ui-state.js';
import {reduceMouse, type MouseGesture} from '../../source/state/mouse-ui.js';
import {visibleMetrics} from '../../source/state/selectors.js';
import type {Snapshot} from '../../source/state/snapshot.js';
import {hitTest} from '../../source/view/hit-test.js';
import {navigation, ScreenBuilder, type Screen} from '../../source/view/screen.js';
import {realRun} from '../helpers/fixtures.js';
import {snapshotOf} from '../helpers/snapshot.js';

const NER = realRun('SabhyaC26__ner_experiments__run-20211109_214345-31f67q0f');
const LONG_SUMMARY = realRun('run-20240219_153504-gkmcq7i0');
const NOW = Date.parse('2030-01-01T00:00:00Z');

function draw(snap: Snapshot, ui: UiState, columns: number, rows: number): {screen: Screen; text: string[]} {
	const screen = new ScreenBuilder().build({snap, ui, columns, rows, now: NOW, pulse: 0});
	return {screen, text: screen.lines.map(line => line.paint('plain'))};
}

/** A gesture at (x, y) on the screen `ui` draws: the hit test, then the mouse reducer. */
function gesture(snap: Snapshot, ui: UiState, columns: number, rows: number, kind: MouseGesture, x: number, y: number): UiState {
	const {screen} = draw(snap, ui, columns, rows);
	const target = hitTest(screen, ui, x, y);
	expect(target, `something at ${x},${y}`).not.toBeNull();
	return reduceMouse(ui, kind, target!, next => navigation({snap, ui: next, columns, rows, now: NOW, pulse: 0}));
}

type Drawn = {name: string; index: number; x: number; y: number; width: number; height: number};

/** Each chart's rectangle as drawn: its title's place, up to the next title right and below (else the metrics panel's edge). */
function drawnCharts(screen: Screen, text: readonly string[], names: readonly string[]): Drawn[] {
	const area = screen.panels.metrics!;
	const found: Array<{name: string; index: number; x: number; y: number}> = [];
	names.forEach((name, index) => {
		for (let y = area.y; y < area.y + area.height; y++) {
			const line = text[y];
			for (let x = line.indexOf(`${name}  `); x >= 0; x = line.indexOf(`${name}  `, x + 1)) {
				if (x === area.x || line[x - 1] === ' ') found.push({name, index, x, y});
			}
		}
	});
	const xs = [...new Set(found.map(f => f.x))].sort((a, b) => a - b);
	const ys = [...new Set(found.map(f => f.y))].sort((a, b) => a - b);
	const step = (values: number[], at: number, end: number) => {
		const i = values.indexOf(at);
		return i + 1 < values.length ? values[i + 1] - at : values.length > 1 ? values[1] - values[0] : end - at;
	};
	return found.map(f => ({...f, width: step(xs, f.x, area.x + area.width), height: step(ys, f.y, area.y + area.height)}));
}

describe.each([
	[120, 40],
	[80, 24],
])('the mouse at %ix%i on a real run (ner_experiments, 5 metrics)', (columns, rows) => {
	const snap = snapshotOf(NER);
	const names = visibleMetrics(snap.run, '').map(metric => metric.name);
	const start = initialUiState();
	const {screen, text} = draw(snap, start, columns, rows);
	const charts = drawnCharts(screen, text, names);

	it('each chart on the page is found where it is drawn', () => {
		expect(charts.length).toBe(screen.grid!.perPage < names.length ? screen.grid!.perPage : names.length);
		expect(new Set(charts.map(c => c.name)).size).toBe(charts.length);
	});

	it('a click on every cell of a chart as drawn selects that chart (its title then highlighted)', () => {
		for (const chart of charts) {
			for (let y = chart.y; y < chart.y + chart.height; y++) {
				for (let x = chart.x; x < chart.x + chart.width; x++) {
					const target = hitTest(screen, start, x, y);
					expect(target, `${chart.name} at ${x},${y}`).toMatchObject({kind: 'chart', index: chart.index});
				}
			}
			const ui = gesture(snap, start, columns, rows, 'click', chart.x + 1, chart.y);
			expect(ui.selected).toBe(chart.index);
			const title = draw(snap, ui, columns, rows).screen.lines[chart.y].spans.find(span => span.text.startsWith(`${chart.name}  `));
			expect(title?.style?.inverse, chart.name).toBe(true);
		}
	});

	it('a click on the plot places the cursor at the x its axis labels give there', () => {
		for (const chart of charts) {
			// The x-axis line is the chart's last; its first label starts at the plot's first column, its last ends at the last.
			const axis = text[chart.y + chart.height - 1].slice(chart.x, chart.x + chart.width);
			const labels = [...axis.matchAll(/\d[\d,.]*/g)];
			const first = Number(labels[0][0].replace(/,/g, ''));
			const last = Number(labels[labels.length - 1][0].replace(/,/g, ''));
			const left = chart.x + labels[0].index!;
			const right = chart.x + labels[labels.length - 1].index! + labels[labels.length - 1][0].length - 1;
			const column = (last - first) / (right - left + 1);
			const atLeft = gesture(snap, start, columns, rows, 'click', left, chart.y + 2);
			expect(atLeft.selected).toBe(chart.index);
			expect(atLeft.cursor!.x, chart.name).toBeGreaterThanOrEqual(first);
			expect(atLeft.cursor!.x, chart.name).toBeLessThanOrEqual(first + 1.01 * column);
			const atRight = gesture(snap, start, columns, rows, 'click', right, chart.y + 2);
			expect(atRight.cursor!.x, chart.name).toBeLessThanOrEqual(last);
			expect(atRight.cursor!.x, chart.name).toBeGreaterThanOrEqual(last - 1.01 * column);
			// The chart's title reads the cursor there.
			expect(draw(snap, atRight, columns, rows).text[chart.y]).toContain(`${chart.name}  @`);
		}
	});

	it('the wheel over a plot zooms in around the pointer (that x stays under it) and out again', () => {
		const chart = charts[charts.length - 1];
		const x = chart.x + Math.floor(chart.width / 3);
		const placed = gesture(snap, start, columns, rows, 'click', x, chart.y + 2);
		const before = placed.cursor!.x;
		const zoomed = gesture(snap, {...placed, cursor: null}, columns, rows, 'wheelUp', x, chart.y + 2);
		expect(zoomed.zoom).not.toBeNull();
		const drawn = navigation({snap, ui: placed, columns, rows, now: NOW, pulse: 0}).chart!;
		expect(zoomed.zoom!.x1 - zoomed.zoom!.x0).toBeCloseTo((drawn.x1 - drawn.x0) / 1.5, 6);
		// The same column now reads about the same x: within 3 columns of the zoomed range, since
		// the y labels are fitted to the zoomed points and can get a character or two wider or narrower.
		const again = gesture(snap, zoomed, columns, rows, 'click', x, chart.y + 2);
		const nav = navigation({snap, ui: again, columns, rows, now: NOW, pulse: 0}).chart!;
		expect(Math.abs(again.cursor!.x - before)).toBeLessThanOrEqual(((nav.x1 - nav.x0) / nav.columns) * 3);
		expect(draw(snap, zoomed, columns, rows).text.at(-1)).toMatch(/zoom \d/);
		// Out again: wider, then the whole run (no zoom); out with no zoom does nothing.
		let out = zoomed;
		for (let i = 0; i < 3 && out.zoom !== null; i++) out = gesture(snap, out, columns, rows, 'wheelDown', x, chart.y + 2);
		expect(out.zoom).toBeNull();
		expect(gesture(snap, out, columns, rows, 'wheelDown', x, chart.y + 2)).toBe(out);
	});

	it('a double click focuses the chart, another unfocuses it', () => {
		const chart = charts[1];
		const focused = gesture(snap, start, columns, rows, 'doubleClick', chart.x + 1, chart.y);
		expect(focused).toMatchObject({focused: true, selected: chart.index});
		const shown = draw(snap, focused, columns, rows).screen;
		expect(shown.grid!.perPage).toBe(1);
		const back = gesture(snap, focused, columns, rows, 'doubleClick', shown.grid!.area.x + 3, shown.grid!.area.y + 3);
		expect(back).toMatchObject({focused: false, selected: chart.index});
	});

	it('a click on the console or summary title moves the focus there; the wheel scrolls them', () => {
		for (const panel of ['console', 'summary'] as const) {
			const rect = screen.panels[panel]!;
			const ui = gesture(snap, start, columns, rows, 'click', rect.x + 2, rect.y);
			expect(ui.panel).toBe(panel);
			expect(draw(snap, ui, columns, rows).text.at(-1)).toContain(`[${panel}]`);
		}
		const consoleRect = screen.panels.console!;
		const up = gesture(snap, start, columns, rows, 'wheelUp', consoleRect.x + 5, consoleRect.y + 2);
		expect(up.consoleScroll).toBe(3);
		expect(draw(snap, up, columns, rows).text[consoleRect.y]).toContain('↑3');
		expect(gesture(snap, up, columns, rows, 'wheelDown', consoleRect.x + 5, consoleRect.y + 2).consoleScroll).toBe(0);
	});

	it('the wheel scrolls a summary longer than its panel (a run with 17 summary values)', () => {
		const long = snapshotOf(LONG_SUMMARY);
		const summaryRect = draw(long, start, columns, rows).screen.panels.summary!;
		const down = gesture(long, start, columns, rows, 'wheelDown', summaryRect.x + 3, summaryRect.y + 1);
		expect(down.summaryScroll).toBe(3);
		const title = (ui: UiState) => draw(long, ui, columns, rows).text[summaryRect.y].slice(summaryRect.x);
		expect(title(start)).toMatch(/Summary 1-\d+\/17/);
		expect(title(down)).toMatch(/Summary 4-\d+\/17/);
		expect(gesture(long, down, columns, rows, 'wheelUp', summaryRect.x + 3, summaryRect.y + 1).summaryScroll).toBe(0);
	});

	it('the header and footer do nothing', () => {
		expect(hitTest(screen, start, 3, 0)).toBeNull();
		expect(hitTest(screen, start, 3, screen.height - 1)).toBeNull();
	});
});
