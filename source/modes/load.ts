/**
 * Reading a run whole and sampling the host once: what every one-shot mode (`--once`, `--json`,
 * `--check`, `--line`, `export`) starts from. No UI is loaded here.
 */
import {RunReader, STREAMING_READ_BYTES, UnreadableRunError, type ReadResult} from '../sources/run-reader.js';
import {locateRun, type RunLocation} from '../sources/locate.js';
import {readRunPid} from '../sources/run-pid.js';
import {OutputLogSource} from '../sources/output-log.js';
import {MetadataSource} from '../sources/run-metadata.js';
import {initialRunState, reduceRun, reduceRunEvents, type RunState} from '../state/run-state.js';
import {foldNodeEvents, nodeFor, resetNode} from '../state/nodes.js';
import {lifeTargetOf, probeRunLife} from '../sources/run-life.js';
import {hostStateFromOnce, reduceHost, type HostState} from '../state/host-state.js';
import type {HostEvent} from '../decode/host-events.js';
import {computeAlerts, initialAlertMemory, type Alert} from '../state/alerts.js';
import {sampleGpusOnce} from '../sources/nvidia-smi.js';
import {createSystemSampler} from '../sources/system.js';
import type {Options} from '../options.js';

/** A run read whole, folded into state. */
export type LoadedRun = {location: RunLocation; state: RunState; /** Why the log could not be read (e.g. not a wandb log). */ error: string | null};

/**
 * Read a run (already located) to its current end. Never writes into the run dir.
 *
 * Each read's events are folded into the state before the next read, so memory stays bounded by
 * the state (fixed-size series) and one read, not by the run's length.
 */
export function loadRun(path: string, nodes: readonly RunLocation[] = []): LoadedRun {
	const location = {...locateRun(path), ...(nodes.length > 0 ? {nodes} : {})};
	const reader = new RunReader(location, {maxBytesPerRead: STREAMING_READ_BYTES});
	let state = initialRunState();
	let last: ReadResult;
	try {
		do {
			last = reader.read();
			// The log was replaced while being read: what was folded so far is from the old file.
			if (last.reset) state = initialRunState();
			reduceRunEvents(state, last.events, Date.now());
		} while (reader.hasMore && last.error === null);
	} finally {
		reader.close();
	}
	// A log that cannot be read at all (permission, a FIFO) ends a one-shot mode: exit 2, one line.
	if (last.unreadable) throw new UnreadableRunError(`${location.runDir}/${last.error}`);
	state.format = location.format;
	state.integrity = last.integrity;
	if (state.consoleSource !== 'console records') reduceRunEvents(state, new OutputLogSource(location.runDir).poll(), Date.now());
	reduceRunEvents(state, new MetadataSource(location.runDir).poll(), Date.now());
	// No exit record: ask the OS whether the training process still lives (one kill(pid, 0), one /proc read).
	if (state.exit === null) reduceRun(state, probeRunLife(lifeTargetOf(state.info, readRunPid(location.runDir))), Date.now());
	for (const node of nodes) loadNode(state, node);
	return {location, state, error: last.error};
}

/**
 * Another writer of a shared-mode run, read whole into its node (state/nodes.ts): its system
 * metrics, console (records, else `files/output_<label>.log`) and exit. A node that cannot be read
 * stays empty: the run is the primary's.
 */
function loadNode(state: RunState, node: RunLocation): void {
	const reader = new RunReader(node, {maxBytesPerRead: STREAMING_READ_BYTES});
	foldNodeEvents(state, node.runDir, [], Date.now());
	try {
		let last: ReadResult;
		do {
			last = reader.read();
			if (last.reset) resetNode(state, node.runDir);
			foldNodeEvents(state, node.runDir, last.events, Date.now());
		} while (reader.hasMore && last.error === null);
	} finally {
		reader.close();
	}
	const nodeState = nodeFor(state, node.runDir).state;
	if (nodeState.consoleSource !== 'console records') foldNodeEvents(state, node.runDir, new OutputLogSource(node.runDir).poll(), Date.now());
}

