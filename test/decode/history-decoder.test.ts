/**
 * The fast path for history and summary records (source/decode/history-decoder.ts). It must give
 * exactly the events of the generic decoder (`new RecordDecoder({fastPath: false})`, the reference
 * semantics): same keys in the same order, same values (NaN, -0 and all), same steps, same records
 * counted as undecodable. Checked on every real fixture, on edge cases and damaged payloads, on the
 * hostile run, and against values derived from the writer's input. The decimal reader it uses
 * (source/decode/decimal.ts) is checked against `Number()` itself.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import type {FlatValues, RunEvent, Value} from '../../source/decode/run-events.js';
import {parseDecimalBytes} from '../../source/decode/decimal.js';
import {MAX_FAST_ITEMS, MAX_FAST_SEGMENTS} from '../../source/decode/history-decoder.js';
import {decodeLog} from '../../source/decode/log-framing.js';
import {ProtoWriter} from '../../source/decode/protobuf.js';
import {RecordDecoder, RecordField} from '../../source/decode/records.js';
import {mediaFromObject} from '../../source/decode/values.js';
import {encodeHistory, encodeSummary, formatValueJson, type KeyEncoding} from '../../source/demo/writer.js';
import {writeEvilBinaryRun} from '../security/evil-run.js';
import {logFileOf, readManifest} from '../helpers/run-files.js';
import {xorshift32 as random} from '../../source/demo/random.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-history-decoder-'));
afterAll(() => fs.rmSync(tmp, {recursive: true, force: true}));

/** Why two events differ, or null when they are the same (key order and -0 included). */
function difference(a: RunEvent | undefined, b: RunEvent | undefined): string | null {
	if (a === undefined || b === undefined) return `missing event: ${JSON.stringify(a ?? b)?.slice(0, 200)}`;
	const flat = (event: RunEvent): FlatValues | null => (event.type === 'history' ? event.values : event.type === 'summary' ? event.update : null);
	const fa = flat(a);
	const fb = flat(b);
	if (fa !== null && fb !== null) {
		const ka = Object.keys(fa);
		const kb = Object.keys(fb);
		if (ka.join('\u0000') !== kb.join('\u0000')) return `keys ${JSON.stringify(ka).slice(0, 300)} vs ${JSON.stringify(kb).slice(0, 300)}`;
		for (const key of ka) {
			if (typeof fa[key] === 'number' ? !Object.is(fa[key], fb[key]) : JSON.stringify(fa[key]) !== JSON.stringify(fb[key])) return `${key}: ${String(fa[key])} vs ${String(fb[key])}`;
		}
	}
	try {
		expect(b).toEqual(a);
	} catch {
		return `${JSON.stringify(a).slice(0, 300)} vs ${JSON.stringify(b).slice(0, 300)}`;
	}
	return null;
}

/** Decodes `payloads` with both decoders; throws on the first difference. Returns the fast decoder. */
function compare(label: string, payloads: Iterable<Uint8Array>): {fast: RecordDecoder; records: number} {
	const reference = new RecordDecoder({fastPath: false});
	const fast = new RecordDecoder();
	let records = 0;
	for (const payload of payloads) {
		const a: RunEvent[] = [];
		const b: RunEvent[] = [];
		reference.decode(payload, a);
		fast.decode(payload, b);
		for (let i = 0; i < Math.max(a.length, b.length); i++) {
			const why = difference(a[i], b[i]);
			if (why !== null) throw new Error(`${label}, record ${records} (${Buffer.from(payload).toString('hex').slice(0, 120)}): ${why}`);
		}
		records++;
	}
	expect(fast.undecodable, `${label}: undecodable records`).toBe(reference.undecodable);
	expect(reference.fastRecords).toBe(0);
	return {fast, records};
}

