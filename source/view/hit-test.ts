/**
 * What the screen model drew at a cell: which chart (and where in it), which panel's title or
 * body, or a page of its own. The mouse acts on this, so a click lands on what the user sees.
 */
import type {MouseTarget} from '../state/mouse-ui.js';
import type {Panel, UiState} from '../state/ui-state.js';
import {pageOf} from './chart-grid.js';
import type {Rect} from './layout.js';
import type {Screen} from './screen.js';

function inside(rect: Rect | undefined, x: number, y: number): rect is Rect {
	return rect !== undefined && rect.width > 0 && rect.height > 0 && x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height;
}

/** The target at column `x`, row `y` (0-based) of `screen`, drawn for `ui`; null where nothing acts (header, footer, gaps). */
export function hitTest(screen: Screen, ui: Pick<UiState, 'selected' | 'focused'>, x: number, y: number): MouseTarget | null {
	if (screen.view === 'help' || screen.view === 'runs' || screen.view === 'overview' || screen.view === 'media') return {kind: 'page'};
	if (screen.view !== 'dashboard' && screen.view !== 'compact') return null;
	const grid = screen.grid;
	if (grid !== null && inside(grid.area, x, y)) {
		if (grid.count === 0) return {kind: 'panel', panel: 'metrics', title: false};
		const selected = Math.min(Math.max(0, ui.selected), grid.count - 1);
		const {area} = grid;
		// Focused: the selected chart fills the panel (the grid is then one cell of the whole area).
		if (ui.focused && screen.view === 'dashboard') return {kind: 'chart', index: selected, dx: x - area.x, dy: y - area.y};
		const column = Math.floor((x - area.x) / grid.cellWidth);
		const row = Math.floor((y - area.y) / grid.cellHeight);
		const index = pageOf(grid, selected) * grid.perPage + row * grid.columns + column;
		if (column >= grid.columns || row >= grid.rows || index >= grid.count) return {kind: 'panel', panel: 'metrics', title: false};
		return {kind: 'chart', index, dx: x - area.x - column * grid.cellWidth, dy: y - area.y - row * grid.cellHeight};
	}
	for (const panel of ['summary', 'console', 'system', 'metrics'] as const satisfies readonly Panel[]) {
		const rect = screen.panels[panel];
		if (inside(rect, x, y)) return {kind: 'panel', panel, title: y === rect.y};
	}
	return null;
}
