// End-to-end tests of the GPU source against test/fixtures/fake-nvidia-smi/nvidia-smi, which
// replays the real H100 captures (and the real failure texts) like nvidia-smi would.
import {spawn} from 'node:child_process';
import {mkdtempSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it} from 'vitest';
import type {GpuProcess, HostEvent, HostSource} from '../../source/decode/host-events.js';
import {markRunProcesses, sampleGpusOnce, startGpuSource} from '../../source/sources/nvidia-smi.js';
import {parseGpuLine} from '../../source/decode/nvidia-smi.js';

const FAKE = fileURLToPath(new URL('../fixtures/fake-nvidia-smi/nvidia-smi', import.meta.url));
const FAKE_DIR = fileURLToPath(new URL('../fixtures/fake-nvidia-smi/', import.meta.url));
const loadLines = readFileSync(new URL('../fixtures/nvidia-smi/h100/query-load-lms.csv', import.meta.url), 'utf8')
	.split('\n')
	.filter(Boolean);

let sources: HostSource[] = [];
afterEach(() => {
	for (const s of sources) s.stop();
	sources = [];
});

/** Starts the source against the fake and collects its events. */
function start(mode: string, extra: Partial<Parameters<typeof startGpuSource>[0]> = {}, env: NodeJS.ProcessEnv = {}) {
	const events: HostEvent[] = [];
	const log = join(mkdtempSync(join(tmpdir(), 'wbtop-smi-')), 'calls.log');
	const source = startGpuSource({
		intervalMs: 200,
		command: FAKE,
		env: {FAKE_NVIDIA_SMI_MODE: mode, FAKE_NVIDIA_SMI_LOG: log, ...env},
		onEvent: e => events.push(e),
		...extra,
	});
	sources.push(source);
	const calls = () => {
		try {
			return readFileSync(log, 'utf8').split('\n').filter(Boolean);
		} catch {
			return [];
		}
	};
	return {events, source, calls};
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
		await new Promise(r => setTimeout(r, 20));
	}
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

const samples = (events: HostEvent[]) => events.flatMap(e => (e.type === 'gpu/sample' ? [e] : []));
const statuses = (events: HostEvent[]) => events.flatMap(e => (e.type === 'gpu/status' ? [e] : []));

