/**
 * The fast path for the records that make up nearly all of a run log: HistoryRecords (one per
 * `wandb.log` call) and SummaryRecords (wandb-core writes two after every row: the row's values
 * and `_wandb.runtime`). `RecordDecoder` (records.ts) tries it first and falls back to its generic
 * item decoding whenever this returns null, so the generic path stays the one definition of what a
 * record means; this file only has to be exact on the rows it accepts.
 *
 * Why a separate path: the generic decoder builds, per item, a reader object, an `Item`, a path
 * array, a fresh key string and the value text, then `Number()`s the text and flattens it into the
 * row with computed-key stores. V8 turns an object that grows by computed-key stores into a slow
 * dictionary after ~16 properties, so a 23-key row costs ~2 KB instead of ~0.6 KB, and `for...in`
 * over it (the reducer does that for every row) is ~15x slower. On a 200k-row run this was most of
 * `--once --json`'s time and memory.
 *
 * What this path does instead:
 * - walks the protobuf bytes directly (no reader objects); anything it does not expect (another
 *   field or wire type, malformed bytes) returns null, and the generic decoder then decides, so
 *   errors are counted exactly as before;
 * - interns keys: a direct-mapped cache from a key's bytes to one string, checked byte by byte;
 * - reads decimals straight from the bytes (decimal.ts), exactly as `Number()` would (and with
 *   `Number()` where that cannot decide), and hands anything else to `parseValueJson` as the
 *   generic path does;
 * - builds the row by cloning a template object made once per key sequence (fast properties).
 *
 * Rows it leaves to the generic path (returns null): a media object sent as `nested_key` leaves
 * (a path ending in `_type`: the group must be rebuilt into one value), a `__proto__` path
 * segment (the generic path owns the pollution guard), a value that is a non-empty JSON object
 * (flattened into several keys), SummaryRecord removals, and rows of more than
 * {@link MAX_FAST_ITEMS} items or paths deeper than {@link MAX_FAST_SEGMENTS} (the generic caps in
 * caps.ts apply there).
 */
import type {FlatValues, RunEvent, Value} from './run-events.js';
import {parseDecimalBytes} from './decimal.js';
import {utf8} from './protobuf.js';
import {isPlainObject, parseValueJson} from './values.js';

/** One-byte text of an ASCII span (a decimal), for `Number()`. */
function asciiText(buf: Uint8Array, start: number, end: number): string {
	// Buffer's latin1Slice (what `toString('latin1')` calls, on every Node since 0.x) is the
	// cheapest decode there is; a plain Uint8Array (tests, the writer) takes the UTF-8 decoder.
	const b = buf as Uint8Array & {latin1Slice?: (start: number, end: number) => string};
	return typeof b.latin1Slice === 'function' ? b.latin1Slice(start, end) : utf8(buf, start, end);
}

/** Most items the fast path takes in one record; bigger records go the generic way (and its caps). */
export const MAX_FAST_ITEMS = 1000;
/** Most `nested_key` segments of one item on the fast path. */
export const MAX_FAST_SEGMENTS = 8;

/** Slots of the key cache (a power of two). A run has a few dozen to a few thousand keys. */
const KEY_SLOTS = 4096;
/** Longest key the cache keeps; longer keys are decoded every time. */
const MAX_CACHED_KEY = 256;
/** Key sequences (row shapes) remembered per record kind. */
const MAX_SHAPES = 16;

/** A key sequence seen before, and an object with exactly those keys to clone rows from. */
type Shape = {keys: string[]; template: FlatValues};

const NO_KEYS: readonly string[] = [];

/** Recently used row shapes of one record kind, most recent first. */
class ShapeCache {
	private readonly shapes: Shape[] = [];

	/** The keys of the most recent shape starting with `key` (empty when none does). */
	startingWith(key: string): readonly string[] {
		for (const shape of this.shapes) if (shape.keys[0] === key) return shape.keys;
		return NO_KEYS;
	}

