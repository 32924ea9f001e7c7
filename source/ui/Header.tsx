import React from 'react';
import {Box, Text} from 'ink';
import type {RunStatus} from '../state/run-state.js';
import {formatDuration, formatNumber, truncate} from '../view/format.js';
import {sanitize} from '../view/sanitize.js';

/** What the header shows; all strings raw from the run (sanitized here). */
export type HeaderProps = {
	width: number;
	color: boolean;
	name: string | null;
	project: string | null;
	entity: string | null;
	status: RunStatus;
	exitCode: number | null;
	step: number | null;
	stepsPerSecond: number | null;
	/** Seconds since the run started (latest `_runtime`, or exit runtime). */
	runtime: number | null;
	/** Seconds since the last new history row arrived, null when none. */
	sinceLastRow: number | null;
	xAxis: string;
	smoothing: number;
	logScale: boolean;
	filter: string;
	paused: boolean;
	/** Short alert texts; the first ones are shown. */
	alerts: string[];
	/** A notice such as "following new run …". */
	notice: string | null;
	/** Animation phase for the live mark. */
	pulse: number;
};

/** A rate with three significant digits (3.72, 41.5, 1250): more would only flicker. */
function formatRateNumber(value: number): string {
	return value >= 1000 ? formatNumber(Math.round(value)) : String(Number(value.toPrecision(3)));
}

const STATUS_COLOR: Record<RunStatus, string> = {running: 'green', finished: 'blue', failed: 'red', crashed: 'red'};

/** The two header lines: run identity and state, then the chart settings and alerts. */
export function Header(props: HeaderProps) {
	const {width, color} = props;
	const live = props.status === 'running' ? (props.pulse % 2 === 0 ? '●' : '○') : props.status === 'finished' ? '✓' : '✗';
	const statusText = props.status + (props.exitCode !== null && props.exitCode !== 0 ? ` (exit ${props.exitCode})` : '');
	const where = [props.entity, props.project].filter(Boolean).map(v => sanitize(String(v))).join('/');
	const parts = [
		props.step === null ? 'step —' : `step ${props.step}`,
		props.stepsPerSecond === null ? null : `${formatRateNumber(props.stepsPerSecond)} steps/s`,
		props.runtime === null ? null : `runtime ${formatDuration(props.runtime)}`,
		props.sinceLastRow === null ? null : `last row ${formatDuration(props.sinceLastRow)} ago`,
		props.paused ? 'PAUSED' : null,
	].filter((part): part is string => part !== null);
	const name = sanitize(props.name ?? '(unnamed run)');
	const line1Left = `${name}${where ? '  ' + where : ''}`;
	const settings = [`x: ${sanitize(props.xAxis)}`, props.smoothing > 0 ? `smooth ${props.smoothing}` : null, props.logScale ? 'log y' : null, props.filter ? `filter: ${sanitize(props.filter)}` : null]
		.filter(Boolean)
		.join('  ');
	const alertText = props.alerts.length > 0 ? `⚠ ${props.alerts.length} alert${props.alerts.length > 1 ? 's' : ''}: ${props.alerts.slice(0, 2).join('; ')}` : '';
	const line2 = [settings, props.notice ?? '', alertText].filter(Boolean).join('   ');
	return (
		<Box flexDirection="column" width={width} height={2}>
			<Text wrap="truncate">
				<Text bold>{truncate(line1Left, Math.max(10, width - 40))}</Text>
				<Text> </Text>
				<Text color={color ? STATUS_COLOR[props.status] : undefined} bold>
					{live} {statusText}
				</Text>
				<Text>{'  ' + parts.join('  ')}</Text>
			</Text>
			<Text wrap="truncate" color={color && props.alerts.length > 0 ? 'yellow' : undefined}>
				{truncate(line2, width)}
			</Text>
		</Box>
	);
}
