/**
 * Protobuf `Record` payloads (doc §4) → {@link RunEvent}s. Only the record types and fields wbtop
 * shows are decoded; everything else is skipped by wire type, so new record types are harmless.
 */
import type {FlatValues, RunEvent, RunInfo, Value} from './run-events.js';
import {decodeTimestamp, ProtoError, ProtoReader} from './protobuf.js';
import {flattenLimited, keyBudget, parseJsonLoose, parseValueJson, toValue, UNPARSABLE} from './values.js';
import {isUnsafeKey, MAX_KEYS_PER_ROW, MAX_VALUE_DEPTH} from './caps.js';
import {FastItemDecoder} from './history-decoder.js';
import {decodeEnvironmentRecord} from './environment.js';

/** `Record` field numbers of the record types wbtop reads (doc §4.1). */
export const RecordField = {
	num: 1,
	history: 2,
	summary: 3,
	output: 4,
	config: 5,
	files: 6,
	stats: 7,
	alert: 10,
	telemetry: 11,
	metric: 12,
	outputRaw: 13,
	run: 17,
	exit: 18,
	final: 20,
	header: 21,
	footer: 22,
	preempting: 23,
	environment: 26,
	outputLogger: 27,
} as const;

/**
 * Run status as the dashboard shows it (the same union as `state/run-state.ts` RunStatus).
 * `stale` is never recorded in a log: it is a run with no exit record that has been silent too
 * long to be believed alive (state/run-life.ts).
 */
export type RunStatus = 'running' | 'finished' | 'failed' | 'crashed' | 'stale';

/**
 * Exit code the SDK records for a run stopped by Ctrl-C / KeyboardInterrupt: every generation's
 * excepthook (`wandb/__init__.py` 0.8, `wandb/sdk/lib/exit_hooks.py` since), and wandb 0.8's
 * wrapper when it was interrupted itself (its metadata then says `killed`).
 */
export const EXIT_CODE_KILLED = 255;

/**
 * Exit code wandb 0.8's run manager records when it could not get one from the user process
 * ("Killing program failed"); W&B's server and its own TUI (LEET) read 254 as a crash.
 */
export const EXIT_CODE_LOST = 254;

/**
 * The run state from what the log says (doc §5.6):
 * - a legacy `wandb-metadata.json` final state wins where there is one (its `killed` is already
 *   mapped to `crashed` by the legacy reader; its `running` is no final state);
 * - no exit record → `running` (a dead run looks the same: state/run-life.ts tells them apart
 *   with the OS and the clock);
 * - exit code 0 → `finished`;
 * - 255 (interrupted or killed) and 254 (exit code lost) → `crashed`;
 * - any other exit code → `failed` (the script raised, or called `sys.exit(n)`; a negative code
 *   too: wandb 0.8 wrote -n for a child killed by signal n and called it failed, and since 0.10 it
 *   is what `sys.exit(-1)` records).
 */
export function deriveRunState(input: {exitCode: number | null; legacyState?: RunStatus | null}): RunStatus {
	if (input.legacyState && input.legacyState !== 'running') return input.legacyState;
	if (input.exitCode === null) return 'running';
	if (input.exitCode === 0) return 'finished';
	return input.exitCode === EXIT_CODE_KILLED || input.exitCode === EXIT_CODE_LOST ? 'crashed' : 'failed';
}

/** An empty {@link RunInfo}. */
export function emptyRunInfo(): RunInfo {
	return {
		id: null,
		name: null,
		project: null,
		entity: null,
		group: null,
		jobType: null,
		tags: [],
		notes: null,
		host: null,
		startTime: null,
		config: {},
		startingStep: 0,
		pid: null,
	};
}

/**
 * Decodes records into events. Keeps the little state decoding needs: the run info merged over
 * several `run` records (0.12.18 writes two; the later one carries server-filled values).
 */
