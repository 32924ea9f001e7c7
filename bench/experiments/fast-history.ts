/**
 * PROTOTYPE (not used by wbtop yet): a fast path for HistoryRecords, the bulk of every run log.
 * Meant to be folded into source/run/records.ts by its owner; `bench/experiments/ingest.ts` checks
 * that it gives exactly the generic decoder's events and measures the difference.
 *
 * What the generic path pays per history item (profile of `--once --json` on 200k rows x 23 items):
 * an `Item` object and a one-element path array, a fresh key string built char by char (then
 * internalized again on every property store), the value_json string, `Number()` on it, and
 * `flattenInto`. Worse, the row's `values` object is built with computed-key stores, and V8 turns
 * an object into a slow dictionary after ~16 such properties: 23-key rows cost ~2 KB each (vs
 * ~0.6 KB) and `for...in` over them (the reducer) is ~15x slower.
 *
 * The fast path:
 * - walks the protobuf bytes directly (no reader objects), bailing out (null) on anything unusual
 *   (nested key paths, so media objects; unknown wire types; malformed input), so the generic
 *   decoder still handles every edge case and every error;
 * - interns keys: a direct-mapped cache from the key's bytes to one string;
 * - parses plain decimal numbers from the bytes (exact: Clinger's fast path, mantissa < 2^53 and
 *   |exponent| <= 22, which is correctly rounded just like `Number()`), else falls back to the text;
 * - builds `values` by cloning a per-key-sequence template (`{...template}` keeps fast properties).
 */
import type {FlatValues, RunEvent, Value} from '../../source/run/events.js';
import {utf8} from '../../source/run/protobuf.js';
import {isPlainObject, parseValueJson} from '../../source/run/values.js';

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const TWO_53 = 9007199254740992;

/** Set by parseDecimalBytes when it returned undefined for a valid decimal it could not do exactly. */
export let decimalTooLong = false;

/**
 * A JSON-style decimal (`-?digits(.digits*)?([eE][+-]?digits)?`, the whole span) read exactly, or
 * undefined when it is not one or when exactness would need more than a double's 53 bits: then
 * `Number(text)` must decide. Same result as `Number()` wherever it returns a number.
 */
export function parseDecimalBytes(buf: Uint8Array, start: number, end: number): number | undefined {
	decimalTooLong = false;
	let i = start;
	let negative = false;
	if (i < end && buf[i] === 45 /* - */) {
		negative = true;
		i++;
	}
	let mantissa = 0;
	let digits = 0;
	let exponent = 0;
	let c = 0;
	for (; i < end; i++) {
		c = buf[i] - 48;
		if (c < 0 || c > 9) break;
		mantissa = mantissa * 10 + c;
		digits++;
	}
	if (digits === 0) return undefined;
	if (i < end && buf[i] === 46 /* . */) {
		i++;
		for (; i < end; i++) {
			c = buf[i] - 48;
			if (c < 0 || c > 9) break;
			mantissa = mantissa * 10 + c;
			exponent--;
		}
	}
	if (i < end && (buf[i] === 101 || buf[i] === 69) /* e E */) {
		i++;
		let expNegative = false;
		if (i < end && (buf[i] === 43 || buf[i] === 45)) {
			expNegative = buf[i] === 45;
			i++;
		}
		let e = 0;
		let expDigits = 0;
		for (; i < end; i++) {
			c = buf[i] - 48;
			if (c < 0 || c > 9) break;
			if (e < 10_000) e = e * 10 + c;
			expDigits++;
		}
		if (expDigits === 0) return undefined;
		exponent += expNegative ? -e : e;
	}
	if (i !== end) return undefined;
	if (mantissa >= TWO_53 || exponent > 308 || exponent < -400) {
		// A valid decimal that needs Number()'s full algorithm.
		decimalTooLong = true;
		return undefined;
	}
	let value: number;
	if (exponent === 0 || mantissa === 0) value = mantissa;
	else if (exponent > 0 && exponent <= 22) value = mantissa * POW10[exponent];
	else if (exponent < 0 && exponent >= -22) value = mantissa / POW10[-exponent];
	else {
		decimalTooLong = true;
		return undefined;
	}
	return negative ? -value : value;
}

// Interned keys: slot = hash of the bytes; a hit is verified byte by byte, so only exact ASCII
// matches are ever returned (a cached string with a non-ASCII char can never compare equal).
const KEY_SLOTS = 4096;
const keySlots: Array<string | undefined> = new Array(KEY_SLOTS).fill(undefined);

