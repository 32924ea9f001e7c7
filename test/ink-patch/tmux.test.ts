/**
 * A real terminal: tmux-app.tsx draws frames in a 60x12 tmux pane with patched Ink's incremental
 * rendering; when it is done the pane must show exactly the final frame (a full-width line's last
 * column included). Stock Ink 6.8.0 (rebuilt from the patch, see stock-ink.ts), in a second pane,
 * must not, which shows the check can fail.
 */
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ROOT} from '../helpers/fixtures.js';
import {hasTmux, startPane, type Pane} from '../helpers/tmux.js';
import {makeStockInk, PATCHED_INK} from './stock-ink.js';
import {PANE, tmuxFrames} from './tmux-frames.js';
import {visible} from './vt.js';

const maybe = hasTmux ? describe : describe.skip;

const finalFrame = visible(tmuxFrames().at(-1)!.join('\n'));
const APP = join(ROOT, 'test', 'ink-patch', 'tmux-app.tsx');

let stock: {dir: string; remove(): void} | undefined;
beforeAll(() => {
	if (hasTmux) stock = makeStockInk();
});
afterAll(() => stock?.remove());

/** The pane's screen once the app drew its final frame (and had time to draw anything after). */
async function finalScreen(ink: string): Promise<string[]> {
	const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
	const pane: Pane = startPane(`cd ${quote(ROOT)} && exec node --import tsx ${quote(APP)} ${quote(join(ink, 'build', 'index.js'))}`, PANE.columns, PANE.rows, {NODE_ENV: 'production'});
	try {
		await pane.waitFor(screen => screen.includes('done ─'), 15_000);
		await new Promise(resolve => setTimeout(resolve, 300));
		return pane.screen().replace(/\n+$/, '').split('\n');
	} finally {
		pane.kill();
	}
}

maybe('incremental rendering in tmux', () => {
	it('the pane shows exactly the final frame: patched yes, stock no', async () => {
		const [patched, stockScreen] = await Promise.all([finalScreen(PATCHED_INK), finalScreen(stock!.dir)]);
		expect(finalFrame[1]).toHaveLength(PANE.columns);
		expect(patched).toEqual(finalFrame);
		expect(stockScreen).not.toEqual(finalFrame);
	}, 30_000);
});
