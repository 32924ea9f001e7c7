/**
 * Writes `.wandb` files: the framing of {@link ./log-reader.ts} in reverse, plus encoders for the
 * records wbtop reads. Used by tests, the demo and benchmarks. The chunking follows both real
 * writers (Python `datastore.py`, Go leveldb journal), which agree byte for byte: FULL when the
 * record fits in the block, else FIRST/MIDDLE…/LAST; zero padding when fewer than 7 bytes are
 * left; a 0-length FIRST chunk when exactly 7 are left.
 */
import {BLOCK_SIZE, CHUNK_FIRST, CHUNK_FULL, CHUNK_HEADER_SIZE, CHUNK_LAST, CHUNK_MIDDLE, crc32, FILE_HEADER} from '../decode/log-framing.js';
import {ProtoWriter} from '../decode/protobuf.js';
import {RecordField} from '../decode/records.js';
import {formatValueJson} from '../decode/values.js';

export {formatValueJson} from '../decode/values.js';

export type LogWriterOptions = {
	/**
	 * 0 (default): blocks counted from file offset 0, the file header inside block 0 (every writer
	 * since wandb-core 0.17.6, and Python always). 7: the old wandb-core layout (doc §2.2).
	 */
	blockOrigin?: 0 | 7;
};

/** Frames records into the `.wandb` byte stream, one record at a time (appends are resumable). */
export class LogWriter {
	private offset = 0;
	private readonly origin: 0 | 7;

	constructor(options: LogWriterOptions = {}) {
		this.origin = options.blockOrigin ?? 0;
	}

	/** Bytes written so far (the file size). */
	get size(): number {
		return this.offset;
	}

	/** The 7-byte file header; must come first. */
	header(): Uint8Array {
		if (this.offset !== 0) throw new Error('the file header must be written first');
		this.offset = FILE_HEADER.length;
		return FILE_HEADER.slice();
	}

	/** The bytes that append one record (its chunks, with any padding before them). */
	record(payload: Uint8Array): Uint8Array {
		if (this.offset === 0) throw new Error('write the file header first');
		const pieces: Uint8Array[] = [];
		let size = 0;
		const emit = (bytes: Uint8Array) => {
			pieces.push(bytes);
			size += bytes.length;
			this.offset += bytes.length;
		};
		let done = 0;
		let first = true;
		for (;;) {
			let left = BLOCK_SIZE - ((this.offset - this.origin) % BLOCK_SIZE);
			if (left < CHUNK_HEADER_SIZE) {
				emit(new Uint8Array(left));
				left = BLOCK_SIZE;
			}
			const room = left - CHUNK_HEADER_SIZE;
			const rest = payload.length - done;
			const last = rest <= room;
			const take = last ? rest : room;
			const type = first ? (last ? CHUNK_FULL : CHUNK_FIRST) : last ? CHUNK_LAST : CHUNK_MIDDLE;
			emit(chunk(type, payload.subarray(done, done + take)));
			done += take;
			first = false;
			if (last) break;
		}
		const out = new Uint8Array(size);
		let p = 0;
		for (const piece of pieces) {
			out.set(piece, p);
			p += piece.length;
		}
		return out;
	}
}

function chunk(type: number, data: Uint8Array): Uint8Array {
	const out = new Uint8Array(CHUNK_HEADER_SIZE + data.length);
	out[6] = type;
	out.set(data, CHUNK_HEADER_SIZE);
	const crc = crc32(out.subarray(6));
	out[0] = crc & 0xff;
	out[1] = (crc >>> 8) & 0xff;
	out[2] = (crc >>> 16) & 0xff;
	out[3] = crc >>> 24;
	out[4] = data.length & 0xff;
	out[5] = data.length >>> 8;
	return out;
}

/** A whole `.wandb` file holding `payloads` (header included). */
export function encodeFraming(payloads: Iterable<Uint8Array>, options: LogWriterOptions = {}): Uint8Array {
	const writer = new LogWriter(options);
	const parts = [writer.header()];
	for (const payload of payloads) parts.push(writer.record(payload));
	const out = new Uint8Array(writer.size);
	let p = 0;
	for (const part of parts) {
		out.set(part, p);
		p += part.length;
	}
	return out;
}

