/**
 * The machine view (`wbtop --system`, or no run found): this machine's GPUs with their history
 * charts, the GPU processes, and CPU / memory / network, full-screen with no run. Like the
 * dashboard it has a full layout (80x24 and up), a compact one and a tiny one.
 */
import type {HostState} from '../../state/host-state.js';
import {formatBytesShort, formatPct, formatRateShort, shortGpuName} from '../format.js';
import {fitLine, joinLines, type Line, type Span, type Style} from '../line.js';
import {FULL_MIN, COMPACT_MIN} from '../layout.js';
import {gpuLines, processLines} from './gpu.js';
import {systemLines} from './system.js';

const BOLD: Style = {bold: true};
const DIM: Style = {dim: true};
const NOTICE: Style = {color: 'yellow'};
const UTIL: Style = {color: 'cyan'};
const MEM: Style = {color: 'magenta'};
const POWER: Style = {color: 'yellow'};
const CPU: Style = {color: 'green'};
const NET: Style = {color: 'blue'};

/** What the machine view is drawn from. */
export type MachineModel = {host: HostState; notice: string | null};

/** Which of the three layouts a size gets (the same thresholds as the dashboard's). */
export function machineMode(columns: number, rows: number): 'full' | 'compact' | 'tiny' {
	if (columns < COMPACT_MIN.columns || rows < COMPACT_MIN.rows) return 'tiny';
	if (columns < FULL_MIN.columns || rows < FULL_MIN.rows) return 'compact';
	return 'full';
}

/** The tallest a GPU's history chart gets (title included): the rest goes to the process list. */
const MAX_CHART_ROWS = 10;

const EIGHTHS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/**
 * A history chart as rows of vertical bars, top row first: the last `width` values, newest at the
 * right edge (blank on the left while history is short). One column per sample; each row holds
 * eight levels. Unknown values are gaps. `max` 'auto' scales to the largest value shown.
 */
export function barRows(values: ReadonlyArray<number | null>, width: number, height: number, max: number | 'auto'): string[] {
	if (width <= 0 || height <= 0) return [];
	const shown = values.slice(-width);
	let top = typeof max === 'number' ? max : 0;
	if (max === 'auto') for (const v of shown) if (v !== null && Number.isFinite(v) && v > top) top = v;
	const pad = width - shown.length;
	const rows: string[] = [];
	for (let r = height - 1; r >= 0; r--) {
		let row = ' '.repeat(pad);
		for (const v of shown) {
			if (v === null || !Number.isFinite(v)) {
				row += ' ';
				continue;
			}
			// In eighths of a row.
			const level = top > 0 ? Math.round((Math.min(top, Math.max(0, v)) / top) * height * 8) : 0;
			// Zero is the lowest bar, as in the sparklines: a blank column means not measured.
			const fill = Math.min(8, Math.max(r === 0 ? 1 : 0, level - r * 8));
			row += fill === 0 ? ' ' : EIGHTHS[fill - 1];
		}
		rows.push(row);
	}
	return rows;
}

/** A chart block: a title line, then `height - 1` rows of bars. */
function chartBlock(title: Span[], values: ReadonlyArray<number | null>, width: number, height: number, max: number | 'auto', style: Style): Line[] {
	if (height <= 0) return [];
	return [fitLine(title, width), ...barRows(values, width, height - 1, max).map(row => fitLine([{text: row, style}], width))];
}

/** Blocks side by side (each `width` wide, one blank column between), as full lines of `total` columns. */
function sideBySide(blocks: Line[][], widths: number[], total: number, height: number): Line[] {
	const out: Line[] = [];
	const gap = fitLine([], 1);
	for (let r = 0; r < height; r++) {
		const parts: Line[] = [];
		blocks.forEach((block, i) => {
			if (i > 0) parts.push(gap);
			parts.push(block[r] ?? fitLine([], widths[i]));
		});
		const used = widths.reduce((a, b) => a + b, 0) + blocks.length - 1;
		if (used < total) parts.push(fitLine([], total - used));
		out.push(joinLines(parts));
	}
	return out;
}

function pad(lines: Line[], width: number, height: number): Line[] {
	const out = lines.slice(0, Math.max(0, height));
	while (out.length < height) out.push(fitLine([], width));
	return out;
}

