import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import type {GpuSample, HostEvent} from '../../source/decode/host-events.js';
import {parseComputeApps, parseGpuLine} from '../../source/decode/nvidia-smi.js';
import {GPU_HISTORY, hostJson, hostStateFromOnce, initialHostState, reduceHost} from '../../source/state/host-state.js';

const capture = (name: string) => readFileSync(new URL(`../fixtures/nvidia-smi/h100/${name}`, import.meta.url), 'utf8');
const loadGpus = capture('query-load-lms.csv')
	.split('\n')
	.filter(Boolean)
	.map(l => parseGpuLine(l)!);
const sample = (gpus: GpuSample[], time = 1): HostEvent => ({type: 'gpu/sample', time, gpus});

describe('reduceHost', () => {
	it('keeps the latest GPU sample and per-GPU history without touching the old state', () => {
		const s0 = initialHostState();
		const s1 = reduceHost(s0, sample([loadGpus[0]!], 1));
		const s2 = reduceHost(s1, sample([loadGpus[1]!], 2));
		expect(s0.gpus).toEqual([]);
		expect(s1.gpuHistory[0]!.powerW).toEqual([690.71]);
		expect(s2.gpus[0]!.powerW).toBe(698.68);
		expect(s2.gpuHistory[0]!.powerW).toEqual([690.71, 698.68]);
		expect(s2.gpuHistory[0]!.util).toEqual([100, 100]);
		expect(s2.gpuHistory[0]!.memPct[0]).toBeCloseTo((20213 / 81559) * 100, 6);
		expect(s2.gpuTime).toBe(2);
	});

	it(`caps the history at ${GPU_HISTORY} samples, newest last`, () => {
		let s = initialHostState();
		for (let i = 0; i < GPU_HISTORY + 25; i++) s = reduceHost(s, sample([{...loadGpus[0]!, util: i % 101}], i));
		const util = s.gpuHistory[0]!.util;
		expect(util).toHaveLength(GPU_HISTORY);
		expect(util[util.length - 1]).toBe((GPU_HISTORY + 24) % 101);
	});

	it('sorts GPUs by index and records null utilization (MIG) as a gap', () => {
		const mig = {...loadGpus[0]!, index: 1, mig: true, util: null};
		const s = reduceHost(initialHostState(), sample([mig, loadGpus[0]!]));
		expect(s.gpus.map(g => g.index)).toEqual([0, 1]);
		expect(s.gpuHistory[1]!.util).toEqual([null]);
	});

	it('status: a repeated status returns the same state object', () => {
		const s1 = reduceHost(initialHostState(), {type: 'gpu/status', status: 'error', message: 'x'});
		expect(s1).toMatchObject({gpuStatus: 'error', gpuMessage: 'x'});
		expect(reduceHost(s1, {type: 'gpu/status', status: 'error', message: 'x'})).toBe(s1);
	});

	it('system samples: latest values and short histories; warming-up nulls kept', () => {
		let s = initialHostState();
		s = reduceHost(s, {type: 'cpu/sample', time: 1, totalPct: null, perCorePct: [null, null]});
		s = reduceHost(s, {type: 'cpu/sample', time: 2, totalPct: 40, perCorePct: [30, 50]});
		s = reduceHost(s, {type: 'mem/sample', time: 2, usedBytes: 25, totalBytes: 100, swapUsedBytes: 0, swapTotalBytes: 0});
		s = reduceHost(s, {type: 'net/sample', time: 2, rxBytesPerSec: null, txBytesPerSec: null});
		expect(s.cpuHistory).toEqual([null, 40]);
		expect(s.cpu).toEqual({time: 2, totalPct: 40, perCorePct: [30, 50]});
		expect(s.memHistory).toEqual([25]);
		expect(s.mem).toEqual({time: 2, usedBytes: 25, totalBytes: 100, swapUsedBytes: 0, swapTotalBytes: 0});
		expect(s.rxHistory).toEqual([null]);
	});
});

describe('hostJson (the --once --json host field)', () => {
	it('has the contract shape; nulls stay null', () => {
		let s = reduceHost(initialHostState(), sample([loadGpus[0]!, {...loadGpus[0]!, index: 1, mig: true, util: null, powerW: null}]));
		s = reduceHost(s, {type: 'gpu/processes', time: 1, processes: parseComputeApps(capture('apps-load.csv'))});
		const json = hostJson(s);
		expect(json).toEqual({
			gpuStatus: 'ok',
			gpuMessage: null,
			gpus: [
				{index: 0, name: 'NVIDIA H100 80GB HBM3', util: 100, memUsedMiB: 20213, memTotalMiB: 81559, tempC: 61, powerW: 690.71, powerLimitW: 700, smClockMHz: 1320},
				{index: 1, name: 'NVIDIA H100 80GB HBM3', util: null, memUsedMiB: 20213, memTotalMiB: 81559, tempC: 61, powerW: null, powerLimitW: 700, smClockMHz: 1320},
			],
			cpu: {totalPct: null, perCorePct: []},
			mem: {usedBytes: null, totalBytes: null, swapUsedBytes: null, swapTotalBytes: null},
			net: {rxBytesPerSec: null, txBytesPerSec: null},
			processes: [{pid: 605, name: 'python3', gpuUuid: 'GPU-583ab697-ffaf-c2f1-e792-444dbc1ae9fa', usedMemMiB: 20204, run: false}],
		});
		expect(JSON.parse(JSON.stringify(json))).toEqual(json);
	});

	it('hostStateFromOnce folds the one-shot snapshots', () => {
		const s = hostStateFromOnce(
			{status: 'error', message: "couldn't communicate with the NVIDIA driver", gpus: [], processes: []},
			{
				cpu: {totalPct: 12, perCorePct: [10, 14]},
				mem: {usedBytes: 1, totalBytes: 2, swapUsedBytes: 0, swapTotalBytes: 0},
				net: {rxBytesPerSec: 100, txBytesPerSec: 5},
			},
		);
		const json = hostJson(s);
		expect(json.gpuStatus).toBe('error');
		expect(json.gpuMessage).toBe("couldn't communicate with the NVIDIA driver");
		expect(json.cpu.totalPct).toBe(12);
		expect(json.net).toEqual({rxBytesPerSec: 100, txBytesPerSec: 5});
	});
});
