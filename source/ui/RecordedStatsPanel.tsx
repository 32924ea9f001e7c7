import React from 'react';
import {Box, Text} from 'ink';
import {padEnd, truncate} from '../view/format.js';

/** One recorded system metric: its key, a sparkline of its history and its last value, formatted. */
export type RecordedLine = {key: string; spark: string; last: string};

export type RecordedStatsPanelProps = {
	width: number;
	height: number;
	lines: RecordedLine[];
	/** e.g. "recorded by W&B, last sample 12s ago". */
	title: string;
	scroll: number;
	color: boolean;
};

/** The run's recorded system metrics (StatsRecords), one sparkline per metric, labelled as recorded. */
export function RecordedStatsPanel({width, height, lines, title, scroll, color}: RecordedStatsPanelProps) {
	if (height <= 0) return null;
	const body = Math.max(0, height - 1);
	const first = Math.max(0, Math.min(scroll, lines.length - body));
	const visible = lines.slice(first, first + body);
	const keyWidth = Math.min(22, Math.floor(width * 0.45), Math.max(6, ...visible.map(line => line.key.length)));
	const lastWidth = Math.max(5, ...visible.map(line => line.last.length));
	return (
		<Box width={width} height={height} flexDirection="column">
			<Text wrap="truncate" dimColor={color}>
				{truncate(title, width)}
			</Text>
			{lines.length === 0 ? <Text dimColor={color}>{truncate('no system metrics recorded', width)}</Text> : null}
			{visible.map(line => (
				<Text key={line.key} wrap="truncate">
					{padEnd(truncate(line.key, keyWidth), keyWidth)} <Text color={color ? 'magenta' : undefined}>{line.spark}</Text> {line.last.padStart(lastWidth)}
				</Text>
			))}
		</Box>
	);
}
