/**
 * What the user has chosen on screen (focus, filter, x-axis, scroll positions), folded from
 * key actions by a pure reducer. Data about the run lives in RunState, not here.
 */
import type {Action} from '../keymap.js';
import {PALETTES, type GridChoice, type OptionalPanel, type PaletteName} from './settings.js';
import {initialMediaUi, reduceMediaUi, type MediaNav, type MediaUi} from './media-ui.js';
import {panRange, zoomAround, type XRange} from './zoom.js';

export type Panel = 'metrics' | 'summary' | 'console' | 'system';
export const PANELS: readonly Panel[] = ['metrics', 'summary', 'console', 'system'];

/** EMA weights the `s` key cycles through (as TensorBoard and W&B offer). */
export const SMOOTHING_STEPS = [0, 0.6, 0.9, 0.99] as const;

export type UiState = {
	panel: Panel;
	help: boolean;
	/** The chosen x-axis name, or null for the run's default. */
	xAxis: string | null;
	/** Text being typed after `/` (metrics/summary filter, console search, overview filter); null when not typing. */
	input: {target: 'filter' | 'search' | 'overview' | 'runs'; text: string} | null;
	/** Metric (and summary) filter: substring, or a regex written as /.../. */
	filter: string;
	/** Console search text. */
	search: string;
	/** Index of the current console match (counted from the newest). */
	searchMatch: number;
	/** Selected chart index among the visible (filtered) metrics. */
	selected: number;
	/** Show the selected chart full-size. */
	focused: boolean;
	/** Summary table first row. */
	summaryScroll: number;
	/** Console lines scrolled up from the tail; 0 follows the tail. */
	consoleScroll: number;
	/** Recorded system charts first row. */
	systemScroll: number;
	smoothing: number;
	logScale: boolean;
	/** The runs list (key r) is open. */
	runsOpen: boolean;
	/** Cursor in the runs list. */
	runCursor: number;
	/** Run dirs overlaid on the charts, besides the watched run. */
	overlay: string[];
	/** The runs list's query (`state:running tag:x lr<1e-3`, see run-query.ts); '' shows every run. */
	runFilter: string;
	/** Series colours. */
	palette: PaletteName;
	/** The optional panels shown (config file `panels`). */
	shownPanels: readonly OptionalPanel[];
	/** Charts per page from the config file, or null to fit them to the pane. */
	grid: GridChoice | null;
	/** A line for the header from wbtop itself (the config file's problem, what the save key did); Esc clears it. */
	notice: string | null;
	/** The overview (run, environment, config) is open, and its state (see {@link reduceOverview}). */
	overview: OverviewUi;
	/** The media panel (images, histograms, tables) is open, and its state (see state/media-ui.ts). */
	media: MediaUi;
	/** The chart cursor: an x on the x-axis it was placed on (every chart shows it there); null: off. */
	cursor: {axis: string; x: number} | null;
	/** The x range every chart shows, on its x-axis; null: the whole run. */
	zoom: {axis: string; x0: number; x1: number} | null;
	/** While zoomed: keep the whole run's y range instead of fitting y to what is visible. */
	keepY: boolean;
	/** With `--hosts`, the per-host GPU lines' order (worst first). */
	hostSort: HostSort;
	/** Whose console the console panel shows in a shared-mode run: 0 the primary writer, i its node i. */
	consoleWriter: number;
};

/** The per-host GPU lines' order: lowest mean utilization, highest memory use, or highest temperature first. */
export type HostSort = 'util' | 'mem' | 'temp';
const HOST_SORTS: readonly HostSort[] = ['util', 'mem', 'temp'];

/** What the overview page shows: which column the keys scroll, where each is, its filter. */
export type OverviewUi = {
	open: boolean;
	/** The column arrows scroll where there are two: run and environment (`info`), or the config. */
	pane: 'info' | 'config';
	/** First row of the info column (in one column: of the whole page). */
	scroll: number;
	/** First row of the config column. */
	configScroll: number;
	/** Filter on the keys (substring or /regex/), like the summary's. */
	filter: string;
	/** Show the SDK's `_wandb.*` config keys. */
	internals: boolean;
	/** Long values wrapped over several lines instead of folded to one. */
	expand: boolean;
};