export class RecordDecoder {
	/** Records whose protobuf could not be decoded (skipped; their framing was fine). */
	undecodable = 0;
	/** History and summary records the fast path decoded (for tests and benchmarks). */
	fastRecords = 0;
	private run: RunInfo | null = null;
	/** The SDK version so far (header producer, else telemetry), for what depends on it. */
	private version: string | null = null;
	/** Telemetry said shared mode (feature 67), and whether an environment record came (doc §5.10). */
	private sharedMode = false;
	private environmentSeen = false;
	/** History and summary records straight from the bytes (history-decoder.ts), else null. */
	private readonly fast: FastItemDecoder | null;

	/**
	 * `fastPath: false` decodes every record the generic way: the reference the fast path is
	 * tested against (test/decode/history-decoder.test.ts), and a baseline for benchmarks.
	 */
	constructor(options: {fastPath?: boolean} = {}) {
		this.fast = options.fastPath === false ? null : new FastItemDecoder();
	}

	/** Decodes one record payload, appending its events to `out`. Never throws. */
	decode(payload: Uint8Array, out: RunEvent[]): void {
		const mark = out.length;
		try {
			this.decodeRecord(payload, out);
		} catch (error) {
			if (!(error instanceof ProtoError)) throw error;
			out.length = mark; // drop anything half-built from this record
			this.undecodable++;
		}
	}

	private decodeRecord(payload: Uint8Array, out: RunEvent[]): void {
		const r = new ProtoReader(payload);
		// Record has one `record_type` member; `num`, `control`, `uuid`, `_info` are bookkeeping.
		let body: ProtoReader | null = null;
		let kind = 0;
		while (!r.done) {
			const tag = r.tag();
			const field = tag >>> 3;
			// Only the primary writer writes environment records (doc §5.9): noted for the exit's meaning.
			if (field === RecordField.environment && (tag & 7) === 2) this.environmentSeen = true;
			if ((tag & 7) === 2 && isHandled(field)) {
				body = r.message();
				kind = field;
			} else {
				r.skip(tag & 7);
			}
		}
		if (body === null) return;
		switch (kind) {
			case RecordField.history: {
				// `body` reads `payload`: its span is the HistoryRecord's bytes.
				const event = this.fast?.history(payload, body.pos, body.end) ?? null;
				if (event !== null) this.fastRecords++;
				out.push(event ?? decodeHistory(body));
				return;
			}
			case RecordField.summary: {
				const event = this.fast?.summary(payload, body.pos, body.end) ?? null;
				if (event !== null) {
					this.fastRecords++;
					out.push(event);
					return;
				}
				const {update, remove} = decodeItemRecord(body);
				out.push({type: 'summary', update, remove});
				return;
			}
			case RecordField.config: {
				const {update, remove} = decodeItemRecord(body);
				const sdk: FlatValues = {};
				const version = takeSdkConfig(update, sdk);
				out.push({type: 'config', update, remove: remove.filter(key => !isSdkKey(key))});
				if (Object.keys(sdk).length > 0) out.push({type: 'sdk-config', update: sdk});
				if (version !== null) out.push({type: 'telemetry', cliVersion: version});
				return;
			}
			case RecordField.environment:
				// Field 26 was Launch's wandb_config_parameters in 0.16.5-0.16.6 (doc §4.1): environment from 0.21 on.
				if (this.version === null || versionAtLeast(this.version, [0, 21, 0])) out.push({type: 'environment', environment: decodeEnvironmentRecord(body)});
				return;
			case RecordField.stats: {
				const event = decodeStats(body);
				if (event !== null) out.push(event);
				return;
			}
			case RecordField.output:
			case RecordField.outputRaw:
				out.push(decodeOutput(body));
				return;
			case RecordField.metric:
				out.push(decodeMetric(body));
				return;
			case RecordField.exit:
				out.push(this.decodeExit(body));
				return;
			case RecordField.telemetry: {
				const telemetry = decodeTelemetry(body);
				const version = this.noteTelemetry(telemetry);
				if (version !== null || telemetry.sharedMode) out.push({type: 'telemetry', cliVersion: version, ...(telemetry.sharedMode ? {sharedMode: true} : {})});
				return;
			}
			case RecordField.header: {
				const sdkVersion = decodeHeader(body);
				if (sdkVersion !== null) this.version = sdkVersion;
				out.push({type: 'header', sdkVersion});
				return;
			}
			case RecordField.alert:
				out.push(decodeAlert(body));
				return;
			case RecordField.outputLogger:
				out.push(decodeOutputLogger(body));
				return;
			case RecordField.run:
				this.decodeRun(body, out);
				return;
			case RecordField.preempting:
				out.push({type: 'preempting'});
				return;
		}
	}