/** True when `key` is exactly the ASCII bytes `buf[start, end)`. */
function sameAscii(key: string, buf: Uint8Array, start: number, end: number): boolean {
	const length = end - start;
	if (key.length !== length) return false;
	for (let i = 0; i < length; i++) {
		const b = buf[start + i];
		if (b >= 0x80 || key.charCodeAt(i) !== b) return false;
	}
	return true;
}

export function internKey(buf: Uint8Array, start: number, end: number): string {
	const length = end - start;
	let h = 0x811c9dc5 ^ length;
	for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
	const slot = (h >>> 0) & (KEY_SLOTS - 1);
	const cached = keySlots[slot];
	if (cached !== undefined && cached.length === length) {
		let i = 0;
		while (i < length && buf[start + i] < 0x80 && cached.charCodeAt(i) === buf[start + i]) i++;
		if (i === length) return cached;
	}
	const key = utf8(buf, start, end);
	if (key.length === length && length <= 256) keySlots[slot] = key;
	return key;
}

// Row shapes: the key sequence of recent rows and a fast-properties template object for each.
type Shape = {keys: string[]; template: FlatValues};
const MAX_SHAPES = 16;
const shapes: Shape[] = [];

function rowObject(keys: string[], values: Value[], n: number): FlatValues {
	let shape: Shape | undefined;
	for (let s = 0; s < shapes.length; s++) {
		const candidate = shapes[s];
		if (candidate.keys.length !== n) continue;
		let k = 0;
		while (k < n && candidate.keys[k] === keys[k]) k++;
		if (k === n) {
			shape = candidate;
			if (s > 0) {
				shapes.splice(s, 1);
				shapes.unshift(candidate);
			}
			break;
		}
	}
	if (shape === undefined) {
		// JSON.parse builds objects with fast properties whatever their number (computed-key stores
		// go to dictionary mode past ~16 keys), and `{...template}` clones that layout.
		const text = '{' + keys.slice(0, n).map(key => JSON.stringify(key) + ':0').join(',') + '}';
		shape = {keys: keys.slice(0, n), template: JSON.parse(text) as FlatValues};
		shapes.unshift(shape);
		if (shapes.length > MAX_SHAPES) shapes.pop();
	}
	const out: FlatValues = {...shape.template};
	for (let i = 0; i < n; i++) out[keys[i]] = values[i];
	return out;
}

/** Most items the fast path takes in one row; bigger rows go the generic way (and its caps). */
const MAX_FAST_ITEMS = 1000;
const rowKeys: string[] = [];
const rowValues: Value[] = [];

// Varint reading without closures: `at` is the read position, shared by the helpers below.
let at = 0;

/** A varint of at most 5 bytes (a tag or a length), or -1 when malformed or past `end`. */
function varint(buf: Uint8Array, end: number): number {
	let result = 0;
	let factor = 1;
	for (let i = 0; i < 5; i++) {
		if (at >= end) return -1;
		const b = buf[at++];
		result += (b & 0x7f) * factor;
		if (b < 0x80) return result;
		factor *= 128;
	}
	return -1;
}

/** Number() of a span known to be a plain decimal (only its mantissa was too long to do exactly). */
function decimalText(buf: Uint8Array, start: number, end: number): string {
	// Buffer's latin1Slice (undocumented, on every Node since 0.x) is the cheapest one-byte decode.
	const b = buf as Buffer & {latin1Slice?: (start: number, end: number) => string};
	return typeof b.latin1Slice === 'function' ? b.latin1Slice(start, end) : utf8(buf, start, end);
}

/**
 * A HistoryRecord in `buf[start, end)` decoded exactly as the generic decoder would, or null when
 * the row needs the generic path (nested keys, unusual fields, malformed bytes).
 */
