/**
 * The run's state, folded from RunEvents. `reduceRun(state, event, now)` is deterministic (no I/O,
 * no clock: `now` comes in) and returns the same state object with its `version` bumped.
 *
 * Why mutate in place: a long run has millions of history values. Copying a store per event
 * would cost more than decoding it; instead the stores (typed-array series, the console ring)
 * are owned by the state and `version` tells the UI and memoized charts what changed.
 */
import type {FlatValues, Integrity, LifeEvent, RunEvent, RunFormat, RunInfo, Value} from '../decode/run-events.js';
import {emptyRunInfo} from '../decode/records.js';
import {isMediaValue} from '../decode/values.js';
import {AxisColumn, Series} from './series.js';
import {ConsoleBuffer} from './console.js';
import {RowPace} from './row-pace.js';
import type {RunStatus} from '../decode/records.js';
import {mergeEnvironment, type Environment} from '../decode/environment.js';
import {addMediaValue, cloneMediaLog, initialMediaLog, setMediaFile, type MediaLog} from './media.js';

export type {RunStatus} from '../decode/records.js';

/** A numeric history metric (name does not start with `_`). */
export type Metric = {
	name: string;
	series: Series;
	/** define_metric step metric, when declared for this name or a glob matching it. */
	stepMetric: string | null;
	hidden: boolean;
};

/** A summary entry and when (state clock, ms) it last changed, for the "just changed" highlight. */
export type SummaryEntry = {value: Value; changedAt: number};

/** Recorded system metrics (StatsRecords / legacy events), x = sample time. */
export type RecordedStats = {
	/** Sample time (epoch seconds) per stats row. */
	time: AxisColumn;
	series: Map<string, Series>;
	/** StatsRecords seen (legacy: events lines). */
	records: number;
	lastTimestamp: number | null;
};

/**
 * Another writer of the same run (shared mode, doc §5.10: one run dir per node): its dir, its
 * label (from its stats keys' `/l:<label>`, null until one is seen) and what it wrote that is its
 * own (system metrics, console, exit, life; state/nodes.ts folds it). History comes from the primary.
 */
export type NodeState = {dir: string; label: string | null; state: RunState};

/** A `wandb.alert()` title (with its level) as the run raised it: the latest text, how often. */
export type WandbAlert = {title: string; level: string; text: string; count: number; firstStep: number | null; lastStep: number | null};

/** One media key of the history: its `_type`, how many were logged, the latest step and file. */
export type MediaStat = {kind: string; count: number; lastStep: number | null; lastPath: string | null};

/** Distinct `wandb.alert()` titles kept (a script raising a new title every step must not grow memory). */
export const MAX_WANDB_ALERTS = 100;

type MetricDeclaration = {name: string | null; glob: string | null; stepMetric: string | null; hidden: boolean};