	private decodeRun(r: ProtoReader, out: RunEvent[]): void {
		const run: RunInfo = this.run === null ? emptyRunInfo() : {...this.run, tags: [...this.run.tags], config: {...this.run.config}};
		const tags: string[] = [];
		let cliVersion: string | null = null;
		const sdk: FlatValues = {};
		// Strings: an empty value means "not set" (offline and early records leave them empty), so a
		// later record only overrides with something real.
		const set = (key: 'id' | 'entity' | 'project' | 'group' | 'jobType' | 'name' | 'notes' | 'host', value: string) => {
			if (value !== '') run[key] = value;
		};
		while (!r.done) {
			const tag = r.tag();
			switch (tag >>> 3) {
				case 1:
					set('id', r.string());
					break;
				case 2:
					set('entity', r.string());
					break;
				case 3:
					set('project', r.string());
					break;
				case 4: {
					const {update} = decodeItemRecord(r.message());
					const version = takeSdkConfig(update, sdk);
					if (version !== null) cliVersion = version;
					Object.assign(run.config, update);
					break;
				}
				case 6:
					set('group', r.string());
					break;
				case 7:
					set('jobType', r.string());
					break;
				case 8:
					set('name', r.string());
					break;
				case 9:
					set('notes', r.string());
					break;
				case 10:
					tags.push(r.string());
					break;
				case 12: {
					const sweep = r.string();
					if (sweep !== '') run.sweepId = sweep;
					break;
				}
				case 13:
					set('host', r.string());
					break;
				case 18:
					if ((tag & 7) === 0) run.resumed = r.bool() || run.resumed;
					else r.skip(tag & 7);
					break;
				case 20:
					if ((tag & 7) === 0) {
						const runtime = r.int32();
						if (runtime > 0) run.resumedRuntime = runtime;
					} else r.skip(tag & 7);
					break;
				case 21: {
					// GitRepoRecord: remote_url = 1, commit = 2.
					const git = r.message();
					while (!git.done) {
						const t = git.tag();
						if (t >>> 3 === 1 && (t & 7) === 2) run.gitRemote = git.string() || (run.gitRemote ?? null);
						else if (t >>> 3 === 2 && (t & 7) === 2) run.gitCommit = git.string() || (run.gitCommit ?? null);
						else git.skip(t & 7);
					}
					break;
				}
				case 22:
					if ((tag & 7) === 0) run.forked = r.bool() || run.forked;
					else r.skip(tag & 7);
					break;
				case 23: {
					// BranchPoint: run = 1, value = 2 (double), metric = 3.
					const b = r.message();
					const point = {run: '', value: 0, metric: ''};
					while (!b.done) {
						const t = b.tag();
						if (t >>> 3 === 1 && (t & 7) === 2) point.run = b.string();
						else if (t >>> 3 === 2 && (t & 7) === 1) point.value = b.double();
						else if (t >>> 3 === 3 && (t & 7) === 2) point.metric = b.string();
						else b.skip(t & 7);
					}
					if (point.run !== '') run.branchPoint = point;
					break;
				}
				case 14:
					run.startingStep = r.int64();
					break;
				case 17:
					run.startTime = decodeTimestamp(r.message()) * 1000;
					break;
				case 19: {
					const version = this.noteTelemetry(decodeTelemetry(r.message()));
					if (version !== null) cliVersion = version;
					break;
				}
				default:
					r.skip(tag & 7);
			}
		}
		if (tags.length > 0) run.tags = tags;
		this.run = run;
		out.push({type: 'run', run});
		if (Object.keys(sdk).length > 0) out.push({type: 'sdk-config', update: sdk});
		if (cliVersion !== null || this.sharedMode) out.push({type: 'telemetry', cliVersion, ...(this.sharedMode ? {sharedMode: true} : {})});
	}

