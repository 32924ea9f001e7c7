/**
 * The live host sources every live view runs: nvidia-smi (unless --no-gpu), one ssh stream per
 * `--hosts` node, and the CPU/memory/network sampler.
 */
import type {HostEvent, HostSource} from '../decode/host-events.js';
import {startGpuSource} from '../sources/nvidia-smi.js';
import {startSystemSource} from '../sources/system.js';
import {runtimeDir, startRemoteGpuSource} from '../sources/remote-gpu.js';

export type HostSourceOptions = {
	/** Sampling interval, ms. */
	intervalMs: number;
	gpu: boolean;
	/** nvidia-smi command (tests put a stand-in on PATH). */
	nvidiaSmi?: string;
	/** The watched run's training process, to mark its GPU processes (null: none). */
	runPid?: () => number | null;
	/** Other nodes whose GPUs are watched over ssh (`--hosts`, already expanded). */
	hosts?: readonly string[];
};

/** Start the host sources; each event goes to `onEvent`. Stop them with `stop()` on each. */
export function startHostSources(options: HostSourceOptions, onEvent: (event: HostEvent) => void): HostSource[] {
	const sources: HostSource[] = [];
	if (options.gpu) {
		sources.push(startGpuSource({intervalMs: options.intervalMs, onEvent, command: options.nvidiaSmi, runPid: options.runPid ?? (() => null)}));
	} else {
		onEvent({type: 'gpu/status', status: 'unavailable', message: 'live GPU view off (--no-gpu)'});
	}
	const hosts = options.hosts ?? [];
	if (hosts.length > 0) {
		let controlDir: string | null = null;
		let problem = '';
		try {
			controlDir = runtimeDir();
		} catch (error) {
			problem = (error as Error).message;
		}
		for (const host of hosts) {
			if (controlDir === null) onEvent({type: 'remote/status', host, status: 'unreachable', message: `no runtime dir for ssh sockets: ${problem}`});
			else sources.push(startRemoteGpuSource({host, intervalMs: options.intervalMs, onEvent, controlDir}));
		}
	}
	// CPU/memory/network every 2 s at least: each host change redraws the whole screen (10-40 ms of CPU).
	sources.push(startSystemSource({intervalMs: Math.max(options.intervalMs, 2000), onEvent}));
	return sources;
}
