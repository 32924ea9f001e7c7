/**
 * Typed live samples of this machine. Every field that the source could not measure is `null`
 * ("not available"), never 0.
 */

/** One GPU as seen in one nvidia-smi sample. */
export type GpuSample = {
	index: number;
	uuid: string | null;
	name: string;
	/** utilization.gpu, percent; null under MIG or when not reported. */
	util: number | null;
	/** utilization.memory (memory controller busy), percent. */
	memUtil: number | null;
	memUsedMiB: number | null;
	memTotalMiB: number | null;
	tempC: number | null;
	powerW: number | null;
	powerLimitW: number | null;
	smClockMHz: number | null;
	fanPct: number | null;
	pstate: string | null;
	/** MIG mode is enabled: utilization is not reported per GPU. */
	mig: boolean;
	/** Extra fields the nvidia-smi source fills in (optional so other sources may omit them). */
	busId?: string | null;
	memTempC?: number | null;
	memClockMHz?: number | null;
	maxSmClockMHz?: number | null;
	driverVersion?: string | null;
};

/** A process holding GPU memory (`--query-compute-apps`). */
export type GpuProcess = {
	gpuUuid: string | null;
	pid: number;
	name: string;
	usedMemMiB: number | null;
	/** The process is the watched run or one of its descendants (see markRunProcesses). */
	run?: boolean;
};

/** Whether a host source works: `unavailable` (e.g. no nvidia-smi, `--no-gpu`) or `error` (it failed). */
export type SourceStatus = 'ok' | 'unavailable' | 'error';

/**
 * The state of another node's GPU stream (`--hosts`): `connecting` until the first sample or
 * failure; `stalled` is no sample within 3 intervals.
 */
export type RemoteStatus = 'connecting' | 'ok' | 'unreachable' | 'auth-refused' | 'no-nvidia-smi' | 'driver-error' | 'stalled';

/** One event from a host source; `time` is ms since the epoch. */
export type HostEvent =
	| {type: 'gpu/sample'; time: number; gpus: GpuSample[]}
	| {type: 'gpu/processes'; time: number; processes: GpuProcess[]}
	| {type: 'gpu/status'; status: SourceStatus; message: string | null}
	| {type: 'cpu/sample'; time: number; totalPct: number | null; perCorePct: Array<number | null>}
	| {
			type: 'mem/sample';
			time: number;
			usedBytes: number | null;
			totalBytes: number | null;
			swapUsedBytes: number | null;
			swapTotalBytes: number | null;
	  }
	| {type: 'net/sample'; time: number; rxBytesPerSec: number | null; txBytesPerSec: number | null}
	| {type: 'system/status'; status: SourceStatus; message: string | null}
	/** Another node's GPUs (`--hosts`), in the order the hosts were given. */
	| {type: 'remote/status'; host: string; status: RemoteStatus; message: string | null}
	| {type: 'remote/sample'; host: string; time: number; gpus: GpuSample[]};

/** A running source: stop() ends it and its child processes. */
export type HostSource = {stop(): void};