export type RunState = {
	version: number;
	format: RunFormat | null;
	info: RunInfo | null;
	sdkVersion: string | null;
	config: FlatValues;
	/** The SDK's `_wandb.*` config keys, kept apart from the user's `config` (the overview shows them on request). */
	sdkConfig: FlatValues;
	/** Bumped whenever `config` or `sdkConfig` changes (they change in place): what the overview's config rows are memoized on. */
	configVersion: number;
	/** The log's EnvironmentRecords merged per writer (writer id, '' for none), in the order they came. */
	environments: Map<string, Environment>;
	/** `wandb-metadata.json` as last read, and whether `files/diff.patch` is there; null until looked at. */
	metadata: {environment: Environment | null; diffPatch: boolean} | null;
	exit: {code: number; runtime: number | null} | null;
	/**
	 * An exit record that does not end the run (doc §5.6, §5.10): `not_complete`, or a shared-mode
	 * secondary writer's. The writer is done; the run goes on in others. Null otherwise.
	 */
	detached: {how: 'not-complete' | 'secondary'; code: number; runtime: number | null} | null;
	/** `wandb.alert()` records by level and title, in the order first raised (at most MAX_WANDB_ALERTS). */
	wandbAlerts: WandbAlert[];
	/** Media keys of the history (at most MAX_SERIES): counts, last step and path, never the values. */
	media: Map<string, MediaStat>;
	/** The media panel's view of the media: steps and files per key, recent histograms, files read (state/media.ts). */
	mediaLog: MediaLog;
	legacyState: {state: RunStatus; exitCode: number | null} | null;
	preempting: boolean;
	/** History records seen (legacy: lines). */
	rows: number;
	/** Row index of the latest merged row (rows sharing a step share an index), -1 before any. */
	lastRowIndex: number;
	firstStep: number | null;
	lastStep: number | null;
	/** `_timestamp` (epoch s) of the latest row that had one. */
	lastRowTimestamp: number | null;
	/** `_runtime` (s) of the latest row that had one. */
	lastRuntime: number | null;
	/** State clock (ms) when the latest row arrived. */
	lastRowAt: number | null;
	/** Recent (timestamp s, step) pairs, for steps/s over the last minute. */
	recentSteps: Array<[number, number]>;
	/** The recent timed rows, for the run's speed now (state/row-pace.ts, read by state/pace.ts). */
	pace: RowPace;
	metrics: Map<string, Metric>;
	/** x-axis candidates: `_step`, `_runtime`, `_timestamp` and every numeric key that has never decreased. */
	axes: Map<string, AxisColumn>;
	/** Keys dropped as x candidates because they decreased once. */
	nonMonotonic: Set<string>;
	declarations: MetricDeclaration[];
	/** Latest non-numeric history values (media, strings), for the summary table. */
	latestOther: Map<string, Value>;
	summary: Map<string, SummaryEntry>;
	stats: RecordedStats;
	/** The run's other writers (shared mode, one run dir per node), in the order opened; empty for a single writer. */
	nodes: NodeState[];
	console: ConsoleBuffer;
	/** Where the console lines come from: the log's console records, or `files/output.log`. */
	consoleSource: string | null;
	/** Side files refused (FIFO, device, too large, unreadable): file → one-line message. */
	fileProblems: Map<string, string>;
	integrity: Integrity;
	/** History values that were NaN/±Inf, by metric (for alerts and --check). */
	nonFinite: Map<string, {count: number; firstStep: number | null}>;
	/** The last RECENT_WINDOW raw values (and steps) of loss-like metrics, for spike alerts. */
	recent: Map<string, {values: number[]; steps: Array<number | null>}>;
	/** Values not kept because their key was new after MAX_SERIES keys (reported by --check). */
	droppedValues: number;
	/** History rows that had more keys than a row keeps (MAX_KEYS_PER_ROW), and the keys not kept. */
	rowsOverKeyLimit: number;
	droppedRowKeys: number;
	/** Steps above 2^53: a float64 cannot tell them apart, so such rows may merge. */
	impreciseSteps: number;
	/**
	 * The latest time (epoch s) the run's own records carry: history `_timestamp`, stats and
	 * console timestamps, the run's start. What "the run last wrote" is judged from, since a copied
	 * file's mtime is fresh and reading it takes time of its own.
	 */
	lastRecordTime: number | null;
	/** State clock (ms) when a record arrived after reading had caught up: a write seen live. */
	lastLiveWriteAt: number | null;
	/** The last probe of the writer's process (sources/run-life.ts), and when (state clock, ms). */
	life: {alive: boolean | null; pid: number | null; why: LifeEvent['why']; at: number} | null;
	/**
	 * How far the log has been read, where a live reader says so (null in the one-shot modes,
	 * which read it whole before showing anything). `since`: when reading began (ms).
	 */
	reading: {position: number; size: number; caughtUp: boolean; since: number} | null;
};

/**
 * Most distinct history metrics (and as many x-axis columns and system metrics) one run keeps.
 * W&B itself advises under 10,000 metrics; a hostile or runaway file with more must not take the
 * machine's memory (each series costs a few KB even when short).
 */
export const MAX_SERIES = 10_000;

/** Raw values kept per loss-like metric for spike detection. */
export const RECENT_WINDOW = 64;

/** Metrics watched for spikes: anything named like a loss. */
export function isLossLike(name: string): boolean {
	return /loss/i.test(name);
}

