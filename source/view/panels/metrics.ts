/**
 * The metrics panel: one page of the chart grid (or the focused chart), each chart a title line
 * over its plot, the selected chart's title highlighted.
 */
import type {Metric, RunState} from '../../state/run-state.js';
import {xKindOf} from '../../state/run-state.js';
import type {UiState} from '../../state/ui-state.js';
import {cellRect, pageCount, pageOf, type ChartGrid} from '../chart-grid.js';
import {chartGeometry, memoChart, type ChartGeometry} from '../chart.js';
import {renderOverlayChart} from '../overlay-chart.js';
import {cursorColumn, cursorXText, markCursor, readCursor, readingText} from '../cursor.js';
import type {ZoomCache} from '../../state/zoom.js';
import type {AxisColumn, Series} from '../../state/series.js';
import {chartLineColor} from '../palette.js';
import {formatNumber} from '../format.js';
import {blankLine, fitLine, joinLines, type Line, type Style} from '../line.js';

/** A run overlaid on the charts (the watched run first). */
export type OverlayRun = {label: string; state: RunState};

const SELECTED_ACTIVE: Style = {bold: true, inverse: true, color: 'cyan'};
const SELECTED: Style = {bold: true, color: 'white'};
const DIM: Style = {dim: true};

/** The cursor and zoom as the charts apply them (every chart drawn against the x-axis). */
export type ChartView = {
	/** The zoomed x range, or null for the whole run. */
	zoom: readonly [number, number] | null;
	/** The zoomed range read at full resolution, once it answers the zoom (else the run's own series, coarser). */
	cache: ZoomCache | null;
	/** The cursor's x, or null when it is off. */
	cursor: number | null;
	/** While zoomed: y over the whole run's range. */
	keepY: boolean;
};

export const NO_CHART_VIEW: ChartView = {zoom: null, cache: null, cursor: null, keepY: false};

/** Which page is shown and how many there are (for the footer). */
export type MetricsPage = {page: number; pageCount: number; total: number};

export function metricsPageOf(grid: ChartGrid, selected: number): MetricsPage {
	return {page: pageOf(grid, selected), pageCount: pageCount(grid), total: grid.count};
}

/**
 * The panel's lines (exactly the grid area's size). `metrics` are the visible metrics in order;
 * `selected` indexes them; `active` when the metrics panel has the keyboard.
 */
export function metricsLines(options: {
	run: RunState;
	metrics: readonly Metric[];
	grid: ChartGrid;
	ui: Pick<UiState, 'selected' | 'focused' | 'smoothing' | 'logScale' | 'filter'> & Partial<Pick<UiState, 'palette'>>;
	xAxis: string;
	active: boolean;
	overlay: readonly OverlayRun[];
	view?: ChartView;
}): Line[] {
	const {run, metrics, grid, ui, xAxis, active, overlay} = options;
	const view = options.view ?? NO_CHART_VIEW;
	const {area} = grid;
	if (metrics.length === 0) {
		const text = run.metrics.size === 0 ? (run.rows === 0 ? 'no history rows yet' : 'no numeric metrics in history') : `no metric matches the filter "${ui.filter}" (Esc clears)`;
		return [fitLine([{text, style: DIM}], area.width), ...Array.from({length: Math.max(0, area.height - 1)}, () => blankLine(area.width))];
	}
	const selected = Math.min(ui.selected, metrics.length - 1);
	const first = ui.focused ? selected : pageOf(grid, selected) * grid.perPage;
	const shown = ui.focused ? [selected] : metrics.slice(first, first + grid.perPage).map((_, i) => first + i);
	// Each chart's lines, laid into rows of the grid.
	const rows: Line[][] = Array.from({length: area.height}, () => []);
	for (const index of shown) {
		const rect = ui.focused ? area : cellRect(grid, index);
		const lines = chartCell(run, metrics[index], xAxis, rect.width, rect.height, ui, index === selected, active, overlay, view);
		for (let k = 0; k < lines.length; k++) rows[rect.y - area.y + k]?.push(lines[k]);
	}
	return rows.map(parts => {
		const used = parts.reduce((sum, line) => sum + line.width, 0);
		if (used < area.width) parts.push(blankLine(area.width - used));
		return joinLines(parts);
	});
}

/** The chart the cursor and zoom keys act on: the selected one's plot as drawn (for {@link UiContext}.chart). */
export function selectedChartGeometry(options: Parameters<typeof metricsLines>[0]): {axis: string; geometry: ChartGeometry} | null {
	const {run, metrics, grid, ui, xAxis, overlay} = options;
	if (metrics.length === 0) return null;
	const selected = Math.min(ui.selected, metrics.length - 1);
	const rect = ui.focused ? grid.area : cellRect(grid, selected);
	const plot = plotOf(run, metrics[selected], xAxis, rect.width, rect.height, ui, overlay, options.view ?? NO_CHART_VIEW);
	const geometry = chartGeometry(plot.lines);
	return geometry ? {axis: plot.axisName, geometry} : null;
}

type Plot = {lines: Line[]; axisName: string; axisNote: string; overlay: Array<{label: string; series: Series; axis: AxisColumn | null}> | null; series: Series; axis: AxisColumn | null; zoomed: boolean};

