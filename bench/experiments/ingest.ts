/**
 * `node --import tsx bench/experiments/ingest.ts [run dir...]`
 *
 * Checks RecordDecoder's fast path for history and summary records (source/decode/history-decoder.ts)
 * against the generic decoder (`new RecordDecoder({fastPath: false})`) on every record of the given
 * runs (default: the bench's 200k-row run and every real fixture), then measures decode and
 * decode+reduce CPU time for both, streaming (one read at a time, as `loadRun` and the live tail
 * do) and batched (every event first, as `readRunOnce` does). test/decode/history-decoder.test.ts runs
 * the same equivalence checks on the fixtures.
 */
import {mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {isDeepStrictEqual} from 'node:util';
import type {RunEvent} from '../../source/decode/run-events.js';
import {decodeLog} from '../../source/decode/log-framing.js';
import {RecordDecoder, RecordField} from '../../source/decode/records.js';
import {ProtoWriter} from '../../source/decode/protobuf.js';
import {encodeHistory} from '../../source/demo/writer.js';
import {writeEvilBinaryRun} from '../../test/security/evil-run.js';
import {initialRunState, reduceRunEvents} from '../../source/state/run-state.js';

function sameEvent(a: RunEvent, b: RunEvent): boolean {
	if (!isDeepStrictEqual(a, b)) return false;
	if (a.type === 'history' && b.type === 'history') {
		const ka = Object.keys(a.values);
		const kb = Object.keys(b.values);
		if (ka.join('\u0000') !== kb.join('\u0000')) return false;
		for (const key of ka) if (typeof a.values[key] === 'number' && !Object.is(a.values[key], b.values[key])) return false;
	}
	return true;
}

function logFiles(dir: string): string[] {
	const out: string[] = [];
	for (const name of readdirSync(dir)) {
		const path = join(dir, name);
		const st = statSync(path);
		if (st.isDirectory()) out.push(...logFiles(path));
		else if (name.endsWith('.wandb')) out.push(path);
	}
	return out;
}

const root = join(import.meta.dirname, '..', '..');
const args = process.argv.slice(2);
const found = args.length > 0 ? args.flatMap(arg => (statSync(arg).isDirectory() ? logFiles(arg) : [arg])) : [...logFiles(join(root, 'test', 'fixtures')), ...logFiles(join(root, 'bench', 'out', 'run-200k'))];
const files = [...new Set(found.map(file => realpathSync(file)))];

// Edge cases: odd value texts, keys, encodings and damaged payloads, plus the hostile test run.
function edgeCasePayloads(): Uint8Array[] {
	const texts = ['0', '-0', '1', '-1', '0.1', '1e5', '1E5', '1e+5', '1e-5', '1.', '01', '-01.50', '1e400', '-1e400', '1e-400', '123456789012345678901234567890',
		'0.30000000000000004', '9007199254740993', '9007199254740992', '1e22', '1e23', '4.35e-23', '1.7976931348623157e308', '5e-324',
		'NaN', 'Infinity', '-Infinity', '-NaN', '-', '1e', '1e+', ' 1', '1 ', '0x10', '1_0', '+1', '.5', '', 'null', 'true', '"text"', '"1"',
		'[1,2,NaN]', '{}', '{"a":1,"b":{"c":2}}', '{"_type":"histogram","values":[1,2]}', '{"_type":"image-file","width":3,"height":4,"format":"png"}', '{bad json'];
	const keys = ['loss', 'train/loss', 'é', 'ключ', '__proto__', 'constructor', '0', '12', '', 'a.b', 'x'.repeat(300)];
	const out: Uint8Array[] = [];
	let step = 0;
	for (const text of texts) {
		for (const key of keys) {
			const item = new ProtoWriter().stringField(1, key).stringField(16, text);
			out.push(new ProtoWriter().messageField(RecordField.history, new ProtoWriter().messageField(1, item).messageField(2, new ProtoWriter().varintField(1, step++))).finish());
		}
	}
	// Whole rows through the writer: python and core key encodings, no step, nested dicts, media.
	out.push(encodeHistory({step: null, values: {_step: 7, a: 1, b: 'x'}}));
	out.push(encodeHistory({step: 3, values: {nested: {deep: {x: 1}}, img: {_type: 'image-file', width: 1, height: 2}}, encoding: 'core'}));
	out.push(encodeHistory({step: 4, values: {nested: {deep: {x: 1}}, n: 2}, encoding: 'python'}));
	out.push(encodeHistory({step: 0, values: {a: 1}}));
	out.push(encodeHistory({step: 2 ** 40, values: {a: 1}}));
	out.push(encodeHistory({step: -5, values: {a: 1}}));
	// Odd encodings: key and nested_key together, repeated fields, unknown fields, _info.
	const odd = new ProtoWriter().stringField(2, 'nested').stringField(1, 'plain').stringField(16, '1').stringField(16, '2').varintField(3, 9);
	out.push(new ProtoWriter().messageField(RecordField.history, new ProtoWriter().messageField(1, odd).messageField(200, new ProtoWriter().stringField(1, 'x'))).finish());
	const twoKeys = new ProtoWriter().stringField(1, 'first').stringField(1, 'second').stringField(16, '3.5');
	out.push(new ProtoWriter().varintField(1, 12).messageField(RecordField.history, new ProtoWriter().messageField(1, twoKeys)).finish());
	// Invalid UTF-8 in a key and a value; damaged payloads (every prefix of a valid record).
	const bad = new Uint8Array([0x0a, 0x07, 0x0a, 0x01, 0xe9, 0x82, 0x01, 0x01, 0x31]);
	out.push(new ProtoWriter().bytesField(RecordField.history, bad).finish());
	const valid = encodeHistory({step: 9, values: {loss: 0.25, acc: 1e-7}});
	for (let cut = 1; cut < valid.length; cut++) out.push(valid.subarray(0, cut));
	const flipped = Uint8Array.from(valid);
	for (let i = 0; i < flipped.length; i++) {
		const copy = Uint8Array.from(flipped);
		copy[i] ^= 0xff;
		out.push(copy);
	}
	return out.map(payload => Buffer.from(payload));
}

function checkPayloads(label: string, payloads: Uint8Array[]): number {
	const generic = new RecordDecoder({fastPath: false});
	const fast = new RecordDecoder();
	for (const payload of payloads) {
		const a: RunEvent[] = [];
		const b: RunEvent[] = [];
		generic.decode(payload, a);
		fast.decode(payload, b);
		if (a.length !== b.length || a.some((event, i) => !sameEvent(event, b[i]))) {
			console.error(`MISMATCH in ${label}:\n generic ${JSON.stringify(a).slice(0, 400)}\n fast    ${JSON.stringify(b).slice(0, 400)}`);
			process.exit(1);
		}
	}
	if (generic.undecodable !== fast.undecodable) {
		console.error(`MISMATCH in ${label}: undecodable ${generic.undecodable} vs ${fast.undecodable}`);
		process.exit(1);
	}
	return fast.fastRecords;
}
{
	const hits = checkPayloads('edge cases', edgeCasePayloads());
	const dir = mkdtempSync(join(tmpdir(), 'wbtop-evil-'));
	try {
		const runDir = writeEvilBinaryRun(join(dir, 'wandb'));
		const evil = logFiles(runDir).flatMap(file => decodeLog(readFileSync(file)).records);
		checkPayloads('hostile run', evil);
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
	console.log(`equivalence: edge cases and the hostile run identical (${hits} edge-case records took the fast path)`);
}

// 1. Equivalence, record by record.
let compared = 0;
let fastHits = 0;
for (const file of files) {
	const {records} = decodeLog(readFileSync(file));
	const generic = new RecordDecoder({fastPath: false});
	const fast = new RecordDecoder();
	for (const payload of records) {
		const a: RunEvent[] = [];
		const b: RunEvent[] = [];
		generic.decode(payload, a);
		fast.decode(payload, b);
		if (a.length !== b.length || a.some((event, i) => !sameEvent(event, b[i]))) {
			const diff = (x: RunEvent | undefined, y: RunEvent | undefined) => {
				if (x?.type !== 'history' || y?.type !== 'history') return `${JSON.stringify(x)?.slice(0, 300)} vs ${JSON.stringify(y)?.slice(0, 300)}`;
				const keys = new Set([...Object.keys(x.values), ...Object.keys(y.values)]);
				const lines = [`step ${x.step} vs ${y.step}; key order ${Object.keys(x.values).join(',') === Object.keys(y.values).join(',') ? 'same' : 'differs'}`];
				for (const key of keys) if (!isDeepStrictEqual(x.values[key], y.values[key]) || !Object.is(x.values[key], y.values[key]) && typeof x.values[key] !== 'object') lines.push(`${key}: ${String(x.values[key])} vs ${String(y.values[key])}`);
				return lines.join('\n');
			};
			console.error(`MISMATCH in ${file}:\n${a.map((event, i) => diff(event, b[i])).join('\n')}`);
			process.exit(1);
		}
		compared++;
	}
	fastHits += fast.fastRecords;
}
console.log(`equivalence: ${compared} records in ${files.length} logs identical (${fastHits} history/summary records took the fast path)`);

// 2. Timing on the biggest file.
const big = files.reduce((a, b) => (statSync(a).size >= statSync(b).size ? a : b));
const bytes = readFileSync(big);
const cpu = () => {
	const u = process.cpuUsage();
	return (u.user + u.system) / 1000;
};
const CHUNK = 8 << 20;
function run(make: () => {decode(payload: Uint8Array, out: RunEvent[]): void}, reduce: 'none' | 'stream' | 'batch'): {ms: number; heapMB: number} {
	globalThis.gc?.();
	const c0 = cpu();
	const decoder = make();
	const state = initialRunState();
	const all: RunEvent[] = [];
	let decoded = decodeLog(new Uint8Array(0));
	let offset = 0;
	let heap = 0;
	while (offset < bytes.length) {
		const chunk = bytes.subarray(offset, Math.min(bytes.length, offset + CHUNK));
		decoded = decodeLog(chunk, decoded.next);
		const events: RunEvent[] = [];
		for (const payload of decoded.records) decoder.decode(payload, events);
		if (reduce === 'stream') reduceRunEvents(state, events, 0);
		else if (reduce === 'batch') for (const event of events) all.push(event);
		offset = decoded.nextOffset;
		if (chunk.length < CHUNK) break;
		heap = Math.max(heap, process.memoryUsage().heapUsed);
	}
	if (reduce === 'batch') reduceRunEvents(state, all, 0);
	heap = Math.max(heap, process.memoryUsage().heapUsed);
	return {ms: cpu() - c0, heapMB: heap / 1e6};
}
console.log(`timing on ${big} (${(bytes.length / 1e6).toFixed(0)} MB), CPU ms, best of 2:`);
for (const reduce of ['none', 'stream', 'batch'] as const) {
	const best = (make: () => {decode(payload: Uint8Array, out: RunEvent[]): void}) => {
		const a = run(make, reduce);
		const b = run(make, reduce);
		return a.ms <= b.ms ? a : b;
	};
	const generic = best(() => new RecordDecoder({fastPath: false}));
	const fast = best(() => new RecordDecoder());
	console.log(
		`  decode${reduce === 'none' ? '' : ` + reduce (${reduce})`}: generic ${generic.ms.toFixed(0)} ms, heap ${generic.heapMB.toFixed(0)} MB | fast ${fast.ms.toFixed(0)} ms, heap ${fast.heapMB.toFixed(0)} MB | ${(generic.ms / fast.ms).toFixed(2)}x`,
	);
}
