/**
 * The machine and program a run ran on (doc §4.5, §5.9, §1.2), from its two sources: the log's
 * EnvironmentRecords (Record field 26, wandb-core 0.21+: one software and one hardware record per
 * writer, the only source in offline runs) and `wandb-metadata.json` (every generation: legacy and
 * Python-writer snake_case, core 0.18-0.20 protojson of the metadata request, core 0.21+ the merged
 * EnvironmentRecord as protojson, which mixes camelCase and proto names). Both become one
 * {@link Environment}. Pure: no I/O. Strings are raw (the view sanitizes them).
 */
import {decodeTimestamp, ProtoReader} from './protobuf.js';

/** One accelerator as the run recorded it. */
export type GpuDevice = {
	name: string | null;
	/** Total memory in bytes, or null when not recorded. */
	memoryBytes: number | null;
	architecture: string | null;
};

/** What a run says about where and how it ran; null (or empty) wherever it says nothing. */
export type Environment = {
	/** The writer process this came from (0.21+), so several writers are told apart. */
	writerId: string | null;
	os: string | null;
	python: string | null;
	/** ms since the epoch. */
	startedAt: number | null;
	docker: string | null;
	program: string | null;
	codePath: string | null;
	args: string[] | null;
	gitRemote: string | null;
	gitCommit: string | null;
	/** Only where a metadata file names it: no W&B record carries the branch (GitRepoRecord has remote and commit). */
	gitBranch: string | null;
	root: string | null;
	host: string | null;
	username: string | null;
	executable: string | null;
	cpuCount: number | null;
	cpuCountLogical: number | null;
	/** The first GPU's name (`gpu` / `gpu_type`) and the count, where no per-device list is given. */
	gpuType: string | null;
	gpuCount: number | null;
	gpus: GpuDevice[];
	memoryBytes: number | null;
	/** The root disk (`/`, else the first one listed). */
	disk: {total: number | null; used: number | null} | null;
	/** Apple silicon: `Apple M1`, model `MacBookAir10,1`, its GPU cores and unified memory. */
	apple: {name: string | null; model: string | null; gpuCores: number | null; memoryBytes: number | null} | null;
	cudaVersion: string | null;
	/** Every `SLURM_*` variable, prefix dropped and lower-cased (`job_id`, `nodelist`, …). */
	slurm: Record<string, string>;
	/** TPU or Trainium, as one description (`TPU v4 x 8`). */
	accelerator: string | null;
};

/** An Environment that says nothing. */
export function emptyEnvironment(): Environment {
	return {
		writerId: null,
		os: null,
		python: null,
		startedAt: null,
		docker: null,
		program: null,
		codePath: null,
		args: null,
		gitRemote: null,
		gitCommit: null,
		gitBranch: null,
		root: null,
		host: null,
		username: null,
		executable: null,
		cpuCount: null,
		cpuCountLogical: null,
		gpuType: null,
		gpuCount: null,
		gpus: [],
		memoryBytes: null,
		disk: null,
		apple: null,
		cudaVersion: null,
		slurm: {},
		accelerator: null,
	};
}

/** Most entries kept of a repeated field (args, GPUs, slurm variables): a hostile record stays small. */
const MAX_ENTRIES = 256;

/**
 * Merges `next` over `base` as protobuf merges messages (the software and hardware records of
 * one writer, doc §5.9): set scalars win, lists append, the slurm map merges.
 */
export function mergeEnvironment(base: Environment, next: Environment): Environment {
	const out: Environment = {...base};
	for (const key of Object.keys(next) as Array<keyof Environment>) {
		const value = next[key];
		if (key === 'gpus') out.gpus = [...base.gpus, ...next.gpus].slice(0, MAX_ENTRIES);
		else if (key === 'args') out.args = next.args === null ? base.args : [...(base.args ?? []), ...next.args].slice(0, MAX_ENTRIES);
		else if (key === 'slurm') out.slurm = {...base.slurm, ...next.slurm};
		else if (value !== null) (out as Record<string, unknown>)[key] = value;
	}
	return out;
}

/** Whether an Environment says anything at all. */
export function hasEnvironment(env: Environment): boolean {
	return Object.entries(env).some(([key, value]) => (key === 'gpus' ? env.gpus.length > 0 : key === 'slurm' ? Object.keys(env.slurm).length > 0 : value !== null));
}

// ---- the log's EnvironmentRecord (protobuf) ----

