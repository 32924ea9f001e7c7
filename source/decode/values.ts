/**
 * `value_json` → {@link Value}: JSON plus the bare `NaN` / `Infinity` / `-Infinity` tokens that both
 * W&B writers emit (doc §5.1.5), media objects recognised by their `_type`, and `.`-flattening.
 *
 * Integers beyond 2^53 (possible from Python, never seen in data) are parsed as the nearest double:
 * precision is lost, nothing throws.
 */
import type {FlatValues, MediaValue, Value} from './run-events.js';
import {isUnsafeKey, jsonTooBig, MAX_KEYS_PER_ROW} from './caps.js';

/** Parses one `value_json` string. Never throws: text that is not JSON comes back as a string. */
export function parseValueJson(text: string): Value {
	// Fast path: most values are a bare number. `Number()` accepts a superset of JSON numbers
	// (hex, surrounding spaces), which wandb never writes, so the shortcut is safe for its output.
	const c = text.charCodeAt(0);
	if ((c >= 48 && c <= 57) || c === 45 /* - */) {
		const n = Number(text);
		if (!Number.isNaN(n)) return n;
	} else if (text === 'NaN') {
		return NaN;
	} else if (text === 'Infinity') {
		return Infinity;
	}
	const raw = parseJsonLoose(text);
	return raw === UNPARSABLE ? text : toValue(raw);
}

/** Marker returned by {@link parseJsonLoose} for text that is not (extended) JSON. */
export const UNPARSABLE: unique symbol = Symbol('unparsable');

/** Parses extended JSON (bare NaN/±Infinity allowed) into plain JS data, without media handling. */
export function parseJsonLoose(text: string): unknown {
	// Too deep to walk without overflowing the stack, or too many keys to parse (caps.ts).
	if (jsonTooBig(text)) return UNPARSABLE;
	if (!hasNonFiniteToken(text)) {
		try {
			return JSON.parse(text);
		} catch {
			return UNPARSABLE;
		}
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(quoteNonFiniteTokens(text));
	} catch {
		return UNPARSABLE;
	}
	return restoreNonFinite(parsed);
}

// The tokens are swapped for strings no writer produces, then swapped back after JSON.parse.
const SENTINEL_PREFIX = '\u0000wbtop:';
const SENTINELS: Record<string, number> = {
	[SENTINEL_PREFIX + 'NaN']: NaN,
	[SENTINEL_PREFIX + 'Infinity']: Infinity,
	[SENTINEL_PREFIX + '-Infinity']: -Infinity,
};

function hasNonFiniteToken(text: string): boolean {
	return text.includes('NaN') || text.includes('Infinity');
}

/** Replaces bare NaN/Infinity/-Infinity outside string literals with quoted sentinels. */
function quoteNonFiniteTokens(text: string): string {
	let out = '';
	let last = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (inString) {
			if (c === 92 /* \ */) i++;
			else if (c === 34 /* " */) inString = false;
			continue;
		}
		if (c === 34) {
			inString = true;
			continue;
		}
		let token: string | null = null;
		if (c === 78 /* N */ && text.startsWith('NaN', i)) token = 'NaN';
		else if (c === 73 /* I */ && text.startsWith('Infinity', i)) token = 'Infinity';
		else if (c === 45 /* - */ && text.startsWith('-Infinity', i)) token = '-Infinity';
		if (token !== null) {
			out += text.slice(last, i) + JSON.stringify(SENTINEL_PREFIX + token);
			i += token.length - 1;
			last = i + 1;
		}
	}
	return out + text.slice(last);
}

function restoreNonFinite(value: unknown): unknown {
	if (typeof value === 'string') {
		return value.startsWith(SENTINEL_PREFIX) && value in SENTINELS ? SENTINELS[value] : value;
	}
	if (Array.isArray(value)) {
		for (let i = 0; i < value.length; i++) value[i] = restoreNonFinite(value[i]);
		return value;
	}
	if (value !== null && typeof value === 'object') {
		const object = value as Record<string, unknown>;
		for (const key of Object.keys(object)) object[key] = restoreNonFinite(object[key]);
	}
	return value;
}