	/** The shape whose keys are `keys[0, n)`, made if new. */
	get(keys: readonly string[], n: number): Shape {
		const shapes = this.shapes;
		for (let s = 0; s < shapes.length; s++) {
			const candidate = shapes[s];
			if (candidate.keys.length !== n) continue;
			let k = 0;
			while (k < n && candidate.keys[k] === keys[k]) k++;
			if (k !== n) continue;
			if (s > 0) {
				shapes.splice(s, 1);
				shapes.unshift(candidate);
			}
			return candidate;
		}
		// JSON.parse gives an object fast properties however many keys it has (computed-key stores
		// turn it into a dictionary past ~16), and the spread in `row` keeps that layout. Duplicate
		// keys keep their first position, as repeated stores do.
		const text = '{' + keys.slice(0, n).map(key => JSON.stringify(key) + ':0').join(',') + '}';
		const shape: Shape = {keys: keys.slice(0, n), template: JSON.parse(text) as FlatValues};
		shapes.unshift(shape);
		if (shapes.length > MAX_SHAPES) shapes.pop();
		return shape;
	}
}

/**
 * Decodes HistoryRecord and SummaryRecord bodies straight from the bytes. One per RecordDecoder:
 * it holds caches (keys, row shapes) and scratch arrays, nothing that changes what a record means.
 */
export class FastItemDecoder {
	/** Read position in the buffer being decoded (shared by the helpers below). */
	private at = 0;
	// The current record's items: keys and values, `count` of them.
	private readonly keys: string[] = [];
	private readonly values: Value[] = [];
	private count = 0;
	// The current item's `nested_key` segments as byte spans.
	private readonly segStart: number[] = new Array<number>(MAX_FAST_SEGMENTS).fill(0);
	private readonly segEnd: number[] = new Array<number>(MAX_FAST_SEGMENTS).fill(0);
	private readonly keySlots: Array<string | undefined> = new Array<string | undefined>(KEY_SLOTS).fill(undefined);
	private readonly historyShapes = new ShapeCache();
	private readonly summaryShapes = new ShapeCache();
	/**
	 * The keys this record probably has, in order: rows mostly repeat an earlier row's keys, so a
	 * key is first compared with the expected one, and hashed only when that fails. It starts as
	 * the previous record's keys and, if the first key differs, becomes those of the latest shape
	 * starting with that key (wandb-core alternates two summary shapes).
	 */
	private hint: readonly string[] = NO_KEYS;
	private historyHint: readonly string[] = NO_KEYS;
	private summaryHint: readonly string[] = NO_KEYS;

	/**
	 * The event of a HistoryRecord body in `buf[start, end)`, exactly as the generic decoder would
	 * make it, or null when the record needs the generic path.
	 * HistoryRecord: item = 1 (HistoryItem), step = 2 (HistoryStep), `_info` = 200 (skipped).
	 */
	history(buf: Uint8Array, start: number, end: number): RunEvent | null {
		this.at = start;
		this.count = 0;
		let step: number | null = null;
		this.hint = this.historyHint;
		while (this.at < end) {
			const tag = this.varint(buf, end);
			// HistoryRecord has no scalar fields: any other wire type is for the generic path, and
			// so is a tag it would read differently (field 0, beyond 32 bits).
			if (tag < 8 || tag > 0xffff_ffff || tag % 8 !== 2) return this.bail();
			const length = this.varint(buf, end);
			if (length < 0 || length > end - this.at) return this.bail();
			const fieldEnd = this.at + length;
			if (tag === 10) {
				if (!this.item(buf, fieldEnd, this.historyShapes)) return this.bail();
			} else if (tag === 18) {
				// HistoryStep { num = 1 }; an empty message means step 0, the last `num` wins.
				step = 0;
				while (this.at < fieldEnd) {
					if (buf[this.at++] !== 8) return this.bail(); // only field 1, varint
					const num = this.varint(buf, fieldEnd, 7);
					if (num < 0) return this.bail(); // negative or beyond 2^49: generic int64 path
					step = num;
				}
			}
			this.at = fieldEnd;
		}
		const shape = this.historyShapes.get(this.keys, this.count);
		this.historyHint = shape.keys;
		const values = this.row(shape);
		if (step === null && typeof values._step === 'number' && Number.isFinite(values._step)) step = values._step;
		return {type: 'history', step, values};
	}