/** The overview as it opens: closed, at the top, no filter. */
export function initialOverviewUi(): OverviewUi {
	return {open: false, pane: 'info', scroll: 0, configScroll: 0, filter: '', internals: false, expand: false};
}

export function initialUiState(): UiState {
	return {
		panel: 'metrics',
		help: false,
		xAxis: null,
		input: null,
		filter: '',
		search: '',
		searchMatch: 0,
		selected: 0,
		focused: false,
		summaryScroll: 0,
		consoleScroll: 0,
		systemScroll: 0,
		smoothing: 0,
		logScale: false,
		runsOpen: false,
		runCursor: 0,
		overlay: [],
		runFilter: '',
		palette: 'default',
		shownPanels: ['summary', 'console', 'system'],
		grid: null,
		notice: null,
		overview: initialOverviewUi(),
		media: initialMediaUi(),
		cursor: null,
		zoom: null,
		keepY: false,
		hostSort: 'util',
		consoleWriter: 0,
	};
}

/** Where a key moves the chart selection: arrows, paging and first/last. */
export type Direction = 'up' | 'down' | 'left' | 'right' | 'pageUp' | 'pageDown' | 'top' | 'bottom';

/**
 * What the reducer needs from the screen that is drawn (the view's screen model provides it):
 * the chart grid's moves, the panels shown, the rows of a page, the x-axis choices.
 */
export type UiContext = {
	metricCount: number;
	/** The chart an arrow or paging key selects from `index`, on the grid that is drawn. */
	moveChart: (index: number, direction: Direction) => number;
	/** Panels on screen, in Tab order. */
	panels: readonly Panel[];
	xAxes: readonly string[];
	currentXAxis: string;
	/** Rows visible in each scrollable panel (and the runs list). */
	pageRows: Readonly<Record<Panel | 'runs', number>>;
	/** Run dirs in the runs list, in list order (empty when PATH was a single run). */
	runDirs: readonly string[];
	/** The overview as drawn: rows a page shows, the last first row of each column, and how many columns. */
	overview?: {pageRows: number; maxScroll: {info: number; config: number}; columns: 1 | 2};
	/** The media page as drawn (its keys, steps, table size). */
	media?: MediaNav;
	/**
	 * The selected chart as drawn, for the cursor and zoom keys: the x range its columns map and
	 * how many there are, and the x-axis' whole extent; absent when no chart is drawn.
	 */
	chart?: {axis: string; x0: number; x1: number; columns: number; extent: XRange; plotStart?: number};
	/** A shared-mode run's other writers (nodes), whose consoles `w` steps through; 0 or absent: one writer. */
	writers?: number;
};

