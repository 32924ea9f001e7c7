/**
 * The screen model: one pure description of a frame, from (snapshot, UI state, size, clock).
 * It says where every panel is, what each shows (as sanitized lines), which charts the grid
 * holds, and what the footer hints are. The live view, the compact view and `--once` all render
 * only this; key navigation moves over the same grid (see {@link navigation}).
 *
 * Panels are memoized on what they show, so a frame costs what changed: a new GPU sample redraws
 * the system column, not the charts.
 */
import {footerHints, overviewHints} from '../keymap.js';
import {configRows, runOverview} from '../state/overview.js';
import {configSection, infoRows, overviewBody, type OverviewRow} from './panels/overview.js';
import {runExitCode, xAxisCandidates, xKindOf, type RunState} from '../state/run-state.js';
import {runSpeed} from '../state/pace.js';
import {progressSpeed, runProgress} from '../state/progress.js';
import {progressText, speedText} from './progress-text.js';
import {runLife} from '../state/run-life.js';
import {lifeReasonShort, stateWord} from './life-text.js';
import {secondsSinceLastRow} from '../state/run-clock.js';
import {activeXAxis, summaryRows, visibleMetrics} from '../state/selectors.js';
import type {Snapshot} from '../state/snapshot.js';
import type {Panel, UiContext, UiState} from '../state/ui-state.js';
import {alertMessage} from './alert-text.js';
import {chartGrid, listGrid, moveSelection, pageCount, pageOf, type ChartGrid} from './chart-grid.js';
import {computeLayout, type Layout, type Rect} from './layout.js';
import {fitLine, joinLines, type Line, type Style} from './line.js';
import {textWidth} from './format.js';
import {compactMetricLines, compactTopLines, tinyLines} from './panels/compact.js';
import {consoleLines, consoleView} from './panels/console.js';
import {gpuLines} from './panels/gpu.js';
import {machineLines, machineMode} from './panels/machine.js';
import {catchUpText, headerLines, type CatchUp, type HeaderModel} from './panels/header.js';
import {helpScreenLines} from './panels/help.js';
import {metricsLines, selectedChartGeometry, type ChartView, type OverlayRun} from './panels/metrics.js';
import {ZOOM_MAX_METRICS, type ZoomRequest} from '../state/zoom.js';
import {formatSI} from './format.js';
import {recordedLines} from './panels/recorded.js';
import {nodesVersion} from '../state/nodes.js';
import {filterRuns, runsPageRows, runsQuery, runsQueryText, runsScreenLines} from './panels/runs.js';
import {KEYMAP, type Binding} from '../keymap.js';
import {summaryLines} from './panels/summary.js';
import {systemLines} from './panels/system.js';
import {mediaPage, type MediaPage, type MediaWant} from './panels/media.js';
import type {ColorDepth} from './image-cells.js';
import type {Graphic} from './graphics-protocol.js';
import {mediaHints} from '../keymap.js';

/** Everything a frame is made from. */
export type ScreenInput = {
	snap: Snapshot;
	ui: UiState;
	columns: number;
	rows: number;
	/** Wall clock, ms (ages, the "just changed" highlight). */
	now: number;
	/** Animation phase of the live mark. */
	pulse: number;
	/** The colours the terminal draws (images in the media panel); default 24-bit. */
	colorDepth?: ColorDepth;
	/** The terminal draws images itself (kitty graphics, sixel): the media page leaves their cells blank. */
	graphics?: boolean;
};

export type ScreenView = 'dashboard' | 'compact' | 'tiny' | 'help' | 'runs' | 'machine' | 'overview' | 'media';