	/** Keeps what telemetry says of the writer; returns its cli_version. */
	private noteTelemetry(telemetry: Telemetry): string | null {
		if (telemetry.sharedMode) this.sharedMode = true;
		if (telemetry.version !== null) this.version ??= telemetry.version;
		return telemetry.version;
	}

	/**
	 * RunExitRecord: `exit_code` = 1, `runtime` = 2, `not_complete` = 3 (0.26.1+). An exit that does
	 * not end the run is marked `detached` (doc §5.6, §5.10): `not_complete` set, or a shared-mode
	 * secondary's: shared-mode telemetry and no environment record (only the primary writes them),
	 * from 0.26.1 on (earlier secondaries write no exit record at all, so an exit there is the
	 * primary's, whose environment records 0.19-0.20 did not write yet).
	 */
	private decodeExit(r: ProtoReader): RunEvent {
		let exitCode = 0;
		let runtime: number | null = null;
		let notComplete = false;
		while (!r.done) {
			const tag = r.tag();
			switch (tag >>> 3) {
				case 1:
					exitCode = r.int32();
					break;
				case 2:
					runtime = r.int32();
					break;
				case 3:
					if ((tag & 7) === 0) notComplete = r.bool();
					else r.skip(tag & 7);
					break;
				default:
					r.skip(tag & 7);
			}
		}
		if (notComplete) return {type: 'exit', exitCode, runtime, detached: 'not-complete'};
		if (this.sharedMode && !this.environmentSeen && versionAtLeast(this.version, [0, 26, 1])) return {type: 'exit', exitCode, runtime, detached: 'secondary'};
		return {type: 'exit', exitCode, runtime};
	}
}

/** `version` (`0.26.1`, `0.27.0.dev1`) is at least `min`; false when unknown. */
export function versionAtLeast(version: string | null, min: readonly [number, number, number]): boolean {
	const match = version === null ? null : /^(\d+)\.(\d+)\.(\d+)/.exec(version);
	if (match === null) return false;
	for (let i = 0; i < 3; i++) {
		const part = Number(match[i + 1]);
		if (part !== min[i]) return part > min[i];
	}
	return true;
}

const HANDLED = new Set<number>([
	RecordField.history,
	RecordField.summary,
	RecordField.output,
	RecordField.config,
	RecordField.stats,
	RecordField.telemetry,
	RecordField.metric,
	RecordField.outputRaw,
	RecordField.run,
	RecordField.exit,
	RecordField.header,
	RecordField.preempting,
	RecordField.alert,
	RecordField.outputLogger,
	RecordField.environment,
]);
function isHandled(field: number): boolean {
	return HANDLED.has(field);
}

/** The `record_type` field number of a record payload (0 if none): for tests and tools. */
export function recordType(payload: Uint8Array): number {
	const r = new ProtoReader(payload);
	let kind = 0;
	while (!r.done) {
		const tag = r.tag();
		const field = tag >>> 3;
		if ((tag & 7) === 2 && field >= 2 && field <= 27 && field !== 16 && field !== 19) kind = field;
		r.skip(tag & 7);
	}
	return kind;
}

/** One `HistoryItem` / `SummaryItem` / `ConfigItem`: `key` = 1, `nested_key` = 2, `value_json` = 16. */
type Item = {path: string[]; valueJson: string};

function decodeItem(r: ProtoReader): Item {
	let key = '';
	let nested: string[] | null = null;
	let valueJson = '';
	while (!r.done) {
		const tag = r.tag();
		switch (tag >>> 3) {
			case 1:
				key = r.string();
				break;
			case 2:
				(nested ??= []).push(r.string());
				break;
			case 16:
				valueJson = r.string();
				break;
			default:
				r.skip(tag & 7);
		}
	}
	return {path: nested ?? [key], valueJson};
}