/** A Record payload around a HistoryRecord / SummaryRecord body. */
const record = (field: number, body: ProtoWriter) => new ProtoWriter().varintField(RecordField.num, 3).messageField(field, body).finish();
/** One item: a top-level `key` (Python) or `nested_key` segments (core). */
const pyItem = (key: string, json: string) => new ProtoWriter().stringField(1, key).stringField(16, json);
const coreItem = (path: string[], json: string) => {
	const w = new ProtoWriter();
	for (const part of path) w.stringField(2, part);
	return w.stringField(16, json);
};
function history(items: ProtoWriter[], step: number | null = 1): Uint8Array {
	const body = new ProtoWriter();
	for (const item of items) body.messageField(1, item);
	if (step !== null) body.messageField(2, new ProtoWriter().varintField(1, step));
	return record(RecordField.history, body);
}
function summary(items: ProtoWriter[], remove: string[] = []): Uint8Array {
	const body = new ProtoWriter();
	for (const item of items) body.messageField(1, item);
	for (const key of remove) body.messageField(2, new ProtoWriter().stringField(1, key));
	return record(RecordField.summary, body);
}

/** Decodes one payload with the real decoder: its events and whether the fast path took it. */
function decodeFast(payload: Uint8Array): {events: RunEvent[]; fast: boolean} {
	const decoder = new RecordDecoder();
	const events: RunEvent[] = [];
	decoder.decode(payload, events);
	return {events, fast: decoder.fastRecords === 1};
}

const VALUE_TEXTS = [
	'0', '-0', '1', '-1', '0.1', '1e5', '1E5', '1e+5', '1e-5', '1.', '01', '-01.50', '1e400', '-1e400', '1e-400', '123456789012345678901234567890',
	'0.30000000000000004', '9007199254740993', '9007199254740992', '1e22', '1e23', '4.35e-23', '1.7976931348623157e308', '5e-324', '2.2250738585072014e-308',
	'0.36997953641025866', '-2.808471827189352', '1764158400.0123456', '0e0', '-0.0', '1e', '1e+', '-', '--1', '1.2.3', '1e5e5', '.5', '+1', ' 1', '1 ', '0x10', '1_0',
	'NaN', 'Infinity', '-Infinity', '-NaN', 'nan', '', 'null', 'true', 'false', '"text"', '"1"', '"\\u0000"', '[1,2,NaN]', '[]', '{}', '{"a":1,"b":{"c":2}}', '{"a":{}}',
	'{"_type":"histogram","values":[1,2]}', '{"_type":"image-file","width":3,"height":4,"format":"png"}', '{"__proto__":{"x":1}}', '{bad json', '"unterminated',
	'[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
];
const KEYS = ['loss', 'train/loss', '_step', '_runtime', 'é', 'ключ', '日本', '__proto__', 'constructor', 'toString', '0', '12', '', 'a.b', 'x'.repeat(300), '\u0000', 'with space'];