/** One frame. */
export type Screen = {
	view: ScreenView;
	width: number;
	/** Lines drawn: the terminal's rows minus one (Ink ≤6.8 clears the screen on a full-height frame). */
	height: number;
	/** Exactly `height` lines, each exactly `width` columns. */
	lines: Line[];
	/** Where each panel is drawn. */
	panels: Partial<Record<Panel | 'header' | 'footer', Rect>>;
	/** The chart grid drawn (null when no chart grid is on screen). */
	grid: ChartGrid | null;
	/** The footer's key hints (from the keymap). */
	hints: string[];
	/** What the key reducer needs: the same grid and panels as drawn. */
	nav: UiContext;
	/** The zoomed range the charts on screen want read at full resolution (the session reads it); absent or null: none. */
	zoomRequest?: ZoomRequest | null;
	/** The media file the media page wants read (the session reads it); absent or null: none. */
	mediaRequest?: MediaWant | null;
	/** The image the terminal is to draw over the blank cells left for it (screen cells, 0-based); absent or null: none. */
	graphic?: Graphic | null;
};

/** A grid by value (grids are rebuilt each frame; memo keys compare what they describe). */
function gridKey(grid: ChartGrid | null): string {
	return grid === null ? '' : `${grid.area.x},${grid.area.y},${grid.area.width}x${grid.area.height}:${grid.columns}x${grid.rows}:${grid.count}`;
}

/** What both drawing and key handling derive from the input: layout, grid, panels. */
type Frame = {
	layout: Layout;
	view: ScreenView;
	grid: ChartGrid | null;
	metricCount: number;
	nav: UiContext;
};

const DIM: Style = {dim: true};
const INPUT: Style = {bold: true};

/** Rows the compact view spends above its metric list. */
function compactTop(snap: Snapshot, ui: UiState): number {
	return 2 + (snap.alerts.length > 0 ? 1 : 0) + (notice(snap, ui) ? 1 : 0);
}

/** The header's notice: the session's (run gone, following a new run), then wbtop's own (config file, save key). */
function notice(snap: Snapshot, ui: UiState): string | null {
	const session = snap.runGone ? 'the run directory is gone' : snap.runError ? `run: ${snap.runError}` : snap.notice;
	return [session, ui.notice].filter(Boolean).join('   ') || null;
}

function frameOf(input: ScreenInput): Frame {
	const {snap, ui, columns, rows} = input;
	const layout = computeLayout(columns, rows, ui.shownPanels);
	const metrics = visibleMetrics(snap.run, ui.filter);
	// In the runs list, the runs its query keeps (the cursor and Enter move over those).
	const runDirs = (snap.runs && ui.runsOpen ? filterRuns(snap.runs, runsQuery(runsQueryText(ui)), input.now) : snap.runs)?.map(entry => entry.runDir) ?? [];
	const view: ScreenView = ui.help ? 'help' : snap.machineView ? 'machine' : ui.runsOpen && snap.runs ? 'runs' : ui.overview.open && layout.mode !== 'tiny' ? 'overview' : ui.media.open && layout.mode !== 'tiny' ? 'media' : layout.mode === 'full' ? 'dashboard' : layout.mode;
	let grid: ChartGrid | null = null;
	let panels: Panel[] = ['metrics'];
	let pageRows = {metrics: 1, summary: 5, console: 5, system: 5};
	if (view === 'machine') {
		// No run: no chart grid, nothing for the panel keys to move over.
	} else if (layout.mode === 'full') {
		grid = chartGrid(layout.metrics, metrics.length, ui.focused && metrics.length > 0, ui.grid);
		panels = (['metrics', 'summary', 'console', 'system'] as const).filter(panel => panel === 'metrics' || ui.shownPanels.includes(panel));
		pageRows = {metrics: grid.perPage, summary: Math.max(1, layout.summary.height - 2), console: Math.max(1, layout.console.height - 2), system: Math.max(1, layout.system.height - 2)};
	} else if (layout.mode === 'compact') {
		const top = compactTop(snap, ui);
		grid = listGrid({x: 0, y: top, width: layout.root.width, height: Math.max(1, layout.root.height - top - 1)}, metrics.length);
		pageRows = {...pageRows, metrics: grid.perPage};
	}
	const drawn = grid;
	const nav: UiContext = {
		metricCount: metrics.length,
		moveChart: (index, direction) => (drawn === null ? index : moveSelection(drawn, index, direction)),
		panels,
		xAxes: xAxisCandidates(snap.run),
		currentXAxis: activeXAxis(snap.run, ui),
		pageRows: {...pageRows, runs: runsPageRows(layout.root.height)},
		runDirs,
		writers: snap.run.nodes.length,
	};
	if (view === 'media') nav.media = mediaPageOf(input, layout.root.width, layout.root.height).nav;
	if (view === 'overview') {
		const page = overviewPage(snap, ui, layout.root.width, layout.root.height, input.now);
		nav.overview = {pageRows: page.pageRows, maxScroll: page.maxScroll, columns: page.columns};
	}
	return {layout, view, grid, metricCount: metrics.length, nav};
}