// ---------------------------------------------------------------------------------------------
// Record encoders. Each returns a serialized `Record` payload; `num` is the record sequence number
// (omitted when 0, as ≤0.13 files do).

/** How history/summary keys are encoded (doc §5.1.3). */
export type KeyEncoding = 'python' | 'core';

function record(field: number, body: ProtoWriter, num = 0): Uint8Array {
	const w = new ProtoWriter();
	if (num !== 0) w.varintField(RecordField.num, num);
	return w.messageField(field, body).finish();
}

function timestamp(seconds: number): ProtoWriter {
	const whole = Math.floor(seconds);
	const w = new ProtoWriter();
	if (whole !== 0) w.varintField(1, whole);
	const nanos = Math.round((seconds - whole) * 1e9);
	if (nanos !== 0) w.varintField(2, Math.min(nanos, 999_999_999));
	return w;
}

/** Items for history/summary/config: Python = one item per top-level key with the whole value's
 * JSON; core = one item per leaf with its `nested_key` path (media objects flattened too). */
function items(values: Record<string, unknown>, encoding: KeyEncoding): ProtoWriter[] {
	const out: ProtoWriter[] = [];
	if (encoding === 'python') {
		for (const [key, value] of Object.entries(values)) {
			out.push(new ProtoWriter().stringField(1, key).stringField(16, formatValueJson(value)));
		}
		return out;
	}
	const walk = (path: string[], value: unknown) => {
		if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
			for (const [key, child] of Object.entries(value)) walk([...path, key], child);
			return;
		}
		const w = new ProtoWriter();
		for (const part of path) w.stringField(2, part);
		out.push(w.stringField(16, formatValueJson(value)));
	};
	for (const [key, value] of Object.entries(values)) walk([key], value);
	return out;
}

/** HeaderRecord (21); `producer` is set by wandb-core only, e.g. `0.22.3+abc`. */
export function encodeHeader(options: {producer?: string; num?: number} = {}): Uint8Array {
	const body = new ProtoWriter();
	if (options.producer) body.messageField(1, new ProtoWriter().stringField(1, options.producer));
	return record(RecordField.header, body, options.num);
}

export type RunRecordInput = {
	runId: string;
	entity?: string;
	project?: string;
	/** Config values (nested objects allowed), written like core writes them. */
	config?: Record<string, unknown>;
	group?: string;
	jobType?: string;
	displayName?: string;
	notes?: string;
	tags?: string[];
	host?: string;
	startingStep?: number;
	/** Start time, ms since the epoch. */
	startTime?: number;
	/** Sets RunRecord.telemetry.cli_version. */
	cliVersion?: string;
	sweepId?: string;
	resumed?: boolean;
	/** RunRecord.runtime: seconds earlier sessions used (a resume). */
	runtime?: number;
	git?: {remote?: string; commit?: string};
	forked?: boolean;
	branchPoint?: {run: string; value: number; metric: string};
	num?: number;
};

/** RunRecord (17). */
export function encodeRun(run: RunRecordInput): Uint8Array {
	const w = new ProtoWriter().stringField(1, run.runId);
	if (run.entity) w.stringField(2, run.entity);
	if (run.project) w.stringField(3, run.project);
	if (run.config) {
		const config = new ProtoWriter();
		for (const item of items(run.config, 'python')) config.messageField(1, item);
		w.messageField(4, config);
	}
	if (run.group) w.stringField(6, run.group);
	if (run.jobType) w.stringField(7, run.jobType);
	if (run.displayName) w.stringField(8, run.displayName);
	if (run.notes) w.stringField(9, run.notes);
	for (const tag of run.tags ?? []) w.stringField(10, tag);
	if (run.host) w.stringField(13, run.host);
	if (run.startingStep) w.varintField(14, run.startingStep);
	if (run.startTime !== undefined) w.messageField(17, timestamp(run.startTime / 1000));
	if (run.cliVersion) w.messageField(19, new ProtoWriter().stringField(5, run.cliVersion));
	if (run.sweepId) w.stringField(12, run.sweepId);
	if (run.resumed) w.varintField(18, true);
	if (run.runtime) w.varintField(20, run.runtime);
	if (run.git) {
		const git = new ProtoWriter();
		if (run.git.remote) git.stringField(1, run.git.remote);
		if (run.git.commit) git.stringField(2, run.git.commit);
		w.messageField(21, git);
	}
	if (run.forked) w.varintField(22, true);
	if (run.branchPoint) w.messageField(23, new ProtoWriter().stringField(1, run.branchPoint.run).doubleField(2, run.branchPoint.value).stringField(3, run.branchPoint.metric));
	return record(RecordField.run, w, run.num);
}

