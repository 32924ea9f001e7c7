// Opening a large finished run with the real binary in tmux: while it reads the log the header says
// "catching up" with a progress bar; it never says running, nor that the run stalled.
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {CLI} from '../helpers/fixtures.js';
import {writeBigFinishedRun} from '../helpers/big-run.js';
import {hasTmux, startPane} from '../helpers/tmux.js';

const maybe = hasTmux ? describe : describe.skip;

maybe('catching up, in tmux', () => {
	it('a 71 MB finished run: the bar while reading, never running or a stall, then finished', async () => {
		const root = mkdtempSync(join(tmpdir(), 'wbtop-catchup-'));
		const runDir = join(root, 'run-20261201_090000-big');
		writeBigFinishedRun(runDir, 80_000);
		const pane = startPane(`node ${CLI} --no-gpu ${runDir}`, 120, 40);
		try {
			const headers: string[] = [];
			await pane.waitFor(screen => {
				headers.push(screen.split('\n').slice(0, 2).join('\n'));
				return /✓ finished/.test(screen);
			}, 30_000);
			const reading = headers.filter(header => header.includes('↻ catching up'));
			expect(reading.length).toBeGreaterThan(0);
			for (const header of reading) expect(header).toMatch(/▕[█░]{10}▏ \d+% +[\d.]+\/7\d\.\d MB +[\d,]+ rows/);
			for (const header of headers) expect(header).not.toMatch(/running|stalled/);
			expect(headers.at(-1)).toMatch(/✓ finished +step 79999/);
		} finally {
			pane.kill();
			rmSync(root, {recursive: true, force: true});
		}
	}, 60_000);
});
