/**
 * The system source: CPU (total and per core), memory and swap, network rates.
 * On Linux it reads /proc (synchronously: see createProcSampler) and never spawns anything: systeminformation's
 * currentLoad/networkStats run shells (one synchronously) on every call and stall the event loop
 * for 10–50 ms (research §3). Elsewhere (macOS) it falls back to systeminformation.
 */
import {readFileSync} from 'node:fs';
import {performance} from 'node:perf_hooks';
import type {HostEvent, HostSource} from '../decode/host-events.js';
import {cpuUsage, parseMeminfo, parseNetDev, parseProcStat, ratePerSec, type MemInfo, type ProcStat} from '../decode/proc.js';

/** One reading of the system: rates are null on the first reading ("warming up"), never 0. */
export type SystemSnapshot = {
	cpu: {totalPct: number | null; perCorePct: Array<number | null>};
	mem: MemInfo;
	net: {rxBytesPerSec: number | null; txBytesPerSec: number | null};
};

/** A stateful reader: each call returns values relative to the previous call. */
type Sampler = () => Promise<SystemSnapshot>;

/** Reads /proc; rates come from the difference to the previous call. */
export function createProcSampler(procRoot = '/proc'): Sampler {
	let prevStat: ProcStat | null = null;
	let prevNet: {rx: number; tx: number; at: number} | null = null;
	// Read synchronously: /proc is served from kernel memory and never waits on a disk, and a sync
	// read is three syscalls where fs.promises takes a dozen thread-pool round trips per file
	// (measured: most of an idle dashboard's CPU outside JavaScript).
	const read = (file: string): PromiseSettledResult<string> => {
		try {
			return {status: 'fulfilled', value: readFileSync(`${procRoot}/${file}`, 'utf8')};
		} catch (error) {
			return {status: 'rejected', reason: error};
		}
	};
	return async () => {
		const [stat, mem, netDev] = [read('stat'), read('meminfo'), read('net/dev')];
		// Fail in a fixed order so a persistent failure keeps one message (not whichever read lost the race).
		if (stat.status === 'rejected') throw stat.reason;
		if (mem.status === 'rejected') throw mem.reason;
		const statText = stat.value;
		const memText = mem.value;
		// No /proc/net/dev (some sandboxes): network rates stay unknown, the rest works.
		const netText = netDev.status === 'fulfilled' ? netDev.value : null;
		const at = performance.now();
		const parsed = parseProcStat(statText);
		const cpu =
			parsed && prevStat
				? cpuUsage(prevStat, parsed)
				: {totalPct: null, perCorePct: parsed ? parsed.cores.map(() => null) : []};
		if (parsed) prevStat = parsed;
		let net: SystemSnapshot['net'] = {rxBytesPerSec: null, txBytesPerSec: null};
		if (netText !== null) {
			const counters = parseNetDev(netText);
			if (prevNet) {
				const seconds = (at - prevNet.at) / 1000;
				net = {rxBytesPerSec: ratePerSec(prevNet.rx, counters.rxBytes, seconds), txBytesPerSec: ratePerSec(prevNet.tx, counters.txBytes, seconds)};
			}
			prevNet = {rx: counters.rxBytes, tx: counters.txBytes, at};
		}
		return {cpu, mem: parseMeminfo(memText), net};
	};
}

/**
 * systeminformation fallback for systems without /proc (macOS). The default interface is
 * resolved once: without it networkStats runs `ip route`/`route` on every call.
 */
export function createSiSampler(): Sampler {
	let iface: Promise<string> | null = null;
	let first = true;
	return async () => {
		const {default: si} = await import('systeminformation');
		iface ??= si.networkInterfaceDefault();
		const [load, mem, nets] = await Promise.all([si.currentLoad(), si.mem(), iface.then(name => si.networkStats(name))]);
		const warm = !first;
		first = false;
		const net = nets[0];
		return {
			cpu: {
				totalPct: warm ? finiteOrNull(load.currentLoad) : null,
				perCorePct: load.cpus.map(c => (warm ? finiteOrNull(c.load) : null)),
			},
			mem: {usedBytes: mem.active, totalBytes: mem.total, swapUsedBytes: mem.swapused, swapTotalBytes: mem.swaptotal},
			net: {rxBytesPerSec: net ? finiteOrNull(net.rx_sec) : null, txBytesPerSec: net ? finiteOrNull(net.tx_sec) : null},
		};
	};
}

function finiteOrNull(n: number | null | undefined): number | null {
	return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/** The sampler for this platform. */
export function createSystemSampler(): Sampler {
	return process.platform === 'linux' ? createProcSampler() : createSiSampler();
}

/** Turns one snapshot into the three host events. */
export function systemEvents(snapshot: SystemSnapshot, time = Date.now()): HostEvent[] {
	return [
		{type: 'cpu/sample', time, ...snapshot.cpu},
		{type: 'mem/sample', time, ...snapshot.mem},
		{type: 'net/sample', time, ...snapshot.net},
	];
}

/**
 * Samples the system every intervalMs (first sample at once, with rates null). A failed read is
 * reported as `system/status` error and retried at the next tick.
 */
export function startSystemSource(options: {
	intervalMs: number;
	onEvent: (event: HostEvent) => void;
	/** For tests: a sampler other than the platform's. */
	sampler?: Sampler;
}): HostSource {
	const {intervalMs, onEvent} = options;
	const sample = options.sampler ?? createSystemSampler();
	let stopped = false;
	let timer: NodeJS.Timeout | undefined;
	let failing: string | null | undefined;
	const tick = async () => {
		try {
			const snapshot = await sample();
			if (stopped) return;
			if (failing !== null) onEvent({type: 'system/status', status: 'ok', message: null});
			failing = null;
			for (const event of systemEvents(snapshot)) onEvent(event);
		} catch (error) {
			if (stopped) return;
			const message = `system stats: ${error instanceof Error ? error.message : String(error)}`;
			if (failing !== message) onEvent({type: 'system/status', status: 'error', message});
			failing = message;
		}
		// A chain of timeouts, not setInterval: a slow read can never overlap the next one.
		if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
	};
	void tick();
	return {
		stop() {
			stopped = true;
			clearTimeout(timer);
		},
	};
}

/** One system reading for `--once`: two samples `gapMs` apart so the rates are known. */
export async function sampleSystemOnce(gapMs = 250): Promise<SystemSnapshot> {
	const sample = createSystemSampler();
	await sample();
	await new Promise(resolve => setTimeout(resolve, gapMs));
	return sample();
}
