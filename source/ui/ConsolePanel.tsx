import React from 'react';
import {Box, Text} from 'ink';
import {truncate} from '../view/format.js';

/** A console line as the panel shows it (already sanitized by the console model). */
export type ConsoleLine = {text: string; stream: 'stdout' | 'stderr'};

export type ConsolePanelProps = {
	width: number;
	height: number;
	lines: readonly ConsoleLine[];
	/** Lines scrolled up from the tail; 0 follows the tail. */
	scroll: number;
	active: boolean;
	color: boolean;
	search: string;
	/** Index (into `lines`) of the current search match, or null. */
	matchIndex: number | null;
	matchCount: number;
	/** Where the lines came from, e.g. "console records" or "files/output.log". */
	sourceNote: string;
};

/** The run's console, following the tail; stderr lines marked, search matches highlighted. */
export function ConsolePanel(props: ConsolePanelProps) {
	const {width, height, lines, color, search} = props;
	const bodyHeight = Math.max(0, height - 1);
	const scroll = Math.min(props.scroll, Math.max(0, lines.length - bodyHeight));
	const end = Math.max(0, lines.length - scroll);
	const start = Math.max(0, end - bodyHeight);
	const visible = lines.slice(start, end);
	const position = scroll > 0 ? ` ↑${scroll}` : ' (following)';
	const searchNote = search ? `  /${search}: ${props.matchCount} match${props.matchCount === 1 ? '' : 'es'}` : '';
	const title = `Console ${lines.length} lines${position}${searchNote}  ${props.sourceNote}`;
	return (
		<Box width={width} height={height} flexDirection="column">
			<Text wrap="truncate" bold color={color && props.active ? 'cyan' : undefined} inverse={props.active && !color}>
				{truncate(title, width)}
			</Text>
			{visible.length === 0 ? <Text dimColor={color}>no console output yet</Text> : null}
			{visible.map((line, i) => {
				const index = start + i;
				const isMatch = search !== '' && line.text.toLowerCase().includes(search.toLowerCase());
				const current = index === props.matchIndex;
				// stderr is marked, not painted red: tqdm and most loggers write there too.
				const mark = line.stream === 'stderr' ? '! ' : '  ';
				return (
					<Text key={index} wrap="truncate" inverse={current} color={color && isMatch ? 'yellow' : undefined}>
						<Text color={color ? 'red' : undefined} dimColor={color}>
							{mark}
						</Text>
						{truncate(line.text, width - 2)}
					</Text>
				);
			})}
		</Box>
	);
}
