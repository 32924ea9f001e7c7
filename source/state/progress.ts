/**
 * How far a run has to go, where the run says so, and when it will get there. Pure: state in,
 * `Progress` (or null) out; the ETA uses the recent rate (state/pace.ts), never a clock.
 *
 * Sources, best first (the first that applies wins; `source` names it):
 * 1. `config:<key>`: a config key naming the total steps (`max_steps`, `total_steps`,
 *    `max_train_steps`, `num_training_steps`, ..., at any depth, `{value: ...}` wrappers of old
 *    SDKs included; Hugging Face's `max_steps: -1` means "not set"), against the step counter:
 *    a step-like define_metric step metric, else `train/global_step`, `trainer/global_step`,
 *    `global_step`, `step`, else `_step`.
 * 2. `config:<epochs key>`: `num_train_epochs`, `max_epochs`, `epochs`, ... with
 *    a fractional epoch metric and a step counter (Hugging Face: steps per epoch = step / epoch),
 *    or with Lightning's `Epoch 3: 45%| 450/1000` bar (steps per epoch = the bar's total), in steps;
 *    else with an epoch metric (`epoch`, `train/epoch`, `trainer/epoch`), in epochs.
 * 3. `console:hf`: Hugging Face's `Total optimization steps = 35,675`, against the step counter
 *    (not `_step`, which counts log calls there), else the tqdm bar with that total.
 * 4. `console:tqdm`: the last tqdm bar. A bar labelled `Epoch 3/10` covers the run (epochs done
 *    times the bar's total, plus the bar); otherwise the bar with the largest total among those of
 *    the last 1,000 console lines: an inner eval loop's bar is shorter than the training loop's.
 *    Such a bar is often one epoch, and then says only how far that epoch is.
 * A total the counter has already passed is not this run's total: that source is skipped.
 *
 * The console is read incrementally: each ConsoleBuffer's new completed lines once, its
 * unfinished lines (a live bar) on each change, memoized by the buffer's version.
 */
import type {ConsoleBuffer, ConsoleLine} from './console.js';
import {counterRate, lifetimeRate, type Rate} from './pace.js';
import {xKindOf, type RunState} from './run-state.js';

/** How far the run is, of how much, and the time left at the recent rate. */
export type Progress = {
	current: number;
	total: number;
	/** current / total, 0..1. */
	fraction: number;
	/** Seconds left at the recent rate; null when the run is not running or no rate is known. */
	etaSeconds: number | null;
	/** Where the total came from: `config:max_steps`, `config:epochs`, `console:hf`, `console:tqdm`. */
	source: string;
	/** What current and total count: optimizer steps, epochs, or a progress bar's iterations. */
	unit: 'step' | 'epoch' | 'it';
	/** The history key that counts these steps or epochs (null: only the console does); `current` may come from the console, which is livelier. */
	counter: string | null;
	/** Units per second that the ETA uses (the counter's recent rate, or the bar's own); null when unknown. */
	rate: number | null;
};

const STEP_TOTAL_KEYS = ['max_steps', 'total_steps', 'max_train_steps', 'num_train_steps', 'num_training_steps', 'total_training_steps'];
const EPOCH_TOTAL_KEYS = ['num_train_epochs', 'max_epochs', 'num_epochs', 'epochs', 'n_epochs', 'total_epochs', 'train_epochs'];
const STEP_COUNTERS = ['train/global_step', 'trainer/global_step', 'global_step', 'train/step', 'step'];
const EPOCH_COUNTERS = ['train/epoch', 'epoch', 'trainer/epoch'];
/** Console lines back that a bar may come from (older bars are another phase of the run). */
const RECENT_BAR_LINES = 1000;
/** Distinct bar totals remembered per console. */
const MAX_BARS = 64;

/**
 * The run's progress, or null when nothing says how far it has to go. `live`: the run is running
 * (else no ETA).
 */
export function runProgress(state: RunState, live: boolean): Progress | null {
	// Asked once a frame: the answer changes only with the state (its version bumps on every event).
	const memo = memos.get(state);
	if (memo && memo.version === state.version && memo.live === live) return memo.progress;
	const progress = computeProgress(state, live);
	memos.set(state, {version: state.version, live, progress});
	return progress;
}

const memos = new WeakMap<RunState, {version: number; live: boolean; progress: Progress | null}>();

