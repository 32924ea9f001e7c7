/**
 * Pure layout: panel rectangles from the terminal size. Panels get exact rectangles, so the frame
 * is never taller than the terminal (kept one row short: Ink ≤6.8 clears the whole screen,
 * scrollback included, on every frame that reaches the last row) nor wider.
 */

import {MAX_SCREEN} from '../options.js';
import {OPTIONAL_PANELS, type OptionalPanel} from '../state/settings.js';

/** A panel's place on the screen, in columns and rows from the top-left corner. */
export type Rect = {x: number; y: number; width: number; height: number};

export type Layout =
	| {
			mode: 'full';
			root: Rect;
			header: Rect;
			metrics: Rect;
			system: Rect;
			console: Rect;
			summary: Rect;
			footer: Rect;
	  }
	/** Under 80x24: a header line, the GPU line, one sparkline line per metric, a footer. */
	| {mode: 'compact'; root: Rect}
	/** Under 20x6: state and step only, cut to fit. */
	| {mode: 'tiny'; root: Rect};

/** Terminals smaller than this get the one-line-per-metric compact view. */
export const FULL_MIN = {columns: 80, rows: 24};
/** Terminals smaller than this get only the run's state and step. */
export const COMPACT_MIN = {columns: 20, rows: 6};

/** The root: the whole width, one row less than the terminal (at least one line, at most MAX_SCREEN). */
export function rootRect(columns: number, rows: number): Rect {
	const clamp = (n: number) => Math.min(MAX_SCREEN, Math.max(1, Math.floor(n)));
	return {x: 0, y: 0, width: clamp(columns), height: clamp(rows - 1)};
}

/**
 * Lay out the dashboard for a terminal of `columns` x `rows`. `shown`: the optional panels on
 * screen (the config file's `panels`); a hidden one is a rect of no width or height, and the
 * charts (or the other bottom panel) take its place.
 */
export function computeLayout(columns: number, rows: number, shown: readonly OptionalPanel[] = OPTIONAL_PANELS): Layout {
	const root = rootRect(columns, rows);
	if (columns < COMPACT_MIN.columns || rows < COMPACT_MIN.rows) return {mode: 'tiny', root};
	if (columns < FULL_MIN.columns || rows < FULL_MIN.rows) return {mode: 'compact', root};
	const {width, height} = root;
	const header: Rect = {x: 0, y: 0, width, height: 2};
	const footer: Rect = {x: 0, y: height - 1, width, height: 1};
	const body = height - header.height - footer.height;
	const hasConsole = shown.includes('console');
	const hasSummary = shown.includes('summary');
	const bottom = hasConsole || hasSummary ? Math.max(7, Math.floor(body * 0.34)) : 0;
	const top = body - bottom;
	const systemWidth = shown.includes('system') ? Math.min(64, Math.max(30, Math.round(width * 0.3))) : 0;
	// With one bottom panel it takes the whole width (the console's gap column goes with the summary).
	const consoleWidth = !hasConsole ? 0 : !hasSummary ? width + 1 : Math.round(width * 0.58);
	const topY = header.height;
	const bottomY = topY + top;
	return {
		mode: 'full',
		root,
		header,
		metrics: {x: 0, y: topY, width: width - systemWidth, height: top},
		system: {x: width - systemWidth, y: topY, width: systemWidth, height: top},
		// One blank column between the console and the summary.
		console: {x: 0, y: bottomY, width: Math.max(0, consoleWidth - 1), height: bottom},
		summary: {x: Math.min(width, consoleWidth), y: bottomY, width: Math.max(0, width - consoleWidth), height: bottom},
		footer,
	};
}
