/** The system panel: CPU (with per-core bars when there is room), memory, swap and network rates. */
import {block, blockSparkline, formatPct, formatRateShort, formatUsedTotal, textWidth} from '../format.js';
import {fitLine, type Line, type Span, type Style} from '../line.js';
import type {HostPanelOptions} from './gpu.js';

const LABEL_W = 4; // "CPU " etc.
const SPARK_MAX = 30;
const BOLD: Style = {bold: true};
const RED: Style = {color: 'red'};
const YELLOW: Style = {color: 'yellow'};
const CYAN: Style = {color: 'cyan'};
const GREEN: Style = {color: 'green'};

/** The system panel's lines: exactly `height` lines of `width` columns. */
export function systemLines(options: HostPanelOptions): Line[] {
	const {width, height} = options;
	const out = systemContent(options).map(spans => fitLine(spans, width));
	while (out.length < height) out.push(fitLine([], width));
	return out.slice(0, Math.max(0, height));
}

function systemContent(options: HostPanelOptions): Span[][] {
	const {width, height, host, compact = false} = options;
	if (height <= 0 || width <= 0) return [];
	const status: Span[] | null = host.systemStatus === 'ok' ? null : [{text: `SYS: ${host.systemMessage ?? host.systemStatus}`, style: RED}];

	// A sparkline fills what is left of a line after its text, if at least 4 columns are left.
	const withSpark = (line: Span[], history: ReadonlyArray<number | null>, max: number | 'auto'): Span[] => {
		const used = line.reduce((n, s) => n + textWidth(s.text), 0);
		const room = Math.min(SPARK_MAX, width - used - 1);
		return compact || room < 4 ? line : [...line, {text: ' '}, {text: blockSparkline(history, room, max), style: CYAN}];
	};

	const cpu = host.cpu;
	const cpuLine = withSpark([{text: 'CPU ', style: BOLD}, {text: cpu?.totalPct === null || !cpu ? '   …' : formatPct(cpu.totalPct)}], host.cpuHistory, 100);
	const mem = host.mem;
	const memPct = mem?.usedBytes != null && mem.totalBytes ? (mem.usedBytes / mem.totalBytes) * 100 : null;
	const memLine = withSpark(
		[{text: 'MEM ', style: BOLD}, {text: formatPct(memPct)}, {text: ` ${mem ? formatUsedTotal(mem.usedBytes, mem.totalBytes) : '…'}`, style: memPct !== null && memPct >= 90 ? YELLOW : undefined}],
		host.memHistory,
		100,
	);
	const swapLine: Span[] = [{text: 'SWP ', style: BOLD}, {text: !mem ? '…' : mem.swapTotalBytes === 0 ? 'none' : formatUsedTotal(mem.swapUsedBytes, mem.swapTotalBytes)}];
	const net = host.net;
	const netLine = withSpark([{text: 'NET ', style: BOLD}, {text: `↓${formatRateShort(net?.rxBytesPerSec ?? null)} ↑${formatRateShort(net?.txBytesPerSec ?? null)}`}], host.rxHistory, 'auto');

	// Per-core bars: one block per core, wrapped over as many lines as the height leaves.
	const cores = cpu?.perCorePct ?? [];
	const perLine = Math.max(1, width - LABEL_W);
	const coreLines: Span[][] = [];
	for (let i = 0; i < cores.length; i += perLine) {
		coreLines.push([{text: ' '.repeat(LABEL_W)}, {text: cores.slice(i, i + perLine).map(v => block(v)).join(''), style: GREEN}]);
	}

	// Fill by priority, then show in reading order.
	const wanted: Array<[rank: number, line: Span[]]> = [];
	let room = height;
	const take = (rank: number, line: Span[]) => {
		if (room <= 0) return;
		wanted.push([rank, line]);
		room--;
	};
	if (status) take(0, status);
	take(1, cpuLine);
	take(3, memLine);
	take(5, netLine);
	take(4, swapLine);
	// Per-core bars only when all of them fit: a partial set would read as "this is all the cores".
	if (!compact && coreLines.length <= room) for (const line of coreLines) take(2, line);
	return wanted
		.map((entry, order) => ({entry, order}))
		.sort((a, b) => a.entry[0] - b.entry[0] || a.order - b.order)
		.map(({entry}) => entry[1]);
}