/** The last overview page made (the key reducer and the frame ask for the same one), and its config rows. */
let lastOverview: {deps: readonly unknown[]; page: ReturnType<typeof overviewBody>} | null = null;
let lastConfig: {deps: readonly unknown[]; rows: OverviewRow[]} | null = null;

/**
 * The overview page's body for this run, UI and size, memoized on what it shows; the config rows
 * (sorted, filtered: the costly part of a big config) only on the config's own version.
 */
function overviewPage(snap: Snapshot, ui: UiState, width: number, height: number, now: number): ReturnType<typeof overviewBody> {
	const run = snap.run;
	const state = stateWord(runLife(run, now));
	const deps = [run, run.version, ui.overview, width, height, state];
	if (lastOverview !== null && sameDeps(lastOverview.deps, deps)) return lastOverview.page;
	const configDeps = [run, run.configVersion, ui.overview.filter, ui.overview.internals];
	if (lastConfig === null || !sameDeps(lastConfig.deps, configDeps)) lastConfig = {deps: configDeps, rows: configSection(configRows(run, ui.overview.filter, ui.overview.internals), ui.overview)};
	const rows = {info: infoRows(runOverview(run), {state, filter: ui.overview.filter}), config: lastConfig.rows};
	const page = overviewBody(rows, ui.overview, width, height);
	lastOverview = {deps, page};
	return page;
}

/** The last media page made (the key reducer and the frame ask for the same one). */
let lastMedia: {deps: readonly unknown[]; page: MediaPage} | null = null;

/** The media page's body (the root less its title and footer), memoized on the media and what is chosen. */
function mediaPageOf(input: ScreenInput, width: number, height: number): MediaPage {
	const run = input.snap.run;
	const depth = input.colorDepth ?? 'truecolor';
	const graphics = input.graphics === true;
	const deps = [run, run.mediaLog.version, run.summary.size, input.ui.media, width, height, depth, graphics];
	if (lastMedia !== null && sameDeps(lastMedia.deps, deps)) return lastMedia.page;
	const page = mediaPage(run, input.ui.media, width, Math.max(1, height - 2), depth, graphics);
	lastMedia = {deps, page};
	return page;
}

/**
 * What the key reducer needs, for the frame this input draws (cheap: charts are not drawn again,
 * the selected one's geometry comes from the chart memo).
 */
export function navigation(input: ScreenInput): UiContext {
	const frame = frameOf(input);
	const {snap, ui} = input;
	if (frame.grid === null || frame.layout.mode !== 'full' || frame.view !== 'dashboard') return frame.nav;
	const xAxis = activeXAxis(snap.run, ui);
	const metrics = visibleMetrics(snap.run, ui.filter);
	const selected = Math.min(ui.selected, Math.max(0, metrics.length - 1));
	const chart = selectedChartGeometry({run: snap.run, metrics, grid: frame.grid, ui: {...ui, selected}, xAxis, active: true, overlay: overlayRuns(snap, ui), view: chartView(snap, ui, xAxis)});
	const extent = axisExtent(snap.run, xAxis);
	if (chart === null || chart.axis !== xAxis || extent === null) return frame.nav;
	const {x0, x1, plotWidth, plotStart} = chart.geometry;
	return {...frame.nav, chart: {axis: xAxis, x0, x1, columns: plotWidth, extent, plotStart}};
}

