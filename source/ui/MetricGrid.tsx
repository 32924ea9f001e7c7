import React from 'react';
import {Box, Text} from 'ink';
import type {MetricPage} from '../view/metric-charts.js';
import {truncate} from '../view/format.js';

export type MetricGridProps = {width: number; height: number; page: MetricPage; active: boolean; color: boolean; emptyText: string};

/** The grid of metric charts (one page of it), the selected chart's title highlighted. */
export function MetricGrid({width, height, page, active, color, emptyText}: MetricGridProps) {
	if (page.cells.length === 0) {
		return (
			<Box width={width} height={height} flexDirection="column">
				<Text dimColor={color}>{truncate(emptyText, width)}</Text>
			</Box>
		);
	}
	const rows: MetricPage['cells'][] = [];
	for (let i = 0; i < page.cells.length; i += page.columns) rows.push(page.cells.slice(i, i + page.columns));
	return (
		<Box width={width} height={height} flexDirection="column">
			{rows.map((row, r) => (
				<Box key={r} flexDirection="row" height={page.cellHeight}>
					{row.map(cell => (
						<Box key={cell.name} flexDirection="column" width={page.cellWidth} height={page.cellHeight}>
							<Text wrap="truncate" bold={cell.selected} inverse={cell.selected && active && !color} color={color && cell.selected ? (active ? 'cyan' : 'white') : undefined}>
								{truncate(cell.title, page.cellWidth - 1)}
							</Text>
							{cell.lines.map((line, i) => (
								<Text key={i} wrap="truncate">
									{line}
								</Text>
							))}
						</Box>
					))}
				</Box>
			))}
		</Box>
	);
}
