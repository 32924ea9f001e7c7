/**
 * `wbtop --line --no-gpu` as a tmux status bar runs it (a fresh process every 5 s): wall time and
 * peak RSS on a 2k-row run and on the 200k-row BIG run, beside `node -e 0` measured in the same
 * runs (interleaved, so load from other work hits both alike). Targets from the issue: <= 150 ms
 * and <= 60 MB on both runs. Medians of several runs (min-max in the note).
 */
import {rmSync} from 'node:fs';
import {join} from 'node:path';
import {BIG, ensureRun} from './gen.js';
import {CLI, measureProcess, median, type ProcessCost} from './lib.js';
import {LiveRun} from './live.js';

/** One figure, in the shape bench/run.ts `add` takes. */
export type LineFigure = {
	section: string;
	name: string;
	value: number;
	unit: string;
	baseline: number | null;
	baselineName: string;
	target: string;
	pass: boolean | null;
	note?: string;
};

export const LINE_TARGETS = {wallMs: 150, peakRssMB: 60};

type RunCosts = {run: string; bytes: number | null; line: string; costs: ProcessCost[]};

export async function lineBench(outDir: string, log: (line: string) => void = () => {}, repeats = 7): Promise<{figures: LineFigure[]; details: {baseline: ProcessCost[]; runs: RunCosts[]}}> {
	const root = join(outDir, 'line-2k');
	const small = new LiveRun(root, 12);
	small.rows(2000);
	small.finish();
	const big = ensureRun(outDir, BIG, log);
	const runs = [
		{label: '2k-row run (12 metrics, 1 MB)', runDir: small.runDir, bytes: null as number | null},
		{label: `${BIG.rows / 1000}k-row run (${BIG.metrics} metrics, ${(big.bytes / 1e6).toFixed(0)} MB)`, runDir: big.runDir, bytes: big.bytes},
	];
	const baseline: ProcessCost[] = [];
	const results: RunCosts[] = runs.map(run => ({run: run.label, bytes: run.bytes, line: '', costs: []}));
	try {
		// Warm the page cache and check the output once.
		for (const [i, run] of runs.entries()) {
			const first = await measureProcess([process.execPath, CLI, '--line', '--no-gpu', run.runDir], process.env, {captureStdout: true});
			results[i].line = (first.stdout ?? '').trimEnd();
			log(`line: ${run.label}: ${results[i].line}`);
		}
		for (let r = 0; r < repeats; r++) {
			baseline.push(await measureProcess([process.execPath, '-e', '0']));
			for (const [i, run] of runs.entries()) results[i].costs.push(await measureProcess([process.execPath, CLI, '--line', '--no-gpu', run.runDir]));
		}
	} finally {
		rmSync(root, {recursive: true, force: true});
	}
	const baseWall = median(baseline.map(c => c.wallS * 1000));
	const baseRss = median(baseline.map(c => c.peakRssMB));
	const range = (values: number[], digits: number) => `${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}`;
	const figures: LineFigure[] = [];
	for (const result of results) {
		const wall = result.costs.map(c => c.wallS * 1000);
		const cpu = result.costs.map(c => c.cpuS * 1000);
		const rss = result.costs.map(c => c.peakRssMB);
		figures.push({
			section: 'line',
			name: `\`--line --no-gpu\`, ${result.run}, wall (median of ${wall.length})`,
			value: median(wall),
			unit: 'ms',
			baseline: baseWall,
			baselineName: '`node -e 0`',
			target: `<= ${LINE_TARGETS.wallMs} ms`,
			pass: median(wall) <= LINE_TARGETS.wallMs,
			note: `wall ${range(wall, 0)} ms, CPU ${median(cpu).toFixed(0)} ms (user+sys); \`node -e 0\` ${range(baseline.map(c => c.wallS * 1000), 0)} ms`,
		});
		figures.push({
			section: 'line',
			name: `\`--line --no-gpu\`, ${result.run}, peak RSS (median)`,
			value: median(rss),
			unit: 'MB',
			baseline: baseRss,
			baselineName: '`node -e 0`',
			target: `<= ${LINE_TARGETS.peakRssMB} MB`,
			pass: median(rss) <= LINE_TARGETS.peakRssMB,
			note: `${range(rss, 1)} MB`,
		});
	}
	return {figures, details: {baseline, runs: results}};
}