// isLossLike per metric name, so the ingest loop does not run a regex per value.
const lossLikeCache = new Map<string, boolean>();
function isLossLikeCached(name: string): boolean {
	let lossLike = lossLikeCache.get(name);
	if (lossLike === undefined) {
		lossLike = isLossLike(name);
		if (lossLikeCache.size < 10_000) lossLikeCache.set(name, lossLike);
	}
	return lossLike;
}

/** Axis names that are always offered first, in this order. */
export const BUILTIN_AXES = ['_step', '_runtime', '_timestamp'] as const;

/** A fresh, empty run state. */
export function initialRunState(): RunState {
	return {
		version: 0,
		format: null,
		info: null,
		sdkVersion: null,
		config: {},
		sdkConfig: {},
		configVersion: 0,
		environments: new Map(),
		metadata: null,
		exit: null,
		detached: null,
		wandbAlerts: [],
		media: new Map(),
		mediaLog: initialMediaLog(),
		legacyState: null,
		preempting: false,
		rows: 0,
		lastRowIndex: -1,
		firstStep: null,
		lastStep: null,
		lastRowTimestamp: null,
		lastRuntime: null,
		lastRowAt: null,
		recentSteps: [],
		pace: new RowPace(),
		metrics: new Map(),
		axes: new Map(),
		nonMonotonic: new Set(),
		declarations: [],
		latestOther: new Map(),
		summary: new Map(),
		stats: {time: new AxisColumn(), series: new Map(), records: 0, lastTimestamp: null},
		nodes: [],
		console: new ConsoleBuffer(),
		consoleSource: null,
		fileProblems: new Map(),
		integrity: {tail: 'clean', corruptChunks: 0},
		nonFinite: new Map(),
		recent: new Map(),
		droppedValues: 0,
		rowsOverKeyLimit: 0,
		droppedRowKeys: 0,
		impreciseSteps: 0,
		lastRecordTime: null,
		lastLiveWriteAt: null,
		life: null,
		reading: null,
	};
}

/**
 * An independent copy of the state: what a paused view holds while reading goes on (the live
 * state's stores keep growing in place). Immutable parts (run info, exit, console lines) are shared.
 */
export function cloneRunState(state: RunState): RunState {
	return {
		...state,
		config: {...state.config},
		sdkConfig: {...state.sdkConfig},
		environments: new Map(state.environments),
		recentSteps: [...state.recentSteps],
		pace: state.pace.clone(),
		metrics: new Map([...state.metrics].map(([name, metric]) => [name, {...metric, series: metric.series.clone()}])),
		axes: new Map([...state.axes].map(([name, axis]) => [name, axis.clone()])),
		nonMonotonic: new Set(state.nonMonotonic),
		declarations: [...state.declarations],
		latestOther: new Map(state.latestOther),
		wandbAlerts: state.wandbAlerts.map(alert => ({...alert})),
		media: new Map([...state.media].map(([key, stat]) => [key, {...stat}])),
		mediaLog: cloneMediaLog(state.mediaLog),
		summary: new Map([...state.summary].map(([key, entry]) => [key, {...entry}])),
		stats: {...state.stats, time: state.stats.time.clone(), series: new Map([...state.stats.series].map(([key, series]) => [key, series.clone()]))},
		nodes: state.nodes.map(node => ({...node, state: cloneRunState(node.state)})),
		console: state.console.clone(),
		fileProblems: new Map(state.fileProblems),
		integrity: {...state.integrity},
		nonFinite: new Map([...state.nonFinite].map(([key, seen]) => [key, {...seen}])),
		recent: new Map([...state.recent].map(([key, recent]) => [key, {values: [...recent.values], steps: [...recent.steps]}])),
	};
}

