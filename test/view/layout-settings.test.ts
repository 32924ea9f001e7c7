/**
 * The config file's `panels` and `grid` on a real run's screen: hidden panels are gone and the
 * charts (or the other bottom panel) take their place, Tab skips them; a fixed grid draws that
 * many charts a page (as many as fit). Every frame stays exactly the pane's size.
 */
import {describe, expect, it} from 'vitest';
import {initialUiState, reduceUi, type UiState} from '../../source/state/ui-state.js';
import {navigation} from '../../source/view/screen.js';
import {realRun} from '../helpers/fixtures.js';
import {screenOf, snapshotOf} from '../helpers/snapshot.js';

// A real finished run with 9 metrics, a summary, console lines and recorded system stats.
const snap = snapshotOf(realRun('h0sbxufh'));

function exactSize(lines: readonly string[], columns: number, rows: number) {
	expect(lines).toHaveLength(rows - 1);
	for (const line of lines) expect([...line].length).toBe(columns);
}

describe('panels from the config file', () => {
	it('the fixture shows every panel by default (what the cases below take away)', () => {
		const text = screenOf(snap, 120, 40).lines.map(line => line.text).join('\n');
		for (const part of ['Summary', 'Console', 'Recorded by W&B']) expect(text).toContain(part);
	});

	it('console only: no summary or system column; the charts take the width, the console the bottom', () => {
		const screen = screenOf(snap, 120, 40, {shownPanels: ['console']});
		const lines = screen.lines.map(line => line.text);
		exactSize(lines, 120, 40);
		const text = lines.join('\n');
		expect(text).not.toContain('Summary');
		expect(text).not.toContain('Recorded by W&B');
		expect(text).toContain('Console');
		expect(screen.panels.metrics!.width).toBe(120);
		expect(screen.panels.console!.width).toBe(120);
		// Tab goes metrics → console → metrics.
		let ui: UiState = {...initialUiState(), shownPanels: ['console']};
		const nav = () => navigation({snap, ui, columns: 120, rows: 40, now: Date.now(), pulse: 0});
		ui = reduceUi(ui, 'nextPanel', nav());
		expect(ui.panel).toBe('console');
		ui = reduceUi(ui, 'nextPanel', nav());
		expect(ui.panel).toBe('metrics');
	});

	it('no optional panel: the charts fill everything between the header and the footer', () => {
		const screen = screenOf(snap, 120, 40, {shownPanels: []});
		exactSize(screen.lines.map(line => line.text), 120, 40);
		const full = screenOf(snap, 120, 40);
		expect(screen.panels.metrics!.height).toBe(full.panels.metrics!.height + full.panels.console!.height);
		expect(screen.grid!.perPage).toBeGreaterThan(full.grid!.perPage);
	});

	it('summary and system without the console: the summary takes the whole bottom', () => {
		const screen = screenOf(snap, 120, 40, {shownPanels: ['summary', 'system']});
		exactSize(screen.lines.map(line => line.text), 120, 40);
		expect(screen.panels.summary!.x).toBe(0);
		expect(screen.panels.summary!.width).toBe(120);
		expect(screen.lines.map(line => line.text).join('\n')).not.toContain('Console');
	});
});

describe('the chart grid from the config file', () => {
	it('3x1: three charts side by side a page, the fourth on the next (9 metrics: 3 pages)', () => {
		const screen = screenOf(snap, 120, 40, {grid: {columns: 3, rows: 1}});
		const lines = screen.lines.map(line => line.text);
		exactSize(lines, 120, 40);
		expect(screen.grid).toMatchObject({columns: 3, rows: 1, perPage: 3});
		const titles = lines[2];
		expect(titles.match(/abstain_rate_0\.\d+|accuracy_0\.\d+/g)).toEqual(['abstain_rate_0.55', 'abstain_rate_0.75', 'abstain_rate_0.9']);
		expect(lines.at(-1)).toMatch(/charts 1\/3 \(9 metrics\)/);
	});

	it('a grid larger than the pane takes what fits (charts of at least 12 columns and 3 rows)', () => {
		const screen = screenOf(snap, 80, 24, {grid: {columns: 8, rows: 8}});
		exactSize(screen.lines.map(line => line.text), 80, 24);
		expect(screen.grid!.cellWidth).toBeGreaterThanOrEqual(12);
		expect(screen.grid!.cellHeight).toBeGreaterThanOrEqual(3);
		expect(screen.grid!.columns).toBeLessThan(8);
	});
});
