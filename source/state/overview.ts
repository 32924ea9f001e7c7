/**
 * The run's overview: who the run is (the run record), where it ran (environment) and what it was
 * given (config), as one pure view of RunState that the overview panel, `--once` and
 * `--once --json` share. Nothing is formatted here; null is "not recorded".
 *
 * The environment takes each field from the first source that has it (doc §5.9, §1.2): the
 * log's EnvironmentRecords (core 0.21+, the only source in offline runs; the first writer's, the
 * primary's), then `wandb-metadata.json`, then the run record (host, git, start time).
 */
import type {FlatValues, RunInfo, Value} from '../decode/run-events.js';
import {emptyEnvironment, hasEnvironment, type Environment, type GpuDevice} from '../decode/environment.js';
import type {RunState} from './run-state.js';
import {compileFilter} from './ui-state.js';

/** The run as its records describe it: the run record's identity, and what the overview derives. */
export type OverviewRun = Pick<RunInfo, 'name' | 'id' | 'project' | 'entity' | 'group' | 'jobType' | 'tags' | 'notes'> & {
	sweepId: string | null;
	sdkVersion: string | null;
	/** ms since the epoch. */
	startTime: number | null;
	/** Seconds, the exit record's or the latest row's `_runtime`. */
	runtime: number | null;
	/** The session resumes an earlier run: the server said so, or it starts past step 0 or with runtime used. */
	resumed: boolean;
	/** Seconds of runtime the earlier sessions used, or null. */
	resumedRuntime: number | null;
	/** First step of this session where it resumed (RunRecord.starting_step), else null. */
	startingStep: number | null;
	/** Forked or rewound from `run` at `metric` = `value` (the branch point), or null. */
	branchPoint: {run: string; metric: string; value: number; forked: boolean} | null;
};

/** GPUs of one model. */
export type GpuGroup = {name: string; count: number; memoryBytes: number | null};

/** Where the run ran. */
export type OverviewEnvironment = {
	/** Which sources said anything: `environment records`, `wandb-metadata.json`, `run record`. */
	sources: string[];
	/** Writers that sent environment records (a shared or resumed run has several). */
	writers: number;
	/** Hosts of the other writers, where they differ from `host`. */
	otherHosts: string[];
	host: string | null;
	os: string | null;
	python: string | null;
	program: string | null;
	args: string[] | null;
	codePath: string | null;
	executable: string | null;
	username: string | null;
	docker: string | null;
	gitRemote: string | null;
	gitBranch: string | null;
	gitCommit: string | null;
	/** Whether `diff.patch` (uncommitted changes) is in the run dir; null when not looked at. */
	diffPatch: boolean | null;
	cudaVersion: string | null;
	/** GPUs grouped by model, or one group from `gpu` x `gpu_count`; empty when none recorded. */
	gpus: GpuGroup[];
	/** Apple silicon, TPU or Trainium, as recorded. */
	accelerator: string | null;
	cpuCount: number | null;
	cpuCountLogical: number | null;
	memoryBytes: number | null;
	disk: {total: number | null; used: number | null} | null;
	slurm: Record<string, string>;
};

/** The whole overview. */
export type Overview = {run: OverviewRun; environment: OverviewEnvironment};

/** The run's overview from its state. */
export function runOverview(state: RunState): Overview {
	return {run: overviewRun(state), environment: overviewEnvironment(state)};
}

function overviewRun(state: RunState): OverviewRun {
	const info = state.info;
	const runtime = state.exit?.runtime ?? state.lastRuntime;
	const startingStep = info !== null && info.startingStep > 0 ? info.startingStep : null;
	const resumedRuntime = info?.resumedRuntime ?? null;
	const point = info?.branchPoint ?? null;
	return {
		name: info?.name ?? null,
		id: info?.id ?? null,
		project: info?.project ?? null,
		entity: info?.entity ?? null,
		group: info?.group ?? null,
		jobType: info?.jobType ?? null,
		tags: info?.tags ?? [],
		notes: info?.notes ?? null,
		sweepId: info?.sweepId ?? null,
		sdkVersion: state.sdkVersion,
		startTime: info?.startTime ?? null,
		runtime: runtime !== null && runtime >= 0 ? runtime : null,
		resumed: Boolean(info?.resumed) || startingStep !== null || resumedRuntime !== null,
		resumedRuntime,
		startingStep,
		branchPoint: point === null ? null : {...point, forked: Boolean(info?.forked)},
	};
}