/** The title: what this screen is, with the machine's size once it is known. */
function titleLine(host: HostState, width: number): Line {
	const facts = [
		host.gpuStatus === 'ok' && host.gpus.length > 0 ? `${host.gpus.length} GPU${host.gpus.length === 1 ? '' : 's'}` : null,
		host.cpu && host.cpu.perCorePct.length > 0 ? `${host.cpu.perCorePct.length} cores` : null,
		host.mem?.totalBytes ? `${formatBytesShort(host.mem.totalBytes)} memory` : null,
	].filter(Boolean);
	return fitLine([{text: 'wbtop  this machine', style: BOLD}, {text: facts.length > 0 ? `  ${facts.join(' · ')}` : '', style: DIM}], width);
}

/** The GPU charts of the full view: per GPU, utilization and memory (and power when wide) side by side. */
function gpuCharts(host: HostState, width: number, perGpu: number): Line[] {
	const out: Line[] = [];
	const withPower = width >= 96;
	const columns = withPower ? 3 : 2;
	const chartW = Math.floor((width - (columns - 1)) / columns);
	for (const gpu of host.gpus) {
		const history = host.gpuHistory[gpu.index] ?? {util: [], memPct: [], powerW: []};
		const name = shortGpuName(gpu.name);
		const memPct = gpu.memUsedMiB !== null && gpu.memTotalMiB ? (gpu.memUsedMiB / gpu.memTotalMiB) * 100 : null;
		const blocks = [
			chartBlock([{text: `GPU ${gpu.index} `, style: BOLD}, {text: `${name} util`, style: DIM}, {text: ' ' + formatPct(gpu.mig ? null : gpu.util).trim()}], history.util, chartW, perGpu, 100, UTIL),
			chartBlock([{text: 'memory', style: DIM}, {text: ' ' + formatPct(memPct).trim()}], history.memPct, chartW, perGpu, 100, MEM),
		];
		if (withPower) {
			const limit = gpu.powerLimitW ?? 'auto';
			const power = gpu.powerW === null ? ' N/A' : ` ${Math.round(gpu.powerW)}${gpu.powerLimitW === null ? '' : `/${Math.round(gpu.powerLimitW)}`}W`;
			blocks.push(chartBlock([{text: 'power', style: DIM}, {text: power}], history.powerW, chartW, perGpu, limit, POWER));
		}
		out.push(...sideBySide(blocks, blocks.map(() => chartW), width, perGpu));
	}
	return out;
}

/** CPU, memory and network charts for the right column, `height` rows in all. */
function systemCharts(host: HostState, width: number, height: number): Line[] {
	const charts: Array<{title: Span[]; values: ReadonlyArray<number | null>; max: number | 'auto'; style: Style}> = [
		{title: [{text: 'CPU', style: DIM}, {text: ' ' + formatPct(host.cpu?.totalPct ?? null).trim()}], values: host.cpuHistory, max: 100, style: CPU},
		{title: [{text: 'memory', style: DIM}, {text: ' ' + formatPct(host.memHistory.at(-1) ?? null).trim()}], values: host.memHistory, max: 100, style: MEM},
		{title: [{text: 'network ↓', style: DIM}, {text: ` ${formatRateShort(host.net?.rxBytesPerSec ?? null)}`}], values: host.rxHistory, max: 'auto', style: NET},
		{title: [{text: 'network ↑', style: DIM}, {text: ` ${formatRateShort(host.net?.txBytesPerSec ?? null)}`}], values: host.txHistory, max: 'auto', style: NET},
	];
	// As many charts as get at least a title and two rows of bars.
	const count = Math.min(charts.length, Math.floor(height / 3));
	if (count === 0) return pad([], width, height);
	const each = Math.floor(height / count);
	const out: Line[] = [];
	charts.slice(0, count).forEach((chart, i) => out.push(...chartBlock(chart.title, chart.values, width, i === count - 1 ? height - each * (count - 1) : each, chart.max, chart.style)));
	return pad(out, width, height);
}

/** The process list with its title, exactly `height` lines. */
function processBlock(host: HostState, width: number, height: number): Line[] {
	if (height <= 0) return [];
	if (host.gpuStatus !== 'ok') return pad([], width, height);
	const lines = processLines({width, height, host, runPid: null}, height - 1);
	return pad([fitLine([{text: 'GPU processes', style: BOLD}, {text: host.processesTime === null ? '  waiting for nvidia-smi…' : `  ${host.processes.length}`, style: DIM}], width), ...lines], width, height);
}

