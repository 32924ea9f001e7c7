/**
 * Pure state of the host panels (GPUs, CPU, memory, network), built from HostEvents by a cheap
 * immutable reducer, plus the JSON shape of `wbtop --once --json`'s `host` field.
 */
import type {GpuProcess, GpuSample, HostEvent, RemoteStatus, SourceStatus} from '../decode/host-events.js';

/** Samples kept per GPU for sparklines. */
export const GPU_HISTORY = 300;
/** Samples kept for the CPU/memory/network sparklines. */
export const SYSTEM_HISTORY = 120;

/** Recent values of one GPU, oldest first; null where it was not measured. */
export type GpuHistory = {util: Array<number | null>; memPct: Array<number | null>; powerW: Array<number | null>};

/** Another node's GPUs (`--hosts`). */
export type RemoteHost = {
	name: string;
	status: RemoteStatus;
	message: string | null;
	/** Latest sample, in index order; kept through a failure (the panel says it is old). */
	gpus: GpuSample[];
	time: number | null;
	/** Its GPUs' utilization history, keyed by index. */
	gpuHistory: Readonly<Record<number, GpuHistory>>;
};

export type HostState = {
	/** Other nodes (`--hosts`), in the order given; this machine is the rest of the state. */
	remotes: RemoteHost[];
	gpuStatus: SourceStatus;
	gpuMessage: string | null;
	/** Latest sample, one entry per GPU in index order; empty until the first sample. */
	gpus: GpuSample[];
	gpuTime: number | null;
	/** Keyed by GPU index. */
	gpuHistory: Readonly<Record<number, GpuHistory>>;
	processes: GpuProcess[];
	processesTime: number | null;
	systemStatus: SourceStatus;
	systemMessage: string | null;
	cpu: {time: number; totalPct: number | null; perCorePct: Array<number | null>} | null;
	mem: {
		time: number;
		usedBytes: number | null;
		totalBytes: number | null;
		swapUsedBytes: number | null;
		swapTotalBytes: number | null;
	} | null;
	net: {time: number; rxBytesPerSec: number | null; txBytesPerSec: number | null} | null;
	cpuHistory: Array<number | null>;
	/** Memory used, percent of total. */
	memHistory: Array<number | null>;
	rxHistory: Array<number | null>;
	txHistory: Array<number | null>;
};

/** State before any event: sources assumed fine, nothing measured yet. */
export function initialHostState(): HostState {
	return {
		remotes: [],
		gpuStatus: 'ok',
		gpuMessage: null,
		gpus: [],
		gpuTime: null,
		gpuHistory: {},
		processes: [],
		processesTime: null,
		systemStatus: 'ok',
		systemMessage: null,
		cpu: null,
		mem: null,
		net: null,
		cpuHistory: [],
		memHistory: [],
		rxHistory: [],
		txHistory: [],
	};
}

/** A copy of `list` with `value` appended, keeping the last `max` entries. */
function push<T>(list: T[], value: T, max: number): T[] {
	const start = list.length >= max ? list.length - max + 1 : 0;
	const next = list.slice(start);
	next.push(value);
	return next;
}

function percent(part: number | null, whole: number | null): number | null {
	return part === null || whole === null || whole <= 0 ? null : (part / whole) * 100;
}

const EMPTY_HISTORY: GpuHistory = {util: [], memPct: [], powerW: []};

/** The sorted GPUs of a sample and their history with it appended. */
function foldSample(history: Readonly<Record<number, GpuHistory>>, sample: readonly GpuSample[]): {gpus: GpuSample[]; gpuHistory: Record<number, GpuHistory>} {
	const gpus = [...sample].sort((a, b) => a.index - b.index);
	const gpuHistory: Record<number, GpuHistory> = {};
	for (const gpu of gpus) {
		const h = history[gpu.index] ?? EMPTY_HISTORY;
		gpuHistory[gpu.index] = {
			util: push(h.util, gpu.util, GPU_HISTORY),
			memPct: push(h.memPct, percent(gpu.memUsedMiB, gpu.memTotalMiB), GPU_HISTORY),
			powerW: push(h.powerW, gpu.powerW, GPU_HISTORY),
		};
	}
	return {gpus, gpuHistory};
}