/** The x-axis' whole range (first to last x the run logged), or null before two distinct values. */
function axisExtent(run: RunState, xAxis: string): readonly [number, number] | null {
	if (xAxis === '_row') return run.lastRowIndex > 0 ? [0, run.lastRowIndex] : null;
	const axis = run.axes.get(xAxis);
	const first = axis?.first ?? null;
	const last = axis?.last ?? null;
	return first !== null && last !== null && last > first ? [first, last] : null;
}

/** The cursor and zoom on the x-axis shown (a cursor or zoom placed on another axis is off), and the zoom cache when it answers. */
function chartView(snap: Snapshot, ui: UiState, xAxis: string): ChartView {
	const zoom = ui.zoom?.axis === xAxis ? ([ui.zoom.x0, ui.zoom.x1] as const) : null;
	const cache = snap.zoom ?? null;
	const answers = zoom !== null && cache !== null && cache.request.axis === xAxis && cache.request.x0 === zoom[0] && cache.request.x1 === zoom[1];
	return {zoom, cache: answers ? cache : null, cursor: ui.cursor?.axis === xAxis ? ui.cursor.x : null, keepY: ui.keepY};
}

/** The zoom's text for the footer: its range, and whether its full-resolution read is still under way. */
function zoomStatus(view: ChartView, xAxis: string): string {
	if (view.zoom === null) return '';
	const [x0, x1] = view.zoom;
	const narrow = x1 - x0 < Math.abs(x1) / 200;
	const step = (x: number) => (narrow ? Math.round(x).toLocaleString('en-US') : formatSI(Math.round(x), 4));
	const text = xKindOf(xAxis) === 'step' ? `${step(x0)}–${step(x1)}` : `${formatSI(x0, 4)}–${formatSI(x1, 4)}`;
	return `zoom ${text}${view.cache === null && xAxis !== '_row' ? ' (reading)' : ''}  `;
}

/** Header contents for the snapshot. */
export function headerModel(snap: Snapshot, ui: UiState, now: number, pulse: number): HeaderModel {
	const run = snap.run;
	const life = runLife(run, now);
	const status = stateWord(life) as HeaderModel['status'];
	// Stale and crashed runs are not live: their speed is the life average, and they have no ETA.
	const live = life.status === 'running';
	const progress = runProgress(run, live);
	const sinceLastRow = status === 'running' ? secondsSinceLastRow(run, now) : null;
	return {
		name: run.info?.name ?? run.info?.id ?? null,
		project: run.info?.project ?? null,
		entity: run.info?.entity ?? null,
		status,
		catchUp: life.catchingUp ? catchUpOf(run, now) : null,
		stateNote: life.catchingUp ? null : lifeReasonShort(life.reason),
		exitCode: runExitCode(run),
		step: run.lastStep,
		// In the progress's steps where they are not _step (a trainer's global step), else _step's.
		speed: progressSpeed(run, progress, live) ?? runSpeed(run, live),
		progress,
		// A negative runtime (a clock set back mid-run) is not a duration: shown as unknown.
		runtime: nonNegative(run.exit?.runtime ?? run.lastRuntime),
		sinceLastRow,
		xAxis: activeXAxis(run, ui),
		smoothing: ui.smoothing,
		logScale: ui.logScale,
		filter: ui.filter,
		paused: snap.paused !== null,
		alerts: snap.alerts.map(alertMessage),
		notice: notice(snap, ui),
		pulse,
	};
}

/** How far reading the log has got, and the time left at the pace so far. */
function catchUpOf(run: RunState, now: number): CatchUp | null {
	const reading = run.reading;
	if (reading === null) return null;
	const elapsed = (now - reading.since) / 1000;
	const secondsLeft = reading.position > 0 && elapsed > 0.2 ? (elapsed * Math.max(0, reading.size - reading.position)) / reading.position : null;
	return {position: reading.position, size: reading.size, rows: run.rows, secondsLeft};
}

/**
 * Whose console the panel shows: in a shared-mode run the primary writer (0) or node i, as `w`
 * picks (`label` names it); a run with one writer has no label.
 */
