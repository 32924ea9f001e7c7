/**
 * The GPU panel: one line per GPU (`0 H100 80GB 100% ▆▇█▇ 19.7/79.6G 61°C 691/700W 1320MHz`), then
 * the GPU processes with the run's own marked, as far as the size allows. With other nodes
 * (`--hosts`): each host's name over its GPU lines while they all fit, else one line per host
 * (`node-3  8 GPUs  ▇▇▇█▇▇▂▇  util 87 %  mem 61/80G  max 71 °C`), worst first by the sort key.
 */
import type {GpuProcess, GpuSample} from '../../decode/host-events.js';
import {initialHostState, type HostState, type RemoteHost} from '../../state/host-state.js';
import type {HostSort} from '../../state/ui-state.js';
import {blockSparkline, formatBytesShort, formatPct, formatUsedTotal, shortGpuName, truncate, wrapWords} from '../format.js';
import {fitLine, type Line, type Span, type Style} from '../line.js';
import {sanitizeLine} from '../sanitize.js';

export type HostPanelOptions = {
	width: number;
	height: number;
	host: HostState;
	/** Pid of the watched run; its GPU processes (and their children, when marked) are highlighted. */
	runPid?: number | null;
	/** Only the essentials: no sparklines, no process list. */
	compact?: boolean;
	/** With `--hosts`, one line per host: which host is worst comes first (default lowest utilization). */
	hostSort?: HostSort;
};

/** What the header line says of each order (short: the run view's right column is ~38 columns). */
export const HOST_SORT_LABEL: Record<HostSort, string> = {util: 'by util ↑', mem: 'by mem ↓', temp: 'by temp ↓'};

const MiB = 1024 * 1024;
const SPARK_MIN = 4;
const SPARK_MAX = 40;

const BOLD: Style = {bold: true};
const DIM: Style = {dim: true};
const RED: Style = {color: 'red'};
const YELLOW: Style = {color: 'yellow'};
const CYAN: Style = {color: 'cyan'};
const MAGENTA: Style = {color: 'magenta'};
const RUN: Style = {color: 'green', bold: true};

/** A GPU line's optional columns, in the order they are given up when space runs out (last first). */
type Column = 'mem' | 'temp' | 'spark' | 'power' | 'clock';
const COLUMN_PRIORITY: Column[] = ['mem', 'temp', 'spark', 'power', 'clock'];
const COLUMN_ORDER: Column[] = ['spark', 'mem', 'temp', 'power', 'clock'];

function tempText(g: GpuSample): string {
	return g.tempC === null ? 'N/A' : `${Math.round(g.tempC)}°C`;
}

function powerText(g: GpuSample): string {
	if (g.powerW === null) return 'N/A';
	return g.powerLimitW === null ? `${Math.round(g.powerW)}W` : `${Math.round(g.powerW)}/${Math.round(g.powerLimitW)}W`;
}

function clockText(g: GpuSample): string {
	return g.smClockMHz === null ? 'N/A' : `${Math.round(g.smClockMHz)}MHz`;
}

function memText(g: GpuSample): string {
	return formatUsedTotal(g.memUsedMiB === null ? null : g.memUsedMiB * MiB, g.memTotalMiB === null ? null : g.memTotalMiB * MiB);
}

function utilSpan(g: GpuSample): Span {
	if (g.mig) return {text: ' MIG', style: MAGENTA};
	if (g.util === null) return {text: ' N/A', style: DIM};
	return {text: formatPct(g.util), style: BOLD};
}

/** The GPU panel's lines: exactly `height` lines of `width` columns. */
export function gpuLines(options: HostPanelOptions): Line[] {
	return pad(gpuContent(options), options.width, options.height);
}

function pad(lines: Line[], width: number, height: number): Line[] {
	const out = lines.slice(0, Math.max(0, height));
	while (out.length < height) out.push(fitLine([], width));
	return out;
}