export function decodeHistoryFast(buf: Uint8Array, start: number, end: number): RunEvent | null {
	at = start;
	let n = 0;
	let step: number | null = null;
	while (at < end) {
		let tag = buf[at];
		if (tag < 0x80) at++;
		else tag = varint(buf, end);
		// HistoryRecord has no scalar fields; anything but a length-delimited field goes generic.
		if (tag <= 0 || (tag & 7) !== 2) return null;
		let length = at < end ? buf[at] : 0x80;
		if (length < 0x80) at++;
		else length = varint(buf, end);
		if (length < 0 || length > end - at) return null;
		const itemEnd = at + length;
		if (tag === 10) {
			// HistoryItem: key = 1 (tag 10), nested_key = 2 (tag 18), value_json = 16 (tag 130 = 0x82 0x01).
			let keyStart = -1;
			let keyEnd = -1;
			let nested = 0;
			let valueStart = -1;
			let valueEnd = -1;
			while (at < itemEnd) {
				let t = buf[at];
				if (t < 0x80) at++;
				else t = varint(buf, itemEnd);
				if (t <= 0 || (t & 7) !== 2) return null;
				let len = at < itemEnd ? buf[at] : 0x80;
				if (len < 0x80) at++;
				else len = varint(buf, itemEnd);
				if (len < 0 || len > itemEnd - at) return null;
				if (t === 10) {
					if (nested === 0) {
						keyStart = at;
						keyEnd = at + len;
					}
				} else if (t === 18) {
					if (++nested > 1) return null; // a nested path: media or dict leaves
					keyStart = at;
					keyEnd = at + len;
				} else if (t === 130) {
					valueStart = at;
					valueEnd = at + len;
				} else {
					return null;
				}
				at += len;
			}
			if (n >= MAX_FAST_ITEMS) return null;
			// Rows mostly repeat the previous row's keys in the same order: try that key first.
			let key = n < rowKeys.length ? rowKeys[n] : '';
			if (keyStart < 0) key = '';
			else if (!sameAscii(key, buf, keyStart, keyEnd)) key = internKey(buf, keyStart, keyEnd);
			if (key === '__proto__') return null;
			let value: Value | undefined;
			if (valueStart < 0) {
				value = parseValueJson('');
			} else {
				value = parseDecimalBytes(buf, valueStart, valueEnd);
				if (value === undefined) {
					if (decimalTooLong) {
						value = Number(decimalText(buf, valueStart, valueEnd));
					} else {
						value = parseValueJson(utf8(buf, valueStart, valueEnd));
						// Dicts are flattened into several keys by the generic path.
						if (isPlainObject(value) && Object.keys(value).length > 0) return null;
					}
				}
			}
			rowKeys[n] = key;
			rowValues[n] = value;
			n++;
		} else if (tag === 18) {
			// HistoryStep { num = 1 }; an empty message means step 0.
			step = 0;
			while (at < itemEnd) {
				if (buf[at] !== 8) return null; // field 1, varint
				at++;
				const from = at;
				let v = 0;
				let factor = 1;
				for (;;) {
					if (at >= itemEnd || at - from >= 7) return null; // negative or beyond 2^49: generic path
					const b = buf[at++];
					v += (b & 0x7f) * factor;
					if (b < 0x80) break;
					factor *= 128;
				}
				step = v;
			}
		}
		at = itemEnd;
	}
	const values = rowObject(rowKeys, rowValues, n);
	for (let i = 0; i < n; i++) rowValues[i] = null; // do not keep values alive
	if (step === null && typeof values._step === 'number' && Number.isFinite(values._step)) step = values._step;
	return {type: 'history', step, values};
}

/**
 * The span of the record's HistoryRecord body when the payload is a history record, else null.
 * Mirrors RecordDecoder: the last handled length-delimited field is the record's body.
 */
export function historyBody(payload: Uint8Array, handled: (field: number) => boolean): [number, number] | null {
	const end = payload.length;
	at = 0;
	let bodyStart = -1;
	let bodyEnd = -1;
	let kind = 0;
	while (at < end) {
		const tag = varint(payload, end);
		if (tag <= 0) return null;
		const wire = tag & 7;
		if (wire === 0) {
			// Up to 10 bytes (negative int64s).
			let i = 0;
			while (at < end && payload[at] >= 0x80 && i < 9) {
				at++;
				i++;
			}
			if (at >= end || payload[at] >= 0x80) return null;
			at++;
		} else if (wire === 1) {
			at += 8;
		} else if (wire === 5) {
			at += 4;
		} else if (wire === 2) {
			const length = varint(payload, end);
			if (length < 0 || length > end - at) return null;
			const field = Math.floor(tag / 8);
			if (handled(field)) {
				bodyStart = at;
				bodyEnd = at + length;
				kind = field;
			}
			at += length;
		} else {
			return null;
		}
		if (at > end) return null;
	}
	return kind === 2 ? [bodyStart, bodyEnd] : null;
}