function consoleWriter(run: RunState, writer: number): {state: RunState; label: string | null} {
	if (run.nodes.length === 0) return {state: run, label: null};
	const node = writer > 0 ? run.nodes[writer - 1] : undefined;
	return node === undefined ? {state: run, label: 'primary'} : {state: node.state, label: node.label ?? `writer ${writer}`};
}

/** Where the console comes from, or why output.log could not be read when it is all there is. */
function consoleNote(run: RunState): string {
	if (run.consoleSource !== 'console records') {
		for (const [file, message] of run.fileProblems) if (/(^|\/)output[^/]*\.log$/.test(file)) return message;
	}
	return run.consoleSource ?? '';
}

/** Whether a summary value changed in the last 3 s (the table highlights it that long). */
function recentSummaryChange(run: RunState, now: number): boolean {
	for (const entry of run.summary.values()) if (now - entry.changedAt < 3000) return true;
	return false;
}

function nonNegative(value: number | null): number | null {
	return value === null || !(value >= 0) ? null : value;
}

/** The runs overlaid on the charts: the watched run first, then the ones picked in the runs list. */
function overlayRuns(snap: Snapshot, ui: UiState): OverlayRun[] {
	if (ui.overlay.length === 0 || !snap.runs) return [];
	const label = (state: RunState, fallback: string) => state.info?.name ?? state.info?.id ?? fallback;
	const runs: OverlayRun[] = [{label: label(snap.run, 'this run'), state: snap.run}];
	for (const dir of ui.overlay) {
		const entry = snap.runs.find(candidate => candidate.runDir === dir);
		if (entry?.state && dir !== snap.runDir) runs.push({label: label(entry.state, entry.id), state: entry.state});
	}
	return runs.length > 1 ? runs : [];
}

/** The last arguments and result of one panel, to skip redrawing what did not change. */
type MemoSlot = {deps: readonly unknown[]; lines: Line[]};

function sameDeps(a: readonly unknown[], b: readonly unknown[]): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
	return true;
}

/** Builds screens, remembering each panel's last lines (one builder per view: the live app, `--once`). */
export class ScreenBuilder {
	private readonly slots = new Map<string, MemoSlot>();
	/** Each screen row's parts and the line joined from them last time (unchanged parts: same line). */
	private readonly rows: Array<{parts: readonly Line[]; line: Line}> = [];
	private gapLine: Line | null = null;

	/** `keymap`: the keys the footer and the help screen name (the config file may remap them). */
	constructor(private readonly keymap: readonly Binding[] = KEYMAP) {}

	/** Row `y` of the screen from its panels' lines; the same Line as last frame when no part changed. */
	private join(y: number, parts: readonly Line[]): Line {
		const last = this.rows[y];
		if (last && last.parts.length === parts.length && last.parts.every((part, i) => part === parts[i])) return last.line;
		const line = joinLines(parts);
		this.rows[y] = {parts, line};
		return line;
	}

	private gap(width: number): Line {
		if (this.gapLine?.width !== width) this.gapLine = fitLine([], width);
		return this.gapLine;
	}

	private memo(id: string, deps: readonly unknown[], draw: () => Line[]): Line[] {
		const slot = this.slots.get(id);
		if (slot && sameDeps(slot.deps, deps)) return slot.lines;
		const lines = draw();
		this.slots.set(id, {deps, lines});
		return lines;
	}

	/** The machine view (no run): this machine's panels, and a footer with the keys that act here. */
	private machineScreen(input: ScreenInput, base: Pick<Screen, 'view' | 'width' | 'height' | 'nav'>): Screen {
		const {width, height} = base;
		const mode = machineMode(input.columns, input.rows);
		const hints = footerHints({runs: false, machine: true}, this.keymap);
		const body = this.memo('machine', [input.snap.host, input.snap.notice, width, height, mode], () =>
			machineLines({host: input.snap.host, notice: input.snap.notice}, width, mode === 'tiny' ? height : height - 1, mode),
		);
		const lines = mode === 'tiny' ? body : [...body, footerLine(input.ui, width, hints, 'this machine')];
		return {...base, lines, panels: {}, grid: null, hints: mode === 'tiny' ? [] : hints};
	}

