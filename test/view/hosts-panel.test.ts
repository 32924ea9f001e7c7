// The GPU panel with other nodes (--hosts): 64 hosts x 8 GPUs built from the real H100 captures
// (load and idle samples mixed, so hosts differ), drawn by the screen model at 120x40.
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {ROOT, realRun} from '../helpers/fixtures.js';
import {h100Host, screenOf, snapshotOf} from '../helpers/snapshot.js';
import {parseGpuCsv} from '../../source/decode/nvidia-smi.js';
import type {GpuSample, HostEvent} from '../../source/decode/host-events.js';
import {reduceHost, type HostState} from '../../source/state/host-state.js';
import {gpuLines} from '../../source/view/panels/gpu.js';
import {navigation, ScreenBuilder} from '../../source/view/screen.js';
import {initialUiState, reduceUi} from '../../source/state/ui-state.js';
import {actionFor} from '../../source/keymap.js';

const capture = (name: string) => parseGpuCsv(readFileSync(join(ROOT, 'test/fixtures/nvidia-smi/h100', name), 'utf8'));
const samples = [...capture('query-load-lms.csv'), ...capture('query-idle.csv')];

/** Host i's GPUs: captured samples in turn (index set to 0-7). */
function gpusOf(i: number, count = 8): GpuSample[] {
	return Array.from({length: count}, (_, j) => ({...samples[(i * 5 + j * 3) % samples.length]!, index: j}));
}