function overviewEnvironment(state: RunState): OverviewEnvironment {
	const writers = [...state.environments.values()];
	const fromRecords = writers[0] ?? null;
	const fromMetadata = state.metadata?.environment ?? null;
	const info = state.info;
	const fromRun = emptyEnvironment();
	fromRun.host = info?.host ?? null;
	fromRun.gitRemote = info?.gitRemote ?? null;
	fromRun.gitCommit = info?.gitCommit ?? null;
	const layers = [fromRecords, fromMetadata, fromRun];
	const sources = (['environment records', 'wandb-metadata.json', 'run record'] as const).filter((_, i) => layers[i] !== null && hasEnvironment(layers[i]!));
	const first = <K extends keyof Environment>(key: K): Environment[K] | null => {
		for (const layer of layers) {
			const value = layer?.[key];
			if (value !== null && value !== undefined) return value;
		}
		return null;
	};
	const host = first('host');
	return {
		sources: [...sources],
		writers: writers.length,
		otherHosts: [...new Set(writers.slice(1).map(env => env.host).filter((h): h is string => h !== null && h !== host))],
		host,
		os: first('os'),
		python: first('python'),
		program: first('program'),
		args: first('args'),
		codePath: first('codePath'),
		executable: first('executable'),
		username: first('username'),
		docker: first('docker'),
		gitRemote: first('gitRemote'),
		gitBranch: first('gitBranch'),
		gitCommit: first('gitCommit'),
		diffPatch: state.metadata?.diffPatch ?? null,
		cudaVersion: first('cudaVersion'),
		gpus: gpuGroups(layers),
		accelerator: acceleratorOf(layers),
		cpuCount: first('cpuCount'),
		cpuCountLogical: first('cpuCountLogical'),
		memoryBytes: first('memoryBytes') ?? first('apple')?.memoryBytes ?? null,
		disk: first('disk'),
		slurm: layers.find(layer => layer !== null && Object.keys(layer.slurm).length > 0)?.slurm ?? {},
	};
}

/** The first source's GPU list, grouped by model; else its `gpu` x `gpu_count`. */
function gpuGroups(layers: ReadonlyArray<Environment | null>): GpuGroup[] {
	for (const layer of layers) {
		if (layer === null) continue;
		if (layer.gpus.length > 0) return groupDevices(layer.gpus);
		if (layer.gpuType !== null && (layer.gpuCount ?? 1) > 0) return [{name: layer.gpuType, count: layer.gpuCount ?? 1, memoryBytes: null}];
	}
	return [];
}

function groupDevices(devices: readonly GpuDevice[]): GpuGroup[] {
	const groups: GpuGroup[] = [];
	for (const device of devices) {
		const name = device.name ?? 'GPU';
		const group = groups.find(g => g.name === name && g.memoryBytes === device.memoryBytes);
		if (group) group.count++;
		else groups.push({name, count: 1, memoryBytes: device.memoryBytes});
	}
	return groups;
}

function acceleratorOf(layers: ReadonlyArray<Environment | null>): string | null {
	for (const layer of layers) {
		if (layer?.accelerator) return layer.accelerator;
		const apple = layer?.apple;
		if (apple?.name) return apple.gpuCores ? `${apple.name} (${apple.gpuCores} GPU cores)` : apple.name;
	}
	return null;
}

/** One config entry: a `.`-joined key and its value (lists and dicts whole). */
export type ConfigRow = {key: string; value: Value};

/**
 * The config as rows sorted by key (nested keys already `a.b.c`), matching `filter` like the
 * summary's (substring or /regex/); the SDK's `_wandb.*` keys only when `internals` is on.
 */
export function configRows(state: RunState, filter: string, internals: boolean): ConfigRow[] {
	const matches = compileFilter(filter);
	const rows = (config: FlatValues) => Object.keys(config).map(key => ({key, value: config[key]}));
	const all = [...rows(state.config), ...(internals ? rows(state.sdkConfig) : [])];
	return all.filter(row => matches(row.key)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