/** Edge cases: odd value texts, keys, key encodings, steps, unknown fields and damaged bytes. */
function edgeCases(): Uint8Array[] {
	const out: Uint8Array[] = [];
	let step = 0;
	for (const text of VALUE_TEXTS) {
		for (const key of KEYS) {
			out.push(history([pyItem(key, text)], step++));
			out.push(history([coreItem([key, 'leaf'], text)], step++));
		}
		out.push(summary([pyItem('v', text), coreItem(['_wandb', 'runtime'], text)]));
	}
	// Key encodings: nested paths (plain, deep, past the fast path's depth), media sent leaf by
	// leaf, `__proto__` anywhere in a path, key and nested_key together, no key at all.
	const paths = [['a', 'b'], ['a', 'b', 'c'], ['_wandb', 'runtime'], ['a'], Array.from({length: MAX_FAST_SEGMENTS + 1}, (_, i) => `s${i}`), ['a', '__proto__'], ['__proto__', 'x'], ['a', '__proto__', 'x'], ['', ''], ['a.b', 'c']];
	for (const p of paths) out.push(history([coreItem(p, '1'), pyItem('loss', '0.5')]));
	out.push(history([coreItem(['img', '_type'], '"image-file"'), coreItem(['img', 'width'], '3'), coreItem(['img', 'height'], '4'), pyItem('loss', '0.5')]));
	out.push(history([coreItem(['img', '__proto__', 'polluted'], '1'), coreItem(['img', '_type'], '"image-file"')]));
	out.push(history([coreItem(['a', 'b', '_type'], '"histogram"'), coreItem(['a', 'b', 'values'], '[1,2]'), coreItem(['a', 'c'], '2')]));
	out.push(history([coreItem(['_type'], '"top"'), coreItem(['x', '_type'], '1')]));
	out.push(history([new ProtoWriter().stringField(2, 'nested').stringField(1, 'plain').stringField(16, '1')]));
	out.push(history([new ProtoWriter().stringField(1, 'plain').stringField(2, 'nested').stringField(2, 'deeper').stringField(16, '1')]));
	out.push(history([new ProtoWriter().stringField(1, 'first').stringField(1, 'second').stringField(16, '3.5').stringField(16, '4.5')]));
	out.push(history([new ProtoWriter().stringField(16, '7')]));
	out.push(history([new ProtoWriter().stringField(1, 'k')]));
	out.push(history([new ProtoWriter().stringField(1, 'k').stringField(16, '1').varintField(3, 9)])); // an unknown item field
	out.push(history([new ProtoWriter().stringField(1, 'k').stringField(16, '1').stringField(17, 'x')]));
	// Duplicate keys in a row (first position, last value), the same keys in another order.
	out.push(history([pyItem('a', '1'), pyItem('b', '2'), pyItem('a', '3')]));
	out.push(history([pyItem('b', '1'), pyItem('a', '2')]));
	out.push(history([pyItem('a', '1'), coreItem(['a'], '2'), coreItem(['a', 'x'], '3'), pyItem('a.x', '4')]));
	// Steps: none (then `_step`), empty HistoryStep (0), big, too big for the fast path, negative,
	// repeated, with an unknown field; `_step` not a finite number.
	const body = (items: ProtoWriter[], stepMessages: ProtoWriter[]) => {
		const w = new ProtoWriter();
		for (const item of items) w.messageField(1, item);
		for (const s of stepMessages) w.messageField(2, s);
		return record(RecordField.history, w);
	};
	const values = [pyItem('_step', '7'), pyItem('loss', '0.1')];
	out.push(body(values, []));
	out.push(body([pyItem('_step', 'NaN')], []));
	out.push(body([pyItem('_step', '"7"')], []));
	out.push(body(values, [new ProtoWriter()]));
	for (const n of [1, 127, 128, 2 ** 31, 2 ** 40, 2 ** 49 - 1, 2 ** 49, 2 ** 53 - 1, -1, -5]) out.push(body(values, [new ProtoWriter().varintField(1, n)]));
	out.push(body(values, [new ProtoWriter().varintField(1, 3), new ProtoWriter().varintField(1, 4)]));
	out.push(body(values, [new ProtoWriter().varintField(1, 3).varintField(1, 5)]));
	out.push(body(values, [new ProtoWriter().varintField(1, 3).varintField(2, 5)]));
	out.push(body(values, [new ProtoWriter().stringField(1, 'x')]));
	// Unknown record-level fields: `_info` (200), a scalar field, field 0.
	out.push(record(RecordField.history, new ProtoWriter().messageField(1, pyItem('a', '1')).messageField(200, new ProtoWriter().stringField(1, 'x'))));
	out.push(record(RecordField.history, new ProtoWriter().messageField(1, pyItem('a', '1')).varintField(3, 1)));
	out.push(record(RecordField.history, new ProtoWriter().messageField(1, pyItem('a', '1')).bytesField(0, Uint8Array.of(1))));
	out.push(record(RecordField.summary, new ProtoWriter().messageField(1, pyItem('a', '1')).messageField(200, new ProtoWriter())));
	// Summary removals (generic path), updates and removals together, an empty summary.
	out.push(summary([pyItem('a', '1')], ['b']));
	out.push(summary([], ['a', 'b.c']));
	out.push(summary([]));
	out.push(history([]));
	// Rows around the fast path's size limit.
	for (const n of [MAX_FAST_ITEMS - 1, MAX_FAST_ITEMS, MAX_FAST_ITEMS + 1]) out.push(history(Array.from({length: n}, (_, i) => pyItem(`k${i}`, String(i)))));
	// Invalid UTF-8 in keys: whole, and a sequence split across nested segments.
	const raw = (bytes: number[]) => new ProtoWriter().bytesField(1, Uint8Array.from(bytes)).stringField(16, '1');
	out.push(history([raw([0xe9]), raw([0xc3, 0xa9]), raw([0xff, 0xfe, 0x41])]));
	out.push(history([new ProtoWriter().bytesField(2, Uint8Array.of(0xe6, 0x97)).bytesField(2, Uint8Array.of(0xa5)).stringField(16, '1')]));
	out.push(history([new ProtoWriter().stringField(1, 'v').bytesField(16, Uint8Array.of(0x31, 0xff))]));
	// Damaged payloads: every prefix, and every byte flipped, of a few valid records.
	const valid = [
		encodeHistory({step: 9, values: {loss: 0.25, acc: 1e-7, nested: {x: 1}}, encoding: 'core'}),
		encodeHistory({step: 9, values: {loss: 0.36997953641025866, text: 'é'}, encoding: 'python'}),
		encodeSummary({update: {_wandb: {runtime: 5}, _runtime: 5.5}}),
	];
	for (const payload of valid) {
		for (let cut = 1; cut < payload.length; cut++) out.push(payload.subarray(0, cut));
		for (let i = 0; i < payload.length; i++) {
			for (const flip of [0xff, 0x80, 0x01]) {
				const copy = Uint8Array.from(payload);
				copy[i] ^= flip;
				out.push(copy);
			}
		}
	}
	return out;
}

