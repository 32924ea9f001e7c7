/**
 * Draws tmuxFrames() with an Ink copy in incremental mode, one frame every FRAME_MS, then stays
 * up (the test kills it). Usage: node --import tsx test/ink-patch/tmux-app.tsx <ink>/build/index.js
 */
import {useEffect, useState} from 'react';
import {pathToFileURL} from 'node:url';
import type {InkModule} from './stock-ink.js';
import {FRAME_MS, tmuxFrames} from './tmux-frames.js';

// Ink reads is-in-ci when imported; the pane helper passes CI='' (which counts as CI).
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
const ink = (await import(pathToFileURL(process.argv[2]).href)) as InkModule;
const frames = tmuxFrames();

function App() {
	const [index, setIndex] = useState(0);
	useEffect(() => {
		if (index >= frames.length - 1) return;
		const timer = setTimeout(() => setIndex(index + 1), FRAME_MS);
		return () => clearTimeout(timer);
	}, [index]);
	return (
		<ink.Box flexDirection="column">
			{frames[index].map((line, i) => (
				<ink.Text key={i}>{line === '' ? ' ' : line}</ink.Text>
			))}
		</ink.Box>
	);
}

ink.render(<App />, {incrementalRendering: true, patchConsole: false, exitOnCtrlC: false});
setInterval(() => {}, 60_000);