describe('startGpuSource against the replayed H100', () => {
	it('delivers the captured samples in order, one per interval, and the processes', async () => {
		const {events} = start('');
		await until(() => samples(events).length >= 4 && events.some(e => e.type === 'gpu/processes'), 5000);
		const got = samples(events).slice(0, 3);
		expect(got.map(s => s.gpus.length)).toEqual([1, 1, 1]);
		expect(got.map(s => s.gpus[0])).toEqual(loadLines.slice(0, 3).map(l => parseGpuLine(l)));
		expect(statuses(events)[0]).toEqual({type: 'gpu/status', status: 'ok', message: null});
		const procs = events.find(e => e.type === 'gpu/processes') as {processes: GpuProcess[]};
		expect(procs.processes).toEqual([
			{pid: 605, name: 'python3', usedMemMiB: 20204, gpuUuid: 'GPU-583ab697-ffaf-c2f1-e792-444dbc1ae9fa', run: false},
		]);
		// Samples follow the -lms pace (200 ms): one sample per block of lines, not one per read.
		const all = samples(events);
		expect(all[3]!.time - all[1]!.time).toBeGreaterThanOrEqual(250);
	});

	it('the process list follows a job that starts (GPU memory jumps) within a sample, without polling every few seconds', async () => {
		const {events, calls} = start('job-starts');
		const appsCalls = () => calls().filter(line => line.includes('--query-compute-apps')).length;
		// Idle samples (memory 0): one poll at the start, none after it.
		await until(() => samples(events).length >= 4, 5000);
		expect(samples(events).at(-1)!.gpus[0].memUsedMiB).toBe(0);
		expect(appsCalls()).toBe(1);
		// The job's memory shows in the next samples: a poll follows at once.
		await until(() => samples(events).some(s => s.gpus[0].memUsedMiB! > 10_000), 5000);
		const jumpAt = Date.now();
		await until(() => appsCalls() === 2, 2000);
		expect(Date.now() - jumpAt).toBeLessThan(1500);
		// Memory then holds still (~20 GiB): no more polls for the next 2 s (5 × the 200 ms interval
		// would have polled twice).
		await new Promise(resolve => setTimeout(resolve, 2000));
		expect(appsCalls()).toBe(2);
	});

	it('groups 8 GPUs into whole samples', async () => {
		const {events} = start('gpus8');
		await until(() => samples(events).length >= 3, 5000);
		for (const s of samples(events)) expect(s.gpus.map(g => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
		expect(new Set(samples(events)[0]!.gpus.map(g => g.uuid)).size).toBe(8);
	});

	it('MIG: utilization is null, memory and power still come', async () => {
		const {events} = start('mig');
		await until(() => samples(events).length >= 1, 5000);
		expect(samples(events)[0]!.gpus[0]).toMatchObject({mig: true, util: null, memUsedMiB: 20213, powerW: 690.71});
	});

	it('an older driver that rejects a field: asks again without it and keeps working', async () => {
		const {events, calls} = start('', {}, {FAKE_NVIDIA_SMI_INVALID: 'temperature.memory'});
		await until(() => samples(events).length >= 1, 5000);
		expect(samples(events)[0]!.gpus[0]).toMatchObject({tempC: 61, powerW: 690.71, memTempC: null});
		const streams = calls().filter(c => c.includes('-lms'));
		expect(streams[0]).toContain('temperature.memory');
		expect(streams[streams.length - 1]).not.toContain('temperature.memory');
	});

	it("driver not reachable: error status with nvidia-smi's reason, no samples", async () => {
		const {events} = start('driver-error');
		await until(() => statuses(events).length >= 1, 5000);
		expect(statuses(events)[0]!.status).toBe('error');
		expect(statuses(events)[0]!.message).toContain("couldn't communicate with the NVIDIA driver");
		expect(samples(events)).toEqual([]);
	});

	it('driver/library mismatch: error status, retried with growing back-off', async () => {
		const {events, calls} = start('mismatch', {backoffMs: 100});
		await until(() => calls().filter(c => c.includes('-lms')).length >= 3, 5000);
		expect(statuses(events)[0]!.message).toMatch(/Driver\/library version mismatch/);
		expect(statuses(events).map(s => s.message)).toEqual(
			expect.arrayContaining([expect.stringContaining('retrying in 0.1 s'), expect.stringContaining('retrying in 0.2 s')]),
		);
	});

	it('a hung nvidia-smi is reported within the hang limit, killed and restarted', async () => {
		const {events, calls} = start('hang', {hangMs: 800, backoffMs: 100});
		const t0 = Date.now();
		await until(() => statuses(events).length >= 1, 3000);
		expect(Date.now() - t0).toBeLessThan(2000);
		expect(statuses(events)[0]).toMatchObject({status: 'error', message: expect.stringContaining('stopped responding')});
		await until(() => calls().filter(c => c.includes('-lms')).length >= 2, 3000);
		const first = Number(calls().find(c => c.includes('-lms'))!.split(' ')[0]);
		await until(() => !alive(first), 1000);
	});

	it('stop() also ends hung children (they ignore SIGTERM) before the app exits', async () => {
		const {source, calls} = start('hang');
		await until(() => calls().length >= 2, 3000);
		source.stop();
		const pids = calls().map(c => Number(c.split(' ')[0]));
		await until(() => pids.every(pid => !alive(pid)), 1000);
	});

	it('a stream that dies is restarted and samples resume', async () => {
		const {events} = start('die', {backoffMs: 100});
		await until(() => {
			const st = statuses(events);
			const errorAt = events.findIndex(e => e.type === 'gpu/status' && e.status === 'error');
			return st.length >= 3 && errorAt >= 0 && events.slice(errorAt).some(e => e.type === 'gpu/sample');
		}, 5000);
		expect(statuses(events).map(s => s.status).slice(0, 3)).toEqual(['ok', 'error', 'ok']);
		expect(statuses(events)[1]!.message).toMatch(/exited with code 1/);
	});

	it('missing nvidia-smi (not on PATH, or a bad path): unavailable, "not found", not retried', async () => {
		const emptyDir = mkdtempSync(join(tmpdir(), 'wbtop-nopath-'));
		const onPath = start('', {command: 'nvidia-smi'}, {PATH: emptyDir});
		const badPath = start('', {command: join(emptyDir, 'nvidia-smi')});
		await until(() => statuses(onPath.events).length >= 1 && statuses(badPath.events).length >= 1, 5000);
		for (const {events} of [onPath, badPath]) {
			expect(statuses(events)[0]).toEqual({type: 'gpu/status', status: 'unavailable', message: 'nvidia-smi not found — GPU panel disabled'});
		}
		await new Promise(r => setTimeout(r, 1500));
		expect(statuses(onPath.events).length).toBe(1);
		expect(samples(onPath.events)).toEqual([]);
	});

	it('the fake is found through PATH like the real one', async () => {
		const {events} = start('', {command: 'nvidia-smi'}, {PATH: `${FAKE_DIR}:${process.env.PATH ?? ''}`});
		await until(() => samples(events).length >= 1, 5000);
	});

	it('stop() ends the nvidia-smi child and no event follows', async () => {
		const {events, source, calls} = start('');
		await until(() => samples(events).length >= 1, 5000);
		const pid = Number(calls().find(c => c.includes('-lms'))!.split(' ')[0]);
		expect(() => process.kill(pid, 0)).not.toThrow();
		source.stop();
		const count = events.length;
		await until(() => !alive(pid), 3000);
		await new Promise(r => setTimeout(r, 400));
		expect(events.length).toBe(count);
	});
});

describe('sampleGpusOnce', () => {
	it('returns the idle capture and the processes', async () => {
		const snap = await sampleGpusOnce({timeoutMs: 3000, command: FAKE});
		expect(snap.status).toBe('ok');
		expect(snap.gpus).toHaveLength(1);
		expect(snap.gpus[0]).toMatchObject({name: 'NVIDIA H100 80GB HBM3', util: 0, memUsedMiB: 0, powerW: 74});
		expect(snap.processes.map(p => p.pid)).toEqual([605]);
	});

	it('is bounded when nvidia-smi hangs, and leaves no hung child behind', async () => {
		const log = join(mkdtempSync(join(tmpdir(), 'wbtop-smi-')), 'calls.log');
		const t0 = Date.now();
		// The fake's hang mode ignores SIGTERM, like a process stuck in the driver.
		const snap = await sampleGpusOnce({timeoutMs: 700, command: FAKE, env: {FAKE_NVIDIA_SMI_MODE: 'hang', FAKE_NVIDIA_SMI_LOG: log}});
		expect(Date.now() - t0).toBeLessThan(2000);
		expect(snap).toMatchObject({status: 'error', gpus: [], message: expect.stringContaining('timed out')});
		const pids = readFileSync(log, 'utf8').split('\n').filter(Boolean).map(l => Number(l.split(' ')[0]));
		expect(pids.length).toBe(2); // --query-gpu and --query-compute-apps
		await until(() => pids.every(pid => !alive(pid)), 1000);
	});

	it('reports driver errors and a missing binary', async () => {
		const driver = await sampleGpusOnce({timeoutMs: 3000, command: FAKE, env: {FAKE_NVIDIA_SMI_MODE: 'driver-error'}});
		expect(driver).toMatchObject({status: 'error', message: "couldn't communicate with the NVIDIA driver"});
		const missing = await sampleGpusOnce({timeoutMs: 3000, command: '/nonexistent/nvidia-smi'});
		expect(missing).toMatchObject({status: 'unavailable', message: expect.stringContaining('not found')});
	});
});

describe('markRunProcesses', () => {
	it("marks a real grandchild of this process as the run's, and not an unrelated process", async () => {
		// sh starts sleep in the background and prints its pid: sleep is our grandchild.
		const sh = spawn('sh', ['-c', 'sleep 5 & echo $!; wait'], {stdio: ['ignore', 'pipe', 'ignore']});
		const other = spawn('sleep', ['5'], {stdio: 'ignore', detached: true});
		try {
			const grandchild = await new Promise<number>(resolve => sh.stdout.once('data', d => resolve(Number(String(d).trim()))));
			const proc = (pid: number): GpuProcess => ({pid, name: 'sleep', gpuUuid: null, usedMemMiB: 1});
			const marked = await markRunProcesses([proc(grandchild), proc(other.pid!), proc(999_999_999)], process.pid);
			expect(marked.map(p => p.run)).toEqual([process.platform === 'linux', process.platform === 'linux', false]);
			// With the shell as the run, the detached sleep (also our child) is not its descendant.
			const bySh = await markRunProcesses([proc(grandchild), proc(other.pid!)], sh.pid!);
			expect(bySh.map(p => p.run)).toEqual([process.platform === 'linux', false]);
		} finally {
			sh.kill();
			other.kill();
		}
	});

	it('walks an injected parent chain; no run pid marks nothing', async () => {
		const parents: Record<number, number> = {30: 20, 20: 10, 10: 1, 40: 1};
		const parentOf = async (pid: number) => parents[pid] ?? null;
		const procs = [30, 20, 40, 10].map(pid => ({pid, name: 'python', gpuUuid: null, usedMemMiB: null}));
		expect((await markRunProcesses(procs, 20, parentOf)).map(p => p.run)).toEqual([true, true, false, false]);
		expect((await markRunProcesses(procs, null, parentOf)).map(p => p.run)).toEqual([false, false, false, false]);
	});
});
