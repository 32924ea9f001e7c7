import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import type {GpuSample, HostEvent} from '../../source/decode/host-events.js';
import {parseComputeApps, parseGpuLine} from '../../source/decode/nvidia-smi.js';
import {initialHostState, reduceHost, type HostState} from '../../source/state/host-state.js';
import {gpuLines, type HostPanelOptions} from '../../source/view/panels/gpu.js';
import {systemLines} from '../../source/view/panels/system.js';
import type {Line} from '../../source/view/line.js';

const capture = (name: string) => readFileSync(new URL(`../fixtures/nvidia-smi/h100/${name}`, import.meta.url), 'utf8');
const loadGpus = capture('query-load-lms.csv')
	.split('\n')
	.filter(Boolean)
	.map(l => parseGpuLine(l)!);

/** The captured load stream played into the state, as `count` GPUs. */
function gpuState(count = 1, change: (g: GpuSample) => GpuSample = g => g): HostState {
	let s = initialHostState();
	for (const g of loadGpus) {
		const gpus = Array.from({length: count}, (_, i) => change({...g, index: i, uuid: i === 0 ? g.uuid : `${g.uuid}-${i}`}));
		s = reduceHost(s, {type: 'gpu/sample', time: 1, gpus});
	}
	return reduceHost(s, {type: 'gpu/processes', time: 1, processes: parseComputeApps(capture('apps-load.csv'))});
}

const GpuPanel = gpuLines;
const SystemPanel = systemLines;

/** A panel's lines as plain text; always exactly its size (checked), trailing blanks dropped. */
async function frame(panel: (options: HostPanelOptions) => Line[], props: Partial<HostPanelOptions> & {host: HostState}) {
	const width = props.width ?? 100;
	const height = props.height ?? 10;
	const drawn = panel({width, height, ...props});
	expect(drawn).toHaveLength(height);
	for (const line of drawn) expect(line.width).toBe(width);
	const all = drawn.map(line => line.paint('plain').trimEnd());
	const text = all.join('\n');
	while (all.length > 0 && all[all.length - 1]!.trim() === '') all.pop();
	return {text, lines: all, drawn};
}

function expectWithin(lines: string[], width: number, height: number) {
	expect(lines.length).toBeLessThanOrEqual(height);
	for (const l of lines) expect([...l].length).toBeLessThanOrEqual(width);
}