/** Apply one key action. */
export function reduceUi(ui: UiState, action: Action, context: UiContext): UiState {
	if (ui.help && action !== 'quit') return action === 'help' || action === 'escape' ? {...ui, help: false} : ui;
	if (ui.runsOpen) return reduceRunsList(ui, action, context);
	if (ui.overview.open) return reduceOverview(ui, action, context);
	if (ui.media.open && action !== 'quit') {
		if (action === 'help') return {...ui, help: true};
		const nav = context.media ?? {keys: [], steps: 0, detail: null, tableRows: 0, tableColumns: 0, pageRows: 1, gradientKeys: []};
		return {...ui, media: reduceMediaUi(ui.media, action, nav)};
	}
	switch (action) {
		case 'help':
			return {...ui, help: true};
		case 'nextPanel':
		case 'prevPanel': {
			const panels = context.panels.length > 0 ? context.panels : PANELS;
			const at = Math.max(0, panels.indexOf(ui.panel));
			const next = panels[(at + (action === 'nextPanel' ? 1 : panels.length - 1)) % panels.length];
			return {...ui, panel: next};
		}
		case 'up':
		case 'down':
		case 'left':
		case 'right':
		case 'pageUp':
		case 'pageDown':
		case 'top':
		case 'bottom':
			return move(ui, action, context);
		case 'filter':
			return {...ui, input: {target: ui.panel === 'console' ? 'search' : 'filter', text: ui.panel === 'console' ? ui.search : ui.filter}};
		case 'xAxis': {
			const axes = context.xAxes;
			if (axes.length === 0) return ui;
			const index = axes.indexOf(context.currentXAxis);
			// A cursor or zoom is an x on the old axis: it means nothing on the new one.
			return {...ui, xAxis: axes[(index + 1) % axes.length], cursor: null, zoom: null};
		}
		case 'cursor':
		case 'cursorLeft':
		case 'cursorRight':
		case 'cursorLeftFar':
		case 'cursorRightFar':
		case 'zoomIn':
		case 'zoomOut':
		case 'panLeft':
		case 'panRight':
		case 'zoomReset':
			return reduceCursor(ui, action, context);
		case 'keepY':
			return {...ui, keepY: !ui.keepY};
		case 'consoleWriter': {
			const writers = context.writers ?? 0;
			return writers === 0 ? ui : {...ui, consoleWriter: (ui.consoleWriter + 1) % (writers + 1), consoleScroll: 0};
		}
		case 'hostSort':
			return {...ui, hostSort: HOST_SORTS[(HOST_SORTS.indexOf(ui.hostSort) + 1) % HOST_SORTS.length]!};
		case 'focus':
			return context.metricCount > 0 ? {...ui, focused: !ui.focused, panel: 'metrics'} : ui;
		case 'smoothing': {
			const index = SMOOTHING_STEPS.indexOf(ui.smoothing as (typeof SMOOTHING_STEPS)[number]);
			return {...ui, smoothing: SMOOTHING_STEPS[(index + 1) % SMOOTHING_STEPS.length]};
		}
		case 'logScale':
			return {...ui, logScale: !ui.logScale};
		case 'palette':
			return {...ui, palette: PALETTES[(PALETTES.indexOf(ui.palette) + 1) % PALETTES.length]};
		case 'nextMatch':
			return ui.search ? {...ui, panel: 'console', searchMatch: Math.max(0, ui.searchMatch - 1)} : ui;
		case 'prevMatch':
			return ui.search ? {...ui, panel: 'console', searchMatch: ui.searchMatch + 1} : ui;
		case 'escape':
			if (ui.focused) return {...ui, focused: false};
			if (ui.cursor) return {...ui, cursor: null};
			if (ui.panel === 'console' && ui.search) return {...ui, search: '', searchMatch: 0};
			if (ui.filter) return {...ui, filter: '', selected: 0};
			if (ui.notice) return {...ui, notice: null};
			return ui;
		case 'runs':
			return context.runDirs.length > 0 ? {...ui, runsOpen: true} : ui;
		case 'overlay':
			return ui;
		case 'overview':
			return {...ui, overview: {...ui.overview, open: true}};
		case 'internals':
			return {...ui, overview: {...ui.overview, open: true, internals: !ui.overview.internals}};
		case 'media':
			return {...ui, media: {...ui.media, open: true, gradients: false}};
		case 'gradients':
			return {...ui, media: {...ui.media, open: true, gradients: true}};
		case 'quit':
		case 'backToRun':
		case 'pause':
		case 'saveSettings':
			return ui; // commands for the session, sent by the app
	}
}

/**
 * The cursor and zoom keys, on the selected chart as drawn (`context.chart`): the cursor moves
 * by its columns (to a column's middle), zoom halves or doubles the range around the cursor (else
 * the range's middle), pan moves it a quarter; every range stays inside the axis' extent.
 */
