/**
 * What a mouse report does to the UI state, given what the screen drew under the pointer (the
 * view's hit test finds it): select, focus, move the panel focus, zoom, scroll, place the cursor.
 * Pure, like the key reducer it builds on.
 */
import {reduceUi, type Panel, type UiContext, type UiState} from './ui-state.js';
import {zoomAround, type XRange} from './zoom.js';

/** What is drawn at a cell: a chart (and where in its cell), a panel (its title row or its body), or nothing that acts. */
export type MouseTarget =
	| {kind: 'chart'; index: number; /** Column and row inside the chart's cell (row 0: its title). */ dx: number; dy: number}
	| {kind: 'panel'; panel: Panel; title: boolean}
	/** A page of its own (help, runs list, overview, media): the wheel scrolls it. */
	| {kind: 'page'};

/** A mouse gesture, already told apart (a double click is two presses within {@link DOUBLE_CLICK_MS} on one chart). */
export type MouseGesture = 'click' | 'doubleClick' | 'drag' | 'wheelUp' | 'wheelDown';

/** Two presses on the same chart this close together are a double click. */
export const DOUBLE_CLICK_MS = 400;
/** Lines one wheel notch scrolls a panel. */
export const WHEEL_LINES = 3;
/** One wheel notch zooms the x range by this factor (in: its inverse). */
const WHEEL_ZOOM = 1.5;

/**
 * Apply a gesture on `target`. `navFor(ui)` is the key reducer's context for the frame `ui` draws
 * (the chart geometry depends on which chart is selected).
 */
export function reduceMouse(ui: UiState, gesture: MouseGesture, target: MouseTarget, navFor: (ui: UiState) => UiContext): UiState {
	if (ui.input) return ui;
	if (target.kind === 'page') {
		if (gesture === 'wheelUp' || gesture === 'wheelDown') return reduceUi(ui, gesture === 'wheelUp' ? 'up' : 'down', navFor(ui));
		return ui;
	}
	if (target.kind === 'panel') {
		if (gesture === 'click' || gesture === 'doubleClick') return {...ui, panel: target.panel};
		if (gesture === 'drag' || target.panel === 'metrics') return ui;
		const lines = gesture === 'wheelUp' ? -WHEEL_LINES : WHEEL_LINES;
		switch (target.panel) {
			case 'summary':
				return {...ui, summaryScroll: Math.max(0, ui.summaryScroll + lines)};
			case 'console':
				// Counted up from the tail: the wheel up moves away from it.
				return {...ui, consoleScroll: Math.max(0, ui.consoleScroll - lines)};
			case 'system':
				return {...ui, systemScroll: Math.max(0, ui.systemScroll + lines)};
		}
	}
	const chartUi: UiState = {...ui, selected: target.index, panel: 'metrics'};
	const chart = navFor(chartUi).chart;
	// The x under the pointer, when it is over the chart's plot (below the title row).
	const start = chart?.plotStart ?? 0;
	const column = target.dx - start;
	const x = chart && target.dy >= 1 && column >= 0 && column < chart.columns ? chart.x0 + ((column + 0.5) * (chart.x1 - chart.x0)) / chart.columns : null;
	const withCursor = (state: UiState): UiState => (x !== null && chart ? {...state, cursor: {axis: chart.axis, x}} : state);
	switch (gesture) {
		case 'click':
			return withCursor(chartUi);
		case 'doubleClick':
			return withCursor({...chartUi, focused: !ui.focused});
		case 'drag':
			return withCursor(chartUi);
		case 'wheelUp':
		case 'wheelDown': {
			if (!chart || !(chart.x1 > chart.x0)) return ui;
			const zoomed = ui.zoom?.axis === chart.axis;
			if (gesture === 'wheelDown' && !zoomed) return ui;
			// From the range the chart draws (a metric logged over part of the run draws only that
			// part), so the x under the pointer stays under it.
			const current: XRange = [chart.x0, chart.x1];
			const cursor = ui.cursor?.axis === chart.axis ? ui.cursor.x : null;
			const center = x ?? cursor ?? (current[0] + current[1]) / 2;
			const range = zoomAround(current, chart.extent, center, gesture === 'wheelUp' ? 1 / WHEEL_ZOOM : WHEEL_ZOOM);
			return {...ui, zoom: range === null ? null : {axis: chart.axis, x0: range[0], x1: range[1]}};
		}
	}
}