/** Fold one event into the state; `now` is the caller's clock in ms. */
export function reduceRun(state: RunState, event: RunEvent, now: number): RunState {
	switch (event.type) {
		case 'header':
			if (event.sdkVersion) state.sdkVersion = event.sdkVersion;
			break;
		case 'telemetry':
			if (event.cliVersion && !state.sdkVersion) state.sdkVersion = event.cliVersion;
			break;
		case 'run':
			state.info = mergeRunInfo(state.info, event.run);
			Object.assign(state.config, event.run.config);
			state.configVersion++;
			break;
		case 'config':
			Object.assign(state.config, event.update);
			for (const key of event.remove) delete state.config[key];
			state.configVersion++;
			break;
		case 'sdk-config':
			Object.assign(state.sdkConfig, event.update);
			state.configVersion++;
			break;
		case 'environment': {
			// A writer's software and hardware records merge (doc §5.9); each writer is kept apart.
			const writer = event.environment.writerId ?? '';
			const previous = state.environments.get(writer);
			if (previous !== undefined || state.environments.size < 64) state.environments.set(writer, previous === undefined ? event.environment : mergeEnvironment(previous, event.environment));
			break;
		}
		case 'metadata':
			state.metadata = {environment: event.environment, diffPatch: event.diffPatch};
			break;
		case 'history':
			addHistoryRow(state, event.step, event.values, now);
			if (event.droppedKeys) {
				state.rowsOverKeyLimit++;
				state.droppedRowKeys += event.droppedKeys;
			}
			break;
		case 'summary':
			// wandb-core writes two summary records per history row: kept cheap (no [key, value]
			// arrays, entries updated in place).
			for (const key of Object.keys(event.update)) {
				const value = event.update[key];
				const previous = state.summary.get(key);
				if (previous === undefined) {
					if (state.summary.size >= MAX_SERIES) state.droppedValues++;
					else state.summary.set(key, {value, changedAt: now});
				} else if (!sameValue(previous.value, value)) {
					previous.value = value;
					previous.changedAt = now;
				}
			}
			for (const key of event.remove) removeSummaryKey(state.summary, key);
			break;
		case 'stats':
			addStats(state.stats, event.timestamp, event.values);
			break;
		case 'console':
			if (state.consoleSource !== 'console records') {
				// Console records win over an output.log fallback loaded earlier.
				if (state.consoleSource !== null) state.console = new ConsoleBuffer();
				state.consoleSource = 'console records';
			}
			if (event.whole) state.console.appendLines(event.stream, event.text);
			else state.console.append(event.stream, event.text);
			break;
		case 'console-file':
			if (state.consoleSource === 'console records') break; // records win over output.log
			if (event.reset || state.consoleSource !== event.file) state.console = new ConsoleBuffer();
			// The file's last line may have been rewritten since (a progress bar): it comes again.
			else state.console.dropUnfinished('stdout');
			state.console.append('stdout', event.text);
			state.consoleSource = event.file;
			break;
		case 'media-file':
			setMediaFile(state.mediaLog, event.path, event.file);
			break;
		case 'file-problem':
			if (event.message === null) state.fileProblems.delete(event.file);
			else state.fileProblems.set(event.file, event.message);
			break;
		case 'metric':
			declareMetric(state, event);
			break;
		case 'exit':
			if (event.detached) state.detached = {how: event.detached, code: event.exitCode, runtime: event.runtime};
			else state.exit = {code: event.exitCode, runtime: event.runtime};
			break;
		case 'wandb-alert':
			addWandbAlert(state, event);
			break;
		case 'run-dir':
			// The name's id until a run record says (a header-only log has none yet).
			if (state.info === null) state.info = {...emptyRunInfo(), id: event.id};
			else state.info.id ??= event.id;
			break;
		case 'preempting':
			state.preempting = true;
			break;
		case 'legacy-state':
			state.legacyState = {state: event.state, exitCode: event.exitCode};
			break;
		case 'life':
			state.life = {alive: event.alive, pid: event.pid, why: event.why, at: now};
			break;
		case 'read-progress':
			state.reading = {position: event.position, size: event.size, caughtUp: event.caughtUp, since: event.since};
			break;
	}
	noteWrite(state, event, now);
	state.version++;
	return state;
}

/** Events that are the run's own records (not wbtop's probes, nor side-file bookkeeping). */
const RECORD_EVENTS = new Set<RunEvent['type']>(['header', 'run', 'config', 'sdk-config', 'environment', 'history', 'summary', 'stats', 'console', 'metric', 'exit', 'preempting', 'wandb-alert']);