function reduceCursor(ui: UiState, action: Action, context: UiContext): UiState {
	const chart = context.chart;
	if (!chart || !(chart.x1 > chart.x0) || chart.columns < 1) return action === 'zoomReset' || action === 'cursor' ? {...ui, zoom: null, cursor: action === 'cursor' ? null : ui.cursor} : ui;
	const cursor = ui.cursor?.axis === chart.axis ? ui.cursor.x : null;
	const zoom: XRange | null = ui.zoom?.axis === chart.axis ? [ui.zoom.x0, ui.zoom.x1] : null;
	const dx = (chart.x1 - chart.x0) / chart.columns;
	const columnOf = (x: number) => Math.min(chart.columns - 1, Math.max(0, Math.floor((x - chart.x0) / dx)));
	const at = (column: number) => ({axis: chart.axis, x: chart.x0 + (Math.min(chart.columns - 1, Math.max(0, column)) + 0.5) * dx});
	const withZoom = (range: XRange | null): UiState => ({...ui, zoom: range === null ? null : {axis: chart.axis, x0: range[0], x1: range[1]}});
	const current = zoom ?? chart.extent;
	switch (action) {
		case 'cursor':
			return {...ui, cursor: cursor === null ? at(Math.floor(chart.columns / 2)) : null};
		case 'cursorLeft':
		case 'cursorRight':
		case 'cursorLeftFar':
		case 'cursorRightFar': {
			const step = {cursorLeft: -1, cursorRight: 1, cursorLeftFar: -10, cursorRightFar: 10}[action];
			// The first press shows the cursor in the middle; the next ones move it.
			return {...ui, cursor: cursor === null ? at(Math.floor(chart.columns / 2)) : at(columnOf(cursor) + step)};
		}
		case 'zoomIn':
		case 'zoomOut':
			return withZoom(zoomAround(current, chart.extent, cursor ?? (current[0] + current[1]) / 2, action === 'zoomIn' ? 0.5 : 2));
		case 'panLeft':
		case 'panRight': {
			if (zoom === null) return ui;
			const moved = panRange(zoom, chart.extent, action === 'panLeft' ? -0.25 : 0.25);
			// The cursor keeps its place on screen.
			const shift = moved[0] - zoom[0];
			return {...withZoom(moved), cursor: cursor === null ? ui.cursor : {axis: chart.axis, x: cursor + shift}};
		}
		default:
			return withZoom(null);
	}
}

/** Keys while the runs list is open: move, toggle overlay, close. Enter (open a run) is the app's. */
function reduceRunsList(ui: UiState, action: Action, context: UiContext): UiState {
	const last = Math.max(0, context.runDirs.length - 1);
	const move = (delta: number) => ({...ui, runCursor: Math.max(0, Math.min(last, ui.runCursor + delta))});
	switch (action) {
		case 'up':
			return move(-1);
		case 'down':
			return move(1);
		case 'pageUp':
			return move(-context.pageRows.runs);
		case 'pageDown':
			return move(context.pageRows.runs);
		case 'top':
			return move(-Number.MAX_SAFE_INTEGER);
		case 'bottom':
			return move(Number.MAX_SAFE_INTEGER);
		case 'overlay': {
			const dir = context.runDirs[ui.runCursor];
			if (dir === undefined) return ui;
			return {...ui, overlay: ui.overlay.includes(dir) ? ui.overlay.filter(d => d !== dir) : [...ui.overlay, dir]};
		}
		case 'filter':
			return {...ui, input: {target: 'runs', text: ui.runFilter}};
		case 'escape':
			// Esc clears the query first, then closes the list.
			return ui.runFilter ? {...ui, runFilter: '', runCursor: 0} : {...ui, runsOpen: false};
		case 'runs':
		case 'focus':
			return {...ui, runsOpen: false};
		case 'help':
			return {...ui, help: true};
		default:
			return ui;
	}
}

/**
 * Keys while the overview is open: arrows and paging scroll the column in use (Tab switches it
 * where there are two), `/` filters, `_` shows the SDK's keys, Enter unfolds long values, Esc
 * clears the filter and then closes, as does the overview key.
 */