export type HostSampleOptions = {
	gpu: boolean;
	gpuWaitMs: number;
	nvidiaSmi?: string;
	runPid?: number | null;
	/** Other nodes to sample over ssh (`--hosts`, expanded). */
	hosts?: readonly string[];
	/** Also sample CPU/memory/network (default true; `--line` shows only the GPUs and skips it). */
	system?: boolean;
};

/**
 * Start sampling the host once, bounded in time (a hung nvidia-smi must not hang `--once`).
 * CPU and network rates need two readings 250 ms apart: `firstReading` settles after the first,
 * so a caller can decode the run during the interval instead of after it.
 */
export function startHostSample(options: HostSampleOptions): {firstReading: Promise<unknown>; host: Promise<HostState>} {
	const sample = createSystemSampler();
	const firstReading = options.system === false ? Promise.resolve(null) : sample().catch(() => null);
	const system = firstReading.then(async first => {
		if (first === null) return null;
		await new Promise(resolve => setTimeout(resolve, 250));
		return sample().catch(() => null);
	});
	const gpu = options.gpu
		? sampleGpusOnce({timeoutMs: options.gpuWaitMs, command: options.nvidiaSmi, runPid: options.runPid ?? null})
		: Promise.resolve({status: 'unavailable' as const, message: 'live GPU view off (--no-gpu)', gpus: [], processes: []});
	const remotes = sampleRemotes(options.hosts ?? [], options.gpuWaitMs);
	return {firstReading, host: Promise.all([gpu, system, remotes]).then(([g, s, r]) => r.reduce(reduceHost, hostStateFromOnce(g, s)))};
}

/**
 * Each `--hosts` node sampled once over ssh, all at once: its state and GPUs as remote events.
 * The wait allows a new connection (ConnectTimeout 5 s) on top of nvidia-smi's own.
 */
async function sampleRemotes(hosts: readonly string[], waitMs: number): Promise<HostEvent[]> {
	if (hosts.length === 0) return [];
	const {runtimeDir, sampleRemoteOnce} = await import('../sources/remote-gpu.js');
	let controlDir: string;
	try {
		controlDir = runtimeDir();
	} catch (error) {
		return hosts.map(host => ({type: 'remote/status', host, status: 'unreachable', message: `no runtime dir for ssh sockets: ${(error as Error).message}`}));
	}
	const snapshots = await Promise.all(hosts.map(host => sampleRemoteOnce({host, controlDir, timeoutMs: Math.max(waitMs, 8000)})));
	const time = Date.now();
	return snapshots.flatMap((s): HostEvent[] => [
		{type: 'remote/status', host: s.host, status: s.status, message: s.message},
		...(s.gpus.length > 0 ? [{type: 'remote/sample' as const, host: s.host, time, gpus: s.gpus}] : []),
	]);
}

/** Alerts for a run read once (no live GPU history, so no idle alert). */
export function alertsFor(state: RunState, host: HostState | null): Alert[] {
	return computeAlerts(state, host, Date.now(), initialAlertMemory()).alerts;
}

/**
 * Read the run and sample the host once. Sampling starts first: nvidia-smi and the CPU-rate
 * interval run while the run is decoded, instead of after it.
 */
export async function loadWithHost(location: RunLocation, options: Options, sampling: {system?: boolean} = {}): Promise<{loaded: LoadedRun; host: HostState}> {
	const {firstReading, host} = startHostSample({...options, ...sampling, runPid: readRunPid(location.runDir)});
	// The rate interval then runs during the (synchronous) decode.
	await Promise.race([firstReading, new Promise(resolve => setTimeout(resolve, 100))]);
	const loaded = loadRun(location.runDir, location.nodes);
	return {loaded, host: await host};
}
