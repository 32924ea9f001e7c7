/**
 * `npm run bench`: every performance figure of wbtop beside a baseline measured in the same run
 * (this box is shared and noisy, so ratios are what compare across runs). Prints a table and
 * writes bench/out/results.json.
 *
 *   npm run bench                  everything (~3-5 min once the runs are generated)
 *   npm run bench -- frames idle   only some sections: frames startup idle latency ingest memory
 */
import {mkdirSync, rmSync, writeFileSync} from 'node:fs';
import {cpus} from 'node:os';
import {join} from 'node:path';
import {BIG, SMALL_200K, SMALL_2M, ensureRun} from './gen.js';
import {CLI, loadAverage, measureProcess, median, min, sleep, type ProcessCost} from './lib.js';
import {LiveRun, appendLatency, ensureBtop, fakeSmiEnv, idleCpu, tmuxStartup, waitForText} from './live.js';

// What the bundle does (scripts/build.mjs defines it): React's production build, for in-process frames.
process.env.NODE_ENV = 'production';
const {frameBench} = await import('./frames.js');

const OUT = join(import.meta.dirname, 'out');
mkdirSync(OUT, {recursive: true});

type Figure = {
	section: string;
	name: string;
	value: number;
	unit: string;
	baseline: number | null;
	baselineName: string;
	/** value / baseline (null where there is no baseline). */
	ratio: number | null;
	target: string;
	pass: boolean | null;
	note?: string;
};

const figures: Figure[] = [];
const details: Record<string, unknown> = {};
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function add(figure: Omit<Figure, 'ratio'> & {ratio?: number | null}): void {
	const ratio = figure.ratio !== undefined ? figure.ratio : figure.baseline ? figure.value / figure.baseline : null;
	figures.push({...figure, ratio});
	log(`${figure.section}: ${figure.name} = ${fmt(figure.value)} ${figure.unit}${figure.baseline !== null ? ` (baseline ${fmt(figure.baseline)})` : ''}${figure.pass === null ? '' : figure.pass ? ' PASS' : ' MISS'}`);
}

function fmt(value: number): string {
	if (!Number.isFinite(value)) return String(value);
	const abs = Math.abs(value);
	return abs >= 100 ? value.toFixed(0) : abs >= 10 ? value.toFixed(1) : abs >= 1 ? value.toFixed(2) : value.toFixed(3);
}

const only = new Set(process.argv.slice(2));
const want = (section: string) => only.size === 0 || only.has(section);
const started = performance.now();
const load0 = loadAverage();

// ---------------------------------------------------------------------------------------------
if (want('frames')) {
	log('frames: screen model + Ink (patched, incremental) into a fake 200x50 TTY, 12 charts; baseline: stock Ink 6.8, same frames');
	const root = join(OUT, 'frames-run');
	const result = await frameBench(root);
	rmSync(root, {recursive: true, force: true});
	details.frames = result;
	const stock = 'stock Ink 6.8, same frames';
	add({section: 'frames', name: 'frame p95, a new row (12 charts redrawn)', value: result.changing.p95, unit: 'ms', baseline: result.stock.changing.p95, baselineName: stock, target: '<= 5 ms', pass: result.changing.p95 <= 5, note: `p50 ${fmt(result.changing.p50)} ms (stock ${fmt(result.stock.changing.p50)} ms)`});
	add({section: 'frames', name: 'frame p95, only the clock moving', value: result.clockOnly.p95, unit: 'ms', baseline: result.stock.clockOnly.p95, baselineName: stock, target: '<= 2 ms', pass: result.clockOnly.p95 <= 2, note: `p50 ${fmt(result.clockOnly.p50)} ms`});
	add({section: 'frames', name: 'frame p95, a new GPU sample', value: result.hostOnly.p95, unit: 'ms', baseline: result.stock.hostOnly.p95, baselineName: stock, target: 'report', pass: null, note: `p50 ${fmt(result.hostOnly.p50)} ms`});
	const full = result.fullScreenBytes;
	add({section: 'frames', name: 'bytes written, a new row (median)', value: result.changing.bytesP50, unit: 'B', baseline: result.stock.changing.bytesP50, baselineName: stock, target: 'proportional to what changed', pass: result.changing.bytesP50 < result.stock.changing.bytesP50, note: `the whole screen is ${full} B`});
	add({section: 'frames', name: 'bytes written, only the clock moving (median)', value: result.clockOnly.bytesP50, unit: 'B', baseline: result.stock.clockOnly.bytesP50, baselineName: stock, target: '< 5% of a full screen', pass: result.clockOnly.bytesP50 < full * 0.05});
	add({section: 'frames', name: 'bytes written, a new GPU sample (median)', value: result.hostOnly.bytesP50, unit: 'B', baseline: result.stock.hostOnly.bytesP50, baselineName: stock, target: '< 25% of a full screen', pass: result.hostOnly.bytesP50 < full * 0.25});
}

