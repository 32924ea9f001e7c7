/**
 * The compact view for small panes (under 80x24): state and step, the GPUs, the first alert, then
 * one sparkline line per metric (a page of them), and a footer.
 */
import {hostsSummary, type HostState} from '../../state/host-state.js';
import type {Metric, RunState} from '../../state/run-state.js';
import {pageOf, type ChartGrid} from '../chart-grid.js';
import {sparkline} from '../chart.js';
import {formatNumber, padEnd, textWidth} from '../format.js';
import {fitLine, type Line, type Style} from '../line.js';
import {catchUpPercent, statusMark, type HeaderModel} from './header.js';
import {progressShort} from '../progress-text.js';
import {sanitizeLine} from '../sanitize.js';

const BOLD: Style = {bold: true};
const YELLOW: Style = {color: 'yellow'};
const CYAN: Style = {color: 'cyan'};
const DIM: Style = {dim: true};
const SELECTED: Style = {inverse: true};

/** Lines above the metric list: the title, the GPU line, and the first alert when there is one. */
export function compactTopLines(header: HeaderModel, host: HostState, width: number): Line[] {
	const paused = header.paused ? '  PAUSED' : '';
	// While catching up: how far reading the log has got (the run's progress waits with its state).
	const reading = header.catchUp ? ` ${catchUpPercent(header.catchUp)}%` : '';
	const progress = header.progress && !header.catchUp ? ` ${progressShort(header.progress)}` : '';
	const title = `${header.name ?? '(unnamed)'} ${statusMark(header.status)} ${header.status}${reading} step ${header.step ?? '—'}${progress}  x: ${header.xAxis}${paused}`;
	const nodes = host.remotes.length > 0 ? hostsSummary(host) : null;
	const gpuLine = nodes
		? // --hosts: the whole job in one line, the nodes that do not answer named.
			`${nodes.up === nodes.nodes ? nodes.nodes : `${nodes.up}/${nodes.nodes}`} nodes ${nodes.gpus} GPUs ${nodes.util === null ? 'N/A' : `${Math.round(nodes.util)}%`}${nodes.failing.length > 0 ? `  ✗ ${nodes.failing.map(sanitizeLine).join(' ')}` : ''}`
		: host.gpuStatus !== 'ok'
			? `GPU: ${host.gpuMessage ?? host.gpuStatus}`
			: host.gpus.length === 0
				? 'GPU: waiting for nvidia-smi…'
				: 'GPU ' + host.gpus.map(gpu => `${gpu.index}:${gpu.util === null ? (gpu.mig ? 'MIG' : 'N/A') : `${gpu.util.toFixed(0)}%`}${gpu.memUsedMiB !== null && gpu.memTotalMiB ? ` ${((gpu.memUsedMiB / gpu.memTotalMiB) * 100).toFixed(0)}%m` : ''}`).join(' ');
	const lines = [fitLine([{text: title, style: BOLD}], width), fitLine([{text: gpuLine, style: host.gpuStatus !== 'ok' || (nodes !== null && nodes.failing.length > 0) ? YELLOW : undefined}], width)];
	if (header.alerts.length > 0) lines.push(fitLine([{text: `⚠ ${header.alerts[0]}${header.alerts.length > 1 ? ` (+${header.alerts.length - 1})` : ''}`, style: YELLOW}], width));
	if (header.notice) lines.push(fitLine([header.notice], width));
	return lines;
}

/** One line per metric of the page holding `selected`, exactly `grid.area.height` lines. */
export function compactMetricLines(options: {run: RunState; metrics: readonly Metric[]; grid: ChartGrid; selected: number; active: boolean; xAxis: string}): Line[] {
	const {run, metrics, grid, selected, active, xAxis} = options;
	const {width, height} = grid.area;
	const out: Line[] = [];
	if (metrics.length === 0) out.push(fitLine([{text: run.rows === 0 ? 'no history rows yet' : 'no metric to show', style: DIM}], width));
	const first = pageOf(grid, selected) * grid.perPage;
	const shown = metrics.slice(first, first + grid.perPage);
	const nameWidth = Math.min(Math.floor(width * 0.4), Math.max(6, ...shown.map(metric => textWidth(metric.name))));
	const valueWidth = 9;
	const sparkWidth = Math.max(3, width - nameWidth - valueWidth - 2);
	const axis = run.axes.get(xAxis) ?? null;
	shown.forEach((metric, i) => {
		const isSelected = first + i === selected && active;
		out.push(
			fitLine(
				[
					{text: padEnd(metric.name, nameWidth) + ' ', style: isSelected ? SELECTED : undefined},
					{text: sparkline(metric.series, axis, sparkWidth), style: CYAN},
					' ' + formatNumber(metric.series.last).padStart(valueWidth - 1),
				],
				width,
			),
		);
	});
	while (out.length < height) out.push(fitLine([], width));
	return out.slice(0, height);
}

/** The tiny view (under 20x6): name, state and step, each cut to fit. */
export function tinyLines(header: HeaderModel, width: number, height: number): Line[] {
	const text = [`${statusMark(header.status)} ${header.status} step ${header.step ?? '—'}`, header.name ?? '', header.alerts.length > 0 ? `⚠ ${header.alerts.length}` : ''];
	const out = text.slice(0, height).map(line => fitLine([line], width));
	while (out.length < height) out.push(fitLine([], width));
	return out;
}