function reduceOverview(ui: UiState, action: Action, context: UiContext): UiState {
	const o = ui.overview;
	const layout = context.overview ?? {pageRows: 1, maxScroll: {info: Number.MAX_SAFE_INTEGER, config: Number.MAX_SAFE_INTEGER}, columns: 1 as const};
	const pane = layout.columns === 2 ? o.pane : 'info';
	const scrollBy = (delta: number): UiState => {
		const clamp = (n: number, max: number) => Math.max(0, Math.min(max, n));
		return pane === 'config' ? {...ui, overview: {...o, configScroll: clamp(o.configScroll + delta, layout.maxScroll.config)}} : {...ui, overview: {...o, scroll: clamp(o.scroll + delta, layout.maxScroll.info)}};
	};
	const page = Math.max(1, layout.pageRows);
	switch (action) {
		case 'up':
			return scrollBy(-1);
		case 'down':
			return scrollBy(1);
		case 'pageUp':
		case 'left':
			return scrollBy(-page);
		case 'pageDown':
		case 'right':
			return scrollBy(page);
		case 'top':
			return scrollBy(-Number.MAX_SAFE_INTEGER);
		case 'bottom':
			return scrollBy(Number.MAX_SAFE_INTEGER);
		case 'nextPanel':
		case 'prevPanel':
			return layout.columns === 2 ? {...ui, overview: {...o, pane: o.pane === 'info' ? 'config' : 'info'}} : ui;
		case 'filter':
			return {...ui, input: {target: 'overview', text: o.filter}};
		case 'internals':
			return {...ui, overview: {...o, internals: !o.internals}};
		case 'focus':
			return {...ui, overview: {...o, expand: !o.expand}};
		case 'escape':
			return o.filter ? {...ui, overview: {...o, filter: '', scroll: 0, configScroll: 0}} : {...ui, overview: {...o, open: false}};
		case 'overview':
			return {...ui, overview: {...o, open: false}};
		case 'help':
			return {...ui, help: true};
		default:
			return ui;
	}
}

/** Apply a typed character (or Backspace / Enter / Esc) while the `/` prompt is open. */
export function reduceUiInput(ui: UiState, input: string, key: {return?: boolean; escape?: boolean; backspace?: boolean; delete?: boolean}): UiState {
	if (!ui.input) return ui;
	if (key.escape) return {...ui, input: null};
	if (key.return) {
		if (ui.input.target === 'overview') return {...ui, input: null, overview: {...ui.overview, filter: ui.input.text, scroll: 0, configScroll: 0}};
		if (ui.input.target === 'runs') return {...ui, input: null, runFilter: ui.input.text.trim(), runCursor: 0};
		return ui.input.target === 'filter'
			? {...ui, input: null, filter: ui.input.text, selected: 0, summaryScroll: 0}
			: {...ui, input: null, search: ui.input.text, searchMatch: 0};
	}
	// A whole code point: slicing one UTF-16 unit would leave half of an emoji behind.
	if (key.backspace || key.delete) return {...ui, input: {...ui.input, text: ui.input.text.replace(/(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|[\s\S])$/, '')}};
	// At most 200 UTF-16 units, and never half a character: a paste past that is cut whole characters.
	if (input && !/[\u0000-\u001F\u007F]/.test(input)) return {...ui, input: {...ui.input, text: [...(ui.input.text + input)].reduce((kept, ch) => (kept.length + ch.length <= 200 ? kept + ch : kept), '')}};
	return ui;
}

/** Arrows and paging: over the chart grid in the metrics panel, else scrolling the panel. */
function move(ui: UiState, direction: Direction, context: UiContext): UiState {
	if (ui.panel === 'metrics') return {...ui, selected: context.moveChart(Math.min(ui.selected, Math.max(0, context.metricCount - 1)), direction)};
	const page = context.pageRows[ui.panel];
	const delta = {up: -1, down: 1, left: 0, right: 0, pageUp: -page, pageDown: page, top: -Number.MAX_SAFE_INTEGER, bottom: Number.MAX_SAFE_INTEGER}[direction];
	if (delta === 0) return ui;
	switch (ui.panel) {
		case 'summary':
			return {...ui, summaryScroll: Math.max(0, ui.summaryScroll + delta)};
		case 'console':
			// Scrolling is counted up from the tail, so "down" moves toward it.
			return {...ui, consoleScroll: Math.max(0, ui.consoleScroll - delta)};
		case 'system':
			return {...ui, systemScroll: Math.max(0, ui.systemScroll + delta)};
		default:
			return ui;
	}
}

/** Compile the metric filter: `/re/flags` is a regex, anything else a case-insensitive substring. */
export function compileFilter(filter: string): (name: string) => boolean {
	if (!filter) return () => true;
	const regex = /^\/(.*)\/([a-z]*)$/.exec(filter);
	if (regex) {
		try {
			const compiled = new RegExp(regex[1], regex[2].replace(/[gy]/g, ''));
			return name => compiled.test(name);
		} catch {
			// An unfinished or invalid regex falls back to a substring match.
		}
	}
	const needle = filter.toLowerCase();
	return name => name.toLowerCase().includes(needle);
}