/** Reads a message's fields: `fields[n]` is called for field n with the reader at its value. */
function readFields(r: ProtoReader, fields: Record<number, (wire: number) => void>): void {
	while (!r.done) {
		const tag = r.tag();
		const read = fields[tag >>> 3];
		const wire = tag & 7;
		// A field of an unexpected wire type is skipped, never misread.
		if (read !== undefined && (wire === 0 || wire === 2)) read(wire);
		else r.skip(wire);
	}
}

const nonEmpty = (s: string): string | null => (s === '' ? null : s);

/**
 * One EnvironmentRecord (field numbers as in doc §4.5). Strings of the wrong wire type are
 * skipped, so a damaged record gives what it holds, never a wrong kind of value.
 */
export function decodeEnvironmentRecord(r: ProtoReader): Environment {
	const env = emptyEnvironment();
	const str = (wire: number, set: (value: string | null) => void) => (wire === 2 ? set(nonEmpty(r.string())) : r.skip(wire));
	const num = (wire: number, set: (value: number) => void) => (wire === 0 ? set(r.uint64()) : r.skip(wire));
	readFields(r, {
		1: w => str(w, v => (env.os = v)),
		2: w => str(w, v => (env.python = v)),
		3: w => (w === 2 ? (env.startedAt = decodeTimestamp(r.message()) * 1000) : r.skip(w)),
		4: w => str(w, v => (env.docker = v)),
		5: w => str(w, v => {
			if ((env.args ??= []).length < MAX_ENTRIES) env.args.push(v ?? '');
		}),
		6: w => str(w, v => (env.program = v)),
		7: w => str(w, v => (env.codePath = v)),
		8: w => str(w, v => (env.codePath ??= v)),
		9: w => {
			if (w !== 2) return r.skip(w);
			const git = r.message();
			readFields(git, {
				1: gw => (gw === 2 ? (env.gitRemote = nonEmpty(git.string())) : git.skip(gw)),
				2: gw => (gw === 2 ? (env.gitCommit = nonEmpty(git.string())) : git.skip(gw)),
			});
		},
		11: w => str(w, v => (env.root = v)),
		12: w => str(w, v => (env.host = v)),
		13: w => str(w, v => (env.username = v)),
		14: w => str(w, v => (env.executable = v)),
		16: w => num(w, v => (env.cpuCount = v)),
		17: w => num(w, v => (env.cpuCountLogical = v)),
		18: w => str(w, v => (env.gpuType = v)),
		19: w => num(w, v => (env.gpuCount = v)),
		20: w => {
			// map<string, DiskInfo>: entries {key = 1, value = 2 {total = 1, used = 2}}; `/` is the one shown.
			if (w !== 2) return r.skip(w);
			const entry = r.message();
			let key = '';
			let disk: {total: number | null; used: number | null} = {total: null, used: null};
			readFields(entry, {
				1: ew => (ew === 2 ? (key = entry.string()) : entry.skip(ew)),
				2: ew => {
					if (ew !== 2) return entry.skip(ew);
					const d = entry.message();
					readFields(d, {1: dw => (dw === 0 ? (disk.total = d.uint64()) : d.skip(dw)), 2: dw => (dw === 0 ? (disk.used = d.uint64()) : d.skip(dw))});
				},
			});
			if (env.disk === null || key === '/') env.disk = disk;
			disk = {total: null, used: null};
		},
		21: w => {
			if (w !== 2) return r.skip(w);
			const m = r.message();
			readFields(m, {1: mw => (mw === 0 ? (env.memoryBytes = m.uint64()) : m.skip(mw))});
		},
		22: w => {
			// CpuInfo {count, count_logical}: only where the top-level counts are not given.
			if (w !== 2) return r.skip(w);
			const c = r.message();
			readFields(c, {1: cw => (cw === 0 ? (env.cpuCount ??= c.uint64()) : c.skip(cw)), 2: cw => (cw === 0 ? (env.cpuCountLogical ??= c.uint64()) : c.skip(cw))});
		},
		23: w => {
			if (w !== 2) return r.skip(w);
			const a = r.message();
			const apple = {name: null as string | null, model: null as string | null, gpuCores: null as number | null, memoryBytes: null as number | null};
			let memoryGb: number | null = null;
			readFields(a, {
				1: aw => (aw === 2 ? (apple.name = nonEmpty(a.string())) : a.skip(aw)),
				4: aw => (aw === 0 ? (apple.gpuCores = a.uint64()) : a.skip(aw)),
				5: aw => (aw === 0 ? (memoryGb = a.uint64()) : a.skip(aw)),
				7: aw => (aw === 0 ? (apple.memoryBytes = a.uint64()) : a.skip(aw)),
				8: aw => (aw === 2 ? (apple.model = nonEmpty(a.string())) : a.skip(aw)),
			});
			if (apple.memoryBytes === null && memoryGb !== null) apple.memoryBytes = memoryGb * 1024 ** 3;
			env.apple = apple;
		},
		24: w => {
			if (w !== 2) return r.skip(w);
			const g = r.message();
			const gpu: GpuDevice = {name: null, memoryBytes: null, architecture: null};
			readFields(g, {
				1: gw => (gw === 2 ? (gpu.name = nonEmpty(g.string())) : g.skip(gw)),
				2: gw => (gw === 0 ? (gpu.memoryBytes = g.uint64()) : g.skip(gw)),
				4: gw => (gw === 2 ? (gpu.architecture = nonEmpty(g.string())) : g.skip(gw)),
			});
			if (env.gpus.length < MAX_ENTRIES) env.gpus.push(gpu);
		},
		25: w => str(w, v => (env.cudaVersion = v)),
		26: w => {
			// GpuAmdInfo: 13 strings; `model` = 9 names it, `vram_size` = 12 (bytes, as a string).
			if (w !== 2) return r.skip(w);
			const g = r.message();
			const gpu: GpuDevice = {name: null, memoryBytes: null, architecture: null};
			readFields(g, {
				9: gw => (gw === 2 ? (gpu.name = nonEmpty(g.string())) : g.skip(gw)),
				12: gw => (gw === 2 ? (gpu.memoryBytes = numberOf(g.string())) : g.skip(gw)),
			});
			if (env.gpus.length < MAX_ENTRIES) env.gpus.push(gpu);
		},
		27: w => {
			if (w !== 2) return r.skip(w);
			const entry = r.message();
			let key = '';
			let value = '';
			readFields(entry, {1: ew => (ew === 2 ? (key = entry.string()) : entry.skip(ew)), 2: ew => (ew === 2 ? (value = entry.string()) : entry.skip(ew))});
			if (key !== '' && Object.keys(env.slurm).length < MAX_ENTRIES) env.slurm[key] = value;
		},
		28: w => {
			if (w !== 2) return r.skip(w);
			const t = r.message();
			let name: string | null = null;
			let count: number | null = null;
			readFields(t, {1: tw => (tw === 2 ? (name = nonEmpty(t.string())) : t.skip(tw)), 3: tw => (tw === 0 ? (count = t.uint64()) : t.skip(tw))});
			env.accelerator = acceleratorText(name ?? 'Trainium', count);
		},
		29: w => {
			if (w !== 2) return r.skip(w);
			const t = r.message();
			let name: string | null = null;
			let count: number | null = null;
			readFields(t, {1: tw => (tw === 2 ? (name = nonEmpty(t.string())) : t.skip(tw)), 4: tw => (tw === 0 ? (count = t.uint64()) : t.skip(tw))});
			env.accelerator = acceleratorText(name ?? 'TPU', count);
		},
		199: w => str(w, v => (env.writerId = v)),
	});
	return env;
}