/** Converts parsed JSON data into a {@link Value}: objects with a string `_type` become media. */
export function toValue(raw: unknown): Value {
	if (raw === null || typeof raw !== 'object') {
		return raw === undefined ? null : (raw as number | string | boolean);
	}
	if (Array.isArray(raw)) return raw.map(toValue);
	const object = raw as Record<string, unknown>;
	if (typeof object._type === 'string') return mediaFromObject(object);
	const out: Record<string, Value> = {};
	for (const key of Object.keys(object)) out[key] = toValue(object[key]);
	return out;
}

/** True for a {@link MediaValue}. */
export function isMediaValue(value: unknown): value is MediaValue {
	return value !== null && typeof value === 'object' && (value as MediaValue).kind === 'media' && !Array.isArray(value);
}

/** True for a plain (non-media, non-array) object value, the kind {@link flattenInto} descends into. */
export function isPlainObject(value: unknown): value is {readonly [key: string]: Value} {
	return value !== null && typeof value === 'object' && !Array.isArray(value) && !isMediaValue(value);
}

/** Builds a {@link MediaValue} from a `{_type: ...}` object with a short description. */
export function mediaFromObject(object: Record<string, unknown>): MediaValue {
	const mediaType = String(object._type);
	const media: MediaValue = {kind: 'media', mediaType, detail: mediaDetail(mediaType, object), path: mediaPath(object)};
	if (mediaType !== 'histogram') return media;
	const histogram = histogramOf(object);
	return histogram === null ? media : {...media, histogram};
}

/** Most bins a histogram keeps (wandb caps them at 512; more is not a histogram wandb wrote). */
const MAX_HISTOGRAM_BINS = 4096;

/**
 * A histogram's counts and edges: `values` with `bins` (len + 1 edges), or `packedBins`
 * {min, size, count} (the server's form, doc §5.1.7). Null when they are not finite numbers of
 * matching lengths.
 */
function histogramOf(o: Record<string, unknown>): {counts: number[]; edges: number[]} | null {
	const finite = (list: unknown): list is number[] => Array.isArray(list) && list.every(v => typeof v === 'number' && Number.isFinite(v));
	const counts = o.values;
	if (!finite(counts) || counts.length === 0 || counts.length > MAX_HISTOGRAM_BINS) return null;
	let edges: unknown = o.bins;
	const packed = o.packedBins as Record<string, unknown> | undefined;
	if (!Array.isArray(edges) && packed !== null && typeof packed === 'object') {
		const {min, size, count} = packed;
		if (typeof min === 'number' && typeof size === 'number' && count === counts.length && Number.isFinite(min) && Number.isFinite(size)) {
			edges = Array.from({length: counts.length + 1}, (_, i) => min + i * size);
		}
	}
	// A constant tensor: one count, edges [v, v] (doc §5.1.7).
	if (!finite(edges) || edges.length !== counts.length + 1) return null;
	return {counts, edges};
}

/**
 * The file a media object names (relative to `files/`): its `path`, else the last element of a
 * list object (`images/separated` {filenames}, `videos` / `audio` / `html` / `object3D` [{path}]).
 * Unchecked text: the view sanitizes it and a reader resolves it inside the run dir.
 */
function mediaPath(o: Record<string, unknown>): string | null {
	if (typeof o.path === 'string') return o.path;
	for (const list of [o.filenames, o.videos, o.audio, o.html, o.objects]) {
		if (!Array.isArray(list) || list.length === 0) continue;
		const last: unknown = list[list.length - 1];
		if (typeof last === 'string') return last;
		if (last !== null && typeof last === 'object' && typeof (last as Record<string, unknown>).path === 'string') return (last as Record<string, unknown>).path as string;
	}
	return null;
}

function mediaDetail(mediaType: string, o: Record<string, unknown>): string {
	const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
	const width = num(o.width);
	const height = num(o.height);
	if (mediaType === 'histogram') {
		const bins = Array.isArray(o.values) ? o.values.length : num((o.packedBins as Record<string, unknown> | undefined)?.count);
		if (bins !== null) return `${bins} bins`;
	}
	if (mediaType.includes('table')) {
		const rows = num(o.nrows);
		const cols = num(o.ncols);
		if (rows !== null && cols !== null) return `${rows}x${cols} table`;
	}
	if (width !== null && height !== null) {
		const format = typeof o.format === 'string' ? ` ${o.format}` : '';
		const count = num(o.count);
		return `${count !== null && count > 1 ? `${count} × ` : ''}${width}x${height}${format}`;
	}
	const size = num(o.size);
	return size === null ? '' : formatBytes(size);
}