function withHosts(count: number, extra: HostEvent[] = []): HostState {
	const events: HostEvent[] = [];
	for (let i = 1; i <= count; i++) events.push({type: 'remote/status', host: `node-${i}`, status: 'ok', message: null}, {type: 'remote/sample', host: `node-${i}`, time: 1, gpus: gpusOf(i)});
	return [...events, ...extra].reduce(reduceHost, h100Host());
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('GPU panel with --hosts', () => {
	it('one line per GPU under each host name while they fit', () => {
		const host = withHosts(2);
		const text = gpuLines({width: 60, height: 30, host}).map(line => line.paint('plain').trimEnd());
		expect(text[0]).toBe('local');
		expect(text[2]).toBe('node-1');
		expect(text[3 + 8]).toBe('node-2');
		// node-1's GPU lines carry its own samples' temperatures.
		expect(text.slice(3, 11).map(line => /(\d+)°C/.exec(line)?.[1])).toEqual(gpusOf(1).map(g => String(g.tempC)));
	});

	it('past that one line per host, failing hosts first, then lowest utilization first, numbers from the samples', () => {
		const host = withHosts(64, [
			{type: 'remote/status', host: 'node-down', status: 'unreachable', message: 'unreachable: ssh: connect to host node-down port 22: Connection refused — retrying in 4 s'},
		]);
		const lines = gpuLines({width: 70, height: 30, host}).map(line => line.paint('plain').trimEnd());
		expect(lines[0]).toMatch(/^66 hosts {2}513 GPUs {2}1 not answering {2}by util ↑/);
		expect(lines[1]).toMatch(/^node-down +unreachable: ssh: connect to host/);
		const shown = lines.slice(2, 29);
		expect(lines[29]).toBe(`+${66 - 1 - shown.length} more hosts`);
		// Each host line: its count, mean utilization, fullest GPU's memory and hottest GPU, as computed here.
		const all = [{name: 'local', gpus: host.gpus}, ...host.remotes.filter(r => r.status === 'ok')];
		const byUtil = [...all].sort((a, b) => mean(a.gpus.map(g => g.util!)) - mean(b.gpus.map(g => g.util!)) || 0);
		for (const line of shown) {
			const name = line.split(/\s+/)[0]!;
			const entry = all.find(e => e.name === name)!;
			const fullest = entry.gpus.reduce((a, b) => (b.memUsedMiB! > a.memUsedMiB! ? b : a));
			expect(line).toMatch(new RegExp(`^${name} +${entry.gpus.length} GPUs {2}\\S+ +util +${Math.round(mean(entry.gpus.map(g => g.util!)))} % {2}mem +${Math.round(fullest.memUsedMiB! / 1024)}/${Math.round(fullest.memTotalMiB! / 1024)}G {2}max ${Math.max(...entry.gpus.map(g => g.tempC!))} °C$`));
		}
		const shownUtil = shown.map(line => Number(/util +(\d+) %/.exec(line)![1]));
		expect(shownUtil).toEqual([...shownUtil].sort((a, b) => a - b));
		expect(shownUtil[0]).toBe(Math.round(mean(byUtil[0]!.gpus.map(g => g.util!))));
		// The other keys: highest memory use, hottest first.
		const hot = gpuLines({width: 70, height: 30, host, hostSort: 'temp'}).map(line => line.paint('plain'));
		const temps = hot.slice(2, 29).map(line => Number(/max (\d+) °C/.exec(line)![1]));
		expect(temps).toEqual([...temps].sort((a, b) => b - a));
		expect(temps[0]).toBe(Math.max(...all.flatMap(e => e.gpus.map(g => g.tempC!))));
	});

	it('at 120x40 the run view shows 64 hosts x 8 GPUs one per line, and a frame stays cheap', () => {
		const host = withHosts(64);
		const snap = snapshotOf(realRun('gkmcq7i0'), host);
		const lines = screenOf(snap, 120, 40).lines.map(line => line.paint('plain'));
		const header = lines.findIndex(line => /65 hosts {2}513 GPUs/.test(line));
		expect(header).toBeGreaterThan(0);
		const hostLines = lines.slice(header + 1).filter(line => /(local|node-\d+) +\d+ [▁▂▃▄▅▆▇█ ]+ +\d+%/.test(line));
		expect(hostLines.length).toBeGreaterThanOrEqual(16);
		expect(lines.some(line => /\+\d+ more hosts/.test(line))).toBe(true);
		// A host sample per frame (the memo sees a new host state each time), as when 64 nodes stream.
		const builder = new ScreenBuilder();
		const ui = initialUiState();
		let state = host;
		const t0 = performance.now();
		const frames = 50;
		for (let f = 0; f < frames; f++) {
			state = reduceHost(state, {type: 'remote/sample', host: `node-${1 + (f % 64)}`, time: 2 + f, gpus: gpusOf(f + 7)});
			builder.build({snap: {...snap, host: state, version: 2 + f}, ui, columns: 120, rows: 40, now: Date.now(), pulse: 0});
		}
		const perFrame = (performance.now() - t0) / frames;
		// S cycles the order: highest memory, hottest, back to lowest utilization.
		let keyed = ui;
		const orders: string[] = [];
		for (let press = 0; press < 3; press++) {
			keyed = reduceUi(keyed, actionFor('S', {})!, navigation({snap, ui: keyed, columns: 120, rows: 40, now: Date.now(), pulse: 0}));
			orders.push(screenOf(snap, 120, 40, keyed).lines.map(line => line.paint('plain')).find(line => line.includes('65 hosts'))!.match(/by (util ↑|mem ↓|temp ↓)/)![0]);
		}
		expect(orders).toEqual(['by mem ↓', 'by temp ↓', 'by util ↑']);
		console.log(`512 GPUs on 64 hosts: ${perFrame.toFixed(2)} ms a frame`);
		expect(perFrame).toBeLessThan(30);
	});

	it('at 60x15 (the compact view) one line sums the job and names the nodes that do not answer', () => {
		const host = withHosts(64, [{type: 'remote/status', host: 'node-down', status: 'auth-refused', message: 'authentication refused'}]);
		const lines = screenOf(snapshotOf(realRun('gkmcq7i0'), host), 60, 15).lines.map(line => line.paint('plain').trimEnd());
		const gpus = [...host.gpus, ...host.remotes.filter(r => r.status === 'ok').flatMap(r => r.gpus)];
		const util = Math.round(mean(gpus.map(g => g.util!)));
		expect(lines).toContain(`65/66 nodes ${gpus.length} GPUs ${util}%  ✗ node-down`);
	});
});
