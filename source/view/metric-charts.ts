/**
 * Which charts the metrics panel shows and their text: paging, focus, x-axis and smoothing.
 * Pure apart from the chart memo cache.
 */
import type {Metric, RunState} from '../state/run-state.js';
import {xKindOf} from '../state/run-state.js';
import {visibleMetrics, activeXAxis} from '../state/selectors.js';
import type {UiState} from '../state/ui-state.js';
import {chartGrid, type Size} from './layout.js';
import {memoChart} from './chart.js';
import {renderOverlayChart} from './overlay-chart.js';
import {formatNumber} from './format.js';
import {sanitize} from './sanitize.js';

/** One chart cell: a title line and the chart lines under it. */
export type ChartCell = {name: string; title: string; lines: string[]; selected: boolean};

export type MetricPage = {
	cells: ChartCell[];
	columns: number;
	cellWidth: number;
	cellHeight: number;
	page: number;
	pageCount: number;
	total: number;
	xAxis: string;
	/** Charts per page, for paging keys. */
	perPage: number;
};

/** The page of charts that contains the selected metric (or the focused chart alone). */
export function metricPage(state: RunState, ui: UiState, size: Size, color: boolean, overlay: ReadonlyArray<{label: string; state: RunState}> = []): MetricPage {
	const metrics = visibleMetrics(state, ui.filter);
	const xAxis = activeXAxis(state, ui);
	const selected = Math.min(ui.selected, Math.max(0, metrics.length - 1));
	if (ui.focused && metrics.length > 0) {
		const metric = metrics[selected];
		return {
			cells: [cell(state, metric, xAxis, size.width, size.height, ui, color, true, overlay)],
			columns: 1,
			cellWidth: size.width,
			cellHeight: size.height,
			page: selected,
			pageCount: metrics.length,
			total: metrics.length,
			xAxis,
			perPage: 1,
		};
	}
	const grid = chartGrid(size, metrics.length);
	const perPage = grid.columns * grid.rows;
	const page = Math.floor(selected / perPage);
	const cells = metrics
		.slice(page * perPage, page * perPage + perPage)
		.map((metric, index) => cell(state, metric, xAxis, grid.chartWidth, grid.chartHeight, ui, color, page * perPage + index === selected, overlay));
	return {
		cells,
		columns: grid.columns,
		cellWidth: grid.chartWidth,
		cellHeight: grid.chartHeight,
		page,
		pageCount: Math.max(1, Math.ceil(metrics.length / perPage)),
		total: metrics.length,
		xAxis,
		perPage,
	};
}

function cell(
	state: RunState,
	metric: Metric,
	globalAxis: string,
	width: number,
	height: number,
	ui: UiState,
	color: boolean,
	selected: boolean,
	overlay: ReadonlyArray<{label: string; state: RunState}>,
): ChartCell {
	// A metric that declared its own step metric is drawn against it while the x-axis is the default _step.
	const axisName = globalAxis === '_step' && metric.stepMetric && state.axes.has(metric.stepMetric) ? metric.stepMetric : globalAxis;
	const axis = axisName === '_row' ? null : state.axes.get(axisName) ?? null;
	const series = metric.series;
	const last = series.last;
	const range = series.min === null ? '' : `  ${formatNumber(series.min)}…${formatNumber(series.max)}`;
	const axisNote = axisName === globalAxis ? '' : `  x: ${sanitize(axisName)}`;
	const title = `${sanitize(metric.name)}  ${formatNumber(last)}${range}${axisNote}`;
	const chartHeight = Math.max(1, height - 1);
	const chartWidth = Math.max(8, width - 1);
	if (overlay.length > 1) {
		// The same metric from each overlaid run, on the same x-axis.
		const lines = overlay
			.map(run => ({run, series: run.state.metrics.get(metric.name)?.series}))
			.filter((entry): entry is {run: {label: string; state: RunState}; series: NonNullable<typeof entry.series>} => entry.series !== undefined)
			.map(({run, series}) => ({label: run.label, series, axis: axisName === '_row' ? null : run.state.axes.get(axisName) ?? null}));
		return {name: metric.name, title: `${sanitize(metric.name)}  (${lines.length} runs)${axisNote}`, lines: renderOverlayChart({lines, xKind: xKindOf(axisName), width: chartWidth, height: chartHeight, color}), selected};
	}
	const lines = memoChart({
		series,
		axis,
		xKind: xKindOf(axisName),
		width: chartWidth,
		height: chartHeight,
		smoothing: ui.smoothing,
		logScale: ui.logScale,
		color,
	});
	return {name: metric.name, title, lines, selected};
}