/** `1234` → `1.2 KB` (decimal units, as the W&B UI shows file sizes). */
export function formatBytes(bytes: number): string {
	if (bytes < 1000) return `${bytes} B`;
	const units = ['KB', 'MB', 'GB', 'TB'];
	let value = bytes;
	let unit = -1;
	while (value >= 1000 && unit < units.length - 1) {
		value /= 1000;
		unit++;
	}
	return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * Writes `value` into `target` under `prefix`, descending into plain objects and joining keys with
 * `.`. Media objects, arrays and scalars are leaves. An empty object is kept as a leaf so the key
 * does not vanish.
 */
export function flattenInto(target: FlatValues, prefix: string, value: Value): void {
	if (!isPlainObject(value)) {
		target[prefix] = value;
		return;
	}
	const keys = Object.keys(value);
	if (keys.length === 0) {
		target[prefix] = value;
		return;
	}
	const object = value as {readonly [key: string]: Value};
	for (const key of keys) flattenInto(target, prefix === '' ? key : `${prefix}.${key}`, object[key]);
}

/**
 * Writes a JS value as extended JSON: like `JSON.stringify`, but NaN and ±Infinity become the bare
 * tokens wandb writes. Media values are not accepted here (they are decoded summaries, not data).
 */
export function formatValueJson(value: unknown): string {
	if (typeof value === 'number') {
		if (Number.isFinite(value)) return JSON.stringify(value);
		return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
	}
	if (value === null || value === undefined) return 'null';
	if (Array.isArray(value)) return `[${value.map(formatValueJson).join(',')}]`;
	if (typeof value === 'object') {
		const parts: string[] = [];
		for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
			if (item !== undefined) parts.push(`${JSON.stringify(key)}:${formatValueJson(item)}`);
		}
		return `{${parts.join(',')}}`;
	}
	return JSON.stringify(value);
}

/**
 * How many more flat keys a row may take, shared by the flatten calls building one row, and how
 * many were dropped once it ran out (reported as a limit, never silently).
 */
export type KeyBudget = {left: number; dropped: number};

export function keyBudget(max = MAX_KEYS_PER_ROW): KeyBudget {
	return {left: max, dropped: 0};
}

/** Flat keys `value` would make (at least 1; objects counted leaf by leaf up to `cap`). */
function leavesOf(value: Value, cap = 1_000_000): number {
	if (!isPlainObject(value)) return 1;
	let count = 0;
	for (const key of Object.keys(value as object)) {
		count += leavesOf((value as {readonly [key: string]: Value})[key], cap - count);
		if (count >= cap) break;
	}
	return Math.max(1, count);
}

/**
 * {@link flattenInto} that stops once `budget` is used up: writes `value` into `target` under
 * `prefix`, descending into plain objects and joining keys with `.`; what does not fit is counted
 * in `budget.dropped`.
 */
export function flattenLimited(target: FlatValues, prefix: string, value: Value, budget: KeyBudget): void {
	if (budget.left <= 0) {
		budget.dropped += leavesOf(value);
		return;
	}
	if (!isPlainObject(value) || Object.keys(value).length === 0) {
		if (isUnsafeKey(prefix)) return; // would set target's prototype, not a key
		if (!Object.hasOwn(target, prefix)) budget.left--;
		target[prefix] = value;
		return;
	}
	const object = value as {readonly [key: string]: Value};
	for (const key of Object.keys(object)) flattenLimited(target, prefix === '' ? key : `${prefix}.${key}`, object[key], budget);
}

/**
 * Flattens every own key of a parsed JSON object (a legacy jsonl row, a summary file) into at
 * most `max` flat keys (the first ones, in key order). `rename` maps a top-level key to the
 * prefix to use, or null to skip it. Pass a `budget` to learn how many keys were dropped.
 */
export function flattenCapped(source: Record<string, unknown>, max = MAX_KEYS_PER_ROW, rename: (key: string) => string | null = key => key, budget: KeyBudget = keyBudget(max)): FlatValues {
	const out: FlatValues = {};
	const keys = Object.keys(source);
	for (const [i, key] of keys.entries()) {
		if (budget.left <= 0) {
			// Counted by top-level key: leaf-counting a million dropped keys would cost as much as keeping them.
			budget.dropped += keys.length - i;
			break;
		}
		const prefix = rename(key);
		if (prefix !== null) flattenLimited(out, prefix, toValue(source[key]), budget);
	}
	return out;
}