function computeProgress(state: RunState, live: boolean): Progress | null {
	const found = fromConfigSteps(state) ?? fromConfigEpochs(state) ?? fromConsole(state);
	if (found === null) return null;
	const left = Math.max(0, found.total - found.current);
	const measured = found.counter !== null ? counterRate(state, found.counter) : found.rate;
	const rate = measured !== null && measured > 0 && Number.isFinite(measured) ? measured : null;
	let eta: number | null = null;
	if (live) eta = left === 0 ? 0 : rate === null ? null : left / rate;
	return {
		current: found.current,
		total: found.total,
		fraction: Math.min(1, Math.max(0, found.current / found.total)),
		etaSeconds: eta,
		source: found.source,
		unit: found.unit,
		counter: found.counter,
		rate,
	};
}

/**
 * The speed in the progress's own steps where they are not `_step` (Hugging Face logs every 500
 * optimizer steps: its `_step` rate is not the training speed): the counter's recent rate (or the
 * bar's) while live, its life average otherwise. Null where the run's `_step` speed is the one.
 */
export function progressSpeed(state: RunState, progress: Progress | null, live: boolean): Rate | null {
	if (progress === null || progress.unit !== 'step' || progress.counter === '_step') return null;
	if (live) return progress.rate === null ? null : {perSecond: progress.rate, unit: 'steps', average: false, seconds: 0};
	const axis = progress.counter === null ? null : state.axes.get(progress.counter);
	const life = lifetimeRate(state);
	if (!axis || life === null) return null;
	const growth = (axis.last ?? 0) - (axis.first ?? 0);
	return growth > 0 ? {perSecond: growth / life.seconds, unit: 'steps', average: true, seconds: life.seconds} : null;
}

/** A progress found, with the bar's own rate (units/s) where it came from the console. */
type Found = Omit<Progress, 'fraction' | 'etaSeconds'>;

function found(current: number, total: number, source: string, unit: Progress['unit'], counter: string | null, rate: number | null = null): Found | null {
	// Past its total: not this counter's total (a resumed run counting from elsewhere, say).
	if (!(total > 0) || !Number.isFinite(current) || current < 0 || current > total) return null;
	return {current, total, source, unit, counter, rate};
}

/** A positive number under one of `names` (first name wins, then the shallowest key), or null. */
export function configTotal(config: RunState['config'], names: readonly string[]): {key: string; value: number} | null {
	let best: {key: string; value: number; rank: number; depth: number} | null = null;
	for (const key of Object.keys(config)) {
		if (key.endsWith('.desc')) continue;
		// Old SDKs wrapped each value as {desc, value}; flattened, that is `key.value`.
		const path = key.endsWith('.value') ? key.slice(0, -'.value'.length) : key;
		const name = path.slice(path.lastIndexOf('.') + 1);
		const rank = names.indexOf(name);
		if (rank < 0) continue;
		const value = asNumber(config[key]);
		if (value === null || !(value > 0)) continue;
		const depth = path.split('.').length;
		if (best === null || rank < best.rank || (rank === best.rank && depth < best.depth)) best = {key: path, value, rank, depth};
	}
	return best === null ? null : {key: best.key, value: best.value};
}

function asNumber(value: unknown): number | null {
	if (typeof value === 'number') return Number.isFinite(value) ? value : null;
	if (typeof value === 'string' && /^\s*\d+(\.\d+)?(e\d+)?\s*$/i.test(value)) return Number(value);
	return null;
}

/** The step counter: a step-like declared step metric, else a known global-step key, else `_step`. */
export function stepCounter(state: RunState): string | null {
	for (let i = state.declarations.length - 1; i >= 0; i--) {
		const name = state.declarations[i].stepMetric;
		if (name && name !== '_step' && xKindOf(name) === 'step' && hasAxis(state, name)) return name;
	}
	for (const name of STEP_COUNTERS) if (hasAxis(state, name)) return name;
	return hasAxis(state, '_step') ? '_step' : null;
}

function epochCounter(state: RunState): string | null {
	for (const name of EPOCH_COUNTERS) if (hasAxis(state, name)) return name;
	return null;
}

function hasAxis(state: RunState, name: string): boolean {
	return (state.axes.get(name)?.count ?? 0) > 0;
}

function lastOf(state: RunState, name: string): number | null {
	return state.axes.get(name)?.last ?? null;
}

function fromConfigSteps(state: RunState): Found | null {
	const total = configTotal(state.config, STEP_TOTAL_KEYS);
	const counter = stepCounter(state);
	if (total === null || counter === null) return null;
	return found(lastOf(state, counter)!, total.value, `config:${total.key}`, 'step', counter);
}