describe('GpuPanel', () => {
	it('one H100 at 100 columns: name, utilization, sparkline, memory, temperature, power, clock', async () => {
		const {lines} = await frame(GpuPanel, {host: gpuState(), width: 100, height: 6});
		const last = loadGpus[loadGpus.length - 1]!;
		expect(lines[0]).toMatch(/^0 H100 80GB 100% +█{10,} 19\.7\/79\.6G \d\d°C \d{3}\/700W \d{4}MHz$/);
		expect(lines[0]).toContain(`${last.tempC}°C ${Math.round(last.powerW!)}/700W ${last.smClockMHz}MHz`);
		expectWithin(lines, 100, 6);
	});

	it('lists GPU processes and marks the run (by runPid)', async () => {
		const {text} = await frame(GpuPanel, {host: gpuState(), runPid: 605});
		expect(text).toMatch(/▶ 605 +0 +19\.7G python3 \(run\)/);
		const other = await frame(GpuPanel, {host: gpuState(), runPid: 1234});
		expect(other.text).toMatch(/^ {2}605 +0 +19\.7G python3$/m);
		expect(other.text).not.toContain('(run)');
	});

	it("a process name with escape sequences is shown harmless", async () => {
		const host = reduceHost(gpuState(), {
			type: 'gpu/processes',
			time: 2,
			processes: [{pid: 4242, name: 'x\u001b[2J\u001b]0;pwned\u0007', gpuUuid: null, usedMemMiB: 10}],
		});
		// Checked on the panel's own lines, painted in colour: only our own SGR codes may be there.
		const text = gpuLines({host, width: 100, height: 10}).map(line => line.paint('color').replace(/\u001B\[[\d;]*m/g, '')).join('\n');
		expect(text).toContain('4242 ');
		expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
	});

	it('at 60 columns the line still fits, with name, % and a short sparkline', async () => {
		const {lines} = await frame(GpuPanel, {host: gpuState(), width: 60, height: 4});
		expectWithin(lines, 60, 4);
		expect(lines[0]).toMatch(/^0 H100 80GB 100% [▁▂▃▄▅▆▇█ ]{4,} 19\.7\/79\.6G/);
	});

	it('8 GPUs fit in 8 lines at 60 columns, one line each', async () => {
		const {lines} = await frame(GpuPanel, {host: gpuState(8), width: 60, height: 8});
		expect(lines).toHaveLength(8);
		lines.forEach((l, i) => expect(l).toMatch(new RegExp(`^${i} H100 80GB 100%`)));
		expectWithin(lines, 60, 8);
	});

	it('more GPUs than lines: the last line says how many are hidden', async () => {
		const {lines} = await frame(GpuPanel, {host: gpuState(8), width: 60, height: 4});
		expect(lines).toHaveLength(4);
		expect(lines[3]).toBe('+5 more GPUs');
	});

	it('very narrow (24 columns): index, name and utilization survive', async () => {
		const {lines} = await frame(GpuPanel, {host: gpuState(2), width: 24, height: 2});
		expect(lines[0]).toMatch(/^0 H100 80GB 100%/);
		expect(lines[1]).toMatch(/^1 H100 80GB 100%/);
		expectWithin(lines, 24, 2);
	});

	it('MIG: shows "MIG" instead of a utilization number', async () => {
		const {lines} = await frame(GpuPanel, {host: gpuState(1, g => ({...g, mig: true, util: null, memUtil: null}))});
		expect(lines[0]).toMatch(/^0 H100 80GB  MIG /);
		expect(lines[0]).not.toMatch(/\d+%/);
	});

	it('unknown values read N/A, never 0', async () => {
		const {lines} = await frame(GpuPanel, {host: gpuState(1, g => ({...g, util: null, tempC: null, powerW: null}))});
		expect(lines[0]).toMatch(/^0 H100 80GB  N\/A .* N\/A N\/A/);
	});

	it.each([
		['unavailable', 'nvidia-smi not found — GPU panel disabled'],
		['error', "couldn't communicate with the NVIDIA driver"],
	] as const)('status %s: the message in place of the GPUs', async (status, message) => {
		const host = reduceHost(gpuState(), {type: 'gpu/status', status, message});
		const {lines} = await frame(GpuPanel, {host, width: 60, height: 5});
		expect(lines[0]).toBe(`GPU: ${message}`);
		expect(lines.join('\n')).not.toContain('H100');
	});

	it('a long error message wraps over the panel lines, and is cut with … when they run out', async () => {
		const host = reduceHost(initialHostState(), {
			type: 'gpu/status',
			status: 'error',
			message: 'NVML: Driver/library version mismatch (reboot after a driver upgrade) — retrying in 4 s',
		});
		const tall = await frame(GpuPanel, {host, width: 40, height: 3});
		expect(tall.lines).toEqual(['GPU: NVML: Driver/library version', 'mismatch (reboot after a driver upgrade)', '— retrying in 4 s']);
		const one = await frame(GpuPanel, {host, width: 40, height: 1});
		expect(one.lines).toHaveLength(1);
		expect(one.lines[0]).toMatch(/^GPU: NVML: Driver\/library version mis.*…$/);
		expectWithin(one.lines, 40, 1);
	});

	it('before the first sample: waiting', async () => {
		const {lines} = await frame(GpuPanel, {host: initialHostState()});
		expect(lines[0]).toBe('GPU: waiting for nvidia-smi…');
	});

	it('with colour on, text stays the same width', async () => {
		const plain = gpuLines({width: 60, height: 8, host: gpuState(8)}).map(line => line.paint('color').replace(/\u001B\[[0-9;]*m/g, '').trimEnd());
		expectWithin(plain, 60, 8);
		expect(plain[7]).toMatch(/^7 H100 80GB 100%/);
	});
});

describe('SystemPanel', () => {
	const events: HostEvent[] = [
		{type: 'cpu/sample', time: 1, totalPct: null, perCorePct: [null, null, null, null]},
		{type: 'cpu/sample', time: 2, totalPct: 37.4, perCorePct: [0, 30, 100, 19]},
		{type: 'mem/sample', time: 2, usedBytes: 13.2 * 1024 ** 3, totalBytes: 62.8 * 1024 ** 3, swapUsedBytes: 0, swapTotalBytes: 8 * 1024 ** 3},
		{type: 'net/sample', time: 2, rxBytesPerSec: 1.5 * 1024 ** 2, txBytesPerSec: 340 * 1024},
	];
	const host = events.reduce(reduceHost, initialHostState());

	it('shows CPU %, per-core bars, memory, swap and network in human units', async () => {
		const {lines} = await frame(SystemPanel, {host, width: 60, height: 6});
		expect(lines[0]).toMatch(/^CPU  37% /);
		expect(lines[1]).toBe('    ▁▃█▂');
		expect(lines[2]).toMatch(/^MEM  21% 13\.2\/62\.8G /);
		expect(lines[3]).toBe('SWP 0.0/8.0G');
		expect(lines[4]).toMatch(/^NET ↓1\.5M\/s ↑340K\/s/);
		expectWithin(lines, 60, 6);
	});

	it('first sample: rates are "…" (warming up), not 0', async () => {
		const first = [events[0]!, {type: 'net/sample', time: 1, rxBytesPerSec: null, txBytesPerSec: null} as HostEvent].reduce(reduceHost, initialHostState());
		const {lines} = await frame(SystemPanel, {host: first, width: 60, height: 6});
		expect(lines[0]).toMatch(/^CPU +…/);
		expect(lines.join('\n')).toContain('NET ↓… ↑…');
		expect(lines.join('\n')).not.toMatch(/0B\/s|\b0%/);
	});

	it('short panel: CPU and memory first, then network', async () => {
		const two = await frame(SystemPanel, {host, width: 40, height: 2});
		expect(two.lines).toHaveLength(2);
		expect(two.lines[0]).toMatch(/^CPU/);
		expect(two.lines[1]).toMatch(/^MEM/);
		const three = await frame(SystemPanel, {host, width: 40, height: 3});
		expect(three.lines[2]).toMatch(/^NET/);
		expectWithin(three.lines, 40, 3);
	});

	it('a failing system source shows its message', async () => {
		const failing = reduceHost(host, {type: 'system/status', status: 'error', message: 'system stats: ENOENT /proc/stat'});
		const {lines} = await frame(SystemPanel, {host: failing, width: 60, height: 4});
		expect(lines[0]).toBe('SYS: system stats: ENOENT /proc/stat');
	});
});