/** The state with one remote host replaced (or appended, the first time it is named). */
function withRemote(state: HostState, name: string, change: (host: RemoteHost) => RemoteHost): HostState {
	const i = state.remotes.findIndex(r => r.name === name);
	const before: RemoteHost = i >= 0 ? state.remotes[i]! : {name, status: 'connecting', message: null, gpus: [], time: null, gpuHistory: {}};
	const after = change(before);
	if (after === before && i >= 0) return state;
	const remotes = [...state.remotes];
	if (i >= 0) remotes[i] = after;
	else remotes.push(after);
	return {...state, remotes};
}

/** Applies one host event. Returns the same object when nothing changed. */
export function reduceHost(state: HostState, event: HostEvent): HostState {
	switch (event.type) {
		case 'gpu/sample':
			return {...state, ...foldSample(state.gpuHistory, event.gpus), gpuTime: event.time};
		case 'remote/sample':
			return withRemote(state, event.host, r => ({...r, ...foldSample(r.gpuHistory, event.gpus), time: event.time}));
		case 'remote/status':
			return withRemote(state, event.host, r => (r.status === event.status && r.message === event.message ? r : {...r, status: event.status, message: event.message}));
		case 'gpu/processes':
			return {...state, processes: event.processes, processesTime: event.time};
		case 'gpu/status':
			if (state.gpuStatus === event.status && state.gpuMessage === event.message) return state;
			return {...state, gpuStatus: event.status, gpuMessage: event.message};
		case 'system/status':
			if (state.systemStatus === event.status && state.systemMessage === event.message) return state;
			return {...state, systemStatus: event.status, systemMessage: event.message};
		case 'cpu/sample':
			return {
				...state,
				cpu: {time: event.time, totalPct: event.totalPct, perCorePct: event.perCorePct},
				cpuHistory: push(state.cpuHistory, event.totalPct, SYSTEM_HISTORY),
			};
		case 'mem/sample': {
			const {type: _type, ...mem} = event;
			return {...state, mem, memHistory: push(state.memHistory, percent(event.usedBytes, event.totalBytes), SYSTEM_HISTORY)};
		}
		case 'net/sample':
			return {
				...state,
				net: {time: event.time, rxBytesPerSec: event.rxBytesPerSec, txBytesPerSec: event.txBytesPerSec},
				rxHistory: push(state.rxHistory, event.rxBytesPerSec, SYSTEM_HISTORY),
				txHistory: push(state.txHistory, event.txBytesPerSec, SYSTEM_HISTORY),
			};
		default:
			return state;
	}
}

/** The `host` field of `wbtop --once --json`. Unmeasured values stay null. */
export type HostJson = {
	gpuStatus: SourceStatus;
	gpuMessage: string | null;
	gpus: Array<{
		index: number;
		name: string;
		util: number | null;
		memUsedMiB: number | null;
		memTotalMiB: number | null;
		tempC: number | null;
		powerW: number | null;
		powerLimitW: number | null;
		smClockMHz: number | null;
	}>;
	cpu: {totalPct: number | null; perCorePct: Array<number | null>};
	mem: {usedBytes: number | null; totalBytes: number | null; swapUsedBytes: number | null; swapTotalBytes: number | null};
	net: {rxBytesPerSec: number | null; txBytesPerSec: number | null};
	processes: Array<{pid: number; name: string; gpuUuid: string | null; usedMemMiB: number | null; run: boolean}>;
};