function fromConfigEpochs(state: RunState): Found | null {
	const total = configTotal(state.config, EPOCH_TOTAL_KEYS);
	if (total === null) return null;
	const source = `config:${total.key}`;
	const epochKey = epochCounter(state);
	const epoch = epochKey === null ? null : lastOf(state, epochKey);
	const counter = stepCounter(state);
	// Hugging Face logs the epoch as a fraction (2.35) next to the global step: steps per epoch.
	if (epoch !== null && epoch > 0 && !Number.isInteger(epoch) && counter !== null && counter !== '_step') {
		const step = lastOf(state, counter)!;
		const result = found(step, Math.round(total.value * (step / epoch)), source, 'step', counter);
		if (result) return result;
	}
	// Lightning's bar `Epoch 3: 45%| 450/1000`: epochs counted from 0, the bar is one epoch.
	const bar = consoleFacts(state.console).epochBar;
	if (bar !== null && bar.epoch !== null && bar.of === null) {
		const steps = counter !== null && counter !== '_step' ? counter : null;
		const result = found(bar.epoch * bar.total + bar.n, total.value * bar.total, `${source}+console:tqdm`, 'step', steps, bar.rate);
		if (result) return result;
	}
	if (epochKey !== null && epoch !== null) return found(epoch, total.value, source, 'epoch', epochKey);
	return null;
}

function fromConsole(state: RunState): Found | null {
	const facts = consoleFacts(state.console);
	if (facts.hfTotal !== null) {
		const counter = stepCounter(state);
		if (counter !== null && counter !== '_step') {
			const result = found(lastOf(state, counter)!, facts.hfTotal, 'console:hf', 'step', counter);
			if (result) return result;
		}
		const bar = facts.bars.get(facts.hfTotal);
		if (bar) {
			const result = found(bar.n, bar.total, 'console:hf', 'step', null, bar.rate);
			if (result) return result;
		}
	}
	const bar = facts.epochBar?.of != null ? facts.epochBar : facts.mainBar;
	if (bar === null) return null;
	if (bar.epoch !== null && bar.of !== null) {
		// `Epoch 3/10`: counted from 1 (epoch 0 appears only when counted from 0).
		const done = facts.zeroBased ? bar.epoch : bar.epoch - 1;
		return found(done * bar.total + bar.n, bar.of * bar.total, 'console:tqdm', 'it', null, bar.rate);
	}
	return found(bar.n, bar.total, 'console:tqdm', 'it', null, bar.rate);
}

// ---------------------------------------------------------------------------------------------
// The console, read incrementally.

/** One tqdm bar as last drawn. */
export type Bar = {
	n: number;
	total: number;
	/** Iterations per second (tqdm's own, smoothed), null while `?`. */
	rate: number | null;
	/** `Epoch 3` / `Epoch 3/10` in the bar's label. */
	epoch: number | null;
	of: number | null;
	/** Console line number (completed lines before it); Infinity for an unfinished line. */
	line: number;
};

type ConsoleFacts = {
	hfTotal: number | null;
	/** The last bar of each total. */
	bars: Map<number, Bar>;
	/** The latest bar with an epoch label, and the largest-total bar of the recent lines. */
	epochBar: Bar | null;
	mainBar: Bar | null;
	/** An `Epoch 0` label was seen on this console: its epochs count from 0. */
	zeroBased: boolean;
};

type Scan = {
	version: number;
	seen: number;
	hfTotal: number | null;
	bars: Map<number, Bar>;
	lastEpochBar: Bar | null;
	zeroBased: boolean;
	facts: ConsoleFacts;
};

const scans = new WeakMap<ConsoleBuffer, Scan>();

/** What the console says about progress, reading only what changed since the last call. */
export function consoleFacts(buffer: ConsoleBuffer): ConsoleFacts {
	let scan = scans.get(buffer);
	if (scan && scan.version === buffer.version) return scan.facts;
	if (!scan) {
		scan = {version: -1, seen: 0, hfTotal: null, bars: new Map(), lastEpochBar: null, zeroBased: false, facts: {hfTotal: null, bars: new Map(), epochBar: null, mainBar: null, zeroBased: false}};
		scans.set(buffer, scan);
	}
	const {completed, unfinished} = buffer.since(scan.seen);
	const firstLine = buffer.totalLines - completed.length;
	for (const [i, line] of completed.entries()) readLine(scan, line, firstLine + i);
	scan.seen = buffer.totalLines;
	// Unfinished lines (a bar being redrawn) count now, and are read again when they change.
	const live: Bar[] = [];
	for (const line of unfinished) {
		const bar = parseBar(line.text);
		if (bar) live.push({...bar, line: Infinity});
		const hf = hfTotalOf(line.text);
		if (hf !== null) scan.hfTotal = hf;
	}
	const bars = new Map(scan.bars);
	let epochBar = scan.lastEpochBar;
	for (const bar of live) {
		if (bar.epoch === 0) scan.zeroBased = true;
		bars.set(bar.total, bar);
		if (bar.epoch !== null) epochBar = bar;
	}
	let mainBar: Bar | null = null;
	for (const bar of bars.values()) {
		if (bar.line < buffer.totalLines - RECENT_BAR_LINES) continue;
		if (mainBar === null || bar.total > mainBar.total || (bar.total === mainBar.total && bar.line > mainBar.line)) mainBar = bar;
	}
	scan.facts = {hfTotal: scan.hfTotal, bars, epochBar, mainBar, zeroBased: scan.zeroBased};
	scan.version = buffer.version;
	return scan.facts;
}