/** Keeps `lastRecordTime` (the run's own clock) and `lastLiveWriteAt` (a record seen arriving). */
function noteWrite(state: RunState, event: RunEvent, now: number): void {
	if (!RECORD_EVENTS.has(event.type)) return;
	let time: unknown = null;
	if (event.type === 'history') time = event.values._timestamp;
	else if (event.type === 'stats' || event.type === 'console') time = event.timestamp;
	else if (event.type === 'run') time = event.run.startTime === null ? null : event.run.startTime / 1000;
	if (typeof time === 'number' && Number.isFinite(time) && (state.lastRecordTime === null || time > state.lastRecordTime)) state.lastRecordTime = time;
	if (state.reading?.caughtUp) state.lastLiveWriteAt = now;
}

/** Fold many events (e.g. one read of the log). */
export function reduceRunEvents(state: RunState, events: readonly RunEvent[], now: number): RunState {
	for (const event of events) reduceRun(state, event, now);
	return state;
}

function mergeRunInfo(previous: RunInfo | null, next: RunInfo): RunInfo {
	if (!previous) return {...next, tags: [...next.tags], config: {...next.config}};
	// A later run record carries values the server filled in: last non-empty value wins.
	return {
		id: next.id || previous.id,
		name: next.name || previous.name,
		project: next.project || previous.project,
		entity: next.entity || previous.entity,
		group: next.group || previous.group,
		jobType: next.jobType || previous.jobType,
		tags: next.tags.length > 0 ? [...next.tags] : previous.tags,
		notes: next.notes || previous.notes,
		host: next.host || previous.host,
		startTime: next.startTime ?? previous.startTime,
		config: {...previous.config, ...next.config},
		startingStep: next.startingStep || previous.startingStep,
		pid: next.pid ?? previous.pid,
		sweepId: next.sweepId || previous.sweepId,
		resumed: next.resumed || previous.resumed,
		resumedRuntime: next.resumedRuntime ?? previous.resumedRuntime,
		forked: next.forked || previous.forked,
		branchPoint: next.branchPoint ?? previous.branchPoint,
		gitRemote: next.gitRemote || previous.gitRemote,
		gitCommit: next.gitCommit || previous.gitCommit,
	};
}

function addHistoryRow(state: RunState, step: number | null, values: FlatValues, now: number): void {
	state.rows++;
	// Rows that repeat the previous step (legacy duplicates, core's split train/val rows) share one index.
	const sameStep = step !== null && step === state.lastStep && state.lastRowIndex >= 0;
	const row = sameStep ? state.lastRowIndex : state.lastRowIndex + 1;
	state.lastRowIndex = row;
	if (step !== null) {
		if (state.firstStep === null) state.firstStep = step;
		state.lastStep = step;
		if (step > Number.MAX_SAFE_INTEGER) state.impreciseSteps++;
	}
	state.lastRowAt = now;

	for (const key in values) {
		const value = values[key];
		if (typeof value === 'number') {
			if (key.charCodeAt(0) !== 95 /* _ */) addMetricValue(state, key, row, value, step);
			addAxisValue(state, key, row, value);
		} else if (value !== null && value !== undefined && (state.latestOther.size < MAX_SERIES || state.latestOther.has(key))) {
			state.latestOther.set(key, value);
			if (isMediaValue(value)) {
				addMedia(state.media, key, value.mediaType, value.path, step);
				addMediaValue(state.mediaLog, key, value, step, MAX_SERIES);
			}
		}
	}
	if (step !== null && !('_step' in values)) addAxisValue(state, '_step', row, step);

	const timestamp = values._timestamp;
	if (typeof timestamp === 'number' && Number.isFinite(timestamp)) {
		state.lastRowTimestamp = timestamp;
		state.pace.add(timestamp, state.rows, step, row);
		if (step !== null) {
			state.recentSteps.push([timestamp, step]);
			// Keep a bit more than a minute of rows (bounded: at most 4096 entries).
			const cutoff = timestamp - 65;
			let drop = 0;
			while (drop < state.recentSteps.length - 1 && (state.recentSteps[drop][0] < cutoff || state.recentSteps.length - drop > 4096)) drop++;
			// shift() is O(1) on a long array (V8 trims it in place); splice(0, 1) moves every entry.
			if (drop === 1) state.recentSteps.shift();
			else if (drop > 1) state.recentSteps.splice(0, drop);
		}
	}
	const runtime = values._runtime;
	if (typeof runtime === 'number' && Number.isFinite(runtime)) state.lastRuntime = runtime;
}