/** Projects the state onto the `--once --json` contract. */
export function hostJson(state: HostState): HostJson {
	return {
		gpuStatus: state.gpuStatus,
		gpuMessage: state.gpuMessage,
		gpus: gpusJson(state.gpus),
		cpu: {totalPct: state.cpu?.totalPct ?? null, perCorePct: state.cpu?.perCorePct ?? []},
		mem: {
			usedBytes: state.mem?.usedBytes ?? null,
			totalBytes: state.mem?.totalBytes ?? null,
			swapUsedBytes: state.mem?.swapUsedBytes ?? null,
			swapTotalBytes: state.mem?.swapTotalBytes ?? null,
		},
		net: {rxBytesPerSec: state.net?.rxBytesPerSec ?? null, txBytesPerSec: state.net?.txBytesPerSec ?? null},
		processes: state.processes.map(p => ({pid: p.pid, name: p.name, gpuUuid: p.gpuUuid, usedMemMiB: p.usedMemMiB, run: p.run ?? false})),
	};
}

/** One entry of `--once --json`'s `hosts`: this machine first (status ok/unavailable/error), then each `--hosts` node. */
export type HostsJsonEntry = {name: string; status: SourceStatus | RemoteStatus; message: string | null; gpus: HostJson['gpus']};

function gpusJson(gpus: readonly GpuSample[]): HostJson['gpus'] {
	return gpus.map(g => ({
		index: g.index,
		name: g.name,
		util: g.util,
		memUsedMiB: g.memUsedMiB,
		memTotalMiB: g.memTotalMiB,
		tempC: g.tempC,
		powerW: g.powerW,
		powerLimitW: g.powerLimitW,
		smClockMHz: g.smClockMHz,
	}));
}

/** `hosts` of `--once --json`: `localName` (this machine's host name) first, then the remotes as given. */
export function hostsJson(state: HostState, localName: string): HostsJsonEntry[] {
	return [
		{name: localName, status: state.gpuStatus, message: state.gpuMessage, gpus: gpusJson(state.gpus)},
		...state.remotes.map(r => ({name: r.name, status: r.status, message: r.message, gpus: gpusJson(r.gpus)})),
	];
}

/**
 * The state for `--once`: a GPU snapshot and a system snapshot (as returned by sampleGpusOnce and
 * sampleSystemOnce) folded through the reducer.
 */
export function hostStateFromOnce(
	gpu: {status: SourceStatus; message: string | null; gpus: GpuSample[]; processes: GpuProcess[]} | null,
	system: {
		cpu: {totalPct: number | null; perCorePct: Array<number | null>};
		mem: {usedBytes: number | null; totalBytes: number | null; swapUsedBytes: number | null; swapTotalBytes: number | null};
		net: {rxBytesPerSec: number | null; txBytesPerSec: number | null};
	} | null,
	time = Date.now(),
): HostState {
	const events: HostEvent[] = [];
	if (gpu) {
		events.push({type: 'gpu/status', status: gpu.status, message: gpu.message});
		if (gpu.gpus.length > 0) events.push({type: 'gpu/sample', time, gpus: gpu.gpus});
		events.push({type: 'gpu/processes', time, processes: gpu.processes});
	}
	if (system) {
		events.push({type: 'cpu/sample', time, ...system.cpu}, {type: 'mem/sample', time, ...system.mem}, {type: 'net/sample', time, ...system.net});
	}
	return events.reduce(reduceHost, initialHostState());
}

/**
 * This machine and the `--hosts` nodes together: how many there are, how many answered with GPUs,
 * those GPUs and their mean utilization (null when none reports one), and the failing nodes' names.
 */
export function hostsSummary(host: HostState): {nodes: number; up: number; gpus: number; util: number | null; failing: string[]} {
	const answered = host.remotes.filter(r => r.status === 'ok' && r.gpus.length > 0);
	const gpus = [...host.gpus, ...answered.flatMap(r => r.gpus)];
	const utils = gpus.map(g => g.util).filter((u): u is number => u !== null);
	return {
		nodes: 1 + host.remotes.length,
		up: (host.gpus.length > 0 ? 1 : 0) + answered.length,
		gpus: gpus.length,
		util: utils.length === 0 ? null : utils.reduce((a, b) => a + b, 0) / utils.length,
		failing: host.remotes.filter(r => r.status !== 'ok' && r.status !== 'connecting').map(r => r.name),
	};
}