	/**
	 * The event of a SummaryRecord body in `buf[start, end)`, or null for the generic path.
	 * SummaryRecord: update = 1 (SummaryItem), remove = 2 (left to the generic path), `_info` = 200.
	 */
	summary(buf: Uint8Array, start: number, end: number): RunEvent | null {
		this.at = start;
		this.count = 0;
		this.hint = this.summaryHint;
		while (this.at < end) {
			const tag = this.varint(buf, end);
			if (tag < 8 || tag > 0xffff_ffff || tag % 8 !== 2 || tag === 18) return this.bail();
			const length = this.varint(buf, end);
			if (length < 0 || length > end - this.at) return this.bail();
			const fieldEnd = this.at + length;
			if (tag === 10 && !this.item(buf, fieldEnd, this.summaryShapes)) return this.bail();
			this.at = fieldEnd;
		}
		const shape = this.summaryShapes.get(this.keys, this.count);
		this.summaryHint = shape.keys;
		const update = this.row(shape);
		return {type: 'summary', update, remove: []};
	}

	/**
	 * Reads one HistoryItem / SummaryItem ending at `end` into the next key/value slot (`shapes`:
	 * the record kind's, for the key hint); false for the generic path.
	 * Item: key = 1, nested_key = 2 (repeated), value_json = 16.
	 */
	private item(buf: Uint8Array, end: number, shapes: ShapeCache): boolean {
		if (this.count >= MAX_FAST_ITEMS) return false;
		let keyStart = -1;
		let keyEnd = -1;
		let segments = 0;
		let valueStart = -1;
		let valueEnd = -1;
		while (this.at < end) {
			const tag = this.varint(buf, end);
			if (tag !== 10 && tag !== 18 && tag !== 130) return false; // fields 1, 2, 16, all bytes
			const length = this.varint(buf, end);
			if (length < 0 || length > end - this.at) return false;
			if (tag === 10) {
				keyStart = this.at;
				keyEnd = this.at + length;
			} else if (tag === 18) {
				if (segments === MAX_FAST_SEGMENTS) return false;
				this.segStart[segments] = this.at;
				this.segEnd[segments] = this.at + length;
				segments++;
			} else {
				// value_json, field 16 (tag 0x82 0x01); the last one wins.
				valueStart = this.at;
				valueEnd = this.at + length;
			}
			this.at += length;
		}
		// The path: `nested_key` when there is one (core), else `key` (Python; '' when absent).
		if (segments === 0) {
			this.segStart[0] = keyStart < 0 ? 0 : keyStart;
			this.segEnd[0] = keyStart < 0 ? 0 : keyEnd;
			segments = 1;
		} else if (segments > 1 && isBytes(buf, this.segStart[segments - 1], this.segEnd[segments - 1], TYPE_KEY)) {
			return false; // a media object sent leaf by leaf: the generic path rebuilds it
		}
		for (let s = 0; s < segments; s++) if (isBytes(buf, this.segStart[s], this.segEnd[s], PROTO_KEY)) return false;
		const n = this.count;
		const expected = n < this.hint.length ? this.hint[n] : undefined;
		let key: string;
		if (expected !== undefined && this.keyIs(expected, buf, segments)) {
			key = expected;
		} else {
			key = this.key(buf, segments);
			if (n === 0) this.hint = shapes.startingWith(key);
		}

		let value: Value;
		if (valueStart < 0) {
			value = parseValueJson('');
		} else {
			const number = parseDecimalBytes(buf, valueStart, valueEnd);
			if (typeof number === 'number') value = number;
			else if (number === null) value = Number(asciiText(buf, valueStart, valueEnd));
			else {
				value = parseValueJson(utf8(buf, valueStart, valueEnd));
				// A dict value is flattened into several keys by the generic path.
				if (isPlainObject(value) && Object.keys(value).length > 0) return false;
			}
		}
		this.keys[n] = key;
		this.values[n] = value;
		this.count = n + 1;
		return true;
	}