// ---------------------------------------------------------------------------------------------
if (want('startup')) {
	log('startup: --once and tmux first frame');
	const root = join(OUT, 'startup-run');
	const live = new LiveRun(root, 12);
	live.rows(2000);
	live.finish();
	const once: number[] = [];
	const nodeZero: number[] = [];
	for (let i = 0; i < 5; i++) {
		nodeZero.push((await measureProcess([process.execPath, '-e', '0'])).wallS * 1000);
		once.push((await measureProcess([process.execPath, CLI, '--once', '--no-gpu', '--width', '200', '--height', '50', live.runDir])).wallS * 1000);
	}
	details.startup = {onceMs: once, nodeZeroMs: nodeZero};
	add({section: 'startup', name: '`wbtop --once` (2k-row run, 200x50), median', value: median(once), unit: 'ms', baseline: median(nodeZero), baselineName: '`node -e 0`', target: 'report', pass: null});
	const tmux = await tmuxStartup(live.runDir, 'live-bench', 3);
	details.startupTmux = tmux;
	add({section: 'startup', name: 'tmux: pane start to header on screen, median', value: median(tmux.wbtopMs), unit: 'ms', baseline: median(tmux.baselineMs), baselineName: "node printing 'ready' in a pane", target: 'report', pass: null});
	rmSync(root, {recursive: true, force: true});
}

// ---------------------------------------------------------------------------------------------
if (want('idle')) {
	// Idle is what a pane left open for hours costs: measured over 60 s once start-up work is over
	// (JIT warm-up, and V8's memory reducer, which runs full GCs ~15 s after start). The CPU clock
	// ticks every 10 ms, so a 60 s window reads in steps of 0.017 %.
	const seconds = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
	const warmUpMs = 20_000;
	const btop = ensureBtop(log);
	const btopName = 'btop 1.2 (Debian), same pane size, same window';
	const versusBtop = (result: {btopPct: number | null}) => (result.btopPct === null ? {baseline: null, baselineName: 'btop missing'} : {baseline: result.btopPct, baselineName: btopName});
	{
		log(`idle: finished run, --no-gpu, ${seconds} s, beside btop`);
		const root = join(OUT, 'idle-finished');
		const live = new LiveRun(root, 12);
		live.rows(20_000);
		live.finish();
		const settle = async (pane: Parameters<typeof waitForText>[0]) => {
			await waitForText(pane, 'finished');
			await sleep(warmUpMs);
		};
		const result = await idleCpu({runDir: live.runDir, args: '--no-gpu', seconds, btop, settle});
		details.idleFinished = result;
		add({section: 'idle', name: 'CPU, finished run (20k rows x 12 metrics), --no-gpu, 200x50', value: result.wbtopPct, unit: '% core', ...versusBtop(result), target: "<= btop's", pass: result.btopPct === null ? null : result.wbtopPct <= result.btopPct, note: `an idle node process (setInterval 1 s) used ${fmt(result.baselinePct)}%`});
		const gpu = await idleCpu({runDir: live.runDir, args: '', env: fakeSmiEnv(), seconds, btop, settle: async pane => {
			await settle(pane);
			await waitForText(pane, 'H100');
		}});
		details.idleFinishedGpu = gpu;
		add({section: 'idle', name: "CPU, finished run, GPU panel live at 1 s (wbtop's own process)", value: gpu.wbtopPct, unit: '% core', ...versusBtop(gpu), target: '<= 1.5x btop', pass: gpu.btopPct === null ? null : gpu.wbtopPct <= 1.5 * gpu.btopPct, note: gpu.smiPct === null ? undefined : `the nvidia-smi stand-in (a node script replaying H100 captures) used ${fmt(gpu.smiPct)}% on its own`});
		rmSync(root, {recursive: true, force: true});
	}
	{
		log(`idle: following a run at 10 rows/s, fake nvidia-smi 1 s, ${seconds} s`);
		const root = join(OUT, 'idle-following');
		const live = new LiveRun(root, 12);
		live.rows(2000);
		live.startLogging(10);
		try {
			const result = await idleCpu({runDir: live.wandbDir, args: '--interval 1000', env: fakeSmiEnv(), seconds, btop, settle: async pane => {
				await waitForText(pane, 'running');
				await waitForText(pane, 'H100');
				await sleep(warmUpMs);
			}});
			details.idleFollowing = result;
			add({section: 'idle', name: 'CPU, following a run logging 10 rows/s, GPU panel at 1 s', value: result.wbtopPct, unit: '% core', ...versusBtop(result), target: '<= 3%', pass: result.wbtopPct <= 3, note: `an idle node process used ${fmt(result.baselinePct)}%${result.smiPct === null ? '' : `; the nvidia-smi stand-in ${fmt(result.smiPct)}%`}`});
		} finally {
			live.stopLogging();
			rmSync(root, {recursive: true, force: true});
		}
	}
}