function acceleratorText(name: string, count: number | null): string {
	return count !== null && count > 0 ? `${name} x ${count}` : name;
}

// ---- wandb-metadata.json ----

/** A number, or a uint64 protojson writes as a string (`"245107195904"`); else null. */
function numberOf(value: unknown): number | null {
	if (typeof value === 'number') return Number.isFinite(value) ? value : null;
	if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
	return null;
}

function stringOf(value: unknown): string | null {
	if (typeof value === 'string') return value === '' ? null : value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return null;
}

function objectOf(value: unknown): Record<string, unknown> | null {
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** The first of several spellings present (proto name, camelCase JSON name, legacy name). */
function pick(object: Record<string, unknown>, ...names: string[]): unknown {
	for (const name of names) if (Object.hasOwn(object, name) && object[name] !== null && object[name] !== undefined) return object[name];
	return undefined;
}

/** `2019-12-05T19:26:25.055853` (legacy: UTC with no zone) or RFC 3339 → ms, else null. */
function timeOf(value: unknown): number | null {
	if (typeof value !== 'string') return null;
	const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
	return Number.isNaN(ms) ? null : ms;
}

function gpuOf(value: unknown): GpuDevice | null {
	const object = objectOf(value);
	if (object === null) return null;
	return {
		name: stringOf(pick(object, 'name', 'model')),
		memoryBytes: numberOf(pick(object, 'memoryTotal', 'memory_total', 'vramSize', 'vram_size')),
		architecture: stringOf(pick(object, 'architecture')),
	};
}

/**
 * `wandb-metadata.json` of any generation as an Environment. Each field is looked up under the
 * names the writers used: proto names (`cpu_count`, `gpu_nvidia`), protojson's camelCase
 * (`cudaVersion`, `memoryTotal`, `writerId`) and the legacy SDK's (`cuda`, `gpu_devices`).
 */
export function environmentFromMetadata(metadata: Record<string, unknown>): Environment {
	const env = emptyEnvironment();
	const m = metadata;
	env.writerId = stringOf(pick(m, 'writerId', 'writer_id'));
	env.os = stringOf(m.os);
	env.python = stringOf(m.python);
	env.startedAt = timeOf(pick(m, 'startedAt', 'started_at'));
	env.docker = stringOf(m.docker);
	env.program = stringOf(m.program);
	env.codePath = stringOf(pick(m, 'codePath', 'code_path', 'codePathLocal', 'code_path_local'));
	const args = pick(m, 'args');
	if (Array.isArray(args)) env.args = args.slice(0, MAX_ENTRIES).map(arg => (typeof arg === 'string' ? arg : JSON.stringify(arg) ?? ''));
	const git = objectOf(m.git);
	if (git !== null) {
		env.gitRemote = stringOf(pick(git, 'remote', 'remote_url', 'remoteUrl'));
		env.gitCommit = stringOf(pick(git, 'commit', 'last_commit'));
		env.gitBranch = stringOf(pick(git, 'branch'));
	}
	env.root = stringOf(m.root);
	env.host = stringOf(m.host);
	env.username = stringOf(m.username);
	env.executable = stringOf(m.executable);
	const cpu = objectOf(m.cpu);
	env.cpuCount = numberOf(pick(m, 'cpu_count', 'cpuCount')) ?? (cpu ? numberOf(cpu.count) : null);
	env.cpuCountLogical = numberOf(pick(m, 'cpu_count_logical', 'cpuCountLogical')) ?? (cpu ? numberOf(pick(cpu, 'countLogical', 'count_logical')) : null);
	env.gpuType = stringOf(pick(m, 'gpu', 'gpu_type', 'gpuType'));
	env.gpuCount = numberOf(pick(m, 'gpu_count', 'gpuCount'));
	for (const list of [pick(m, 'gpu_nvidia', 'gpuNvidia', 'gpu_devices'), pick(m, 'gpu_amd', 'gpuAmd')]) {
		if (!Array.isArray(list)) continue;
		for (const item of list.slice(0, MAX_ENTRIES)) {
			const gpu = gpuOf(item);
			if (gpu !== null && env.gpus.length < MAX_ENTRIES) env.gpus.push(gpu);
		}
	}
	const memory = objectOf(m.memory);
	if (memory !== null) env.memoryBytes = numberOf(memory.total);
	const disks = objectOf(m.disk);
	if (disks !== null) {
		// Core: {"/": {total, used}}; the Python writer: {total, used} for `/` itself.
		const root = objectOf(disks['/']) ?? (Object.hasOwn(disks, 'total') ? disks : objectOf(Object.values(disks)[0]));
		if (root !== null) env.disk = {total: numberOf(root.total), used: numberOf(root.used)};
	}
	const apple = objectOf(m.apple);
	if (apple !== null) {
		const memoryGb = numberOf(pick(apple, 'memoryGb', 'memory_gb'));
		env.apple = {
			name: stringOf(apple.name),
			model: stringOf(pick(apple, 'macModel', 'mac_model')),
			gpuCores: numberOf(pick(apple, 'gpuCores', 'gpu_cores')),
			memoryBytes: numberOf(pick(apple, 'ramTotalBytes', 'ram_total_bytes')) ?? (memoryGb === null ? null : memoryGb * 1024 ** 3),
		};
	}
	env.cudaVersion = stringOf(pick(m, 'cudaVersion', 'cuda_version', 'cuda'));
	const slurm = objectOf(m.slurm);
	if (slurm !== null) {
		for (const [key, value] of Object.entries(slurm).slice(0, MAX_ENTRIES)) {
			const text = stringOf(value);
			if (text !== null) env.slurm[key] = text;
		}
	}
	const tpu = objectOf(m.tpu);
	if (tpu !== null) env.accelerator = acceleratorText(stringOf(tpu.name) ?? 'TPU', numberOf(tpu.count));
	const trainium = objectOf(m.trainium);
	if (trainium !== null) env.accelerator = acceleratorText(stringOf(trainium.name) ?? 'Trainium', numberOf(pick(trainium, 'neuronDeviceCount', 'neuron_device_count')));
	return env;
}
