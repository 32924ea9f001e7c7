/**
 * The `wbtop --once --json` document. Its field names are a contract that scripts use: extend it,
 * never rename. Non-finite numbers are written as the strings "NaN", "Infinity", "-Infinity".
 */
import type {RunLocation} from '../sources/locate.js';
import type {Value} from '../decode/run-events.js';
import type {HostJson} from '../state/host-state.js';
import type {RunState} from '../state/run-state.js';
import {runExitCode, xAxisCandidates} from '../state/run-state.js';
import {runLife} from '../state/run-life.js';
import {runProgress} from '../state/progress.js';
import {lifeReasonText} from '../view/life-text.js';
import type {Alert} from '../state/alerts.js';
import {alertMessage} from '../view/alert-text.js';
import {runOverview} from '../state/overview.js';
import {isMediaValue} from '../decode/values.js';
import {hasNodes, primaryLabel, splitLabel, writerStatus} from '../state/nodes.js';

/** A number as JSON allows it. */
export function jsonNumber(value: number | null): number | string | null {
	if (value === null) return null;
	if (Number.isNaN(value)) return 'NaN';
	if (value === Infinity) return 'Infinity';
	if (value === -Infinity) return '-Infinity';
	return value;
}

/** A decoded value as plain JSON: media become `{_type, detail}`, non-finite numbers strings. */
export function jsonValue(value: Value): unknown {
	if (typeof value === 'number') return jsonNumber(value);
	if (value === null || typeof value !== 'object') return value;
	if (Array.isArray(value)) return value.map(item => jsonValue(item as Value));
	if ('kind' in value && value.kind === 'media') return {_type: value.mediaType, detail: value.detail};
	const out: Record<string, unknown> = {};
	for (const [key, item] of Object.entries(value)) out[key] = jsonValue(item as Value);
	return out;
}

/** The whole document for one run (plus the host, where sampled); `now` (ms) judges a run that stopped writing. */
export function runReport(state: RunState, location: RunLocation, host: HostJson | null, alerts: Alert[] = [], error: string | null = null, now = Date.now()) {
	const life = runLife(state, now);
	const metrics: Record<string, {count: number; last: number | string | null; min: number | string | null; max: number | string | null}> = {};
	for (const name of [...state.metrics.keys()].sort()) {
		const series = state.metrics.get(name)!.series;
		metrics[name] = {count: series.count, last: jsonNumber(series.last), min: jsonNumber(series.min), max: jsonNumber(series.max)};
	}
	const summary: Record<string, unknown> = {};
	for (const key of [...state.summary.keys()].sort()) summary[key] = jsonValue(state.summary.get(key)!.value);
	const config: Record<string, unknown> = {};
	for (const key of Object.keys(state.config).sort()) config[key] = jsonValue(state.config[key]);
	const info = state.info;
	return {
		run: {
			id: info?.id ?? null,
			name: info?.name ?? null,
			project: info?.project ?? null,
			entity: info?.entity ?? null,
			state: life.status,
			/** Whether the training process lives; null where it cannot be checked (another host, no PID) or the run recorded its end. */
			alive: life.alive,
			stateReason: lifeReasonText(life.reason),
			exitCode: runExitCode(state),
			sdkVersion: state.sdkVersion,
			startTime: info?.startTime ? new Date(info.startTime).toISOString() : null,
			format: location.format,
			dir: location.runDir,
			tags: info?.tags ?? [],
			runtime: jsonNumber(state.exit?.runtime ?? state.lastRuntime),
		},
		/** How far the run is of its total, where it says (null when unknown); etaSeconds only while running. */
		progress: progressJson(state, life.status === 'running'),
		history: {
			rows: state.rows,
			firstStep: state.firstStep,
			lastStep: state.lastStep,
			xAxes: xAxisCandidates(state),
			metrics,
		},
		summary,
		config,
		/** The run, its environment and its config as the overview page shows them; null where not recorded (raw values: bytes, seconds). */
		overview: overviewJson(state, config),
		system: {records: state.stats.records, metrics: [...state.stats.series.keys()].sort()},
		/** A shared-mode run's writers, the primary first: label, dir, state, system metrics (by key without `/l:`); [] for one unlabelled writer. */
		nodes: nodesJson(state, location, now),
		console: {lines: state.console.totalLines, source: state.consoleSource},
		integrity: {tail: state.integrity.tail, corruptChunks: state.integrity.corruptChunks, error},
		/** Every media key of the history (and the summary's own): counts and the latest step and file, not the values. */
		media: mediaJson(state),
		alerts: alerts.map(alertJson),
		...(host ? {host} : {}),
	};
}

