/** The frames tmux-app.tsx draws in a tmux pane (60x12): lines change, the frame shrinks and grows. */
import {prng} from '../helpers/prng.js';

export const PANE = {columns: 60, rows: 12};
export const FRAME_MS = 50;

const FULL = '─'.repeat(PANE.columns - 1) + '┤';
const FULL_WIDE = 'x'.repeat(PANE.columns - 2) + '中';

/** Each frame's lines (SGR included); the last is the final frame. At most rows - 2 lines. */
export function tmuxFrames(): string[][] {
	const r = prng(31);
	const word = () => ['loss 0.41', 'step 1714', '漢字', '▁▂▃▅▇', 'GPU 0 98%', '│ ok', 'x', ''][Math.floor(r() * 8)];
	const frames: string[][] = [];
	for (let i = 0; i < 24; i++) {
		const count = 1 + Math.floor(r() * (PANE.rows - 2));
		const lines = Array.from({length: count}, (_, j) => {
			const roll = r();
			if (roll < 0.15) return FULL;
			if (roll < 0.2) return FULL_WIDE;
			const text = `${i}.${j} ${word()} ${word()}`;
			return roll < 0.5 ? `\u001B[32m${text}\u001B[39m` : text;
		});
		frames.push(lines);
	}
	frames.push(['final frame', `\u001B[1m${FULL}\u001B[22m`, 'step 9999 loss 0.0001', FULL_WIDE, '', 'done ─ 漢字 │ ▇▅▃▁']);
	return frames;
}