/** A chart's plot (no title, no cursor): the run's series, or the zoom cache's for the zoomed range. */
function plotOf(
	run: RunState,
	metric: Metric,
	globalAxis: string,
	width: number,
	height: number,
	ui: Pick<UiState, 'smoothing' | 'logScale'> & Partial<Pick<UiState, 'palette'>>,
	overlay: readonly OverlayRun[],
	view: ChartView,
): Plot {
	// A metric that declared its own step metric is drawn against it while the x-axis is the default _step.
	const axisName = globalAxis === '_step' && metric.stepMetric && run.axes.has(metric.stepMetric) ? metric.stepMetric : globalAxis;
	const axisNote = axisName === globalAxis ? '' : `  x: ${axisName}`;
	const plotWidth = Math.max(8, width - 1);
	const plotHeight = Math.max(1, height - 1);
	// The zoom is a range of the x-axis: charts on their own step metric keep their whole range.
	const zoom = axisName === globalAxis ? view.zoom : null;
	if (overlay.length > 1) {
		// The same metric from each overlaid run, on the same x-axis (each run's own series: only the watched run's log is re-read).
		const lines = overlay
			.map(entry => ({entry, series: entry.state.metrics.get(metric.name)?.series}))
			.filter((item): item is {entry: OverlayRun; series: NonNullable<typeof item.series>} => item.series !== undefined)
			.map(({entry, series: s}) => ({label: entry.label, series: s, axis: axisName === '_row' ? null : entry.state.axes.get(axisName) ?? null}));
		const plot = renderOverlayChart({lines, xKind: xKindOf(axisName), width: plotWidth, height: plotHeight, palette: ui.palette, xRange: zoom ?? undefined});
		return {lines: plot, axisName, axisNote, overlay: lines, series: metric.series, axis: null, zoomed: zoom !== null};
	}
	const cached = zoom !== null ? view.cache?.metrics.get(metric.name) : undefined;
	const series = cached ?? metric.series;
	const axis = cached ? view.cache!.x : axisName === '_row' ? null : run.axes.get(axisName) ?? null;
	const base = metric.series;
	const plot = memoChart({
		series,
		axis,
		xKind: xKindOf(axisName),
		width: plotWidth,
		height: plotHeight,
		smoothing: ui.smoothing,
		logScale: ui.logScale,
		lineColor: chartLineColor(ui.palette ?? 'default'),
		xRange: zoom ?? undefined,
		yRange: zoom !== null && view.keepY && base.min !== null && base.max !== null ? [base.min, base.max] : undefined,
	});
	return {lines: plot, axisName, axisNote, overlay: null, series, axis, zoomed: zoom !== null};
}

/** One chart: a title line (the cursor's reading while it is on) and the plot, `width` x `height`. */
function chartCell(
	run: RunState,
	metric: Metric,
	globalAxis: string,
	width: number,
	height: number,
	ui: Pick<UiState, 'smoothing' | 'logScale'> & Partial<Pick<UiState, 'palette'>>,
	selected: boolean,
	active: boolean,
	overlay: readonly OverlayRun[],
	view: ChartView,
): Line[] {
	const titleStyle = selected ? (active ? SELECTED_ACTIVE : SELECTED) : undefined;
	const plotWidth = Math.max(8, width - 1);
	const p = plotOf(run, metric, globalAxis, width, height, ui, overlay, view);
	let plot = p.lines;
	const series = metric.series;
	let title: string;
	const cursor = p.axisName === globalAxis ? view.cursor : null;
	const geometry = chartGeometry(plot);
	if (cursor !== null && geometry) {
		// The cursor's column on this chart; outside its x range, no column (and no min/max).
		const inside = cursor >= geometry.x0 && cursor <= geometry.x1;
		const column = cursorColumn(cursor, geometry.x0, geometry.x1, geometry.plotWidth);
		if (inside) plot = markCursor(plot, geometry.plotStart + column.index, geometry.plotTop ?? 0, geometry.plotRows);
		const range: [number, number] = inside ? column.range : [cursor, cursor];
		const at = `@${cursorXText(cursor, xKindOf(p.axisName))}`;
		if (p.overlay) {
			// Each run's value, in the legend's order and colours (the legend line is the plot's first).
			const values = p.overlay.map(line => readingText(readCursor(line.series, line.axis, cursor, [cursor, cursor], ui.smoothing), ui.smoothing));
			title = `${metric.name}  ${at}`;
			plot = [legendWithValues(plot[0], p.overlay.map(line => line.label), values), ...plot.slice(1)];
		} else {
			const reading = readCursor(p.series, p.axis, cursor, range, ui.smoothing);
			const x = reading.x !== null && reading.x !== cursor ? ` (x ${cursorXText(reading.x, xKindOf(p.axisName))})` : '';
			title = `${metric.name}  ${at}  ${readingText(reading, ui.smoothing)}${x}${p.axisNote}`;
		}
	} else if (p.overlay) {
		title = `${metric.name}  (${p.overlay.length} runs)${p.axisNote}`;
	} else {
		const range = series.min === null ? '' : `  ${formatNumber(series.min)}…${formatNumber(series.max)}`;
		title = `${metric.name}  ${formatNumber(series.last)}${range}${p.axisNote}`;
	}
	const gap = blankLine(Math.max(0, width - plotWidth));
	const out = [joinLines([fitLine([{text: title, style: titleStyle}], Math.max(0, width - 1)), blankLine(Math.min(1, width))])];
	for (const line of plot.slice(0, height - 1)) out.push(line.width === width ? line : line.width > width ? fitLine(line.spans, width) : joinLines([line, gap]));
	while (out.length < height) out.push(blankLine(width));
	return out;
}

/** The overlay legend with each run's value after its label (the legend's marks and colours kept). */
function legendWithValues(legend: Line, labels: readonly string[], values: readonly string[]): Line {
	const spans = legend.spans.map(span => ({...span}));
	let k = 0;
	for (let i = 0; i < spans.length && k < labels.length; i++) {
		if (spans[i].text === ' ' + labels[k]) {
			spans[i] = {text: ` ${labels[k]} ${values[k]}`, style: spans[i].style};
			k++;
		}
	}
	return fitLine(spans, legend.width);
}