describe('fast history/summary path', () => {
	it('matches the generic decoder on every record of every real fixture', () => {
		let fastRecords = 0;
		let itemRecords = 0;
		for (const run of readManifest().filter(r => r.format === 'binary')) {
			const {records} = decodeLog(fs.readFileSync(logFileOf(run.path)));
			const {fast} = compare(run.dir, records);
			fastRecords += fast.fastRecords;
			const events: RunEvent[] = [];
			const reference = new RecordDecoder({fastPath: false});
			for (const payload of records) reference.decode(payload, events);
			itemRecords += events.filter(e => e.type === 'history' || e.type === 'summary').length;
		}
		// Most records of the fixtures are plain rows: the fast path must really be taking them.
		expect(itemRecords).toBeGreaterThan(5000);
		expect(fastRecords).toBeGreaterThan(0.9 * itemRecords);
	});

	it('takes every history and summary record of a wandb-core 0.22 run (two summaries per row)', () => {
		const run = readManifest().find(r => r.dir.includes('f230dm6e'))!;
		const {records} = decodeLog(fs.readFileSync(logFileOf(run.path)));
		const {fast} = compare(run.dir, records);
		expect(fast.fastRecords).toBe(1715 + 3431);
	});

	it('matches the generic decoder on edge cases and damaged payloads', () => {
		const cases = edgeCases();
		const {fast, records} = compare('edge cases', cases);
		expect(records).toBe(cases.length);
		expect(fast.fastRecords).toBeGreaterThan(500);
		expect(fast.undecodable).toBeGreaterThan(50); // the damaged payloads
	});

	it('matches the generic decoder on the hostile run', () => {
		const runDir = writeEvilBinaryRun(path.join(tmp, 'evil', 'wandb'));
		const {fast} = compare('hostile run', decodeLog(fs.readFileSync(logFileOf(runDir))).records);
		expect(fast.fastRecords).toBeGreaterThan(0);
	});

	it('matches the generic decoder across many row shapes and keys (caches evicted and colliding)', () => {
		const payloads: Uint8Array[] = [];
		for (let i = 0; i < 3000; i++) {
			// 40 shapes in rotation (more than the shape cache holds) over 6000 distinct keys (more
			// than the key cache's slots), in both encodings.
			const shape = i % 40;
			const values: Record<string, unknown> = {_step: i};
			for (let k = 0; k <= shape % 7; k++) values[`shape${shape}/metric${k}`] = i + k / 10;
			values[`unique/${i}`] = i;
			values[`unique/${i + 3000}`] = -i;
			payloads.push(encodeHistory({step: i, values, encoding: i % 3 === 0 ? 'python' : 'core'}));
			payloads.push(encodeSummary({update: i % 2 === 0 ? {_wandb: {runtime: i}, _runtime: i} : values}));
		}
		const {fast} = compare('shapes', payloads);
		expect(fast.fastRecords).toBe(payloads.length);
	});

	it('leaves media groups, __proto__ paths, dict values, removals and huge rows to the generic path', () => {
		const generic = [
			history([coreItem(['img', '_type'], '"image-file"'), coreItem(['img', 'width'], '3')]),
			history([coreItem(['a', '__proto__'], '1')]),
			history([pyItem('__proto__', '1')]),
			history([pyItem('d', '{"a":1}')]),
			history(Array.from({length: MAX_FAST_ITEMS + 1}, (_, i) => pyItem(`k${i}`, '1'))),
			history([coreItem(Array.from({length: MAX_FAST_SEGMENTS + 1}, () => 's'), '1')]),
			summary([pyItem('a', '1')], ['b']),
		];
		for (const payload of generic) expect(decodeFast(payload).fast).toBe(false);
		const fast = [
			history([pyItem('loss', '0.36997953641025866'), pyItem('s', '"text"'), pyItem('m', '{"_type":"histogram","values":[1]}'), pyItem('e', '{}')]),
			history([coreItem(['train', 'loss'], 'NaN'), coreItem(['_wandb', 'runtime'], '5')]),
			summary([coreItem(['_wandb', 'runtime'], '5'), pyItem('_runtime', '5.5')]),
		];
		for (const payload of fast) expect(decodeFast(payload).fast).toBe(true);
		// What the generic path makes of `__proto__`: never a prototype, never a key named so.
		const {events} = decodeFast(history([pyItem('__proto__', '{"polluted":1}'), coreItem(['img', '_type'], '"image-file"'), coreItem(['img', '__proto__', 'polluted'], '1')]));
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		const row = events[0] as Extract<RunEvent, {type: 'history'}>;
		expect(Object.hasOwn(row.values, '__proto__')).toBe(false);
		expect(Object.getPrototypeOf(row.values)).toBe(Object.prototype);
	});
});

