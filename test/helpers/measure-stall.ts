// Measures how much the host sources stall the event loop, and the GPU source's CPU use.
// Not a test (vitest only runs *.test.ts). Run: node --import tsx test/helpers/measure-stall.ts [seconds]
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {monitorEventLoopDelay, performance} from 'node:perf_hooks';
import type {HostEvent} from '../../source/decode/host-events.js';
import {startGpuSource} from '../../source/sources/nvidia-smi.js';
import {parseGpuLine} from '../../source/decode/nvidia-smi.js';
import {cpuUsage, parseMeminfo, parseNetDev, parseProcStat} from '../../source/decode/proc.js';
import {startSystemSource} from '../../source/sources/system.js';

const seconds = Number(process.argv[2] ?? 10);
const FAKE = fileURLToPath(new URL('../fixtures/fake-nvidia-smi/nvidia-smi', import.meta.url));
const ms = (ns: number) => (ns / 1e6).toFixed(2);

/** Event-loop delay and our own CPU time while `run` is active for `s` seconds. */
async function observe(label: string, s: number, run: () => (() => void) | void, monitor = true) {
	const h = monitorEventLoopDelay({resolution: 1});
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	if (monitor) h.enable();
	const stop = run();
	await new Promise(r => setTimeout(r, s * 1000));
	h.disable();
	const cpu = process.cpuUsage(cpu0);
	const wall = performance.now() - t0;
	const cpuPct = ((cpu.user + cpu.system) / 1000 / wall) * 100;
	const delay = monitor ? `loop delay max ${ms(h.max)} ms, p99 ${ms(h.percentile(99))} ms, mean ${ms(h.mean)} ms; ` : '';
	console.log(`${label.padEnd(34)} ${delay}this process CPU ${cpuPct.toFixed(2)}%`);
	stop?.();
}

/** Median, p99 and max of a synchronous function, in ms (max includes JIT warm-up and VM noise). */
function time(label: string, n: number, fn: () => void) {
	const d: number[] = [];
	for (let i = 0; i < n; i++) {
		const a = performance.now();
		fn();
		d.push(performance.now() - a);
	}
	d.sort((a, b) => a - b);
	const at = (q: number) => d[Math.min(d.length - 1, Math.floor(q * d.length))]!.toFixed(3);
	console.log(`${label.padEnd(34)} sync per sample: median ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`);
}

/** CPU seconds used so far by another process (utime+stime from /proc/<pid>/stat). */
function childCpuSeconds(pid: number): number {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ is 100 on Linux
}

// 1. The synchronous parts, on real input.
const stat = readFileSync('/proc/stat', 'utf8');
const meminfo = readFileSync('/proc/meminfo', 'utf8');
const netdev = readFileSync('/proc/net/dev', 'utf8');
const prev = parseProcStat(stat)!;
time('parse /proc (stat+meminfo+net/dev)', 2000, () => {
	cpuUsage(prev, parseProcStat(stat)!);
	parseMeminfo(meminfo);
	parseNetDev(netdev);
});
const lmsLines = readFileSync(new URL('../fixtures/nvidia-smi/h100/query-load-lms.csv', import.meta.url), 'utf8').split('\n').filter(Boolean);
time('parse 8 nvidia-smi lines', 2000, () => {
	for (let i = 0; i < 8; i++) parseGpuLine(lmsLines[i % lmsLines.length]!);
});

// 2. Live sources.
const sink = (_e: HostEvent) => {};
await observe('idle baseline', seconds, () => {});
await observe('system source @250ms (/proc)', seconds, () => {
	const s = startSystemSource({intervalMs: 250, onEvent: sink});
	return () => s.stop();
});
// The loop-delay monitor itself costs CPU, so CPU use is measured in runs without it.
for (const monitor of [true, false]) {
	const tag = monitor ? '' : ' (no monitor)';
	if (!monitor) {
		await observe(`idle baseline${tag}`, seconds, () => {}, false);
		await observe(`system source @1s${tag}`, seconds, () => {
			const s = startSystemSource({intervalMs: 1000, onEvent: sink});
			return () => s.stop();
		}, false);
	}
	for (const mode of ['', 'gpus8']) {
		let childPid = 0;
		let childCpu0 = 0;
		const log = `${process.env.TMPDIR ?? '/tmp'}/wbtop-stall-${process.pid}-${mode || 'one'}-${monitor}.log`;
		await observe(`gpu source @1s, fake ${mode || '1 GPU'}${tag}`, seconds, () => {
			const s = startGpuSource({
				intervalMs: 1000,
				command: FAKE,
				env: {FAKE_NVIDIA_SMI_MODE: mode, FAKE_NVIDIA_SMI_LOG: log},
				onEvent: sink,
			});
			setTimeout(() => {
				const line = readFileSync(log, 'utf8').split('\n').find(l => l.includes('-lms'));
				childPid = Number(line?.split(' ')[0]);
				childCpu0 = childCpuSeconds(childPid);
			}, 1000);
			return () => {
				const used = childCpuSeconds(childPid) - childCpu0;
				console.log(`${''.padEnd(34)} (the fake nvidia-smi, a node script, used ${((used / (seconds - 1)) * 100).toFixed(2)}% CPU)`);
				s.stop();
			};
		}, monitor);
	}
}

// 3. For comparison: what systeminformation costs per call on Linux (research §3).
const {default: si} = await import('systeminformation');
await si.currentLoad();
const iface = await si.networkInterfaceDefault();
for (const [label, call] of [
	['si.currentLoad()', () => si.currentLoad()],
	[`si.networkStats('${iface}')`, () => si.networkStats(iface)],
] as const) {
	const h = monitorEventLoopDelay({resolution: 1});
	let max = 0;
	for (let i = 0; i < 5; i++) {
		await new Promise(r => setTimeout(r, 600)); // past its cache window
		h.reset();
		h.enable();
		await call();
		await new Promise(r => setTimeout(r, 20));
		h.disable();
		max = Math.max(max, h.max);
	}
	console.log(`${label.padEnd(34)} loop delay max ${ms(max)} ms (5 calls)`);
}
