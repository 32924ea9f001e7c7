import {alertMessage} from '../../source/view/alert-text.js';
import {describe, expect, it} from 'vitest';
import {computeAlerts, initialAlertMemory, ALERT_LIMITS} from '../../source/state/alerts.js';
import {initialRunState, reduceRun} from '../../source/state/run-state.js';
import {hostStateFromOnce, reduceHost} from '../../source/state/host-state.js';
import {parseGpuCsv} from '../../source/decode/nvidia-smi.js';
import {loadRun} from '../../source/modes/load.js';
import {realRun, ROOT} from '../helpers/fixtures.js';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';

const idleH100 = parseGpuCsv(readFileSync(join(ROOT, 'test/fixtures/nvidia-smi/h100/query-idle.csv'), 'utf8'));

function liveRun(values: number[], start = 1_700_000_000) {
	const state = initialRunState();
	values.forEach((loss, step) => reduceRun(state, {type: 'history', step, values: {_step: step, _timestamp: start + step, 'train/loss': loss}}, (start + step) * 1000));
	return state;
}

describe('health alerts', () => {
	it('NaN/Inf in a real run (wandb-core 0.22) names the metric and the first step', () => {
		const {state} = loadRun(realRun('f230dm6e'));
		const {alerts} = computeAlerts(state, null, Date.now(), initialAlertMemory());
		const nan = alerts.filter(alert => alert.kind === 'nan');
		expect(nan.length).toBe(state.nonFinite.size);
		expect(alertMessage(nan[0])).toMatch(/NaN\/Inf in .+ first at step \d+/);
	});

	it('a traceback in a real crashed run console', () => {
		const {state} = loadRun(realRun('2zuxwf70'));
		const {alerts} = computeAlerts(state, null, Date.now(), initialAlertMemory());
		expect(alerts.some(alert => alert.kind === 'console' && /traceback/i.test(alertMessage(alert)))).toBe(true);
	});

	it('a loss spike beyond k×MAD is flagged with its step; ordinary noise is not', () => {
		const noise = Array.from({length: 60}, (_, i) => 1 - i * 0.005 + (i % 3) * 0.01);
		expect(computeAlerts(liveRun(noise), null, (1_700_000_000 + 61) * 1000, initialAlertMemory()).alerts.filter(a => a.kind === 'spike')).toEqual([]);
		const spiked = [...noise.slice(0, 50), 25, ...noise.slice(51)];
		const spikes = computeAlerts(liveRun(spiked.slice(0, 54)), null, (1_700_000_000 + 55) * 1000, initialAlertMemory()).alerts.filter(a => a.kind === 'spike');
		expect(spikes).toHaveLength(1);
		expect(alertMessage(spikes[0])).toContain('step 50');
	});

	it('a live run with no new row for max(5 min, 10x the median interval) is stalled', () => {
		const state = liveRun(Array.from({length: 30}, () => 1));
		const last = 1_700_000_000 + 29;
		expect(computeAlerts(state, null, (last + ALERT_LIMITS.stallMinSeconds - 5) * 1000, initialAlertMemory()).alerts.some(a => a.kind === 'stall')).toBe(false);
		expect(computeAlerts(state, null, (last + ALERT_LIMITS.stallMinSeconds + 5) * 1000, initialAlertMemory()).alerts.some(a => a.kind === 'stall')).toBe(true);
		// A finished run is never stalled.
		reduceRun(state, {type: 'exit', exitCode: 0, runtime: 30}, 0);
		expect(computeAlerts(state, null, (last + 10_000) * 1000, initialAlertMemory()).alerts.some(a => a.kind === 'stall')).toBe(false);
	});

	it('a GPU idle (the real idle H100 capture) for 2 minutes while the run is live', () => {
		const state = liveRun([1, 1, 1]);
		const host = hostStateFromOnce({status: 'ok', message: null, gpus: idleH100, processes: []}, null);
		let memory = initialAlertMemory();
		const t0 = 1_700_000_010_000;
		let result = computeAlerts(state, host, t0, memory);
		expect(result.alerts.some(a => a.kind === 'gpu-idle')).toBe(false);
		memory = result.memory;
		result = computeAlerts(state, host, t0 + 60_000, memory);
		expect(result.alerts.some(a => a.kind === 'gpu-idle')).toBe(false);
		result = computeAlerts(state, host, t0 + 121_000, result.memory);
		expect(result.alerts.some(a => a.kind === 'gpu-idle')).toBe(true);
		expect(result.fresh.some(a => a.kind === 'gpu-idle')).toBe(true);
		// Reported once: the next call has nothing fresh.
		expect(computeAlerts(state, host, t0 + 122_000, result.memory).fresh).toEqual([]);
	});

	it('GPU idle counts only the run\'s GPUs once its processes are known', () => {
		const state = liveRun([1, 1, 1]);
		const [gpu] = idleH100;
		const gpus = [gpu, {...gpu, index: 1, uuid: 'GPU-other'}];
		const processes = [{gpuUuid: 'GPU-other', pid: 4242, name: 'python3', usedMemMiB: 20_000, run: true}];
		const host = hostStateFromOnce({status: 'ok', message: null, gpus, processes}, null);
		const t0 = 1_700_000_010_000;
		const first = computeAlerts(state, host, t0, initialAlertMemory());
		const later = computeAlerts(state, host, t0 + 121_000, first.memory);
		const idle = later.alerts.filter(a => a.kind === 'gpu-idle');
		expect(idle.map(a => a.id.split(':')[1])).toEqual(['1']);
	});

	it('another node (--hosts): its idle GPU and its full memory name the host; a failing node says nothing', () => {
		const state = liveRun([1, 1, 1]);
		const loadLine = readFileSync(join(ROOT, 'test/fixtures/nvidia-smi/h100/query-load-lms.csv'), 'utf8').split('\n')[0]!;
		const busy = parseGpuCsv(loadLine); // this machine: 100 % busy
		const full = idleH100.map(gpu => ({...gpu, index: 3, memUsedMiB: gpu.memTotalMiB! * 0.97}));
		const host = [
			{type: 'remote/sample' as const, host: 'node-2', time: 1, gpus: idleH100},
			{type: 'remote/status' as const, host: 'node-2', status: 'ok' as const, message: null},
			{type: 'remote/sample' as const, host: 'node-3', time: 1, gpus: full},
			{type: 'remote/status' as const, host: 'node-3', status: 'ok' as const, message: null},
			{type: 'remote/sample' as const, host: 'node-4', time: 1, gpus: idleH100},
			{type: 'remote/status' as const, host: 'node-4', status: 'stalled' as const, message: 'no sample for 3 s'},
		].reduce(reduceHost, hostStateFromOnce({status: 'ok', message: null, gpus: busy, processes: []}, null));
		const t0 = 1_700_000_010_000;
		const first = computeAlerts(state, host, t0, initialAlertMemory());
		const later = computeAlerts(state, host, t0 + 121_000, first.memory);
		const messages = later.alerts.filter(a => a.kind === 'gpu-idle' || a.kind === 'gpu-memory').map(alertMessage);
		expect(messages.some(m => /^GPU 0 on node-2 idle \(<\d+%\) for 2m/.test(m))).toBe(true);
		expect(messages).toContain('GPU 3 on node-3 memory 97% full');
		expect(messages.some(m => m.includes('node-4'))).toBe(false);
		// This machine's busy GPU is not idle, and its alerts keep their old words.
		expect(messages.some(m => /^GPU 0 idle/.test(m))).toBe(false);
	});

	it('GPU memory above 95 %', () => {
		const full = idleH100.map(gpu => ({...gpu, memUsedMiB: gpu.memTotalMiB! * 0.97}));
		const host = hostStateFromOnce({status: 'ok', message: null, gpus: full, processes: []}, null);
		const {alerts} = computeAlerts(initialRunState(), host, Date.now(), initialAlertMemory());
		expect(alerts.some(a => a.kind === 'gpu-memory' && alertMessage(a).includes('97%'))).toBe(true);
	});

	it('CUDA out of memory and Killed in the console, even when the line arrives in pieces', () => {
		const state = initialRunState();
		for (const chunk of ['step 1\n', 'torch.OutOfMemoryError: CUDA out', ' of memory. Tried to allocate 2.00 GiB\n', 'Killed\n']) {
			reduceRun(state, {type: 'console', stream: 'stderr', text: chunk, timestamp: null}, 0);
		}
		const {alerts} = computeAlerts(state, null, 0, initialAlertMemory());
		expect(alerts.map(a => a.id).sort()).toEqual(['console:CUDA out of memory', 'console:Killed']);
	});
});
