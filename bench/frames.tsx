/**
 * Cost of building one dashboard frame: `renderToString` of the pure Dashboard component at
 * 200x50 with 12 metric charts, the run changing between frames (a new row for every metric, so
 * every chart's memo misses), plus the same with only the clock moving (memo hits).
 * Baseline: Ink rendering a static 200x50 screen of plain text, in the same process.
 */
import React from 'react';
import {Box, Text, renderToString} from 'ink';
import {Dashboard} from '../source/ui/Dashboard.js';
import {reduceRun} from '../source/state/run-state.js';
import {initialUiState} from '../source/state/ui-state.js';
import type {LiveSnapshot} from '../source/modes/session.js';
import {h100Host, snapshotOf} from '../test/helpers/snapshot.js';
import {metricName} from './gen.js';
import {LiveRun} from './live.js';
import {quantile} from './lib.js';

export type FrameStats = {p50: number; p95: number; max: number; frames: number};

function stats(samples: number[]): FrameStats {
	return {p50: quantile(samples, 0.5), p95: quantile(samples, 0.95), max: Math.max(...samples), frames: samples.length};
}

/**
 * CPU milliseconds `fn` took (user + system of this process). On a shared box wall time mostly
 * measures the other tenants; the CPU a frame burns is what wbtop takes from training.
 */
function time(fn: () => void): number {
	const before = process.cpuUsage();
	fn();
	const used = process.cpuUsage(before);
	return (used.user + used.system) / 1000;
}

export function frameBench(root: string, options: {columns?: number; rows?: number; frames?: number; history?: number; color?: boolean} = {}): {changing: FrameStats; clockOnly: FrameStats; baseline: FrameStats; charts: number} {
	const columns = options.columns ?? 200;
	const rows = options.rows ?? 50;
	const frames = options.frames ?? 120;
	const color = options.color ?? true;
	const live = new LiveRun(root, 12);
	live.rows(options.history ?? 20_000);
	let snap: LiveSnapshot = snapshotOf(live.runDir, h100Host());
	const ui = initialUiState();
	const run = snap.run;
	let now = Date.now();
	const render = () => renderToString(<Dashboard snap={snap} ui={ui} columns={columns} rows={rows} color={color} now={now} pulse={0} />, {columns});
	const first = render();
	const charts = run.metrics.size;
	if (!first.includes('step ')) throw new Error('the dashboard did not render a header');

	let step = run.lastStep ?? 0;
	const addRow = () => {
		step++;
		const values: Record<string, number> = {_step: step, _runtime: step / 10, _timestamp: now / 1000};
		for (let m = 0; m < 12; m++) values[metricName(m)] = (1 + m) * Math.exp(-step / 5000) * (1 + 0.05 * Math.sin(step + m));
		reduceRun(run, {type: 'history', step, values}, now);
		snap = {...snap, version: snap.version + 1};
	};
	// Warm up the JIT and the chart memo.
	for (let i = 0; i < 20; i++) {
		addRow();
		render();
	}
	globalThis.gc?.();
	const changing: number[] = [];
	for (let i = 0; i < frames; i++) {
		now += 100;
		addRow();
		changing.push(time(render));
	}
	const clockOnly: number[] = [];
	for (let i = 0; i < frames; i++) {
		now += 1000;
		snap = {...snap, version: snap.version + 1};
		clockOnly.push(time(render));
	}
	// Baseline: the same screen size as plain text lines, no charts, no layout beyond a column.
	const lines = first.split('\n').map(line => line.replace(/\u001B\[[0-9;]*m/g, ''));
	const baselineRender = (salt: number) =>
		renderToString(
			<Box flexDirection="column" width={columns} height={rows}>
				{lines.map((line, i) => (
					<Text key={i} wrap="truncate">
						{i === 0 ? `${line} ${salt}` : line}
					</Text>
				))}
			</Box>,
			{columns},
		);
	for (let i = 0; i < 20; i++) baselineRender(i);
	const baseline: number[] = [];
	for (let i = 0; i < frames; i++) baseline.push(time(() => baselineRender(i)));
	return {changing: stats(changing), clockOnly: stats(clockOnly), baseline: stats(baseline), charts};
}