/** Counts a media value of the history under its key (bounded: MAX_SERIES keys, a few numbers each). */
function addMedia(media: Map<string, MediaStat>, key: string, kind: string, path: string | null, step: number | null): void {
	const stat = media.get(key);
	if (stat === undefined) {
		if (media.size < MAX_SERIES) media.set(key, {kind, count: 1, lastStep: step, lastPath: path});
		return;
	}
	stat.kind = kind;
	stat.count++;
	stat.lastStep = step;
	if (path !== null) stat.lastPath = path;
}

/**
 * A summary removal of `key` removes its nested leaves too: summary values are flattened with
 * `.`, so `run.summary.pop('val')` after `{'val': {'acc': 1}}` must take `val.acc` with it.
 */
function removeSummaryKey(summary: Map<string, SummaryEntry>, key: string): void {
	summary.delete(key);
	const prefix = `${key}.`;
	for (const name of summary.keys()) if (name.startsWith(prefix)) summary.delete(name);
}

/** One `wandb.alert()`: a new title (per level) is kept up to MAX_WANDB_ALERTS; a repeat updates its text and count. */
function addWandbAlert(state: RunState, event: Extract<RunEvent, {type: 'wandb-alert'}>): void {
	const known = state.wandbAlerts.find(alert => alert.title === event.title && alert.level === event.level);
	if (known !== undefined) {
		known.text = event.text;
		known.count++;
		known.lastStep = state.lastStep;
		return;
	}
	if (state.wandbAlerts.length >= MAX_WANDB_ALERTS) return;
	state.wandbAlerts.push({title: event.title, level: event.level, text: event.text, count: 1, firstStep: state.lastStep, lastStep: state.lastStep});
}

function addMetricValue(state: RunState, key: string, row: number, value: number, step: number | null): void {
	let metric = state.metrics.get(key);
	if (!metric) {
		if (state.metrics.size >= MAX_SERIES) {
			state.droppedValues++;
			return;
		}
		const declaration = findDeclaration(state.declarations, key);
		metric = {
			name: key,
			series: new Series(),
			stepMetric: declaration?.stepMetric ?? null,
			hidden: declaration?.hidden ?? false,
		};
		state.metrics.set(key, metric);
	}
	// A row at or before the series' last one (a repeated step) is refused: nothing else counts it.
	if (!metric.series.append(row, value)) return;
	if (isLossLikeCached(key)) {
		let recent = state.recent.get(key);
		if (!recent) {
			recent = {values: [], steps: []};
			state.recent.set(key, recent);
		}
		recent.values.push(value);
		recent.steps.push(step);
		if (recent.values.length > RECENT_WINDOW) {
			recent.values.shift();
			recent.steps.shift();
		}
	}
	if (!Number.isFinite(value)) {
		const seen = state.nonFinite.get(key);
		if (seen) seen.count++;
		else state.nonFinite.set(key, {count: 1, firstStep: step});
	}
}

function addAxisValue(state: RunState, key: string, row: number, value: number): void {
	if (state.nonMonotonic.has(key) || !Number.isFinite(value)) return;
	let axis = state.axes.get(key);
	if (!axis) {
		// The built-in axes are always kept: past MAX_SERIES keys only other candidates are refused.
		if (state.axes.size >= MAX_SERIES && !(BUILTIN_AXES as readonly string[]).includes(key)) return;
		axis = new AxisColumn();
		state.axes.set(key, axis);
	}
	if (axis.count > 0 && axis.last !== null && value < axis.last) {
		// Not an x-axis candidate any more: free its column (built-in axes are kept whatever they do).
		if (!(BUILTIN_AXES as readonly string[]).includes(key)) {
			state.axes.delete(key);
			state.nonMonotonic.add(key);
			return;
		}
	}
	axis.append(row, value);
}

function declareMetric(state: RunState, event: Extract<RunEvent, {type: 'metric'}>): void {
	const declaration: MetricDeclaration = {name: event.name, glob: event.glob, stepMetric: event.stepMetric, hidden: event.hidden};
	state.declarations.push(declaration);
	for (const metric of state.metrics.values()) {
		if (matchesDeclaration(declaration, metric.name)) {
			if (declaration.stepMetric) metric.stepMetric = declaration.stepMetric;
			metric.hidden = declaration.hidden;
		}
	}
}