function gpuContent(options: HostPanelOptions): Line[] {
	const {width, height, host, compact = false} = options;
	if (height <= 0 || width <= 0) return [];
	if (host.remotes.length > 0) return hostsContent(options);
	if (host.gpuStatus !== 'ok') {
		// The message is all there is to show: wrap it over the panel's lines rather than cut it.
		const text = `GPU: ${host.gpuMessage ?? (host.gpuStatus === 'unavailable' ? 'not available' : 'error')}`;
		const style = host.gpuStatus === 'error' ? RED : DIM;
		return wrapWords(sanitizeLine(text), width, height).map(line => fitLine([{text: line, style}], width));
	}
	if (host.gpus.length === 0) return [fitLine([{text: 'GPU: waiting for nvidia-smi…', style: DIM}], width)];

	const gpus = host.gpus;
	const idxW = Math.max(...gpus.map(g => String(g.index).length));
	const names = gpus.map(g => sanitizeLine(shortGpuName(g.name)));
	// Name gets what is left after "index util" when the panel is very narrow.
	const nameW = Math.max(1, Math.min(Math.max(...names.map(n => n.length)), 16, width - idxW - 7));
	const core = idxW + 1 + nameW + 1 + 4;
	const cells: Record<Exclude<Column, 'spark'>, string[]> = {
		mem: gpus.map(memText),
		temp: gpus.map(tempText),
		power: gpus.map(powerText),
		clock: gpus.map(clockText),
	};
	const colW = (c: Column) => (c === 'spark' ? SPARK_MIN : Math.max(...cells[c].map(s => s.length)));

	// Greedy by priority: each column is kept if it still fits; leftover space widens the sparkline.
	let used = core;
	const kept = new Set<Column>();
	for (const c of COLUMN_PRIORITY) {
		if (c === 'spark' && compact) continue;
		if (used + 1 + colW(c) <= width) {
			kept.add(c);
			used += 1 + colW(c);
		}
	}
	const sparkW = kept.has('spark') ? Math.min(SPARK_MAX, SPARK_MIN + width - used) : 0;

	const gpuLine = (g: GpuSample, i: number): Line => {
		const spans: Span[] = [{text: String(g.index).padStart(idxW) + ' ', style: BOLD}, {text: truncate(names[i]!, nameW).padEnd(nameW) + ' '}, utilSpan(g)];
		for (const c of COLUMN_ORDER) {
			if (!kept.has(c)) continue;
			spans.push({text: ' '});
			if (c === 'spark') {
				spans.push({text: blockSparkline(host.gpuHistory[g.index]?.util ?? [], sparkW), style: CYAN});
				continue;
			}
			const text = cells[c][i]!.padStart(colW(c));
			let style: Style | undefined;
			if (c === 'temp' && g.tempC !== null) style = g.tempC >= 85 ? RED : g.tempC >= 75 ? YELLOW : undefined;
			if (c === 'mem' && g.memUsedMiB !== null && g.memTotalMiB) style = g.memUsedMiB / g.memTotalMiB >= 0.95 ? YELLOW : undefined;
			spans.push({text, style});
		}
		return fitLine(spans, width);
	};

	const lines: Line[] = [];
	if (gpus.length > height) {
		gpus.slice(0, height - 1).forEach((g, i) => lines.push(gpuLine(g, i)));
		lines.push(fitLine([{text: `+${gpus.length - (height - 1)} more GPUs`, style: DIM}], width));
		return lines;
	}
	gpus.forEach((g, i) => lines.push(gpuLine(g, i)));
	if (!compact) lines.push(...processLines(options, height - lines.length));
	return lines;
}

/** The process list under the GPUs, in at most `room` lines; the run's processes first. */
export function processLines(options: HostPanelOptions, room: number): Line[] {
	const {host, width, runPid} = options;
	if (room < 1 || host.processesTime === null) return [];
	const isRun = (p: GpuProcess) => p.run === true || (runPid !== null && runPid !== undefined && p.pid === runPid);
	if (host.processes.length === 0) return [fitLine([{text: 'no GPU processes', style: DIM}], width)];
	const gpuOf = new Map(host.gpus.map(g => [g.uuid, g.index]));
	const sorted = [...host.processes].sort((a, b) => Number(isRun(b)) - Number(isRun(a)) || (b.usedMemMiB ?? -1) - (a.usedMemMiB ?? -1) || a.pid - b.pid);
	const pidW = Math.max(3, ...sorted.map(p => String(p.pid).length));
	const lines: Line[] = [];
	// The column header only when it leaves room for at least two processes.
	if (room >= 3) lines.push(fitLine([{text: `  ${'PID'.padStart(pidW)} GPU ${'MEM'.padStart(6)} PROCESS`, style: DIM}], width));
	const rows = room - lines.length;
	const shown = sorted.length > rows ? sorted.slice(0, rows - 1) : sorted;
	for (const p of shown) {
		const run = isRun(p);
		const gpu = p.gpuUuid !== null && gpuOf.has(p.gpuUuid) ? String(gpuOf.get(p.gpuUuid)) : '?';
		const mem = p.usedMemMiB === null ? 'N/A' : formatBytesShort(p.usedMemMiB * MiB);
		lines.push(
			fitLine(
				[
					{text: run ? '▶ ' : '  ', style: RUN},
					{text: `${String(p.pid).padStart(pidW)} ${gpu.padStart(3)} ${mem.padStart(6)} `},
					{text: p.name + (run ? ' (run)' : ''), style: run ? RUN : undefined},
				],
				width,
			),
		);
	}
	if (shown.length < sorted.length) {
		const rest = sorted.length - shown.length;
		const text = shown.length === 0 ? `${rest} GPU processes (${sorted.filter(isRun).length} of the run)` : `  +${rest} more processes`;
		lines.push(fitLine([{text, style: DIM}], width));
	}
	return lines;
}

