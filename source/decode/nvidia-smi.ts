/**
 * Pure parsers for `nvidia-smi --format=csv,noheader,nounits` output and its error messages.
 * Everything here is tested on real captures in test/fixtures/nvidia-smi/.
 */
import type {GpuProcess, GpuSample, SourceStatus} from './host-events.js';

/**
 * The `--query-gpu` fields wbtop asks for, in this order (the H100 captures were made with exactly
 * this list, so they replay faithfully). The parser is driven by the list: when an old driver
 * rejects a field, the source drops it and the parser still finds the others by name.
 */
export const GPU_QUERY_FIELDS = [
	'index',
	'uuid',
	'name',
	'pci.bus_id',
	'utilization.gpu',
	'utilization.memory',
	'memory.total',
	'memory.used',
	'memory.free',
	'temperature.gpu',
	'temperature.memory',
	'power.draw',
	'power.limit',
	'clocks.sm',
	'clocks.mem',
	'clocks.max.sm',
	'fan.speed',
	'pstate',
	'mig.mode.current',
	'driver_version',
] as const;

/** The `--query-compute-apps` fields, in this order (as in apps-load.csv). */
export const APPS_QUERY_FIELDS = ['pid', 'process_name', 'used_gpu_memory', 'gpu_uuid'] as const;

/** Fields without which a line is useless; never dropped when a driver rejects a field. */
const REQUIRED_GPU_FIELDS = new Set(['index', 'name']);

