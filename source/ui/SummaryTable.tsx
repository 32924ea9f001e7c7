import React from 'react';
import {Box, Text} from 'ink';
import type {SummaryRow} from '../state/selectors.js';
import {formatValue, padEnd, truncate} from '../view/format.js';
import {sanitize} from '../view/sanitize.js';

export type SummaryTableProps = {
	width: number;
	height: number;
	rows: SummaryRow[];
	scroll: number;
	active: boolean;
	color: boolean;
	/** State clock (ms): values that changed within the last 3 s are highlighted. */
	now: number;
	filter: string;
};

/** Summary table: key and value columns, scrollable, recent changes highlighted. */
export function SummaryTable({width, height, rows, scroll, active, color, now, filter}: SummaryTableProps) {
	const bodyHeight = Math.max(0, height - 1);
	const first = Math.max(0, Math.min(scroll, rows.length - bodyHeight));
	const visible = rows.slice(first, first + bodyHeight);
	const keyWidth = Math.min(Math.max(8, ...visible.map(row => row.key.length)), Math.floor(width * 0.55));
	const more = rows.length > bodyHeight ? ` ${first + 1}-${first + visible.length}/${rows.length}` : ` ${rows.length}`;
	const title = `Summary${more}${filter ? ` (filter: ${sanitize(filter)})` : ''}`;
	return (
		<Box width={width} height={height} flexDirection="column">
			<Text wrap="truncate" bold color={color && active ? 'cyan' : undefined} inverse={active && !color}>
				{truncate(title, width)}
			</Text>
			{visible.length === 0 ? <Text dimColor={color}>{truncate(filter ? 'no key matches the filter' : 'no summary yet', width)}</Text> : null}
			{visible.map(row => {
				const changed = row.changedAt !== null && now - row.changedAt < 3000;
				return (
					<Text key={row.key} wrap="truncate">
						<Text dimColor={color}>{padEnd(truncate(sanitize(row.key), keyWidth), keyWidth)} </Text>
						<Text color={color && changed ? 'yellow' : undefined} bold={changed}>
							{truncate(sanitize(formatValue(row.value)), Math.max(1, width - keyWidth - 1))}
						</Text>
					</Text>
				);
			})}
		</Box>
	);
}