	/** True when `key` is the current path's segments joined with `.` (ASCII only). */
	private keyIs(key: string, buf: Uint8Array, segments: number): boolean {
		let k = 0;
		for (let s = 0; s < segments; s++) {
			if (s > 0 && key.charCodeAt(k++) !== 46 /* . */) return false;
			const end = this.segEnd[s];
			for (let i = this.segStart[s]; i < end; i++) {
				const b = buf[i];
				if (b >= 0x80 || key.charCodeAt(k++) !== b) return false;
			}
		}
		return k === key.length;
	}

	/** The current path's key (segments joined with `.`), from the cache when it is there. */
	private key(buf: Uint8Array, segments: number): string {
		// FNV-1a over the segments' bytes, with a `.` between segments.
		let h = 0x811c9dc5;
		let length = segments - 1;
		for (let s = 0; s < segments; s++) {
			if (s > 0) h = Math.imul(h ^ 46, 0x01000193);
			const end = this.segEnd[s];
			length += end - this.segStart[s];
			for (let i = this.segStart[s]; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
		}
		const slot = h & (KEY_SLOTS - 1);
		const cached = this.keySlots[slot];
		if (cached !== undefined && cached.length === length && this.keyIs(cached, buf, segments)) return cached;
		// Each segment is decoded on its own, as the generic path does (an invalid UTF-8 sequence
		// split across segments must give the same replacement characters).
		let key = utf8(buf, this.segStart[0], this.segEnd[0]);
		for (let s = 1; s < segments; s++) key += '.' + utf8(buf, this.segStart[s], this.segEnd[s]);
		// Only ASCII keys are cached: one byte per char is what keyIs can verify.
		if (key.length === length && length <= MAX_CACHED_KEY) this.keySlots[slot] = key;
		return key;
	}

	/** The current record's items as a row object (later duplicates win, as repeated stores do). */
	private row(shape: Shape): FlatValues {
		const n = this.count;
		const keys = this.keys;
		const values = this.values;
		const out: FlatValues = {...shape.template};
		for (let i = 0; i < n; i++) {
			out[keys[i]] = values[i];
			values[i] = null; // do not keep the values alive
		}
		return out;
	}

	/** Drops the current record's items; null for the caller to return. */
	private bail(): null {
		for (let i = 0; i < this.count; i++) this.values[i] = null;
		this.count = 0;
		return null;
	}

	/**
	 * A varint of at most `maxBytes` bytes (5 for tags and lengths), or -1 when it is malformed,
	 * longer, or runs past `end`.
	 */
	private varint(buf: Uint8Array, end: number, maxBytes = 5): number {
		let at = this.at;
		if (at < end && buf[at] < 0x80) {
			this.at = at + 1;
			return buf[at];
		}
		let result = 0;
		let factor = 1;
		for (let i = 0; i < maxBytes; i++) {
			if (at >= end) return -1;
			const b = buf[at++];
			result += (b & 0x7f) * factor;
			if (b < 0x80) {
				this.at = at;
				return result;
			}
			factor *= 128;
		}
		return -1;
	}
}

const TYPE_KEY = asciiBytes('_type');
const PROTO_KEY = asciiBytes('__proto__');

function asciiBytes(text: string): readonly number[] {
	return Array.from(text, c => c.charCodeAt(0));
}

/** True when `buf[start, end)` holds exactly `bytes` (an array of byte values). */
function isBytes(buf: Uint8Array, start: number, end: number, bytes: readonly number[]): boolean {
	if (end - start !== bytes.length) return false;
	for (let i = 0; i < bytes.length; i++) if (buf[start + i] !== bytes[i]) return false;
	return true;
}
