/**
 * Pure layout: panel sizes from the terminal size. Panels get exact widths and heights, so the
 * frame is never taller than the terminal (kept one row short: Ink ≤6.8 clears the whole screen,
 * scrollback included, on every frame that reaches the last row).
 */

export type Size = {width: number; height: number};

export type Layout =
	| {
			mode: 'full';
			root: Size;
			header: Size;
			metrics: Size;
			system: Size;
			console: Size;
			summary: Size;
			footer: Size;
	  }
	| {mode: 'compact'; root: Size};

/** Terminals smaller than this get the one-line-per-metric compact view. */
export const FULL_MIN = {columns: 80, rows: 24};

/** Lay out the dashboard for a terminal of `columns` x `rows`. */
export function computeLayout(columns: number, rows: number): Layout {
	const width = Math.max(20, Math.floor(columns));
	const height = Math.max(5, Math.floor(rows) - 1);
	if (columns < FULL_MIN.columns || rows < FULL_MIN.rows) return {mode: 'compact', root: {width, height}};

	const header = {width, height: 2};
	const footer = {width, height: 1};
	const body = height - header.height - footer.height;
	const bottom = Math.max(7, Math.floor(body * 0.34));
	const top = body - bottom;
	const systemWidth = Math.min(64, Math.max(30, Math.round(width * 0.3)));
	const consoleWidth = Math.round(width * 0.58);
	return {
		mode: 'full',
		root: {width, height},
		header,
		metrics: {width: width - systemWidth, height: top},
		system: {width: systemWidth, height: top},
		console: {width: consoleWidth, height: bottom},
		summary: {width: width - consoleWidth, height: bottom},
		footer,
	};
}

/** Chart grid inside a metrics panel of `size`: columns, rows and each chart's size. */
export function chartGrid(size: Size, count: number): {columns: number; rows: number; chartWidth: number; chartHeight: number} {
	// Smallest chart worth drawing: ~30 columns, and 6 plot rows (4 in a short panel, so that a
	// small pane still shows two charts rather than one).
	const minWidth = 30;
	const minHeight = size.height < 16 ? 6 : 8;
	const maxColumns = Math.max(1, Math.floor(size.width / minWidth));
	const maxRows = Math.max(1, Math.floor(size.height / minHeight));
	let columns = Math.min(maxColumns, Math.max(1, Math.ceil(Math.sqrt(count * (size.width / size.height / 3)))));
	let rows = Math.min(maxRows, Math.max(1, Math.ceil(count / columns)));
	// Use spare width when a single row is enough.
	if (rows === 1) columns = Math.min(maxColumns, Math.max(1, count));
	if (count === 0) {
		columns = 1;
		rows = 1;
	}
	return {columns, rows, chartWidth: Math.floor(size.width / columns), chartHeight: Math.floor(size.height / rows)};
}
