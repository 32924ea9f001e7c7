/**
 * The metrics panel: one page of the chart grid (or the focused chart), each chart a title line
 * over its plot, the selected chart's title highlighted.
 */
import type {Metric, RunState} from '../../state/run-state.js';
import {xKindOf} from '../../state/run-state.js';
import type {UiState} from '../../state/ui-state.js';
import {cellRect, pageCount, pageOf, type ChartGrid} from '../chart-grid.js';
import {memoChart} from '../chart.js';
import {renderOverlayChart} from '../overlay-chart.js';
import {chartLineColor} from '../palette.js';
import {formatNumber} from '../format.js';
import {blankLine, fitLine, joinLines, type Line, type Style} from '../line.js';

/** A run overlaid on the charts (the watched run first). */
export type OverlayRun = {label: string; state: RunState};

const SELECTED_ACTIVE: Style = {bold: true, inverse: true, color: 'cyan'};
const SELECTED: Style = {bold: true, color: 'white'};
const DIM: Style = {dim: true};

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
}): Line[] {
	const {run, metrics, grid, ui, xAxis, active, overlay} = options;
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
		const lines = chartCell(run, metrics[index], xAxis, rect.width, rect.height, ui, index === selected, active, overlay);
		for (let k = 0; k < lines.length; k++) rows[rect.y - area.y + k]?.push(lines[k]);
	}
	return rows.map(parts => {
		const used = parts.reduce((sum, line) => sum + line.width, 0);
		if (used < area.width) parts.push(blankLine(area.width - used));
		return joinLines(parts);
	});
}

/** One chart: a title line and the plot, `width` x `height`. */
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
): Line[] {
	// A metric that declared its own step metric is drawn against it while the x-axis is the default _step.
	const axisName = globalAxis === '_step' && metric.stepMetric && run.axes.has(metric.stepMetric) ? metric.stepMetric : globalAxis;
	const axisNote = axisName === globalAxis ? '' : `  x: ${axisName}`;
	const series = metric.series;
	const titleStyle = selected ? (active ? SELECTED_ACTIVE : SELECTED) : undefined;
	const plotWidth = Math.max(8, width - 1);
	const plotHeight = Math.max(1, height - 1);
	let title: string;
	let plot: Line[];
	if (overlay.length > 1) {
		// The same metric from each overlaid run, on the same x-axis.
		const lines = overlay
			.map(entry => ({entry, series: entry.state.metrics.get(metric.name)?.series}))
			.filter((item): item is {entry: OverlayRun; series: NonNullable<typeof item.series>} => item.series !== undefined)
			.map(({entry, series: s}) => ({label: entry.label, series: s, axis: axisName === '_row' ? null : entry.state.axes.get(axisName) ?? null}));
		title = `${metric.name}  (${lines.length} runs)${axisNote}`;
		plot = renderOverlayChart({lines, xKind: xKindOf(axisName), width: plotWidth, height: plotHeight, palette: ui.palette});
	} else {
		const range = series.min === null ? '' : `  ${formatNumber(series.min)}…${formatNumber(series.max)}`;
		title = `${metric.name}  ${formatNumber(series.last)}${range}${axisNote}`;
		plot = memoChart({
			series,
			axis: axisName === '_row' ? null : run.axes.get(axisName) ?? null,
			xKind: xKindOf(axisName),
			width: plotWidth,
			height: plotHeight,
			smoothing: ui.smoothing,
			logScale: ui.logScale,
			lineColor: chartLineColor(ui.palette ?? 'default'),
		});
	}
	const gap = blankLine(Math.max(0, width - plotWidth));
	const out = [joinLines([fitLine([{text: title, style: titleStyle}], Math.max(0, width - 1)), blankLine(Math.min(1, width))])];
	for (const line of plot.slice(0, height - 1)) out.push(line.width === width ? line : line.width > width ? fitLine(line.spans, width) : joinLines([line, gap]));
	while (out.length < height) out.push(blankLine(width));
	return out;
}
