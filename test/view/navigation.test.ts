/**
 * Arrow keys move over the chart grid that is drawn. For every chart at several pane sizes and
 * metric counts, each arrow key must select the chart drawn in that direction on screen (found
 * by its title in the painted text), or go to the next / previous page at the grid's edge, or
 * stay when there is nothing that way. The positions come from the screen text, not from the
 * grid arithmetic the keys use, so a grid drawn one way and navigated another fails here.
 */
import {describe, expect, it} from 'vitest';
import {initialHostState} from '../../source/state/host-state.js';
import {initialRunState, reduceRun, type RunState} from '../../source/state/run-state.js';
import type {Snapshot} from '../../source/state/snapshot.js';
import {initialUiState, reduceUi, type UiState} from '../../source/state/ui-state.js';
import {navigation, ScreenBuilder} from '../../source/view/screen.js';

const name = (i: number) => `m${String(i).padStart(2, '0')}`;

function runWith(metrics: number): RunState {
	const run = initialRunState();
	for (let step = 0; step < 50; step++) {
		const values: Record<string, number> = {_step: step};
		for (let m = 0; m < metrics; m++) values[name(m)] = Math.sin(step / 5 + m) + m;
		reduceRun(run, {type: 'history', step, values}, 0);
	}
	return run;
}

function snapOf(run: RunState): Snapshot {
	return {version: 1, run, host: initialHostState(), runDir: '/tmp/run', notice: null, runError: null, runGone: false, alerts: [], runs: null, paused: null};
}

type Drawn = {page: number; row: number; column: number};

/**
 * Where a chart is drawn: its title's line and column inside the metrics panel (the summary
 * table names metrics too), and the page the footer names.
 */
function drawnAt(snap: Snapshot, ui: UiState, columns: number, rows: number, index: number): Drawn {
	const screen = new ScreenBuilder().build({snap, ui, columns, rows, now: 0, pulse: 0});
	const lines = screen.lines.map(line => line.paint('plain'));
	const area = screen.panels.metrics!;
	const title = new RegExp(`(^|\\s)${name(index)}(\\s|$)`);
	let found: {row: number; column: number} | null = null;
	for (const [row, full] of lines.entries()) {
		if (row < area.y || row >= area.y + area.height) continue;
		const line = full.slice(area.x, area.x + area.width);
		const match = title.exec(line);
		if (match) {
			if (found) throw new Error(`${name(index)} drawn twice`);
			found = {row, column: match.index + match[1].length};
		}
	}
	if (!found) throw new Error(`${name(index)} is not on screen:\n${lines.join('\n')}`);
	const footer = lines[lines.length - 1];
	const page = Number(/charts (\d+)\//.exec(footer)?.[1] ?? /page (\d+)\//.exec(footer)?.[1] ?? 1);
	return {page, ...found};
}

const SIZES: Array<[number, number]> = [
	[60, 15],
	[80, 24],
	[120, 40],
	[160, 45],
	[200, 50],
];

describe('arrow keys select the chart drawn in their direction', () => {
	for (const [columns, rows] of SIZES) {
		it(`at ${columns}x${rows}, 1-13 metrics, from every chart`, () => {
			for (let count = 1; count <= 13; count++) {
				const snap = snapOf(runWith(count));
				for (let index = 0; index < count; index++) {
					const ui = {...initialUiState(), selected: index};
					const from = drawnAt(snap, ui, columns, rows, index);
					for (const key of ['up', 'down', 'left', 'right'] as const) {
						const nav = navigation({snap, ui, columns, rows, now: 0, pulse: 0});
						const next = reduceUi(ui, key, nav).selected;
						const context = `${columns}x${rows}, ${count} metrics, ${key} from ${name(index)} -> ${name(next)}`;
						if (next === index) {
							// Nothing that way on this page, and no page beyond: check there is none.
							const pages = Number(/charts \d+\/(\d+)/.exec(new ScreenBuilder().build({snap, ui, columns, rows, now: 0, pulse: 0}).lines.at(-1)!.text)?.[1] ?? 1);
							const others = Array.from({length: count}, (_, i) => i).filter(i => i !== index).map(i => ({i, at: drawnAt(snap, {...ui, selected: i}, columns, rows, i)}));
							const sameRow = others.filter(o => o.at.page === from.page && o.at.row === from.row);
							const sameColumn = others.filter(o => o.at.page === from.page && o.at.column === from.column);
							if (key === 'right') expect(sameRow.some(o => o.at.column > from.column) || from.page < pages, context).toBe(false);
							if (key === 'left') expect(sameRow.some(o => o.at.column < from.column) || from.page > 1, context).toBe(false);
							if (key === 'down') expect(others.some(o => o.at.page === from.page && o.at.row > from.row) || from.page < pages, context).toBe(false);
							if (key === 'up') expect(sameColumn.some(o => o.at.row < from.row) || from.page > 1, context).toBe(false);
							continue;
						}
						const to = drawnAt(snap, {...ui, selected: next}, columns, rows, next);
						if (to.page !== from.page) {
							// Paging happens only at the edge of the grid, toward the next / previous page.
							expect(to.page, context).toBe(from.page + (key === 'right' || key === 'down' ? 1 : -1));
							continue;
						}
						if (key === 'right') expect(to.row === from.row && to.column > from.column, context).toBe(true);
						if (key === 'left') expect(to.row === from.row && to.column < from.column, context).toBe(true);
						if (key === 'down') expect(to.row > from.row && to.column <= from.column, context).toBe(true);
						if (key === 'up') expect(to.row < from.row && to.column === from.column, context).toBe(true);
						if (key === 'down' && to.column < from.column) {
							// A shorter last row: its last chart, the nearest one below.
							const belowRight = Array.from({length: count}, (_, i) => i).filter(i => i > next).map(i => drawnAt(snap, {...ui, selected: i}, columns, rows, i));
							expect(belowRight.some(at => at.page === from.page && at.row === to.row), context).toBe(false);
						}
					}
				}
			}
		});
	}
});