/**
 * One entry per writer of a shared-mode run (doc §5.10), the primary first: its label (from its
 * stats keys, else its dir's name), dir, state (its own exit ends it, never the run), exit code,
 * console lines and its system metrics keyed without the `/l:<label>` suffix.
 */
function nodesJson(state: RunState, location: RunLocation, now: number) {
	if (!hasNodes(state)) return [];
	const entry = (writer: RunState, dir: string, label: string | null, primary: boolean) => {
		const {status, exitCode} = writerStatus(writer, now);
		const metrics: Record<string, {count: number; last: number | string | null; min: number | string | null; max: number | string | null}> = {};
		for (const key of [...writer.stats.series.keys()].sort()) {
			const series = writer.stats.series.get(key)!;
			metrics[splitLabel(key).base] = {count: series.count, last: jsonNumber(series.last), min: jsonNumber(series.min), max: jsonNumber(series.max)};
		}
		return {label: label ?? dir.slice(dir.lastIndexOf('/') + 1), dir, primary, state: status, exitCode, console: {lines: writer.console.totalLines, source: writer.consoleSource}, system: {records: writer.stats.records, metrics}};
	};
	return [entry(state, location.runDir, primaryLabel(state), true), ...state.nodes.map(node => entry(node.state, node.dir, node.label, false))];
}

/** An alert: kind, severity and message; a `wandb-alert` adds the run's own level, title and text (raw: JSON keeps them exact). */
function alertJson(alert: Alert) {
	const base = {kind: alert.kind, severity: alert.severity, message: alertMessage(alert)};
	const detail = alert.detail;
	return detail.kind === 'wandb-alert' ? {...base, level: detail.level, title: detail.title, text: detail.text, count: detail.count} : base;
}

/**
 * `{key: {kind, count, lastStep, lastPath}}`, sorted by key: the history's media keys, then the
 * media only the summary holds (`run.summary[k] = wandb.Table(...)`, watch's `graph_0`), counted
 * once with no step.
 */
function mediaJson(state: RunState): Record<string, {kind: string; count: number; lastStep: number | null; lastPath: string | null}> {
	const media = new Map(state.media);
	for (const [key, {value}] of state.summary) {
		if (!media.has(key) && isMediaValue(value)) media.set(key, {kind: value.mediaType, count: 1, lastStep: null, lastPath: value.path});
	}
	const out: Record<string, {kind: string; count: number; lastStep: number | null; lastPath: string | null}> = {};
	for (const key of [...media.keys()].sort()) {
		const {kind, count, lastStep, lastPath} = media.get(key)!;
		out[key] = {kind, count, lastStep, lastPath};
	}
	return out;
}

/**
 * `{run, environment, config}`: the run record's identity, resume and fork; the environment from
 * the log's environment records, then wandb-metadata.json, then the run record (`sources` says
 * which said anything); the config as the top-level `config`. Times are ISO strings, sizes bytes.
 */
function overviewJson(state: RunState, config: Record<string, unknown>) {
	const {run, environment} = runOverview(state);
	return {
		run: {...run, startTime: run.startTime === null ? null : new Date(run.startTime).toISOString(), runtime: jsonNumber(run.runtime)},
		environment,
		config,
	};
}

/** `{current, total, fraction, etaSeconds, source, unit}`, or null when nothing says how far the run has to go. */
function progressJson(state: RunState, live: boolean) {
	const progress = runProgress(state, live);
	if (progress === null) return null;
	const {current, total, fraction, etaSeconds, source, unit} = progress;
	return {current, total, fraction, etaSeconds, source, unit};
}

/**
 * JSON text that is safe to print to a terminal: JSON.stringify escapes C0 controls but not DEL,
 * the C1 range (U+007F-U+009F), which some terminals act on, nor bidi controls and line
 * separators, which reorder or break what a terminal shows. Escaping keeps the data exact.
 */
export function terminalSafeJson(value: unknown, indent?: number): string {
	return JSON.stringify(value, null, indent).replace(/[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, c => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}