// ---------------------------------------------------------------------------------------------
if (want('latency')) {
	log('latency: append a row, wait for `step N` in the pane (inotify events)');
	const events = await appendLatency({root: join(OUT, 'latency-events'), args: '--no-gpu', count: 25});
	details.latencyEvents = events;
	add({section: 'latency', name: 'append -> on screen, p95 (file events)', value: events.p95, unit: 'ms', baseline: 250, baselineName: 'target', target: '<= 250 ms', pass: events.p95 <= 250, note: `p50 ${fmt(events.p50)} ms, max ${fmt(events.max)} ms, ${events.samples.length} samples`});
	log('latency: the same with --poll');
	const poll = await appendLatency({root: join(OUT, 'latency-poll'), args: '--no-gpu --poll', count: 10});
	details.latencyPoll = poll;
	add({section: 'latency', name: 'append -> on screen, p95 (--poll)', value: poll.p95, unit: 'ms', baseline: 1500, baselineName: 'target', target: '<= 1500 ms', pass: poll.p95 <= 1500, note: `p50 ${fmt(poll.p50)} ms, max ${fmt(poll.max)} ms, ${poll.samples.length} samples`});
}

// ---------------------------------------------------------------------------------------------
const CRC_SCRIPT = "const fs=require('fs');const z=require('zlib');process.stdout.write(String(z.crc32(fs.readFileSync(process.argv[1]))))";

/** `--once --json` of a run, minus the live host sample (which differs run to run). */
function runDocument(stdout: string | undefined): string {
	const doc = JSON.parse(stdout ?? 'null') as Record<string, unknown>;
	delete doc.host;
	return JSON.stringify(doc);
}

type Variant = {name: string; cli: string};

async function ingestRuns(runDir: string, logFile: string, variants: Variant[], repeats: number): Promise<{costs: Map<string, ProcessCost[]>; crc: ProcessCost[]; documents: Map<string, string>}> {
	const costs = new Map<string, ProcessCost[]>(variants.map(v => [v.name, []]));
	const documents = new Map<string, string>();
	const crc: ProcessCost[] = [];
	for (let i = 0; i < repeats; i++) {
		crc.push(await measureProcess([process.execPath, '-e', CRC_SCRIPT, logFile]));
		for (const variant of variants) {
			const cost = await measureProcess([process.execPath, variant.cli, '--once', '--json', '--no-gpu', runDir], process.env, {captureStdout: i === 0});
			if (i === 0) documents.set(variant.name, runDocument(cost.stdout));
			delete cost.stdout;
			costs.get(variant.name)!.push(cost);
		}
	}
	crc.push(await measureProcess([process.execPath, '-e', CRC_SCRIPT, logFile]));
	return {costs, crc, documents};
}

