/**
 * `node --import tsx bench/experiments/latency-split.ts`
 *
 * Splits the append-to-screen latency: time from appending a row to the LiveSession's snapshot
 * containing it (file event or poll, read, decode, reduce), without the UI. Whatever the tmux
 * figure adds on top is the App's tick (250 ms in source/ui/App.tsx), Ink's frame and the terminal.
 */
import {join} from 'node:path';
import {rmSync} from 'node:fs';
import {LiveSession} from '../../source/modes/session.js';
import {locateRun} from '../../source/sources/locate.js';
import {LiveRun} from '../live.js';
import {quantile, sleep} from '../lib.js';

async function measure(poll: boolean, count: number): Promise<number[]> {
	const root = join(import.meta.dirname, '..', 'out', `latency-split-${poll ? 'poll' : 'events'}`);
	const run = new LiveRun(root);
	run.rows(100);
	const session = new LiveSession(locateRun(run.wandbDir), {intervalMs: 1000, gpu: false, follow: true, poll});
	session.start();
	try {
		const deadline = Date.now() + 10_000;
		while (session.snapshot().run.lastStep !== run.step - 1 && Date.now() < deadline) await sleep(20);
		await sleep(500);
		const samples: number[] = [];
		for (let i = 0; i < count; i++) {
			const t0 = performance.now();
			const step = run.rows(1);
			while (session.snapshot().run.lastStep !== step) {
				if (performance.now() - t0 > 5000) throw new Error('row never arrived');
				await sleep(2);
			}
			samples.push(performance.now() - t0);
			await sleep(100 + Math.random() * 300);
		}
		return samples;
	} finally {
		session.stop();
		rmSync(root, {recursive: true, force: true});
	}
}

for (const poll of [false, true]) {
	const samples = await measure(poll, poll ? 10 : 30);
	console.log(`${poll ? '--poll' : 'events'}: append -> LiveSession snapshot: p50 ${quantile(samples, 0.5).toFixed(0)} ms, p95 ${quantile(samples, 0.95).toFixed(0)} ms, max ${Math.max(...samples).toFixed(0)} ms (${samples.length} samples)`);
}
process.exit(0);