/**
 * Turns items into flat values (doc §5.1.3). Python items hold whole values under a top-level
 * `key`; core items are leaves under a `nested_key` path, and a media object arrives as one leaf
 * per field, so the items under a path that has a `_type` leaf are put back into one object.
 */
function itemsToValues(items: Item[], out: FlatValues): number {
	// At most MAX_KEYS_PER_ROW flat keys per record (caps.ts); the rest are counted as dropped.
	const budget = keyBudget();
	if (items.length > MAX_KEYS_PER_ROW) {
		budget.dropped += items.length - MAX_KEYS_PER_ROW;
		items.length = MAX_KEYS_PER_ROW;
	}
	let mediaPrefixes: Set<string> | null = null;
	for (const item of items) {
		const {path} = item;
		if (path.length > 1 && path[path.length - 1] === '_type') {
			(mediaPrefixes ??= new Set()).add(path.slice(0, -1).join('.'));
		}
	}
	if (mediaPrefixes === null) {
		for (const item of items) flattenLimited(out, item.path.length === 1 ? item.path[0] : item.path.join('.'), parseValueJson(item.valueJson), budget);
		return budget.dropped;
	}
	const groups = new Map<string, Record<string, unknown>>();
	for (const item of items) {
		const {path} = item;
		const prefixLength = mediaPrefixLength(path, mediaPrefixes);
		if (prefixLength === 0) {
			flattenLimited(out, path.join('.'), parseValueJson(item.valueJson), budget);
			continue;
		}
		// A `__proto__` segment would walk into Object.prototype and write there (caps.ts); an
		// absurdly deep path would overflow the stack in toValue.
		if (path.length > MAX_VALUE_DEPTH || path.some(isUnsafeKey)) continue;
		const prefix = path.slice(0, prefixLength).join('.');
		let group = groups.get(prefix);
		if (group === undefined) groups.set(prefix, (group = {}));
		// Rebuild the nested media object from the remaining path.
		let node = group;
		for (let i = prefixLength; i < path.length - 1; i++) {
			const child = Object.hasOwn(node, path[i]) ? node[path[i]] : undefined;
			node = (node[path[i]] = child !== null && typeof child === 'object' ? child : {}) as Record<string, unknown>;
		}
		const raw = parseJsonLoose(item.valueJson);
		node[path[path.length - 1]] = raw === UNPARSABLE ? item.valueJson : raw;
	}
	for (const [prefix, group] of groups) flattenLimited(out, prefix, toValue(group), budget);
	return budget.dropped;
}

/** Length of the shortest prefix of `path` that is a media object's path, or 0. */
function mediaPrefixLength(path: string[], prefixes: Set<string>): number {
	let joined = '';
	for (let i = 1; i < path.length; i++) {
		joined = i === 1 ? path[0] : `${joined}.${path[i - 1]}`;
		if (prefixes.has(joined)) return i;
	}
	return 0;
}

/** Reads `update` (1) / `remove` (2) items of a SummaryRecord or ConfigRecord. */
function decodeItemRecord(r: ProtoReader): {update: FlatValues; remove: string[]} {
	const items: Item[] = [];
	const remove: string[] = [];
	while (!r.done) {
		const tag = r.tag();
		switch (tag >>> 3) {
			case 1:
				items.push(decodeItem(r.message()));
				break;
			case 2:
				remove.push(decodeItem(r.message()).path.join('.'));
				break;
			default:
				r.skip(tag & 7);
		}
	}
	const update: FlatValues = {};
	itemsToValues(items, update);
	return {update, remove};
}