/** The full layout: GPUs and their charts and processes on the left, CPU / memory / network on the right. */
function fullLines(model: MachineModel, width: number, height: number): Line[] {
	const {host, notice} = model;
	const out: Line[] = [titleLine(host, width), fitLine([{text: notice ?? '', style: NOTICE}], width)];
	const body = height - out.length;
	const right = Math.min(60, Math.max(34, Math.round(width * 0.36)));
	const left = width - right - 1;

	// Left: one line per GPU, then history charts while each GPU gets 4+ rows (at most
	// MAX_CHART_ROWS), then the processes in what is left (at least a title and three).
	const gpuCount = host.gpuStatus === 'ok' ? host.gpus.length : 0;
	const gpuRows = host.gpuStatus === 'ok' ? Math.max(1, Math.min(gpuCount, body)) : Math.min(4, body);
	const minProcessRows = Math.min(body - gpuRows, Math.max(4, Math.min(host.processes.length + 2, Math.floor(body * 0.35))));
	const perGpu = gpuCount > 0 ? Math.min(MAX_CHART_ROWS, Math.floor((body - gpuRows - minProcessRows - 1) / gpuCount)) : 0;
	const leftLines = [...gpuLines({width: left, height: gpuRows, host, runPid: null})];
	if (perGpu >= 4) leftLines.push(fitLine([], left), ...gpuCharts(host, left, perGpu));
	const processRows = Math.max(0, body - leftLines.length - 1);
	const leftBody = [...leftLines, ...(processRows > 0 ? [fitLine([], left)] : []), ...processBlock(host, left, processRows)];

	// Right: CPU (per-core bars when they fit), memory, swap, network; then their charts.
	const cores = host.cpu?.perCorePct.length ?? 0;
	const systemRows = Math.min(body, 4 + (cores > 0 ? Math.ceil(cores / Math.max(1, right - 4)) : 0));
	const rightBody = [...systemLines({width: right, height: systemRows, host}), fitLine([], right), ...systemCharts(host, right, body - systemRows - 1)];

	const gap = fitLine([], 1);
	for (let r = 0; r < body; r++) out.push(joinLines([leftBody[r] ?? fitLine([], left), gap, rightBody[r] ?? fitLine([], right)]));
	return out;
}

/** The compact layout: the GPU lines, CPU / memory / network, then as many processes as fit. */
function compactLines(model: MachineModel, width: number, height: number): Line[] {
	const {host, notice} = model;
	const out: Line[] = [fitLine([{text: 'this machine', style: BOLD}, {text: notice ? `  ${notice}` : '', style: NOTICE}], width)];
	// A notice too long for the title line gets a line of its own when there is room.
	if (notice && 14 + notice.length > width && height >= 10) {
		out[0] = fitLine([{text: 'this machine', style: BOLD}], width);
		out.push(fitLine([{text: notice, style: NOTICE}], width));
	}
	const gpuRows = Math.max(1, Math.min(host.gpuStatus === 'ok' ? host.gpus.length : 2, height - out.length - 4));
	out.push(...gpuLines({width, height: gpuRows, host, runPid: null}));
	out.push(...systemLines({width, height: Math.min(4, Math.max(0, height - out.length)), host}));
	const room = height - out.length;
	if (room > 0 && host.gpuStatus === 'ok') out.push(...processLines({width, height: room, host, runPid: null}, room));
	return pad(out, width, height);
}

/** The tiny layout: a word for what this is, the GPUs' utilization, CPU and memory. */
function tinyLines(model: MachineModel, width: number, height: number): Line[] {
	const {host} = model;
	const gpus = host.gpuStatus !== 'ok' ? 'GPU —' : host.gpus.length === 0 ? 'GPU …' : host.gpus.map(g => `${g.index}:${g.util === null ? '—' : Math.round(g.util) + '%'}`).join(' ');
	const memPct = host.memHistory.at(-1) ?? null;
	const text = ['this machine', gpus, `CPU${formatPct(host.cpu?.totalPct ?? null)} MEM${formatPct(memPct)}`];
	return pad(text.slice(0, height).map(line => fitLine([line], width)), width, height);
}

/** The machine view's lines above the footer: exactly `height` lines of `width` columns. */
export function machineLines(model: MachineModel, width: number, height: number, mode: 'full' | 'compact' | 'tiny'): Line[] {
	if (height <= 0 || width <= 0) return pad([], Math.max(0, width), Math.max(0, height));
	if (mode === 'tiny') return tinyLines(model, width, height);
	if (mode === 'compact') return compactLines(model, width, height);
	return fullLines(model, width, height);
}