/** Arguments for one `--query-gpu` call (add `-lms N` for loop mode). */
export function gpuQueryArgs(fields: readonly string[] = GPU_QUERY_FIELDS): string[] {
	return [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'];
}

/** Arguments for one `--query-compute-apps` call. */
export function appsQueryArgs(): string[] {
	return [`--query-compute-apps=${APPS_QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits'];
}

/**
 * A number, or null for anything nvidia-smi could not measure: `[N/A]`, `[Not Supported]`,
 * `[Unknown Error]`, `[Insufficient Permissions]` and any other `[...]` token. Never 0.
 */
export function parseSmiNumber(token: string | undefined): number | null {
	if (token === undefined) return null;
	const t = token.trim();
	if (t === '' || t.startsWith('[') || t === 'N/A') return null;
	const n = Number(t);
	return Number.isFinite(n) ? n : null;
}

/** A string field, or null for `[...]` placeholders. */
function parseSmiString(token: string | undefined): string | null {
	if (token === undefined) return null;
	const t = token.trim();
	return t === '' || t.startsWith('[') ? null : t;
}

/**
 * Splits one CSV line into exactly `count` fields. nvidia-smi separates fields with ", " and
 * does not quote, so a value containing ", " (in practice only a name) yields extra pieces; they
 * are joined back into the field at `variableIndex`. Returns null when there are too few pieces.
 */
export function splitSmiCsv(line: string, count: number, variableIndex: number): string[] | null {
	const parts = line.replace(/\r$/, '').split(', ');
	if (parts.length < count) return null;
	const extra = parts.length - count;
	if (extra === 0) return parts;
	return [
		...parts.slice(0, variableIndex),
		parts.slice(variableIndex, variableIndex + extra + 1).join(', '),
		...parts.slice(variableIndex + extra + 1),
	];
}

/**
 * One `--query-gpu` CSV line → GpuSample, or null when the line is not a data line (an error
 * message, a blank line). `fields` must be the list the query was made with.
 */
export function parseGpuLine(line: string, fields: readonly string[] = GPU_QUERY_FIELDS): GpuSample | null {
	const nameAt = fields.indexOf('name');
	const parts = splitSmiCsv(line, fields.length, nameAt >= 0 ? nameAt : fields.length - 1);
	if (!parts) return null;
	const get = (field: string): string | undefined => {
		const i = fields.indexOf(field);
		return i >= 0 ? parts[i] : undefined;
	};
	const indexText = get('index')?.trim() ?? '';
	if (!/^\d+$/.test(indexText)) return null;
	const mig = get('mig.mode.current')?.trim() === 'Enabled';
	return {
		index: Number(indexText),
		uuid: parseSmiString(get('uuid')),
		name: parseSmiString(get('name')) ?? `GPU ${indexText}`,
		// Under MIG the GPU-wide utilization is meaningless (nvidia-smi prints [N/A]); never report it.
		util: mig ? null : parseSmiNumber(get('utilization.gpu')),
		memUtil: mig ? null : parseSmiNumber(get('utilization.memory')),
		memUsedMiB: parseSmiNumber(get('memory.used')),
		memTotalMiB: parseSmiNumber(get('memory.total')),
		tempC: parseSmiNumber(get('temperature.gpu')),
		powerW: parseSmiNumber(get('power.draw')),
		powerLimitW: parseSmiNumber(get('power.limit')),
		smClockMHz: parseSmiNumber(get('clocks.sm')),
		fanPct: parseSmiNumber(get('fan.speed')),
		pstate: parseSmiString(get('pstate')),
		mig,
		busId: parseSmiString(get('pci.bus_id')),
		memTempC: parseSmiNumber(get('temperature.memory')),
		memClockMHz: parseSmiNumber(get('clocks.mem')),
		maxSmClockMHz: parseSmiNumber(get('clocks.max.sm')),
		driverVersion: parseSmiString(get('driver_version')),
	};
}

/** All GPU lines of a one-shot `--query-gpu` output (non-data lines are skipped). */
export function parseGpuCsv(text: string, fields: readonly string[] = GPU_QUERY_FIELDS): GpuSample[] {
	const out: GpuSample[] = [];
	for (const line of text.split('\n')) {
		const sample = parseGpuLine(line, fields);
		if (sample) out.push(sample);
	}
	return out;
}

/** One `--query-compute-apps=pid,process_name,used_gpu_memory,gpu_uuid` line → GpuProcess, or null. */
export function parseComputeAppLine(line: string): GpuProcess | null {
	// The process name may contain ", " (it can be a full path): it is the variable-width field.
	const parts = splitSmiCsv(line, APPS_QUERY_FIELDS.length, 1);
	if (!parts) return null;
	const pidText = parts[0]!.trim();
	if (!/^\d+$/.test(pidText)) return null;
	return {
		pid: Number(pidText),
		name: parts[1]!.trim(),
		usedMemMiB: parseSmiNumber(parts[2]),
		gpuUuid: parseSmiString(parts[3]),
	};
}

/** All process lines of a `--query-compute-apps` output (empty output = no processes). */
export function parseComputeApps(text: string): GpuProcess[] {
	const out: GpuProcess[] = [];
	for (const line of text.split('\n')) {
		const p = parseComputeAppLine(line);
		if (p) out.push(p);
	}
	return out;
}

/** What went wrong with an nvidia-smi call, in words for the panel. */
export type SmiFailure = {
	status: SourceStatus;
	message: string;
	/** Set when nvidia-smi rejected a query field (older drivers): the source retries without it. */
	invalidField?: string;
};

/**
 * Classifies a failed nvidia-smi call from its error code (execa's `code`, e.g. 'ENOENT'), exit
 * code and printed text (stdout and stderr together; nvidia-smi prints most errors on stdout).
 */
export function classifySmiFailure(failure: {
	code?: string | undefined;
	exitCode?: number | undefined;
	timedOut?: boolean | undefined;
	output?: string | undefined;
}): SmiFailure {
	const output = failure.output ?? '';
	if (failure.code === 'ENOENT') return {status: 'unavailable', message: 'nvidia-smi not found — GPU panel disabled'};
	if (failure.code === 'EACCES') return {status: 'unavailable', message: 'nvidia-smi is not executable (permission denied)'};
	if (failure.timedOut) return {status: 'error', message: 'nvidia-smi timed out (driver busy or hung?)'};
	if (/couldn't communicate with the NVIDIA driver/i.test(output)) {
		return {status: 'error', message: "couldn't communicate with the NVIDIA driver"};
	}
	if (/Driver\/library version mismatch/i.test(output)) {
		return {status: 'error', message: 'NVML: Driver/library version mismatch (reboot after a driver upgrade)'};
	}
	const field = /Field "([^"]+)" is not a valid field to query/.exec(output);
	if (field) return {status: 'error', message: `nvidia-smi: "${field[1]}" is not a valid field to query`, invalidField: field[1]};
	if (/No devices were found/i.test(output)) return {status: 'unavailable', message: 'no NVIDIA GPU found'};
	if (/Insufficient Permissions/i.test(output)) return {status: 'error', message: 'nvidia-smi: insufficient permissions'};
	const firstLine = output
		.split('\n')
		.map(l => l.trim())
		.find(l => l !== '');
	if (firstLine) return {status: 'error', message: `nvidia-smi: ${firstLine}`};
	if (failure.exitCode !== undefined) return {status: 'error', message: `nvidia-smi exited with code ${failure.exitCode}`};
	return {status: 'error', message: `nvidia-smi failed${failure.code ? ` (${failure.code})` : ''}`};
}

/** The query fields minus one a driver rejected, or null when it cannot be dropped. */
export function dropField(fields: readonly string[], field: string): string[] | null {
	if (REQUIRED_GPU_FIELDS.has(field) || !fields.includes(field)) return null;
	return fields.filter(f => f !== field);
}