/** This machine as a remote-like entry, so every host is drawn alike. */
function localEntry(host: HostState): RemoteHost {
	const status = host.gpuStatus === 'ok' ? (host.gpus.length === 0 ? 'connecting' : 'ok') : host.gpuStatus === 'unavailable' ? 'no-nvidia-smi' : 'driver-error';
	return {name: 'local', status, message: host.gpuMessage, gpus: host.gpus, time: host.gpuTime, gpuHistory: host.gpuHistory};
}

/** The text a host without a fresh sample shows in place of its GPUs. */
function hostStateText(r: RemoteHost): string {
	if (r.status === 'connecting') return 'connecting…';
	if (r.status === 'ok') return 'no GPU';
	return r.message ?? r.status;
}

/** Per-host summary numbers; null where no GPU reports it. */
type HostSummary = {util: number | null; memUsedMiB: number | null; memTotalMiB: number | null; maxTempC: number | null};

function summarize(gpus: readonly GpuSample[]): HostSummary {
	let utilSum = 0;
	let utilN = 0;
	let memUsed: number | null = null;
	let memTotal: number | null = null;
	let maxTemp: number | null = null;
	for (const g of gpus) {
		if (g.util !== null) {
			utilSum += g.util;
			utilN++;
		}
		// The fullest GPU: the one that runs out of memory first.
		if (g.memUsedMiB !== null && (memUsed === null || g.memUsedMiB > memUsed)) {
			memUsed = g.memUsedMiB;
			memTotal = g.memTotalMiB;
		}
		if (g.tempC !== null && (maxTemp === null || g.tempC > maxTemp)) maxTemp = g.tempC;
	}
	return {util: utilN === 0 ? null : utilSum / utilN, memUsedMiB: memUsed, memTotalMiB: memTotal, maxTempC: maxTemp};
}

/** Sort rank of a host: failing hosts first, then by the key, worst first; unknown values last among the working. */
function sortValue(r: RemoteHost, summary: HostSummary, key: HostSort): number {
	if (r.status !== 'ok' || r.gpus.length === 0) return -Infinity;
	if (key === 'util') return summary.util === null ? Infinity : summary.util;
	if (key === 'mem') return summary.memUsedMiB === null || !summary.memTotalMiB ? Infinity : -summary.memUsedMiB / summary.memTotalMiB;
	return summary.maxTempC === null ? Infinity : -summary.maxTempC;
}

const BAR_MAX = 16;

/** Columns of a line's spans (their text is plain: sanitized names, numbers, block characters). */
function spansWidth(spans: readonly Span[]): number {
	return spans.reduce((n, span) => n + span.text.length, 0);
}