function decodeHistory(r: ProtoReader): RunEvent {
	const items: Item[] = [];
	let step: number | null = null;
	while (!r.done) {
		const tag = r.tag();
		switch (tag >>> 3) {
			case 1:
				items.push(decodeItem(r.message()));
				break;
			case 2: {
				// HistoryStep { num = 1 }; an empty message means step 0.
				const s = r.message();
				step = 0;
				while (!s.done) {
					const t = s.tag();
					if (t >>> 3 === 1 && (t & 7) === 0) step = s.int64();
					else s.skip(t & 7);
				}
				break;
			}
			default:
				r.skip(tag & 7);
		}
	}
	const values: FlatValues = {};
	const droppedKeys = itemsToValues(items, values);
	if (step === null && typeof values._step === 'number' && Number.isFinite(values._step)) step = values._step;
	return droppedKeys > 0 ? {type: 'history', step, values, droppedKeys} : {type: 'history', step, values};
}

/** System metrics. Non-numeric values and `_gpu.*` metadata are dropped; dicts are flattened. */
function decodeStats(r: ProtoReader): RunEvent | null {
	let timestamp: number | null = null;
	const values: Record<string, number> = {};
	const budget = keyBudget(); // caps.ts
	while (!r.done) {
		const tag = r.tag();
		switch (tag >>> 3) {
			case 2:
				timestamp = decodeTimestamp(r.message());
				break;
			case 3: {
				if (budget.left <= 0) {
					r.skip(tag & 7);
					break;
				}
				const item = decodeItem(r.message());
				const key = item.path.join('.');
				if (key.startsWith('_')) break;
				const value = parseValueJson(item.valueJson);
				if (typeof value === 'number') {
					if (!Object.hasOwn(values, key)) budget.left--;
					values[key] = value;
				} else if (value !== null && typeof value === 'object') {
					// ≤0.12 Python wrote `network` as {"sent": n, "recv": n}.
					const flat: FlatValues = {};
					flattenLimited(flat, key, value, budget);
					for (const [k, v] of Object.entries(flat)) if (typeof v === 'number') values[k] = v;
				}
				break;
			}
			default:
				r.skip(tag & 7);
		}
	}
	// A sample without a time cannot be placed on a time axis; no writer produces one.
	return timestamp === null ? null : {type: 'stats', timestamp, values};
}

/** OutputRecord (4) and OutputRawRecord (13): `output_type` 0 = stderr (also when absent), 1 = stdout. */
function decodeOutput(r: ProtoReader): RunEvent {
	let stream: 'stdout' | 'stderr' = 'stderr';
	let timestamp: number | null = null;
	let text = '';
	while (!r.done) {
		const tag = r.tag();
		switch (tag >>> 3) {
			case 1:
				stream = r.int32() === 1 ? 'stdout' : 'stderr';
				break;
			case 2:
				timestamp = decodeTimestamp(r.message());
				break;
			case 3:
				text = r.string();
				break;
			default:
				r.skip(tag & 7);
		}
	}
	return {type: 'console', stream, text, timestamp};
}

function decodeMetric(r: ProtoReader): RunEvent {
	let name = '';
	let glob = '';
	let stepMetric = '';
	let hidden = false;
	let defined = false;
	let goal: 'minimize' | 'maximize' | null = null;
	while (!r.done) {
		const tag = r.tag();
		switch (tag >>> 3) {
			case 1:
				name = r.string();
				break;
			case 2:
				glob = r.string();
				break;
			case 4:
				stepMetric = r.string();
				break;
			case 6: {
				// MetricOptions: step_sync = 1, hidden = 2, defined = 3.
				const o = r.message();
				while (!o.done) {
					const t = o.tag();
					if (t >>> 3 === 2 && (t & 7) === 0) hidden = o.bool();
					else if (t >>> 3 === 3 && (t & 7) === 0) defined = o.bool();
					else o.skip(t & 7);
				}
				break;
			}
			case 8: {
				const g = r.int32();
				goal = g === 1 ? 'minimize' : g === 2 ? 'maximize' : null;
				break;
			}
			default:
				r.skip(tag & 7);
		}
	}
	return {
		type: 'metric',
		name: name === '' ? null : name,
		glob: name === '' && glob !== '' ? glob : null,
		stepMetric: stepMetric === '' ? null : stepMetric,
		hidden,
		defined,
		goal,
	};
}

