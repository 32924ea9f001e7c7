import React from 'react';
import {Box, Text} from 'ink';

/** One screen line: re-rendered only when its text changed. */
const Row = React.memo(function Row({text}: {text: string}) {
	return <Text wrap="truncate-end">{text}</Text>;
});

/** The painted lines of a screen model, one `<Text>` each. Renders its props, nothing else. */
export function Screen({lines}: {lines: readonly string[]}) {
	return (
		<Box flexDirection="column">
			{lines.map((text, i) => (
				<Row key={i} text={text} />
			))}
		</Box>
	);
}
