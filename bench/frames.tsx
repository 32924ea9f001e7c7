/**
 * What a dashboard frame costs, through the whole pipeline the live dashboard runs: screen model
 * (panels memoized) → painted lines → React → Ink (with the project's patch) in incremental mode
 * → a fake 200x50 TTY. Three kinds of frame: a new history row (all 12 charts redrawn), only the
 * clock moving (the header's "last row Ns ago"), and a new GPU sample (the system column).
 *
 * Baseline, in the same process: stock Ink 6.8 (rebuilt from the patch in reverse, as the Ink
 * patch tests do) drawing exactly the same painted frames.
 */
import React from 'react';
import {EventEmitter} from 'node:events';
import {PassThrough} from 'node:stream';
import {pathToFileURL} from 'node:url';
import {join} from 'node:path';
import {Box, Text, render as renderPatched} from 'ink';
import {reduceRun} from '../source/state/run-state.js';
import {reduceHost} from '../source/state/host-state.js';
import {initialUiState} from '../source/state/ui-state.js';
import type {Snapshot} from '../source/state/snapshot.js';
import {ScreenBuilder} from '../source/view/screen.js';
import {h100Host, snapshotOf} from '../test/helpers/snapshot.js';
import {makeStockInk} from '../test/ink-patch/stock-ink.js';
import {metricName} from './gen.js';
import {LiveRun} from './live.js';
import {quantile} from './lib.js';

export type FrameStats = {p50: number; p95: number; max: number; frames: number; bytesP50: number; bytesMax: number};

type Sample = {ms: number; bytes: number};

function stats(samples: Sample[]): FrameStats {
	const ms = samples.map(sample => sample.ms);
	const bytes = samples.map(sample => sample.bytes);
	return {p50: quantile(ms, 0.5), p95: quantile(ms, 0.95), max: Math.max(...ms), frames: samples.length, bytesP50: quantile(bytes, 0.5), bytesMax: Math.max(...bytes)};
}

/** A terminal that counts what it is sent. */
class FakeTty extends EventEmitter {
	isTTY = true;
	bytes = 0;
	constructor(
		readonly columns: number,
		readonly rows: number,
	) {
		super();
	}
	write(data: string): boolean {
		this.bytes += Buffer.byteLength(data);
		return true;
	}
}

/** CPU milliseconds (user + system of this process) `fn` took: what a frame takes from training. */
function cpuMs(fn: () => void): number {
	const before = process.cpuUsage();
	fn();
	const used = process.cpuUsage(before);
	return (used.user + used.system) / 1000;
}

type RenderFn = typeof renderPatched;

/** The screen's lines as the dashboard's Screen component draws them, for an Ink of choice. */
function screenTree(lines: readonly string[], Row: React.ComponentType<{text: string}>) {
	return (
		<Box flexDirection="column">
			{lines.map((text, i) => (
				<Row key={i} text={text} />
			))}
		</Box>
	);
}

const Row = React.memo(function Row({text}: {text: string}) {
	return <Text wrap="truncate-end">{text}</Text>;
});

export type FrameBench = {changing: FrameStats; clockOnly: FrameStats; hostOnly: FrameStats; stock: {changing: FrameStats; clockOnly: FrameStats; hostOnly: FrameStats}; charts: number; fullScreenBytes: number};

/** Frames at `columns` x `rows` for a run of 12 metrics with `history` rows. */
export async function frameBench(root: string, options: {columns?: number; rows?: number; frames?: number; history?: number; stock?: boolean} = {}): Promise<FrameBench> {
	const columns = options.columns ?? 200;
	const rows = options.rows ?? 50;
	const frames = options.frames ?? 300;
	const live = new LiveRun(root, 12);
	live.rows(options.history ?? 20_000);
	if (options.stock === false) {
		const patched = await measure(renderPatched);
		return {...patched, stock: patched};
	}
	const stock = makeStockInk();
	try {
		const stockInk = (await import(pathToFileURL(join(stock.dir, 'build', 'index.js')).href)) as {render: RenderFn};
		const patched = await measure(renderPatched);
		const baseline = await measure(stockInk.render);
		return {...patched, stock: {changing: baseline.changing, clockOnly: baseline.clockOnly, hostOnly: baseline.hostOnly}};
	} finally {
		stock.remove();
	}

	async function measure(render: RenderFn): Promise<Omit<FrameBench, 'stock'>> {
		let snap: Snapshot = {...snapshotOf(live.runDir, h100Host()), paused: null};
		const run = snap.run;
		// A live run: no exit record, rows arriving; the header shows "last row Ns ago".
		run.exit = null;
		const ui = initialUiState();
		let now = Date.now();
		const builder = new ScreenBuilder();
		const paint = () => builder.build({snap, ui, columns, rows, now, pulse: 0}).lines.map(line => line.paint('color'));
		const tty = new FakeTty(columns, rows);
		const stdin = Object.assign(new PassThrough(), {isTTY: false, setRawMode() {}, ref() {}, unref() {}});
		const instance = render(screenTree(paint(), Row), {stdout: tty as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, patchConsole: false, exitOnCtrlC: false, maxFps: 1000, incrementalRendering: true});
		const fullScreenBytes = tty.bytes;
		let step = run.lastStep ?? 0;
		const addRow = () => {
			step++;
			const values: Record<string, number> = {_step: step, _runtime: step / 10, _timestamp: now / 1000};
			for (let m = 0; m < 12; m++) values[metricName(m)] = (1 + m) * Math.exp(-step / 5000) * (1 + 0.05 * Math.sin(step + m));
			reduceRun(run, {type: 'history', step, values}, now);
			snap = {...snap, version: snap.version + 1};
		};
		const host = snap.host;
		let sample = 0;
		const newGpuSample = () => {
			sample++;
			const gpus = host.gpus.map(gpu => ({...gpu, util: 50 + ((sample * 7) % 50), powerW: 300 + ((sample * 13) % 390)}));
			snap = {...snap, host: reduceHost(snap.host, {type: 'gpu/sample', time: now, gpus}), version: snap.version + 1};
		};
		const frame = (change: () => void): Sample => {
			change();
			const before = tty.bytes;
			const ms = cpuMs(() => instance.rerender(screenTree(paint(), Row)));
			return {ms, bytes: tty.bytes - before};
		};
		// Ink's maxFps throttle lets a frame through when 1 ms passed since the last one.
		const gap = () => new Promise(resolve => setTimeout(resolve, 2));
		const series = async (change: () => void): Promise<Sample[]> => {
			const samples: Sample[] = [];
			for (let i = 0; i < frames; i++) {
				await gap();
				samples.push(frame(change));
			}
			return samples;
		};
		// Warm up the JIT and the caches.
		for (let i = 0; i < 100; i++) {
			await gap();
			frame(addRow);
		}
		globalThis.gc?.();
		const changing = await series(() => {
			now += 100;
			addRow();
		});
		const clockOnly = await series(() => {
			now += 1000;
			snap = {...snap, version: snap.version + 1};
		});
		const hostOnly = await series(newGpuSample);
		instance.unmount();
		return {changing: stats(changing), clockOnly: stats(clockOnly), hostOnly: stats(hostOnly), charts: run.metrics.size, fullScreenBytes};
	}
}
