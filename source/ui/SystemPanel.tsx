/**
 * System panel: CPU (with per-core bars when there is room), memory, swap and network rates.
 * Renders props only; never taller than `height` nor wider than `width`.
 */
import React from 'react';
import {block, fitLine, formatPct, formatRate, formatUsedTotal, sparkline, type PanelLine} from '../view/format-host.js';
import type {HostState} from '../state/host-state.js';
import {PanelLines, type HostPanelProps} from './GpuPanel.js';

const LABEL_W = 4; // "CPU " etc.
const SPARK_MAX = 30;

/** The lines of the system panel, before styling. Exported for tests and for non-Ink output. */
export function systemPanelLines(props: HostPanelProps): PanelLine[] {
	const {width, height, host, compact = false} = props;
	if (height <= 0 || width <= 0) return [];
	const status: PanelLine | null =
		host.systemStatus === 'ok' ? null : [{text: `SYS: ${host.systemMessage ?? host.systemStatus}`, color: 'red'}];

	// A sparkline fills what is left of a line after its text, if at least 4 columns are left.
	const withSpark = (line: PanelLine, history: ReadonlyArray<number | null>, max: number | 'auto'): PanelLine => {
		const used = line.reduce((n, s) => n + [...s.text].length, 0);
		const room = Math.min(SPARK_MAX, width - used - 1);
		return compact || room < 4 ? line : [...line, {text: ' '}, {text: sparkline(history, room, max), color: 'cyan'}];
	};

	const cpu = host.cpu;
	const cpuLine = withSpark(
		[{text: 'CPU ', bold: true}, {text: cpu?.totalPct === null || !cpu ? '   …' : formatPct(cpu.totalPct)}],
		host.cpuHistory,
		100,
	);
	const mem = host.mem;
	const memPct = mem?.usedBytes != null && mem.totalBytes ? (mem.usedBytes / mem.totalBytes) * 100 : null;
	const memLine = withSpark(
		[
			{text: 'MEM ', bold: true},
			{text: formatPct(memPct)},
			{text: ` ${mem ? formatUsedTotal(mem.usedBytes, mem.totalBytes) : '…'}`, color: memPct !== null && memPct >= 90 ? 'yellow' : undefined},
		],
		host.memHistory,
		100,
	);
	const swapLine: PanelLine = [
		{text: 'SWP ', bold: true},
		{text: !mem ? '…' : mem.swapTotalBytes === 0 ? 'none' : formatUsedTotal(mem.swapUsedBytes, mem.swapTotalBytes)},
	];
	const net = host.net;
	const netLine = withSpark(
		[
			{text: 'NET ', bold: true},
			{text: `↓${formatRate(net?.rxBytesPerSec ?? null)} ↑${formatRate(net?.txBytesPerSec ?? null)}`},
		],
		host.rxHistory,
		'auto',
	);

	// Per-core bars: one block per core, wrapped over as many lines as the height leaves.
	const cores = cpu?.perCorePct ?? [];
	const perLine = Math.max(1, width - LABEL_W);
	const coreLines: PanelLine[] = [];
	for (let i = 0; i < cores.length; i += perLine) {
		const blocks = cores.slice(i, i + perLine).map(v => block(v)).join('');
		coreLines.push([{text: ' '.repeat(LABEL_W)}, {text: blocks, color: 'green'}]);
	}

	// Fill by priority, then show in reading order.
	const wanted: Array<[rank: number, line: PanelLine]> = [];
	let room = height;
	const take = (rank: number, line: PanelLine) => {
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
		.map(({entry}) => fitLine(entry[1], width));
}

/** The system panel. */
export function SystemPanel(props: HostPanelProps) {
	return <PanelLines lines={systemPanelLines(props)} width={props.width} height={props.height} color={props.color} />;
}