if (want('ingest') || want('memory')) {
	// BENCH_COMPARE=<another build's cli.js> (e.g. a copy of dist/cli.js from before a change) is
	// measured on the same runs, and its `--json` document checked against wbtop's.
	const variants: Variant[] = [{name: 'wbtop', cli: CLI}];
	if (process.env.BENCH_COMPARE) variants.push({name: 'compare', cli: process.env.BENCH_COMPARE});
	const label = (name: string) => (name === 'wbtop' ? '' : ` [${name}: ${process.env.BENCH_COMPARE}]`);
	const big = ensureRun(OUT, BIG, log);
	log(`ingest: ${BIG.rows} rows x ${BIG.metrics} metrics, --once --json --no-gpu`);
	const result = await ingestRuns(big.runDir, big.logFile, variants, 2);
	const crcWall = min(result.crc.map(c => c.wallS));
	const crcCpu = min(result.crc.map(c => c.cpuS));
	const crcRss = min(result.crc.map(c => c.peakRssMB));
	const mb = big.bytes / 1e6;
	details.ingest = {bytes: big.bytes, rows: big.rows, crc: result.crc, ...Object.fromEntries(result.costs)};
	for (const variant of variants) {
		const costs = result.costs.get(variant.name)!;
		const wall = min(costs.map(c => c.wallS));
		const cpu = min(costs.map(c => c.cpuS));
		const rss = min(costs.map(c => c.peakRssMB));
		if (variant.name !== 'wbtop' && result.documents.get(variant.name) !== result.documents.get('wbtop')) log(`WARNING: ${variant.name} gives a different --json document`);
		add({section: 'ingest', name: `--once --json, ${fmt(mb)} MB / ${big.rows} rows, wall (best of ${costs.length})${label(variant.name)}`, value: wall, unit: 's', baseline: crcWall, baselineName: 'node: read file + zlib.crc32 (whole process)', target: '<= 3x', pass: wall / crcWall <= 3, note: `${fmt(mb / wall)} MB/s, ${fmt(big.rows / wall / 1000)}k rows/s (baseline ${fmt(mb / crcWall)} MB/s)`});
		add({section: 'ingest', name: `the same, CPU time (user+sys)${label(variant.name)}`, value: cpu, unit: 's', baseline: crcCpu, baselineName: 'node: read file + zlib.crc32 (whole process)', target: '<= 3x', pass: cpu / crcCpu <= 3, note: `${fmt(mb / cpu)} MB per CPU-second`});
		add({section: 'memory', name: `peak RSS, ${big.rows} rows x ${BIG.metrics} metrics${label(variant.name)}`, value: rss, unit: 'MB', baseline: crcRss, baselineName: 'the crc32 process (holds the whole file)', target: '<= 300 MB', pass: rss <= 300});
	}

	if (want('memory')) {
		log(`memory: growth, ${SMALL_200K.rows} vs ${SMALL_2M.rows} rows of ${SMALL_2M.metrics} metrics`);
		const small = ensureRun(OUT, SMALL_200K, log);
		const large = ensureRun(OUT, SMALL_2M, log);
		const node0 = await measureProcess([process.execPath, '-e', '0']);
		const growth: Record<string, unknown> = {node0, largeBytes: large.bytes};
		for (const variant of variants) {
			const a = await measureProcess([process.execPath, variant.cli, '--once', '--json', '--no-gpu', small.runDir]);
			const b = await measureProcess([process.execPath, variant.cli, '--once', '--json', '--no-gpu', large.runDir]);
			growth[variant.name] = {small: a, large: b};
			// Growth exponent k in RSS ~ rows^k, over what wbtop adds on top of a bare node process.
			const k = Math.log((b.peakRssMB - node0.peakRssMB) / (a.peakRssMB - node0.peakRssMB)) / Math.log(SMALL_2M.rows / SMALL_200K.rows);
			add({section: 'memory', name: `peak RSS, ${SMALL_2M.rows} rows x ${SMALL_2M.metrics} metrics (${fmt(large.bytes / 1e6)} MB)${label(variant.name)}`, value: b.peakRssMB, unit: 'MB', baseline: a.peakRssMB, baselineName: `same shape, ${SMALL_200K.rows} rows`, target: 'sublinear (k < 0.5)', pass: k < 0.5, note: `growth exponent k = ${k.toFixed(2)} (RSS above a bare node's ~ rows^k; 1 = linear); ${fmt(b.wallS)} s wall, ${fmt(SMALL_2M.rows / b.wallS / 1000)}k rows/s`});
		}
		details.memory = growth;
	}
}

// ---------------------------------------------------------------------------------------------
if (want('line')) {
	log('line: --line --no-gpu on a 2k-row and the 200k-row run, beside node -e 0');
	const {lineBench} = await import('./line.js');
	const result = await lineBench(OUT, log);
	details.line = result.details;
	for (const figure of result.figures) add(figure);
}

// ---------------------------------------------------------------------------------------------
const table = [
	['section', 'figure', 'value', 'baseline', 'ratio', 'target', 'result'],
	...figures.map(f => [
		f.section,
		f.name,
		`${fmt(f.value)} ${f.unit}`,
		f.baseline === null ? '-' : `${fmt(f.baseline)} (${f.baselineName})`,
		f.ratio === null ? '-' : `${fmt(f.ratio)}x`,
		f.target,
		f.pass === null ? 'info' : f.pass ? 'PASS' : 'MISS',
	]),
];
const widths = table[0].map((_, c) => Math.min(c === 3 ? 48 : c === 1 ? 64 : 40, Math.max(...table.map(row => row[c].length))));
const cut = (text: string, width: number) => (text.length > width ? text.slice(0, width - 1) + '…' : text.padEnd(width));
console.log('');
for (const [i, row] of table.entries()) {
	console.log(row.map((cell, c) => cut(cell, widths[c])).join('  '));
	if (i === 0) console.log(widths.map(w => '-'.repeat(w)).join('  '));
}
for (const f of figures) if (f.note) console.log(`  ${f.section}/${f.name}: ${f.note}`);
const totalS = (performance.now() - started) / 1000;
console.log(`\n${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), node ${process.version}, load average ${fmt(load0)} -> ${fmt(loadAverage())}, bench took ${fmt(totalS)} s`);
writeFileSync(
	join(OUT, 'results.json'),
	JSON.stringify({date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, loadAverage: [load0, loadAverage()], seconds: totalS, figures, details}, null, 2) + '\n',
);
console.log(`wrote ${join(OUT, 'results.json')}`);
