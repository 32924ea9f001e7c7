import React from 'react';
import {Box, Text} from 'ink';
import type {LiveSnapshot} from '../modes/session.js';
import type {UiState} from '../state/ui-state.js';
import {visibleMetrics} from '../state/selectors.js';
import {sparkline} from '../view/chart.js';
import {formatNumber, padEnd, truncate} from '../view/format.js';
import {sanitize} from '../view/sanitize.js';
import type {HeaderProps} from './Header.js';

export type CompactViewProps = {snap: LiveSnapshot; ui: UiState; header: HeaderProps; width: number; height: number; color: boolean};

/** For small panes (under 80x24): state, step and GPUs on top, then one sparkline line per metric. */
export function CompactView({snap, ui, header, width, height, color}: CompactViewProps) {
	const run = snap.run;
	const mark = header.status === 'running' ? '●' : header.status === 'finished' ? '✓' : '✗';
	const title = `${sanitize(header.name ?? '(unnamed)')} ${mark} ${header.status} step ${header.step ?? '—'}  x: ${header.xAxis}`;
	const host = snap.host;
	const gpuLine =
		host.gpuStatus !== 'ok'
			? `GPU: ${host.gpuMessage ?? host.gpuStatus}`
			: host.gpus.length === 0
				? 'GPU: waiting for nvidia-smi…'
				: 'GPU ' + host.gpus.map(gpu => `${gpu.index}:${gpu.util === null ? (gpu.mig ? 'MIG' : 'N/A') : `${gpu.util.toFixed(0)}%`}${gpu.memUsedMiB !== null && gpu.memTotalMiB ? ` ${((gpu.memUsedMiB / gpu.memTotalMiB) * 100).toFixed(0)}%m` : ''}`).join(' ');
	const alertLine = snap.alerts.length > 0 ? `⚠ ${snap.alerts[0].message}${snap.alerts.length > 1 ? ` (+${snap.alerts.length - 1})` : ''}` : null;
	const metrics = visibleMetrics(run, ui.filter);
	const fixedLines = 3 + (alertLine ? 1 : 0);
	const room = Math.max(0, height - fixedLines);
	const first = Math.max(0, Math.min(ui.selected - room + 1, metrics.length - room));
	const shown = metrics.slice(Math.max(0, first), Math.max(0, first) + room);
	const nameWidth = Math.min(Math.floor(width * 0.4), Math.max(6, ...shown.map(metric => metric.name.length)));
	const valueWidth = 9;
	const sparkWidth = Math.max(3, width - nameWidth - valueWidth - 2);
	const footer = ui.input ? `/${ui.input.text}█` : `q quit · ? help · ${metrics.length} metrics${metrics.length > room ? ' (↑↓ scroll)' : ''}`;
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate" bold>
				{truncate(title, width)}
			</Text>
			<Text wrap="truncate" color={color && host.gpuStatus !== 'ok' ? 'yellow' : undefined}>
				{truncate(gpuLine, width)}
			</Text>
			{alertLine ? (
				<Text wrap="truncate" color={color ? 'yellow' : undefined}>
					{truncate(alertLine, width)}
				</Text>
			) : null}
			{shown.length === 0 ? <Text dimColor={color}>{run.rows === 0 ? 'no history rows yet' : 'no metric to show'}</Text> : null}
			{shown.map((metric, i) => (
				<Text key={metric.name} wrap="truncate" inverse={first + i === ui.selected && ui.panel === 'metrics'}>
					{padEnd(truncate(sanitize(metric.name), nameWidth), nameWidth)} <Text color={color ? 'cyan' : undefined}>{sparkline(metric.series, run.axes.get(header.xAxis) ?? null, sparkWidth)}</Text>{' '}
					{formatNumber(metric.series.last).padStart(valueWidth - 1)}
				</Text>
			))}
			<Box flexGrow={1} />
			<Text wrap="truncate" dimColor={color}>
				{truncate(footer, width)}
			</Text>
		</Box>
	);
}
