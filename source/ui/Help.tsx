import React from 'react';
import {Box, Text} from 'ink';
import {helpLines} from '../keymap.js';
import {truncate} from '../view/format.js';

/** The help screen, generated from the keymap. */
export function Help({width, height}: {width: number; height: number}) {
	const lines = ['wbtop keys (? or Esc closes this)', '', ...helpLines()];
	const shown = lines.slice(0, height);
	return (
		<Box width={width} height={height} flexDirection="column">
			{shown.map((line, i) => (
				<Text key={i} wrap="truncate" bold={i === 0}>
					{truncate(line, width)}
				</Text>
			))}
		</Box>
	);
}