/** AlertRecord (10): `title` = 1, `text` = 2, `level` = 3 (INFO when absent), `wait_duration` = 4 (ms). */
function decodeAlert(r: ProtoReader): RunEvent {
	let title = '';
	let text = '';
	let level = '';
	let waitMs: number | null = null;
	while (!r.done) {
		const tag = r.tag();
		const field = tag >>> 3;
		if (field === 1 && (tag & 7) === 2) title = r.string();
		else if (field === 2 && (tag & 7) === 2) text = r.string();
		else if (field === 3 && (tag & 7) === 2) level = r.string();
		else if (field === 4 && (tag & 7) === 0) waitMs = r.int64();
		else r.skip(tag & 7);
	}
	return {type: 'wandb-alert', title, text, level: level === '' ? 'INFO' : level.toUpperCase(), waitMs};
}

/**
 * OutputLoggerRecord (27, 0.27+): `line` = 1 only, whole lines with a trailing newline from
 * `run.write_logs()` / `capture_loggers`; no stream or time, shown as stdout (doc §4.5, §5.5).
 */
function decodeOutputLogger(r: ProtoReader): RunEvent {
	let text = '';
	while (!r.done) {
		const tag = r.tag();
		if (tag >>> 3 === 1 && (tag & 7) === 2) text = r.string();
		else r.skip(tag & 7);
	}
	return {type: 'console', stream: 'stdout', text, timestamp: null, whole: true};
}

type Telemetry = {version: string | null; sharedMode: boolean};

/** TelemetryRecord → `cli_version` (5, null when absent), and `feature.shared_mode` (3 → 67). */
function decodeTelemetry(r: ProtoReader): Telemetry {
	let version: string | null = null;
	let sharedMode = false;
	while (!r.done) {
		const tag = r.tag();
		if (tag >>> 3 === 5 && (tag & 7) === 2) version = r.string() || null;
		else if (tag >>> 3 === 3 && (tag & 7) === 2) {
			const feature = r.message();
			while (!feature.done) {
				const t = feature.tag();
				if (t >>> 3 === 67 && (t & 7) === 0) sharedMode = feature.bool() || sharedMode;
				else feature.skip(t & 7);
			}
		} else r.skip(tag & 7);
	}
	return {version, sharedMode};
}

/** HeaderRecord → `version_info.producer` without its `+<git sha>` suffix (core only). */
function decodeHeader(r: ProtoReader): string | null {
	let producer: string | null = null;
	while (!r.done) {
		const tag = r.tag();
		if (tag >>> 3 === 1 && (tag & 7) === 2) {
			const v = r.message();
			while (!v.done) {
				const t = v.tag();
				if (t >>> 3 === 1 && (t & 7) === 2) producer = v.string();
				else v.skip(t & 7);
			}
		} else {
			r.skip(tag & 7);
		}
	}
	return producer ? producer.replace(/\+.*$/, '') : null;
}


/** Keys under `_wandb` are SDK bookkeeping (telemetry, versions), not the user's config. */
function isSdkKey(key: string): boolean {
	return key === '_wandb' || key.startsWith('_wandb.');
}

/**
 * Removes `_wandb.*` keys from flattened config values (into `sdk`, where given: the overview shows
 * them on request) and returns `_wandb.cli_version` if present. Both the RunRecord config and
 * ConfigRecords carry it (doc §5.3).
 */
export function takeSdkConfig(config: FlatValues, sdk?: FlatValues): string | null {
	let version: string | null = null;
	for (const key of Object.keys(config)) {
		if (!isSdkKey(key)) continue;
		const value: Value = config[key];
		if (key === '_wandb.cli_version' && typeof value === 'string') version = value;
		if (sdk !== undefined) sdk[key] = value;
		delete config[key];
	}
	return version;
}