/** EnvironmentRecord (26, core 0.21+): the fields wbtop shows (doc §4.5); `gpus` become gpu_nvidia entries. */
export function encodeEnvironment(input: {
	writerId?: string;
	os?: string;
	python?: string;
	host?: string;
	program?: string;
	args?: string[];
	git?: {remote?: string; commit?: string};
	cpuCount?: number;
	gpuType?: string;
	gpuCount?: number;
	gpus?: Array<{name: string; memoryTotal: number}>;
	memoryTotal?: number;
	cudaVersion?: string;
	slurm?: Record<string, string>;
	num?: number;
}): Uint8Array {
	const w = new ProtoWriter();
	if (input.os) w.stringField(1, input.os);
	if (input.python) w.stringField(2, input.python);
	for (const arg of input.args ?? []) w.stringField(5, arg);
	if (input.program) w.stringField(6, input.program);
	if (input.git) {
		const git = new ProtoWriter();
		if (input.git.remote) git.stringField(1, input.git.remote);
		if (input.git.commit) git.stringField(2, input.git.commit);
		w.messageField(9, git);
	}
	if (input.host) w.stringField(12, input.host);
	if (input.cpuCount) w.varintField(16, input.cpuCount);
	if (input.gpuType) w.stringField(18, input.gpuType);
	if (input.gpuCount) w.varintField(19, input.gpuCount);
	if (input.memoryTotal) w.messageField(21, new ProtoWriter().varintField(1, input.memoryTotal));
	for (const gpu of input.gpus ?? []) w.messageField(24, new ProtoWriter().stringField(1, gpu.name).varintField(2, gpu.memoryTotal));
	if (input.cudaVersion) w.stringField(25, input.cudaVersion);
	for (const [key, value] of Object.entries(input.slurm ?? {})) w.messageField(27, new ProtoWriter().stringField(1, key).stringField(2, value));
	if (input.writerId) w.stringField(199, input.writerId);
	return record(RecordField.environment, w, input.num);
}

/** HistoryRecord (2): one row. `step` also goes into HistoryStep unless null. */
export function encodeHistory(input: {step: number | null; values: Record<string, unknown>; encoding?: KeyEncoding; num?: number}): Uint8Array {
	const w = new ProtoWriter();
	for (const item of items(input.values, input.encoding ?? 'core')) w.messageField(1, item);
	if (input.step !== null) {
		const step = new ProtoWriter();
		if (input.step !== 0) step.varintField(1, input.step);
		w.messageField(2, step);
	}
	return record(RecordField.history, w, input.num);
}

/** SummaryRecord (3). */
export function encodeSummary(input: {update: Record<string, unknown>; remove?: string[]; encoding?: KeyEncoding; num?: number}): Uint8Array {
	const w = new ProtoWriter();
	for (const item of items(input.update, input.encoding ?? 'core')) w.messageField(1, item);
	for (const key of input.remove ?? []) w.messageField(2, new ProtoWriter().stringField(1, key));
	return record(RecordField.summary, w, input.num);
}

/** ConfigRecord (5): values keyed at top level with their whole JSON, as both writers do. */
export function encodeConfig(input: {update: Record<string, unknown>; remove?: string[]; num?: number}): Uint8Array {
	const w = new ProtoWriter();
	for (const item of items(input.update, 'python')) w.messageField(1, item);
	for (const key of input.remove ?? []) w.messageField(2, new ProtoWriter().stringField(1, key));
	return record(RecordField.config, w, input.num);
}