/** A random double from random bits (every exponent, subnormals, NaN and ±Infinity). */
function randomDouble(rand: () => number): number {
	const view = new DataView(new ArrayBuffer(8));
	view.setUint32(0, Math.floor(rand() * 2 ** 32));
	view.setUint32(4, Math.floor(rand() * 2 ** 32));
	return view.getFloat64(0);
}

describe('decoded rows against the writer input', () => {
	/**
	 * What a row means, from what was logged (doc §5.1.3), written independently of the decoder:
	 * plain objects are flattened with `.`, an object with a string `_type` is one media value,
	 * anything else is kept (numbers exactly; -0 comes back as 0, JSON has no -0).
	 */
	function expected(values: Record<string, unknown>): FlatValues {
		const out: FlatValues = {};
		const walk = (key: string, value: unknown) => {
			if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
				const object = value as Record<string, unknown>;
				if (typeof object._type === 'string') out[key] = mediaFromObject(object);
				else if (Object.keys(object).length === 0) out[key] = {};
				else for (const [k, v] of Object.entries(object)) walk(`${key}.${k}`, v);
				return;
			}
			out[key] = Object.is(value, -0) ? 0 : (value as Value);
		};
		for (const [key, value] of Object.entries(values)) walk(key, value);
		return out;
	}

	const NAMES = ['loss', 'train/acc', 'val/loss', 'lr', 'épsilon', 'grad_norm', 'ключ', 'x', 'eval/f1'];

	function randomRow(rand: () => number, i: number): Record<string, unknown> {
		const values: Record<string, unknown> = {};
		const count = 1 + Math.floor(rand() * NAMES.length);
		for (let k = 0; k < count; k++) {
			const name = NAMES[(i + k) % NAMES.length];
			const kind = rand();
			values[name] =
				kind < 0.6 ? randomDouble(rand)
				: kind < 0.7 ? rand() * 10 ** Math.floor(rand() * 40 - 20)
				: kind < 0.75 ? Math.floor(rand() * 1e6)
				: kind < 0.8 ? `text ${i} é`
				: kind < 0.83 ? rand() < 0.5
				: kind < 0.85 ? null
				: kind < 0.88 ? [rand(), NaN, 1]
				: kind < 0.92 ? {inner: rand(), deep: {x: i}}
				: kind < 0.94 ? {}
				: {_type: 'image-file', width: 1 + (i % 100), height: 2, format: 'png'};
		}
		values._step = i;
		values._runtime = i / 10 + rand();
		return values;
	}

	for (const encoding of ['core', 'python'] as KeyEncoding[]) {
		it(`gives exactly the logged values (${encoding} key encoding, history and summary records)`, () => {
			const rand = random(encoding === 'core' ? 7 : 11);
			const decoder = new RecordDecoder();
			let rows = 0;
			for (let i = 0; i < 2000; i++) {
				const values = randomRow(rand, i);
				const want = expected(values);
				const step = i % 5 === 0 ? null : i;
				const events: RunEvent[] = [];
				decoder.decode(encodeHistory({step, values, encoding}), events);
				decoder.decode(encodeSummary({update: values, encoding}), events);
				expect(events).toHaveLength(2);
				const [row, sum] = events as [Extract<RunEvent, {type: 'history'}>, Extract<RunEvent, {type: 'summary'}>];
				expect(row.step).toBe(step ?? i);
				for (const got of [row.values, sum.update]) {
					// (The order may differ: core media groups are put back together after the other keys.)
					expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
					for (const key of Object.keys(want)) {
						if (typeof want[key] === 'number') expect(Object.is(got[key], want[key]), `${key}: ${String(got[key])} vs ${String(want[key])} (${formatValueJson(values[key])})`).toBe(true);
						else expect(got[key]).toEqual(want[key]);
					}
				}
				rows++;
			}
			expect(rows).toBe(2000);
			// Media objects in core encoding go the generic way; everything else is the fast path.
			expect(decoder.fastRecords).toBeGreaterThan(2000);
		});
	}
});