function hostsContent(options: HostPanelOptions): Line[] {
	const {width, height, host} = options;
	const hosts = [localEntry(host), ...host.remotes];
	const nameW = Math.min(16, Math.max(...hosts.map(r => sanitizeLine(r.name).length)));
	const rowsPerGpu = hosts.reduce((n, r) => n + 1 + (r.status === 'ok' ? r.gpus.length : 0), 0);
	if (rowsPerGpu <= height) {
		// Everything fits: each host's name, then its GPUs as the single-host panel draws them.
		const lines: Line[] = [];
		for (const r of hosts) {
			const ok = r.status === 'ok' && r.gpus.length > 0;
			lines.push(fitLine([{text: truncate(sanitizeLine(r.name), nameW).padEnd(nameW), style: BOLD}, ...(ok ? [] : [{text: '  ' + sanitizeLine(hostStateText(r)), style: r.status === 'connecting' ? DIM : RED}])], width));
			if (ok) lines.push(...gpuContent({width, height: r.gpus.length, host: {...initialHostState(), gpus: r.gpus, gpuHistory: r.gpuHistory, gpuTime: r.time}}));
		}
		return lines;
	}
	const key = options.hostSort ?? 'util';
	const summaries = hosts.map(r => summarize(r.status === 'ok' ? r.gpus : []));
	const order = hosts.map((_, i) => i).sort((a, b) => sortValue(hosts[a]!, summaries[a]!, key) - sortValue(hosts[b]!, summaries[b]!, key) || a - b);
	const gpuCount = hosts.reduce((n, r) => n + (r.status === 'ok' ? r.gpus.length : 0), 0);
	const failing = hosts.filter(r => r.status !== 'ok').length;
	const lines: Line[] = [fitLine([{text: `${hosts.length} hosts  ${gpuCount} GPUs${failing > 0 ? `  ${failing} not answering` : ''}`, style: BOLD}, {text: `  ${HOST_SORT_LABEL[key]}`, style: DIM}], width)];
	const room = height - 1;
	const shown = order.length > room ? order.slice(0, Math.max(0, room - 1)) : order;
	const countW = Math.max(...hosts.map(r => String(r.gpus.length).length));
	const barW = Math.min(BAR_MAX, Math.max(...hosts.map(h => (h.status === 'ok' ? h.gpus.length : 0))));
	for (const i of shown) {
		const r = hosts[i]!;
		const name = {text: truncate(sanitizeLine(r.name), nameW).padEnd(nameW), style: BOLD};
		if (r.status !== 'ok' || r.gpus.length === 0) {
			lines.push(fitLine([name, {text: '  ' + sanitizeLine(hostStateText(r)), style: r.status === 'connecting' ? DIM : RED}], width));
			continue;
		}
		const sum = summaries[i]!;
		const bars = blockSparkline(r.gpus.slice(0, BAR_MAX).map(g => g.util), Math.min(BAR_MAX, r.gpus.length));
		const mem = sum.memUsedMiB === null ? 'N/A' : `${Math.round(sum.memUsedMiB / 1024)}/${sum.memTotalMiB === null ? '?' : Math.round(sum.memTotalMiB / 1024)}G`;
		const memStyle = sum.memUsedMiB !== null && sum.memTotalMiB && sum.memUsedMiB / sum.memTotalMiB >= 0.95 ? YELLOW : undefined;
		const tempStyle = sum.maxTempC === null ? undefined : sum.maxTempC >= 85 ? RED : sum.maxTempC >= 75 ? YELLOW : undefined;
		const barsText = bars.padEnd(barW);
		const utilText = sum.util === null ? 'N/A' : `${Math.round(sum.util)} %`;
		const tempText = sum.maxTempC === null ? 'N/A' : `${Math.round(sum.maxTempC)} °C`;
		const full: Span[] = [
			name,
			{text: `  ${String(r.gpus.length).padStart(countW)} GPUs  `},
			{text: barsText, style: CYAN},
			{text: '  util '},
			{text: utilText.padStart(5), style: BOLD},
			{text: '  mem '},
			{text: mem.padStart(7), style: memStyle},
			{text: '  max '},
			{text: tempText, style: tempStyle},
		];
		// A narrow panel (the run view's right column): the same numbers without labels and gaps.
		const short: Span[] = [
			name,
			{text: ` ${String(r.gpus.length).padStart(countW)} `},
			{text: barsText, style: CYAN},
			{text: ' '},
			{text: utilText.replace(' ', '').padStart(4), style: BOLD},
			{text: ' '},
			{text: mem.padStart(6), style: memStyle},
			{text: ' '},
			{text: tempText.replace(' ', ''), style: tempStyle},
		];
		// Narrower still: the count goes (the bars show up to 16 GPUs).
		const shorter = [short[0]!, {text: ' '}, ...short.slice(2)];
		lines.push(fitLine(spansWidth(full) <= width ? full : spansWidth(short) <= width ? short : shorter, width));
	}
	if (shown.length < order.length) lines.push(fitLine([{text: `+${order.length - shown.length} more hosts`, style: DIM}], width));
	return lines;
}