function readLine(scan: Scan, line: ConsoleLine, index: number): void {
	const text = line.text;
	const hf = hfTotalOf(text);
	if (hf !== null) scan.hfTotal = hf;
	const parsed = parseBar(text);
	if (!parsed) return;
	const bar: Bar = {...parsed, line: index};
	if (bar.epoch === 0) scan.zeroBased = true;
	scan.bars.delete(bar.total);
	scan.bars.set(bar.total, bar);
	// Bounded: forget the total seen longest ago.
	if (scan.bars.size > MAX_BARS) scan.bars.delete(scan.bars.keys().next().value!);
	if (bar.epoch !== null) scan.lastEpochBar = bar;
}

/** `Total optimization steps = 35,675` (Hugging Face Trainer), else null. */
export function hfTotalOf(text: string): number | null {
	if (!text.includes('Total optimization steps')) return null;
	const match = /Total optimization steps\s*=\s*([\d,]+)/.exec(text);
	if (!match) return null;
	const value = Number(match[1].replace(/,/g, ''));
	return Number.isSafeInteger(value) && value > 0 ? value : null;
}

// `450/1000 [00:52<01:07,  1.78batch/s]`: n/total, then elapsed<remaining, then the rate.
const BAR = /(\d+)\/(\d+) \[[^\]<]*<[^\],]*(?:,\s*([^\],]*))?/g;
const EPOCH_LABEL = /(?:^|[^a-z])epoch\s*(\d+)(?:\s*\/\s*(\d+))?/gi;

/** The last tqdm bar on a line (`n/total [elapsed<remaining, rate]`), or null. */
export function parseBar(text: string): Omit<Bar, 'line'> | null {
	if (!text.includes('/') || !text.includes('[')) return null;
	let match: RegExpExecArray | null = null;
	BAR.lastIndex = 0;
	for (let next = BAR.exec(text); next !== null; next = BAR.exec(text)) match = next;
	if (match === null) return null;
	const n = Number(match[1]);
	const total = Number(match[2]);
	if (!Number.isSafeInteger(n) || !Number.isSafeInteger(total) || total <= 0 || n > total) return null;
	let epoch: number | null = null;
	let of: number | null = null;
	const label = text.slice(0, match.index);
	EPOCH_LABEL.lastIndex = 0;
	for (let next = EPOCH_LABEL.exec(label); next !== null; next = EPOCH_LABEL.exec(label)) {
		epoch = Number(next[1]);
		of = next[2] === undefined ? null : Number(next[2]);
	}
	if (of !== null && (epoch === null || epoch > of)) of = null;
	return {n, total, rate: parseRate(match[3] ?? ''), epoch, of};
}

/** tqdm's rate, `5.00it/s`, `1.2kit/s`, `1.64batch/s` or `1.67s/batch`, as iterations per second. */
function parseRate(text: string): number | null {
	const perSecond = /^([\d.]+)\s*([kMG]?)[a-zA-Z]*\/s$/.exec(text.trim());
	if (perSecond) {
		const scale = perSecond[2] === 'k' ? 1e3 : perSecond[2] === 'M' ? 1e6 : perSecond[2] === 'G' ? 1e9 : 1;
		const value = Number(perSecond[1]) * scale;
		return value > 0 && Number.isFinite(value) ? value : null;
	}
	const perItem = /^([\d.]+)\s*s\/[a-zA-Z]+$/.exec(text.trim());
	if (perItem) {
		const seconds = Number(perItem[1]);
		return seconds > 0 && Number.isFinite(seconds) ? 1 / seconds : null;
	}
	return null;
}
