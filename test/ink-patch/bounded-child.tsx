/**
 * Run by bounded.test.ts: node --expose-gc --import tsx test/ink-patch/bounded-child.tsx <mode> [frames] [ink dir]
 * Draws 3,000 frames of ever-new text through patched Ink and prints one JSON line: the heap after
 * GC at the start, every 500 frames and at the end, and the largest size each BoundedCache reached
 * against its bound. Modes: "plain" (Output, 24 rows of narrow SGR text at x = 0: the fast path),
 * "cells" (Output, 8 rows with wide characters and emoji: the cell path and its styled-chars cache),
 * "render" (one Ink instance re-rendering a small bordered dashboard with new text).
 */
import {existsSync} from 'node:fs';
import {pathToFileURL} from 'node:url';
import {join} from 'node:path';
import type {InkModule, OutputClass} from './stock-ink.js';

type Cache = {maxWeight: number; weight: number; size: number};
type CacheClass = {prototype: {set(this: Cache, key: unknown, value: unknown): unknown}};

const mode = process.argv[2];
const FRAMES = Number(process.argv[3] ?? 3000);
// An Ink copy can be named to compare (stock has no frame-caches.js: no caches to watch).
const build = join(process.argv[4] ?? join(process.cwd(), 'node_modules', 'ink'), 'build');
const load = async <T,>(file: string) => (await import(pathToFileURL(join(build, file)).href)) as T;
const caches = new Map<Cache, number>();
let overBound = '';
if (existsSync(join(build, 'frame-caches.js'))) {
	const {BoundedCache} = await load<{BoundedCache: CacheClass}>('frame-caches.js');
	const set = BoundedCache.prototype.set;
	BoundedCache.prototype.set = function (key, value) {
		const result = set.call(this, key, value);
		caches.set(this, Math.max(caches.get(this) ?? 0, this.weight));
		if (this.weight > this.maxWeight && !overBound) overBound = `${this.weight} > ${this.maxWeight}`;
		return result;
	};
}
const gc = (globalThis as {gc?: () => void}).gc!;
const heap = () => {
	gc();
	gc();
	return process.memoryUsage().heapUsed;
};

let draw: (frame: number) => void;
if (mode === 'plain' || mode === 'cells') {
	const {default: Output} = await load<{default: OutputClass}>('output.js');
	draw = frame => {
		const output = new Output({width: 80, height: 24});
		for (let y = 0; y < (mode === 'plain' ? 24 : 8); y++) {
			const n = `${frame}.${y}`;
			if (mode === 'plain') output.write(0, y, `\u001B[32mstep ${n}\u001B[39m loss 0.${n} ${'▇'.repeat(y)} ─────┤`, {transformers: []});
			else output.write(y % 2, y, `GPU ${n} 漢字 ${'▇'.repeat(y)} 😀 \u001B[1m${n}\u001B[22m`, {transformers: []});
		}
		output.get();
	};
} else {
	// One live instance re-rendered with new text, as the dashboard runs Ink (renderToString makes
	// a new instance per call, which is not what a long-running dashboard does).
	const ink = await load<InkModule>('index.js');
	const {Box, Text} = ink;
	const {EventEmitter} = await import('node:events');
	const {PassThrough} = await import('node:stream');
	const stdout = Object.assign(new EventEmitter(), {isTTY: true, columns: 80, rows: 24, write: () => true});
	const stdin = Object.assign(new PassThrough(), {isTTY: false, setRawMode() {}, ref() {}, unref() {}});
	const tree = (frame: number) => (
		<Box flexDirection="column" borderStyle="round" width={60}>
			<Text color="green">step {frame} loss {(1 / (frame + 1)).toFixed(6)}</Text>
			<Text wrap="truncate">{`log line ${frame} `.repeat(8)}</Text>
			<Text>{`wrapped ${frame} `.repeat(6)}</Text>
			<Box>
				<Text>GPU {frame % 97}% </Text>
				<Text dimColor>{`${frame}漢字 ▁▂▃`}</Text>
			</Box>
		</Box>
	);
	const instance = ink.render(tree(0), {stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, debug: true, patchConsole: false, exitOnCtrlC: false});
	draw = frame => instance.rerender(tree(frame));
}

// Warm up (JIT, Ink's and React's one-time allocations; far below any cache bound), then measure.
for (let i = 0; i < 20; i++) draw(-1 - i);
const start = heap();
const samples: number[] = [];
for (let frame = 0; frame < FRAMES; frame++) {
	draw(frame);
	if ((frame + 1) % 500 === 0) samples.push(heap());
}
const end = heap();
const peak = Math.max(end, ...samples);
process.stdout.write(JSON.stringify({start, peak, end, samples, overBound, caches: [...caches].map(([cache, max]) => ({bound: cache.maxWeight, max}))}) + '\n');
