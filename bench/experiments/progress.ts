/**
 * `node --import tsx bench/experiments/progress.ts`
 *
 * What the progress/ETA costs a frame when the console is full (5,000 lines) and changes 10 times
 * a second: a live tqdm bar redrawn (`\r`) 9 times, then a finished line, and so on. Each change
 * is one console event folded into the state, then one `runProgress` (what the header asks each
 * frame). Compared with reading the whole console again on every change (a fresh buffer each
 * time, so nothing is remembered): what the incremental read saves.
 */
import {initialRunState, reduceRun} from '../../source/state/run-state.js';
import {runProgress} from '../../source/state/progress.js';
import {quantile} from '../lib.js';

const state = initialRunState();
reduceRun(state, {type: 'config', update: {}, remove: []}, 0);
// 5,000 lines like a real run's: log lines, eval bars, finished epoch bars.
for (let i = 0; i < 5000; i++) {
	const text =
		i % 50 === 0
			? `Epoch ${i / 50 + 1}/500: 100%|██████████| 1000/1000 [00:03<00:00, 264.11it/s]\n`
			: i % 7 === 0
				? `Validation: 100%|██████████| 40/40 [00:00<00:00, 120.00it/s]\n`
				: `step ${i} loss=0.${i} lr=3e-4 grad_norm=1.${i % 97} /data/shards/part-${i}.bin\n`;
	reduceRun(state, {type: 'console', stream: 'stderr', text, timestamp: null}, 0);
}
if (state.console.totalLines !== 5000) throw new Error('console not full');

function change(k: number): void {
	const n = k % 1000;
	const bar = `Epoch 101/500:  ${String(Math.floor(n / 10)).padStart(3)}%|█████     | ${n}/1000 [00:0${k % 10}<00:03, 264.${k % 100}it/s]`;
	// 9 redraws of the live bar, then a finished log line.
	const text = k % 10 === 9 ? `\nstep ${k} loss=0.1\n` : `\r${bar}`;
	reduceRun(state, {type: 'console', stream: 'stderr', text, timestamp: null}, 0);
}

function measure(label: string, fresh: boolean, count = 3000): void {
	const samples: number[] = [];
	for (let k = 0; k < count; k++) {
		change(k);
		// A fresh copy: the console read from its start, as a non-incremental reader would.
		const target = fresh ? {...state, console: state.console.clone(), version: state.version} : state;
		const t0 = performance.now();
		const progress = runProgress(target, true);
		samples.push(performance.now() - t0);
		if (progress === null || progress.source !== 'console:tqdm') throw new Error('no progress');
	}
	samples.splice(0, 300); // JIT warm-up
	console.log(`${label}: p50 ${(quantile(samples, 0.5) * 1000).toFixed(1)} µs, p95 ${(quantile(samples, 0.95) * 1000).toFixed(1)} µs, max ${(Math.max(...samples) * 1000).toFixed(0)} µs per change`);
}

measure('incremental (new lines and the live bar only)', false);
measure('whole console read again each change', true, 600);