describe('parseDecimalBytes', () => {
	const DECIMAL = /^-?\d+(\.\d*)?([eE][+-]?\d+)?$/;
	const parse = (text: string) => {
		const bytes = Buffer.from(text, 'latin1');
		return parseDecimalBytes(bytes, 0, bytes.length);
	};
	/** A number must be exactly Number(text); null only for decimals; undefined only for others. */
	const check = (text: string): 'exact' | 'number' | 'other' => {
		const got = parse(text);
		const decimal = DECIMAL.test(text);
		// (Plain checks: these run some 100k times.)
		if (got === undefined && decimal) throw new Error(`${text} is a decimal`);
		if (got !== undefined && !decimal) throw new Error(`${text} is not a decimal`);
		if (typeof got === 'number' && !Object.is(got, Number(text))) throw new Error(`${text}: ${got} vs ${Number(text)}`);
		return got === undefined ? 'other' : got === null ? 'number' : 'exact';
	};

	it('is exactly Number() on random doubles in every notation', () => {
		const rand = random(3);
		const seen = {exact: 0, number: 0, other: 0};
		for (let i = 0; i < 20_000; i++) {
			const d = randomDouble(rand);
			const small = rand() * 10 ** Math.floor(rand() * 30 - 15);
			for (const x of [d, small, Math.round(small * 1000) / 1000]) {
				if (!Number.isFinite(x)) continue;
				for (const text of [String(x), x.toExponential(), x.toExponential(3), x.toPrecision(17), x.toPrecision(6)]) seen[check(text)]++;
			}
		}
		expect(seen.exact).toBeGreaterThan(20_000);
		expect(seen.number).toBeGreaterThan(20_000);
	});

	it('decides nearly every 17-digit value exactly, halfway points and powers of two included', () => {
		const rand = random(9);
		const seen = {exact: 0, number: 0, other: 0};
		for (let i = 0; i < 50_000; i++) seen[check(String(rand() * 10 ** Math.floor(rand() * 16 - 6)))]++;
		expect(seen.exact).toBeGreaterThan(0.9 * 50_000); // Number() is the exception, not the rule
		// Texts at and next to the exact midpoint between two neighbouring doubles (17-19 digits),
		// where the last bit is decided by ties-to-even or by the 19th digit; around powers of two
		// the spacing below is half the spacing above.
		const view = new DataView(new ArrayBuffer(8));
		const parts = (x: number): [bigint, number] => {
			view.setFloat64(0, x);
			const bits = view.getBigUint64(0);
			return [(bits & ((1n << 52n) - 1n)) | (1n << 52n), Number((bits >> 52n) & 0x7ffn) - 1075];
		};
		const next = (x: number, up: boolean): number => {
			view.setFloat64(0, x);
			view.setBigUint64(0, view.getBigUint64(0) + (up ? 1n : -1n));
			return view.getFloat64(0);
		};
		/** (a + b) / 2 exactly, as decimal digits and a power of ten: digits * 10^-scale. */
		const midpoint = (a: number, b: number): [string, number] => {
			const [ma, ea] = parts(a);
			const [mb, eb] = parts(b);
			const e = Math.min(ea, eb) - 1;
			const twice = (ma << BigInt(ea - e - 1)) + (mb << BigInt(eb - e - 1)); // (a + b) / 2 = twice * 2^e
			return e >= 0 ? [(twice << BigInt(e)).toString(), 0] : [(twice * 5n ** BigInt(-e)).toString(), -e];
		};
		for (let i = 0; i < 20_000; i++) {
			const x =
				i % 10 === 0 ? 2 ** Math.floor(rand() * 80 - 20)
				: i % 3 === 0 ? 2 ** 50 + rand() * 2 ** 53 // exact ties have 19 digits or fewer here
				: rand() * 10 ** Math.floor(rand() * 16 - 6);
			for (const [a, b] of [[x, next(x, true)], [next(x, false), x]]) {
				const [digits, scale] = midpoint(a, b);
				if (digits.length <= 19) check(`${digits}e-${scale}`); // the exact midpoint itself
				for (const keep of [17, 18, 19]) {
					if (digits.length <= keep) continue;
					const head = BigInt(digits.slice(0, keep));
					for (const delta of [-1n, 0n, 1n]) check(`${head + delta}e${digits.length - keep - scale}`);
				}
				check(a.toPrecision(17));
				check(b.toPrecision(17));
			}
		}
	});

	it('is exactly Number() on random digit strings and odd texts', () => {
		const rand = random(5);
		for (let i = 0; i < 20_000; i++) {
			const digits = Array.from({length: 1 + Math.floor(rand() * 20)}, () => Math.floor(rand() * 10)).join('');
			const dot = Math.floor(rand() * (digits.length + 1));
			let text = rand() < 0.7 ? `${digits.slice(0, dot)}.${digits.slice(dot)}` : digits;
			if (rand() < 0.4) text += `${rand() < 0.5 ? 'e' : 'E'}${rand() < 0.3 ? '+' : rand() < 0.5 ? '-' : ''}${Math.floor(rand() * 40)}`;
			if (rand() < 0.3) text = `-${text}`;
			check(text);
		}
		for (const text of VALUE_TEXTS) check(text);
		expect(Object.is(parse('-0'), -0)).toBe(true);
		expect(Object.is(parse('-0.000e5'), -0)).toBe(true);
		expect(parse('1e99999')).toBeNull(); // Number() says Infinity
	});
});