	/** The frame for this input. */
	build(input: ScreenInput): Screen {
		const frame = frameOf(input);
		const {layout, view, grid, nav} = frame;
		const {snap, ui, now, pulse} = input;
		const {width, height} = layout.root;
		const base = {view, width, height, nav};
		const header = headerModel(snap, ui, now, pulse);
		const second = Math.floor(now / 1000);

		if (view === 'help') return {...base, lines: this.memo('help', [width, height], () => helpScreenLines(width, height, this.keymap)), panels: {}, grid: null, hints: []};
		if (view === 'machine') return this.machineScreen(input, base);
		if (view === 'media') {
			const page = mediaPageOf(input, width, height);
			const name = header.name ?? snap.run.info?.id ?? '(unnamed)';
			const title = fitLine([{text: `Media · ${name}`, style: {bold: true}}, {text: `  ${header.status}${header.paused ? '  PAUSED' : ''}${page.position ? `  ${page.position}` : ''}`, style: DIM}], width);
			const hints = mediaHints(page.detail ? page.nav.detail : null);
			const lines = [title, ...page.lines, footerLine(ui, width, hints, ui.media.gradients ? '[gradients]' : page.detail ? '[media: view]' : '[media]')];
			// The page's body starts below the title line.
			const graphic = page.graphic ? {...page.graphic, y: page.graphic.y + 1} : null;
			return {...base, lines: lines.slice(0, height), panels: {}, grid: null, hints, mediaRequest: page.wants, graphic};
		}
		if (view === 'overview') {
			const page = overviewPage(snap, ui, width, height, now);
			const name = header.name ?? snap.run.info?.id ?? '(unnamed)';
			const position = page.position ? `  ${page.position}` : '';
			const title = fitLine([{text: `Overview · ${name}`, style: {bold: true}}, {text: `  ${header.status}${header.paused ? '  PAUSED' : ''}${position}`, style: DIM}], width);
			const hints = overviewHints(page.columns === 2);
			const lines = [title, ...page.lines, footerLine(ui, width, hints, page.columns === 2 ? `[${ui.overview.pane === 'config' ? 'config' : 'run · environment'}]` : '[overview]')];
			return {...base, lines: lines.slice(0, height), panels: {}, grid: null, hints};
		}
		if (view === 'runs' && snap.runs) {
			const text = runsQueryText(ui);
			const query = runsQuery(text);
			const shown = filterRuns(snap.runs, query, now);
			const lines = this.memo('runs', [width, height, snap.runs, snap.runDir, ui.runCursor, ui.overlay, second, text, ui.input?.target === 'runs', ui.palette], () =>
				runsScreenLines({width, height, runs: shown, total: snap.runs!.length, current: snap.runDir, cursor: ui.runCursor, overlay: ui.overlay, now, palette: ui.palette, query: {text, problems: query.problems, typing: ui.input?.target === 'runs'}}),
			);
			return {...base, lines, panels: {}, grid: null, hints: []};
		}
		const run = snap.run;
		const metrics = visibleMetrics(run, ui.filter);
		const xAxis = activeXAxis(run, ui);
		const selected = Math.min(ui.selected, Math.max(0, metrics.length - 1));
		const hints = footerHints({runs: snap.runs !== null}, this.keymap);

		if (layout.mode === 'tiny') return {...base, lines: tinyLines(header, width, height), panels: {}, grid: null, hints: []};

		if (layout.mode === 'compact') {
			const top = compactTopLines(header, snap.host, width);
			const list = this.memo('compact-list', [run, run.version, gridKey(grid), selected, ui.panel, xAxis, ui.filter], () =>
				compactMetricLines({run, metrics, grid: grid!, selected, active: ui.panel === 'metrics', xAxis}),
			);
			const page = grid ? `${pageOf(grid, selected) + 1}/${pageCount(grid)}` : '1/1';
			const footer = footerLine(ui, width, hints, `${metrics.length} metrics${grid && pageCount(grid) > 1 ? ` (page ${page})` : ''}`);
			const lines = [...top, ...list].slice(0, height - 1);
			while (lines.length < height - 1) lines.push(fitLine([], width));
			lines.push(footer);
			return {...base, lines: lines.slice(0, height), panels: {metrics: grid?.area}, grid, hints};
		}

		// The full dashboard.
		const l = layout;
		const headerRows = this.memo('header', [header.name, header.project, header.entity, header.status, header.catchUp === null ? null : catchUpText(header.catchUp), header.stateNote, header.exitCode, header.step, header.speed === null ? null : speedText(header.speed), header.progress === null ? null : progressText(header.progress), header.runtime, header.sinceLastRow === null ? null : Math.floor(header.sinceLastRow), header.xAxis, header.smoothing, header.logScale, header.filter, header.paused, header.alerts.join('\n'), header.notice, header.pulse, width], () =>
			headerLines(header, width),
		);
		const overlay = overlayRuns(snap, ui);
		const overlayVersions = overlay.map(entry => entry.state.version).join(',');
		const charts = chartView(snap, ui, xAxis);
		const metricRows = this.memo('metrics', [run, run.version, gridKey(grid), selected, ui.focused, ui.smoothing, ui.logScale, ui.filter, xAxis, ui.panel === 'metrics', overlayVersions, overlay.length, ui.palette, charts.zoom?.[0], charts.zoom?.[1], charts.cache, charts.cursor, charts.keepY], () =>
			metricsLines({run, metrics, grid: grid!, ui: {...ui, selected}, xAxis, active: ui.panel === 'metrics', overlay, view: charts}),
		);
		// The charts on this page (drawn against the x-axis) want the zoomed range at full resolution.
		let zoomRequest: ZoomRequest | null = null;
		if (charts.zoom !== null && xAxis !== '_row' && grid !== null && metrics.length > 0) {
			const first = ui.focused ? selected : pageOf(grid, selected) * grid.perPage;
			const names = metrics.slice(first, first + (ui.focused ? 1 : grid.perPage)).filter(metric => !(xAxis === '_step' && metric.stepMetric && run.axes.has(metric.stepMetric))).map(metric => metric.name);
			if (names.length > 0) zoomRequest = {axis: xAxis, x0: charts.zoom[0], x1: charts.zoom[1], metrics: names.slice(0, ZOOM_MAX_METRICS)};
		}
		// The live panels follow the host; W&B's recorded stats follow the run (and, while it runs, the clock).
		const split = systemSplit(snap, l.system);
		// A panel the config file hides (no width) is not drawn at all.
		const showSystem = l.system.width > 0;
		const liveRows = !showSystem ? [] : this.memo('host', [snap.host, run.info?.pid, l.system.width, split.gpu, split.system, ui.hostSort], () => [
			...gpuLines({width: l.system.width, height: split.gpu, host: snap.host, runPid: run.info?.pid ?? null, hostSort: ui.hostSort}),
			...systemLines({width: l.system.width, height: split.system, host: snap.host}),
		]);
		const recordedRows = !showSystem ? [] : this.memo('recorded', [run, run.stats.records, nodesVersion(run), ui.systemScroll, l.system.width, split.recorded, run.exit === null ? second : 0], () =>
			recordedLines({run, width: l.system.width, height: split.recorded, scroll: ui.systemScroll, now}),
		);
		const systemRows = [...liveRows, ...recordedRows];
		const writer = consoleWriter(run, ui.consoleWriter);
		const consoleRun = writer.state;
		const consoleRows = l.console.width === 0 ? [] : this.memo('console', [consoleRun, consoleRun.console, consoleRun.console.version, consoleRun.consoleSource, consoleRun.fileProblems.size, writer.label, ui.consoleScroll, ui.search, ui.searchMatch, ui.panel === 'console', l.console.width, l.console.height], () =>
			consoleLines({view: consoleView(consoleRun, ui.search, ui.searchMatch, ui.consoleScroll), width: l.console.width, height: l.console.height, active: ui.panel === 'console', search: ui.search, sourceNote: writer.label === null ? consoleNote(consoleRun) : `${writer.label} (w: next writer)  ${consoleNote(consoleRun)}`}),
		);
		// Redrawn each second only while a value still shows as just changed (3 s).
		const highlighting = recentSummaryChange(run, now);
		const summaryRowsShown = l.summary.width === 0 ? [] : this.memo('summary', [run, run.version, ui.filter, ui.summaryScroll, ui.panel === 'summary', l.summary.width, l.summary.height, highlighting ? second : -1], () =>
			summaryLines({rows: summaryRows(run, ui.filter), width: l.summary.width, height: l.summary.height, scroll: ui.summaryScroll, active: ui.panel === 'summary', now, filter: ui.filter}),
		);
		const page = grid === null ? null : {page: pageOf(grid, selected), pageCount: pageCount(grid), total: grid.count};
		const status = `${zoomStatus(charts, xAxis)}[${ui.panel}]  charts ${page === null || page.total === 0 ? 0 : page.page + 1}/${page?.pageCount ?? 1}${page && page.total > 0 ? ` (${page.total} metrics)` : ''}`;
		const footer = footerLine(ui, width, hints, status);

		const lines: Line[] = [...headerRows];
		const gap = this.gap(l.summary.x - l.console.width);
		for (let r = 0; r < l.metrics.height; r++) lines.push(this.join(lines.length, showSystem ? [metricRows[r], systemRows[r]] : [metricRows[r]]));
		const bottomParts = (r: number) => (l.console.width === 0 ? [summaryRowsShown[r]] : l.summary.width === 0 ? [consoleRows[r]] : [consoleRows[r], gap, summaryRowsShown[r]]);
		if (l.console.width > 0 || l.summary.width > 0) for (let r = 0; r < l.console.height; r++) lines.push(this.join(lines.length, bottomParts(r)));
		lines.push(footer);
		return {
			...base,
			lines,
			panels: {header: l.header, metrics: l.metrics, system: l.system, console: l.console, summary: l.summary, footer: l.footer},
			grid,
			hints,
			zoomRequest,
		};
	}
}

