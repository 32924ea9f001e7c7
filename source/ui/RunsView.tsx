import React from 'react';
import {Box, Text} from 'ink';
import type {CatalogEntry} from '../modes/run-catalog.js';
import {runStatus} from '../state/run-state.js';
import {formatDuration, padEnd, truncate} from '../view/format.js';
import {sanitize} from '../view/sanitize.js';
import {OVERLAY_COLORS} from '../view/overlay-chart.js';

export type RunsViewProps = {
	width: number;
	height: number;
	runs: CatalogEntry[];
	/** The run on screen. */
	current: string;
	cursor: number;
	overlay: readonly string[];
	now: number;
	color: boolean;
};

/** The runs of the wandb/ folder: display name, id, state, steps, age; overlay marks. */
export function RunsView({width, height, runs, current, cursor, overlay, now, color}: RunsViewProps) {
	const body = Math.max(1, height - 3);
	const first = Math.max(0, Math.min(cursor - Math.floor(body / 2), runs.length - body));
	const shown = runs.slice(first, first + body);
	const nameWidth = Math.max(12, Math.min(40, width - 52));
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text bold wrap="truncate">
				{truncate(`Runs in ${runs.length > 0 ? runs[0].listing.runDir.replace(/\/[^/]+$/, '') : ''}  (${runs.length})`, width)}
			</Text>
			<Text dimColor={color} wrap="truncate">
				{truncate(`   ${padEnd('name', nameWidth)} ${padEnd('id', 10)} ${padEnd('state', 9)} ${'step'.padStart(8)} ${'age'.padStart(7)}`, width)}
			</Text>
			{shown.map((entry, i) => {
				const index = first + i;
				const state = entry.state;
				const name = sanitize(state?.info?.name ?? entry.listing.name);
				const status = state ? runStatus(state) : '—';
				const step = state?.lastStep ?? null;
				const age = formatDuration(Math.max(0, (now - entry.listing.mtime) / 1000));
				const overlayIndex = overlay.indexOf(entry.listing.runDir);
				const mark = entry.listing.runDir === current ? '▶' : overlayIndex >= 0 ? '+' : ' ';
				const line = `${mark}  ${padEnd(truncate(name, nameWidth), nameWidth)} ${padEnd(truncate(sanitize(entry.listing.id), 10), 10)} ${padEnd(status, 9)} ${String(step ?? '—').padStart(8)} ${age.padStart(7)}`;
				return (
					<Text key={entry.listing.runDir} wrap="truncate" inverse={index === cursor} color={color && overlayIndex >= 0 ? colorName(overlayIndex + 1) : undefined}>
						{truncate(line, width)}
					</Text>
				);
			})}
			<Box flexGrow={1} />
			<Text dimColor={color} wrap="truncate">
				{truncate('↑↓ move · o overlay on charts · Enter open · r/Esc close', width)}
			</Text>
		</Box>
	);
}

/** Ink colour names matching OVERLAY_COLORS (index 0 is the watched run). */
export function colorName(index: number): string {
	const names = ['cyan', 'yellow', 'magenta', 'green', 'red', 'blue', 'white'];
	return names[index % Math.min(names.length, OVERLAY_COLORS.length)];
}
