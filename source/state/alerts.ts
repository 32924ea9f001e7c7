/**
 * Health alerts, derived from run and host state: NaN/Inf in a metric, a loss spike, a stalled
 * run, an idle GPU under a live run, GPU memory nearly full, and fatal lines in the console.
 * Pure: the caller passes the clock and carries `AlertMemory` between calls. Alerts are data;
 * their text is the view's (view/alert-text.ts).
 */
import type {GpuSample} from '../decode/host-events.js';
import type {HostState} from './host-state.js';
import type {RunState} from './run-state.js';
import {runLife} from './run-life.js';

/** What an alert is about, with the numbers its message shows. */
export type AlertDetail =
	| {kind: 'nan'; metric: string; count: number; firstStep: number | null}
	| {kind: 'spike'; metric: string; value: number; median: number; step: number | null}
	| {kind: 'stall'; quietSeconds: number; lastStep: number | null}
	/** `host`: another node's GPU (`--hosts`); absent for this machine's. */
	| {kind: 'gpu-idle'; gpu: number; thresholdPct: number; seconds: number; host?: string}
	| {kind: 'gpu-memory'; gpu: number; pct: number; host?: string}
	| {kind: 'console'; label: string; line: string}
	/**
	 * `wandb.alert(title, text, level)` as the run raised it (AlertRecord): `level` INFO, WARN or
	 * ERROR (or whatever else a writer put there); `count` calls with this title, `text` the latest.
	 */
	| {kind: 'wandb-alert'; level: string; title: string; text: string; count: number; step: number | null}
	/** A side file refused (a FIFO, a device, too large, unreadable): the message names it. */
	| {kind: 'file'; file: string; message: string}
	/** Data not kept, or not exact, because a limit was reached (caps.ts, run-state.ts). */
	| {kind: 'limit'; limit: 'row-keys' | 'series' | 'step-precision'; count: number; dropped: number};

export type AlertKind = AlertDetail['kind'];

export type Alert = {
	/** Stable identity: the same problem keeps its id while it lasts. */
	id: string;
	kind: AlertKind;
	/** `info` only for a `wandb.alert()` of level INFO: shown and listed, no problem by itself. */
	severity: 'info' | 'warning' | 'error';
	detail: AlertDetail;
};

/** What alert detection remembers between calls. */
export type AlertMemory = {
	/** Ids already reported (so `--bell` rings once per new alert). */
	seen: Set<string>;
	/** Console lines already scanned. */
	consoleScanned: number;
	/** The console (and its version) last scanned: unchanged, it is not scanned again. */
	consoleSeen: {console: object; version: number} | null;
	/** Console alerts found so far (they stay: a traceback does not go away). */
	consoleAlerts: Alert[];
	/** First time (ms) every GPU was seen idle in the current idle stretch, per GPU (`host:index` for another node's). */
	idleSince: Map<number | string, number>;
	/** The alerts that depend on the run's data only, for the run state and version they came from. */
	fromData: {run: RunState; version: number; alerts: Alert[]} | null;
};

export function initialAlertMemory(): AlertMemory {
	return {seen: new Set(), consoleScanned: 0, consoleSeen: null, consoleAlerts: [], idleSince: new Map(), fromData: null};
}

/** Tunables; the defaults are what the README documents. */
export const ALERT_LIMITS = {
	/** A loss value beyond median + SPIKE_K x MAD of the window before it is a spike. */
	spikeK: 10,
	spikeMinWindow: 16,
	/** Stalled: no new row for max(stallMinSeconds, stallIntervals x median row interval). */
	stallMinSeconds: 300,
	stallIntervals: 10,
	gpuIdlePct: 5,
	gpuIdleSeconds: 120,
	gpuMemoryPct: 95,
};

