/**
 * The grid of metric charts: how many columns and rows fit, where each chart is drawn, and where
 * an arrow key goes from a chart. Drawing and key navigation both use this one description, so
 * ↓ always selects the chart drawn below.
 */
import type {Direction} from '../state/ui-state.js';
import type {Rect} from './layout.js';
import type {GridChoice} from '../state/settings.js';

export type ChartGrid = {
	/** The metrics panel. */
	area: Rect;
	columns: number;
	rows: number;
	cellWidth: number;
	cellHeight: number;
	/** Charts on one page (columns x rows). */
	perPage: number;
	/** Charts in all (the visible metrics). */
	count: number;
};

/**
 * The grid for `count` charts in `area`: charts of at least ~30 columns and 6 rows (8 when the
 * panel is tall), as square-looking as the area allows, a single row using the spare width.
 * `focused`: one chart fills the area. `fixed`: the config file's columns x rows, as many as fit
 * with charts of at least 12 columns and 3 rows.
 */
export function chartGrid(area: Rect, count: number, focused = false, fixed: GridChoice | null = null): ChartGrid {
	if (focused || count <= 0) {
		return {area, columns: 1, rows: 1, cellWidth: area.width, cellHeight: area.height, perPage: 1, count: Math.max(0, count)};
	}
	if (fixed) {
		const columns = Math.max(1, Math.min(fixed.columns, Math.floor(area.width / 12)));
		const rows = Math.max(1, Math.min(fixed.rows, Math.floor(area.height / 3)));
		return {area, columns, rows, cellWidth: Math.floor(area.width / columns), cellHeight: Math.floor(area.height / rows), perPage: columns * rows, count};
	}
	const minWidth = 30;
	const minHeight = area.height < 16 ? 6 : 8;
	const maxColumns = Math.max(1, Math.floor(area.width / minWidth));
	const maxRows = Math.max(1, Math.floor(area.height / minHeight));
	let columns = Math.min(maxColumns, Math.max(1, Math.ceil(Math.sqrt(count * (area.width / area.height / 3)))));
	const rows = Math.min(maxRows, Math.max(1, Math.ceil(count / columns)));
	// Use spare width when a single row is enough.
	if (rows === 1) columns = Math.min(maxColumns, Math.max(1, count));
	return {area, columns, rows, cellWidth: Math.floor(area.width / columns), cellHeight: Math.floor(area.height / rows), perPage: columns * rows, count};
}

/** A one-column list (the compact view): one line per metric, `rows` lines a page. */
export function listGrid(area: Rect, count: number): ChartGrid {
	const rows = Math.max(1, area.height);
	return {area, columns: 1, rows, cellWidth: area.width, cellHeight: 1, perPage: rows, count: Math.max(0, count)};
}

/** The page that holds chart `index`. */
export function pageOf(grid: ChartGrid, index: number): number {
	return Math.floor(Math.max(0, index) / grid.perPage);
}

export function pageCount(grid: ChartGrid): number {
	return Math.max(1, Math.ceil(grid.count / grid.perPage));
}

/** Where chart `index` is drawn (on its own page). */
export function cellRect(grid: ChartGrid, index: number): Rect {
	const slot = index - pageOf(grid, index) * grid.perPage;
	const column = slot % grid.columns;
	const row = Math.floor(slot / grid.columns);
	return {x: grid.area.x + column * grid.cellWidth, y: grid.area.y + row * grid.cellHeight, width: grid.cellWidth, height: grid.cellHeight};
}

/** The chart an arrow (or paging) key selects from chart `index`. */
export function moveSelection(grid: ChartGrid, index: number, direction: Direction): number {
	const {columns, perPage, count} = grid;
	if (count <= 0) return 0;
	const last = count - 1;
	const current = Math.min(Math.max(0, index), last);
	const page = pageOf(grid, current);
	const pages = pageCount(grid);
	const slot = current - page * perPage;
	const column = slot % columns;
	const row = Math.floor(slot / columns);
	const onPage = (p: number) => Math.min(perPage, count - p * perPage);
	// The chart at (row, column) of page p, the row's last one when the row is shorter.
	const at = (p: number, r: number, c: number) => {
		const first = p * perPage + r * columns;
		return Math.min(first + c, p * perPage + onPage(p) - 1, first + columns - 1);
	};
	const rowsOn = (p: number) => Math.ceil(onPage(p) / columns);
	switch (direction) {
		case 'left':
			if (column > 0) return current - 1;
			return page > 0 ? at(page - 1, Math.min(row, rowsOn(page - 1) - 1), columns - 1) : current;
		case 'right':
			if (column < columns - 1 && current < last && slot + 1 < onPage(page)) return current + 1;
			return page < pages - 1 ? at(page + 1, Math.min(row, rowsOn(page + 1) - 1), 0) : current;
		case 'up':
			if (row > 0) return current - columns;
			return page > 0 ? at(page - 1, rowsOn(page - 1) - 1, column) : current;
		case 'down':
			if (row < rowsOn(page) - 1) return at(page, row + 1, column);
			return page < pages - 1 ? at(page + 1, 0, column) : current;
		case 'pageUp':
			return page > 0 ? at(page - 1, row, column) : 0;
		case 'pageDown':
			return page < pages - 1 ? at(page + 1, Math.min(row, rowsOn(page + 1) - 1), column) : last;
		case 'top':
			return 0;
		case 'bottom':
			return last;
	}
}