function findDeclaration(declarations: readonly MetricDeclaration[], key: string): MetricDeclaration | undefined {
	// An exact name wins over a glob; later declarations win over earlier ones.
	let glob: MetricDeclaration | undefined;
	for (let i = declarations.length - 1; i >= 0; i--) {
		const declaration = declarations[i];
		if (declaration.name === key) return declaration;
		if (!glob && declaration.glob && matchesDeclaration(declaration, key)) glob = declaration;
	}
	return glob;
}

function matchesDeclaration(declaration: MetricDeclaration, key: string): boolean {
	if (declaration.name !== null) return declaration.name === key;
	if (declaration.glob === null) return false;
	return globToRegExp(declaration.glob).test(key);
}

const globCache = new Map<string, RegExp>();
function globToRegExp(glob: string): RegExp {
	let regexp = globCache.get(glob);
	if (!regexp) {
		regexp = new RegExp('^' + glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
		globCache.set(glob, regexp);
	}
	return regexp;
}

function addStats(stats: RecordedStats, timestamp: number, values: Record<string, number>): void {
	stats.records++;
	// wandb-core writes several StatsRecords per tick with one timestamp: they share a row.
	const sameTick = stats.lastTimestamp !== null && Math.abs(timestamp - stats.lastTimestamp) < 1e-6;
	const row = sameTick ? stats.time.count - 1 : stats.time.count;
	if (!sameTick) {
		stats.time.append(row, timestamp);
		stats.lastTimestamp = timestamp;
	}
	for (const key in values) {
		let series = stats.series.get(key);
		if (!series) {
			if (stats.series.size >= MAX_SERIES) continue;
			series = new Series(512);
			stats.series.set(key, series);
		}
		if (series.lastRow !== null && series.count > 0 && row <= series.lastRow) continue;
		series.append(row, values[key]);
	}
}

function sameValue(a: Value, b: Value): boolean {
	if (a === b) return true;
	if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
	if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
	return JSON.stringify(a) === JSON.stringify(b);
}

/** The exit code, from the exit record or the legacy metadata. */
export function runExitCode(state: RunState): number | null {
	return state.exit?.code ?? state.legacyState?.exitCode ?? null;
}

/** Steps per second over the last minute of history time (null when not enough data). */
export function stepsPerSecond(state: RunState): number | null {
	const recent = state.recentSteps;
	if (recent.length < 2) return null;
	const [lastTime, lastStep] = recent[recent.length - 1];
	let first = 0;
	while (first < recent.length - 2 && recent[first][0] < lastTime - 60) first++;
	const [firstTime, firstStep] = recent[first];
	const seconds = lastTime - firstTime;
	if (seconds <= 0) return null;
	return (lastStep - firstStep) / seconds;
}

/** Names of the x-axes the `x` key cycles through, in order. */
export function xAxisCandidates(state: RunState): string[] {
	const names: string[] = [];
	const add = (name: string) => {
		if (!names.includes(name) && state.axes.has(name) && (state.axes.get(name)?.count ?? 0) > 0) names.push(name);
	};
	add('_step');
	add('_runtime');
	add('_timestamp');
	for (const declaration of state.declarations) if (declaration.stepMetric) add(declaration.stepMetric);
	for (const name of [...state.axes.keys()].sort()) add(name);
	if (names.length === 0) names.push('_step');
	return names;
}

/** The x-axis to start with: a step metric declared for every metric (glob `*`), else `_step`. */
export function defaultXAxis(state: RunState): string {
	for (let i = state.declarations.length - 1; i >= 0; i--) {
		const declaration = state.declarations[i];
		if (declaration.glob === '*' && declaration.stepMetric) return declaration.stepMetric;
	}
	return '_step';
}

/** How an axis' values read: step counts, durations, wall-clock times or plain numbers. */
export function xKindOf(axis: string): 'step' | 'duration' | 'clock' | 'number' {
	if (axis === '_runtime') return 'duration';
	if (axis === '_timestamp') return 'clock';
	if (axis === '_step' || /(^|[/._])(global_?)?step$/i.test(axis)) return 'step';
	return 'number';
}