const CONSOLE_PATTERNS: Array<{pattern: RegExp; label: string; severity: 'warning' | 'error'}> = [
	{pattern: /CUDA out of memory|OutOfMemoryError/i, label: 'CUDA out of memory', severity: 'error'},
	// Lines are as the process wrote them: a colour code may come first.
	{pattern: /^(?:\u001B\[[\d;]*m)*Traceback \(most recent call last\)/, label: 'traceback', severity: 'error'},
	{pattern: /(^|\s)Killed(\s|$)/, label: 'Killed', severity: 'error'},
];

/**
 * Current alerts, the updated memory, and which alerts are new since the last call. What depends
 * on the run's data alone is computed again only when the run changed (a host sample or the
 * clock, which come far more often, reuse it).
 */
export function computeAlerts(run: RunState, host: HostState | null, now: number, memory: AlertMemory): {alerts: Alert[]; memory: AlertMemory; fresh: Alert[]} {
	const next: AlertMemory = {...memory, idleSince: new Map(memory.idleSince)};
	if (runLife(run, now).catchingUp) {
		// The run's alerts wait until its log is read to the end: rows read so far are history, not
		// news (a stall judged from them, or a bell per old NaN, would be wrong). The host's are news.
		const alerts = host ? gpuAlerts(run, host, now, next) : [];
		const fresh = alerts.filter(alert => !memory.seen.has(alert.id));
		if (fresh.length > 0) next.seen = new Set([...memory.seen, ...fresh.map(alert => alert.id)]);
		return {alerts, memory: next, fresh};
	}
	const fromData = memory.fromData?.run === run && memory.fromData.version === run.version ? memory.fromData.alerts : dataAlerts(run);
	next.fromData = {run, version: run.version, alerts: fromData};
	const alerts: Alert[] = [...fromData];
	const stall = stallAlert(run, now);
	if (stall) alerts.push(stall);
	alerts.push(...consoleAlerts(run, memory, next));
	if (host) alerts.push(...gpuAlerts(run, host, now, next));

	const fresh = alerts.filter(alert => !memory.seen.has(alert.id));
	if (fresh.length > 0) next.seen = new Set([...memory.seen, ...fresh.map(alert => alert.id)]);
	return {alerts, memory: next, fresh};
}

/** NaN/Inf, spikes, limits and refused files: what the run's data alone says. */
function dataAlerts(run: RunState): Alert[] {
	const alerts: Alert[] = [];
	for (const [name, seen] of run.nonFinite) {
		alerts.push({id: `nan:${name}`, kind: 'nan', severity: 'warning', detail: {kind: 'nan', metric: name, count: seen.count, firstStep: seen.firstStep}});
	}
	alerts.push(...spikeAlerts(run), ...limitAlerts(run), ...wandbAlerts(run));
	for (const [file, message] of run.fileProblems) alerts.push({id: `file:${file}`, kind: 'file', severity: 'warning', detail: {kind: 'file', file, message}});
	return alerts;
}

/** The run's own `wandb.alert()` calls, one per level and title: ERROR an error, WARN a warning, others info. */
export function wandbAlerts(run: RunState): Alert[] {
	return run.wandbAlerts.map(alert => ({
		id: `wandb-alert:${alert.level}:${alert.title}`,
		kind: 'wandb-alert',
		severity: alert.level === 'ERROR' ? 'error' : alert.level === 'WARN' ? 'warning' : 'info',
		detail: {kind: 'wandb-alert', level: alert.level, title: alert.title, text: alert.text, count: alert.count, step: alert.lastStep},
	}));
}

/** Fatal lines in the console: completed lines are scanned once each, unfinished ones (a live progress bar) while they change. */
function consoleAlerts(run: RunState, memory: AlertMemory, next: AlertMemory): Alert[] {
	const console = run.console;
	if (memory.consoleSeen?.console === console && memory.consoleSeen.version === console.version) return memory.consoleAlerts;
	// A new console (another run, a reloaded output.log) is scanned from its start.
	const scanned = memory.consoleSeen?.console === console ? memory.consoleScanned : 0;
	const unseen = Math.min(console.maxLines, Math.max(0, console.totalLines - scanned));
	// The new completed lines and the (at most two) unfinished ones; a line seen before may come
	// again with them, which finds nothing new (an alert is kept once).
	const toScan = console.tail(unseen + 2);
	const found = memory.consoleSeen?.console === console ? [...memory.consoleAlerts] : [];
	for (const {text} of toScan) {
		for (const {pattern, label, severity} of CONSOLE_PATTERNS) {
			if (pattern.test(text) && !found.some(alert => alert.id === `console:${label}`)) {
				found.push({id: `console:${label}`, kind: 'console', severity, detail: {kind: 'console', label, line: text}});
			}
		}
	}
	next.consoleScanned = console.totalLines;
	next.consoleSeen = {console, version: console.version};
	next.consoleAlerts = found;
	return found;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = sorted.length >> 1;
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A loss spike: some recent value beyond median + k·MAD of the values before it. */
export function spikeAlerts(run: RunState): Alert[] {
	const alerts: Alert[] = [];
	for (const [name, recent] of run.recent) {
		const values = recent.values;
		if (values.length < ALERT_LIMITS.spikeMinWindow + 1) continue;
		// Look at the newest few points so a spike stays visible for a while after it happened.
		for (let i = values.length - 1; i >= Math.max(ALERT_LIMITS.spikeMinWindow, values.length - 8); i--) {
			const value = values[i];
			if (!Number.isFinite(value)) continue;
			const window = values.slice(Math.max(0, i - 48), i).filter(Number.isFinite);
			if (window.length < ALERT_LIMITS.spikeMinWindow) continue;
			const m = median(window);
			const mad = median(window.map(v => Math.abs(v - m)));
			const scale = Math.max(mad, Math.abs(m) * 1e-3, 1e-12);
			if (value > m + ALERT_LIMITS.spikeK * scale) {
				const step = recent.steps[i];
				alerts.push({id: `spike:${name}:${step ?? i}`, kind: 'spike', severity: 'warning', detail: {kind: 'spike', metric: name, value, median: m, step}});
				break;
			}
		}
	}
	return alerts;
}

/** A limit that bit: rows with too many keys, too many distinct metrics, steps beyond 2^53. */
export function limitAlerts(run: RunState): Alert[] {
	const alerts: Alert[] = [];
	const limit = (which: 'row-keys' | 'series' | 'step-precision', count: number, dropped: number) =>
		alerts.push({id: `limit:${which}`, kind: 'limit', severity: 'warning', detail: {kind: 'limit', limit: which, count, dropped}});
	if (run.rowsOverKeyLimit > 0) limit('row-keys', run.rowsOverKeyLimit, run.droppedRowKeys);
	if (run.droppedValues > 0) limit('series', run.droppedValues, run.droppedValues);
	if (run.impreciseSteps > 0) limit('step-precision', run.impreciseSteps, 0);
	return alerts;
}

/** Median seconds between the last rows (from `_timestamp`), or null. */
export function medianRowInterval(run: RunState): number | null {
	const recent = run.recentSteps;
	if (recent.length < 3) return null;
	// The last 64 gaps: the recent pace, and a sort of 64 numbers rather than of up to 4,096.
	const gaps: number[] = [];
	for (let i = Math.max(1, recent.length - 64); i < recent.length; i++) gaps.push(recent[i][0] - recent[i - 1][0]);
	return median(gaps);
}

/**
 * A live run with no new row for max(5 min, 10x the median interval). Not while wbtop is still
 * reading the log (the rows so far are old, not late), and not for a run whose state already says
 * it stopped (crashed, stale).
 */
export function stallAlert(run: RunState, now: number): Alert | null {
	const life = runLife(run, now);
	// A detached writer (its exit said the run goes on elsewhere) writes no more rows here.
	if (life.status !== 'running' || life.catchingUp || run.rows === 0 || life.reason.kind === 'detached') return null;
	// Prefer the row's own wall-clock time; fall back to when wbtop saw it.
	const lastSeconds = run.lastRowTimestamp ?? (run.lastRowAt === null ? null : run.lastRowAt / 1000);
	if (lastSeconds === null) return null;
	const interval = medianRowInterval(run);
	const limit = Math.max(ALERT_LIMITS.stallMinSeconds, interval === null ? 0 : ALERT_LIMITS.stallIntervals * interval);
	const quiet = now / 1000 - lastSeconds;
	if (quiet < limit) return null;
	return {id: `stall:${run.lastStep}`, kind: 'stall', severity: 'warning', detail: {kind: 'stall', quietSeconds: quiet, lastStep: run.lastStep}};
}

function gpuAlerts(run: RunState, host: HostState, now: number, memory: AlertMemory): Alert[] {
	const alerts: Alert[] = [];
	const life = runLife(run, now);
	const live = life.status === 'running' && !life.catchingUp && life.reason.kind !== 'detached';
	// When the run's own processes are known, only its GPUs matter (a job on 1 of 8 GPUs).
	const runGpus = new Set(host.processes.filter(process => process.run && process.gpuUuid).map(process => process.gpuUuid));
	const check = (gpu: GpuSample, watched: boolean, node: string | null) => {
		const key = node === null ? gpu.index : `${node}:${gpu.index}`;
		const where = node === null ? {} : {host: node};
		if (gpu.memUsedMiB !== null && gpu.memTotalMiB) {
			const pct = (gpu.memUsedMiB / gpu.memTotalMiB) * 100;
			if (pct > ALERT_LIMITS.gpuMemoryPct) {
				alerts.push({id: `gpu-memory:${key}`, kind: 'gpu-memory', severity: 'warning', detail: {kind: 'gpu-memory', gpu: gpu.index, pct, ...where}});
			}
		}
		const idle = live && watched && gpu.util !== null && gpu.util < ALERT_LIMITS.gpuIdlePct;
		if (!idle) {
			memory.idleSince.delete(key);
			return;
		}
		const since = memory.idleSince.get(key) ?? now;
		memory.idleSince.set(key, since);
		if (now - since >= ALERT_LIMITS.gpuIdleSeconds * 1000) {
			alerts.push({
				id: `gpu-idle:${key}:${since}`,
				kind: 'gpu-idle',
				severity: 'warning',
				detail: {kind: 'gpu-idle', gpu: gpu.index, thresholdPct: ALERT_LIMITS.gpuIdlePct, seconds: (now - since) / 1000, ...where},
			});
		}
	};
	for (const gpu of host.gpus) check(gpu, runGpus.size === 0 || (gpu.uuid !== null && runGpus.has(gpu.uuid)), null);
	// Other nodes (--hosts): every GPU of a host that answers counts (their processes are not read).
	for (const remote of host.remotes) if (remote.status === 'ok') for (const gpu of remote.gpus) check(gpu, true, remote.name);
	return alerts;
}