/** StatsRecord (7): one system-metrics sample; `timestamp` in seconds since the epoch. */
export function encodeStats(input: {timestamp: number; values: Record<string, unknown>; num?: number}): Uint8Array {
	const w = new ProtoWriter().messageField(2, timestamp(input.timestamp));
	for (const [key, value] of Object.entries(input.values)) {
		w.messageField(3, new ProtoWriter().stringField(1, key).stringField(16, formatValueJson(value)));
	}
	return record(RecordField.stats, w, input.num);
}

/** OutputRawRecord (13), or OutputRecord (4) with `legacy: true`. */
export function encodeOutput(input: {stream: 'stdout' | 'stderr'; text: string; timestamp?: number; legacy?: boolean; num?: number}): Uint8Array {
	const w = new ProtoWriter();
	if (input.stream === 'stdout') w.varintField(1, 1);
	if (input.timestamp !== undefined) w.messageField(2, timestamp(input.timestamp));
	w.stringField(3, input.text);
	return record(input.legacy ? RecordField.output : RecordField.outputRaw, w, input.num);
}

/** MetricRecord (12), from `define_metric`. */
export function encodeMetric(input: {
	name?: string;
	glob?: string;
	stepMetric?: string;
	hidden?: boolean;
	defined?: boolean;
	stepSync?: boolean;
	goal?: 'minimize' | 'maximize';
	num?: number;
}): Uint8Array {
	const w = new ProtoWriter();
	if (input.name) w.stringField(1, input.name);
	if (input.glob) w.stringField(2, input.glob);
	if (input.stepMetric) w.stringField(4, input.stepMetric);
	if (input.hidden || input.defined || input.stepSync) {
		const options = new ProtoWriter();
		if (input.stepSync) options.varintField(1, true);
		if (input.hidden) options.varintField(2, true);
		if (input.defined) options.varintField(3, true);
		w.messageField(6, options);
	}
	if (input.goal) w.varintField(8, input.goal === 'minimize' ? 1 : 2);
	return record(RecordField.metric, w, input.num);
}

/** RunExitRecord (18); `notComplete` (0.26.1+): this writer is done, the run is not. */
export function encodeExit(input: {exitCode: number; runtime?: number; notComplete?: boolean; num?: number}): Uint8Array {
	const w = new ProtoWriter();
	if (input.exitCode !== 0) w.varintField(1, input.exitCode);
	if (input.runtime !== undefined) w.varintField(2, input.runtime);
	if (input.notComplete) w.varintField(3, true);
	return record(RecordField.exit, w, input.num);
}

/** TelemetryRecord (11) with `cli_version`; `sharedMode` sets `feature.shared_mode` (3 → 67). */
export function encodeTelemetry(input: {cliVersion: string; sharedMode?: boolean; num?: number}): Uint8Array {
	const w = new ProtoWriter().stringField(5, input.cliVersion);
	if (input.sharedMode) w.messageField(3, new ProtoWriter().varintField(67, true));
	return record(RecordField.telemetry, w, input.num);
}

/** AlertRecord (10), from `run.alert(title, text, level, wait_duration)`; level as the SDK writes it. */
export function encodeAlert(input: {title: string; text: string; level?: 'INFO' | 'WARN' | 'ERROR'; waitMs?: number; num?: number}): Uint8Array {
	const w = new ProtoWriter().stringField(1, input.title).stringField(2, input.text);
	if (input.level) w.stringField(3, input.level);
	if (input.waitMs !== undefined) w.varintField(4, input.waitMs);
	return record(RecordField.alert, w, input.num);
}

/** OutputLoggerRecord (27, 0.27+): `run.write_logs(text)` lines; the SDK ends the text with `\n`. */
export function encodeOutputLogger(input: {line: string; num?: number}): Uint8Array {
	return record(RecordField.outputLogger, new ProtoWriter().stringField(1, input.line), input.num);
}