/**
 * The footer: the `/` prompt while typing, else the key hints on the left (as many as fit) and
 * the status (panel, page) at the right edge.
 */
function footerLine(ui: UiState, width: number, hints: readonly string[], status: string): Line {
	if (ui.input) return fitLine([{text: `/${ui.input.text}█  Enter apply · Esc cancel`, style: INPUT}], width);
	const room = Math.max(0, width - textWidth(status) - 2);
	let shown = '';
	for (const hint of hints) {
		const next = shown ? `${shown} · ${hint}` : hint;
		if (textWidth(next) > room) break;
		shown = next;
	}
	const gap = Math.max(1, width - textWidth(shown) - textWidth(status));
	return fitLine([{text: shown, style: DIM}, ' '.repeat(gap), status], width);
}

/** The right-hand column's rows: live GPUs, then CPU/memory/network, then W&B's recorded stats. */
function systemSplit(snap: Snapshot, rect: Rect): {gpu: number; system: number; recorded: number} {
	const host = snap.host;
	const gpuCount = Math.max(1, host.gpus.length);
	// Live panels first (GPU lines + a process line or two), recorded stats below. A failure
	// message gets up to 4 lines to wrap in.
	let gpu = Math.max(0, Math.min(rect.height - 2, host.gpuStatus === 'ok' ? gpuCount + 2 + Math.min(3, host.processes.length) : 4));
	if (host.remotes.length > 0) {
		// --hosts: a line per host and GPU where they fit, else a line per host (view/panels/gpu.ts), over the CPU lines.
		const hosts = 1 + host.remotes.length;
		const perGpu = hosts + host.gpus.length + host.remotes.reduce((n, r) => n + (r.status === 'ok' ? r.gpus.length : 0), 0);
		gpu = Math.max(0, Math.min(rect.height - 4, perGpu <= rect.height - 4 ? perGpu : 1 + hosts));
	}
	const system = Math.min(4, Math.max(0, rect.height - gpu));
	return {gpu, system, recorded: Math.max(0, rect.height - gpu - system)};
}
