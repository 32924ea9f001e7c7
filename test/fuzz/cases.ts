/**
 * Fuzz cases built from the real fixtures: every case is a deterministic function of its index,
 * so a failing case can be replayed alone (`caseAt(i)`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {BLOCK_SIZE, CHUNK_FIRST, CHUNK_FULL, CHUNK_HEADER_SIZE, CHUNK_LAST, CHUNK_MIDDLE, crc32} from '../../source/decode/log-framing.js';
import {ProtoWriter} from '../../source/decode/protobuf.js';
import {encodeFraming, encodeHeader, encodeHistory, encodeOutput, encodeRun, encodeStats, encodeSummary} from '../../source/demo/writer.js';
import {Rand} from '../chaos/prng.js';
import {REAL_RUNS} from '../helpers/fixtures.js';

/** Cases are cut to this many bytes of their source file (the whole file when smaller). */
export const CASE_BYTES = 64 * 1024;

export type SourceKind = 'binary' | 'history' | 'events' | 'summary';

export type Source = {name: string; kind: SourceKind; bytes: Buffer; chunks: Chunk[]};

/** A complete chunk of a (cut) `.wandb` source. */
export type Chunk = {start: number; payloadStart: number; end: number; type: number};

export type FuzzCase = {
	index: number;
	kind: SourceKind;
	source: string;
	mutation: string;
	bytes: Buffer;
	/** A single byte of a complete chunk's payload, not at EOF, was changed: the CRC must catch it. */
	expectCorrupt: boolean;
};

/** The chunks of a well-formed `.wandb` prefix (block origin 0), stopping at a torn tail. */
export function chunkMap(bytes: Buffer): Chunk[] {
	const chunks: Chunk[] = [];
	let pos = 7;
	while (pos + CHUNK_HEADER_SIZE <= bytes.length) {
		const left = BLOCK_SIZE - (pos % BLOCK_SIZE);
		if (left < CHUNK_HEADER_SIZE) {
			pos += left;
			continue;
		}
		const length = bytes.readUInt16LE(pos + 4);
		const type = bytes[pos + 6];
		const end = pos + CHUNK_HEADER_SIZE + length;
		if (type < CHUNK_FULL || type > CHUNK_LAST || end > bytes.length) break;
		chunks.push({start: pos, payloadStart: pos + CHUNK_HEADER_SIZE, end, type});
		pos = end;
	}
	return chunks;
}

let sources: Source[] | null = null;

/** Every `.wandb`, history/events jsonl and summary json of the real fixtures, cut to CASE_BYTES. */
export function loadSources(): Source[] {
	if (sources) return sources;
	const out: Source[] = [];
	for (const dir of fs.readdirSync(REAL_RUNS).sort()) {
		const runDir = path.join(REAL_RUNS, dir);
		if (!fs.statSync(runDir).isDirectory()) continue;
		for (const name of fs.readdirSync(runDir).sort()) {
			const kind: SourceKind | null = name.endsWith('.wandb') ? 'binary' : name === 'wandb-history.jsonl' ? 'history' : name === 'wandb-events.jsonl' ? 'events' : name === 'wandb-summary.json' && !fs.existsSync(path.join(runDir, 'files')) ? 'summary' : null;
			if (kind === null) continue;
			const full = fs.readFileSync(path.join(runDir, name));
			if (full.length === 0) continue;
			const bytes = Buffer.from(full.subarray(0, CASE_BYTES));
			out.push({name: `${dir.split('__').at(-1)}/${name}`, kind, bytes, chunks: kind === 'binary' ? chunkMap(bytes) : []});
		}
	}
	sources = out;
	return out;
}

// ---------------------------------------------------------------------------------------------
// Mutations. Each returns the new bytes and a label.

type Mutated = {bytes: Buffer; label: string; expectCorrupt?: boolean};

function flipBytes(b: Buffer, rand: Rand, count: number): Mutated {
	const out = Buffer.from(b);
	const at: number[] = [];
	for (let i = 0; i < count; i++) {
		const p = rand.int(0, out.length - 1);
		out[p] ^= rand.int(1, 255);
		at.push(p);
	}
	return {bytes: out, label: `flip ${count} @${at.slice(0, 4).join(',')}`};
}

function truncate(b: Buffer, rand: Rand): Mutated {
	const at = rand.int(0, b.length);
	return {bytes: b.subarray(0, at), label: `truncate @${at}`};
}

function splice(a: Buffer, other: Source, rand: Rand): Mutated {
	const x = rand.int(0, a.length);
	const y = rand.int(0, other.bytes.length);
	return {bytes: Buffer.concat([a.subarray(0, x), other.bytes.subarray(y)]), label: `splice @${x} + ${other.name}@${y}`};
}

function duplicateRange(b: Buffer, rand: Rand, blockAligned: boolean): Mutated {
	if (blockAligned && b.length > BLOCK_SIZE) {
		const k = rand.int(0, Math.floor(b.length / BLOCK_SIZE) - 1);
		const block = b.subarray(k * BLOCK_SIZE, (k + 1) * BLOCK_SIZE);
		return {bytes: Buffer.concat([b.subarray(0, (k + 1) * BLOCK_SIZE), block, b.subarray((k + 1) * BLOCK_SIZE)]), label: `duplicate block ${k}`};
	}
	const start = rand.int(0, Math.max(0, b.length - 1));
	const end = Math.min(b.length, start + rand.logInt(1, 8192));
	return {bytes: Buffer.concat([b.subarray(0, end), b.subarray(start, end), b.subarray(end)]), label: `duplicate [${start},${end})`};
}

function removeRange(b: Buffer, rand: Rand, blockAligned: boolean): Mutated {
	if (blockAligned && b.length > BLOCK_SIZE) {
		const k = rand.int(0, Math.floor(b.length / BLOCK_SIZE) - 1);
		return {bytes: Buffer.concat([b.subarray(0, k * BLOCK_SIZE), b.subarray((k + 1) * BLOCK_SIZE)]), label: `remove block ${k}`};
	}
	const start = rand.int(0, Math.max(0, b.length - 1));
	const end = Math.min(b.length, start + rand.logInt(1, 8192));
	return {bytes: Buffer.concat([b.subarray(0, start), b.subarray(end)]), label: `remove [${start},${end})`};
}

function zeroRange(b: Buffer, rand: Rand): Mutated {
	const out = Buffer.from(b);
	if (rand.chance(0.4) && out.length > BLOCK_SIZE) {
		const k = rand.int(0, Math.floor(out.length / BLOCK_SIZE) - 1);
		out.fill(0, k * BLOCK_SIZE, (k + 1) * BLOCK_SIZE);
		return {bytes: out, label: `zero block ${k}`};
	}
	const start = rand.int(0, Math.max(0, out.length - 1));
	const end = Math.min(out.length, start + rand.logInt(1, BLOCK_SIZE));
	out.fill(0, start, end);
	return {bytes: out, label: `zero [${start},${end})`};
}

function writeChunkHeader(out: Buffer, chunk: {start: number; end: number}, type: number): void {
	out[chunk.start + 6] = type;
	out.writeUInt32LE(crc32(out.subarray(chunk.start + 6, chunk.end)), chunk.start);
}

/** One payload byte of a complete chunk that is not the last thing in the file. */
function flipPayloadByte(src: Source, rand: Rand): Mutated | null {
	const candidates = src.chunks.filter(c => c.end > c.payloadStart && c.end < src.bytes.length);
	if (candidates.length === 0) return null;
	const chunk = rand.pick(candidates);
	const out = Buffer.from(src.bytes);
	const p = rand.int(chunk.payloadStart, chunk.end - 1);
	out[p] ^= rand.int(1, 255);
	return {bytes: out, label: `flip payload byte @${p} (chunk @${chunk.start})`, expectCorrupt: true};
}

/** A chunk header declaring a huge (or just wrong) length or type. */
function hugeLength(src: Source, rand: Rand): Mutated | null {
	if (src.chunks.length === 0) return null;
	const chunk = rand.pick(src.chunks);
	const out = Buffer.from(src.bytes);
	const choice = rand.int(0, 3);
	if (choice === 3) {
		out[chunk.start + 6] = rand.int(0, 255);
		return {bytes: out, label: `chunk @${chunk.start} type ${out[chunk.start + 6]}`};
	}
	const length = [0xffff, BLOCK_SIZE - CHUNK_HEADER_SIZE, rand.int(0, 0xffff)][choice];
	out.writeUInt16LE(length, chunk.start + 4);
	return {bytes: out, label: `chunk @${chunk.start} length ${length}`};
}

/**
 * Payload bytes changed and the CRC fixed, so the framing is valid and the protobuf decoder gets
 * garbage: random bytes, or a 5-byte varint declaring a ~4 GB length.
 */
function protoGarbage(src: Source, rand: Rand): Mutated | null {
	const candidates = src.chunks.filter(c => c.end - c.payloadStart >= 6);
	if (candidates.length === 0) return null;
	const chunk = rand.pick(candidates);
	const out = Buffer.from(src.bytes);
	let label: string;
	if (rand.chance(0.5)) {
		const p = rand.int(chunk.payloadStart, chunk.end - 5);
		out.set([0xff, 0xff, 0xff, 0xff, 0x0f], p);
		label = `huge varint @${p}`;
	} else {
		const n = rand.int(1, 8);
		for (let i = 0; i < n; i++) out[rand.int(chunk.payloadStart, chunk.end - 1)] = rand.int(0, 255);
		label = `${n} payload bytes`;
	}
	writeChunkHeader(out, chunk, out[chunk.start + 6]);
	return {bytes: out, label: `${label} in chunk @${chunk.start}, crc fixed`};
}

/** Consecutive FULL chunks relabelled FIRST, MIDDLE…, LAST (or left open), CRCs fixed. */
function chainChunks(src: Source, rand: Rand): Mutated | null {
	if (src.chunks.length < 3) return null;
	const from = rand.int(0, src.chunks.length - 3);
	const n = Math.min(src.chunks.length - from, rand.int(2, 40));
	const out = Buffer.from(src.bytes);
	const open = rand.chance(0.3);
	for (let i = 0; i < n; i++) {
		const type = i === 0 ? CHUNK_FIRST : i === n - 1 && !open ? CHUNK_LAST : CHUNK_MIDDLE;
		writeChunkHeader(out, src.chunks[from + i], type);
	}
	return {bytes: out, label: `chain ${n} chunks from #${from}${open ? ' (no LAST)' : ''}`};
}

// ---------------------------------------------------------------------------------------------
// Legacy (jsonl / json) mutations.

const WEIRD_NUMBERS = ['1e999', '-1e999', 'NaN', 'Infinity', '-Infinity', '123456789012345678901234567890', '-0', '1e-400', 'null', '"str"', '[]', '{}', 'true', '{"_type":"histogram","values":[1,2]}', '[NaN,Infinity]'];
const WEIRD_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', '.', 'a..b', '_step', '_runtime', '_timestamp', 'k'.repeat(5000), 'ünï/cödé ✓', '\u0000', '\u001b[2J'];
const WEIRD_LINES = ['[1,2]', 'null', '"x"', '42', '{', '}', '{"_step": "nope"}', '{"_step": 1e308}', '{"_step": -5}', '{"_step": 1.5}', '{"_step": NaN}', '', '\r', '{"a":1}\r', '{"__proto__": {"polluted": 1}, "_step": 3}', '{"__proto__": [1,2], "x": 1}'];

function replaceNumber(b: Buffer, rand: Rand): Mutated {
	const text = b.toString('latin1');
	const matches = [...text.matchAll(/-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi)];
	if (matches.length === 0) return flipBytes(b, rand, 1);
	const m = rand.pick(matches);
	const token = rand.pick(WEIRD_NUMBERS);
	return {bytes: Buffer.from(text.slice(0, m.index) + token + text.slice(m.index! + m[0].length), 'latin1'), label: `number @${m.index} -> ${token}`};
}

function insertLine(b: Buffer, rand: Rand, line: string, label: string): Mutated {
	const text = b.toString('latin1');
	const newlines = [0, ...[...text.matchAll(/\n/g)].map(m => m.index! + 1)];
	const at = rand.pick(newlines);
	return {bytes: Buffer.concat([b.subarray(0, at), Buffer.from(line + '\n', 'utf8'), b.subarray(at)]), label: `${label} @${at}`};
}

function deepLine(rand: Rand): {line: string; label: string} {
	const depth = rand.pick([65, 1000, 10_000, 100_000]);
	const open = rand.chance(0.5) ? '[' : '{"a":';
	const close = open === '[' ? ']' : '}';
	return {line: `{"_step": 7, "deep": ${open.repeat(depth)}1${close.repeat(depth)}}`, label: `deep ${depth} (${open})`};
}

function weirdKeyLine(rand: Rand): {line: string; label: string} {
	const key = rand.pick(WEIRD_KEYS);
	const value = rand.pick(WEIRD_NUMBERS);
	return {line: `{"_step": ${rand.int(0, 100)}, ${JSON.stringify(key)}: ${value}, "loss": 0.5}`, label: `key ${JSON.stringify(key.slice(0, 12))}=${value}`};
}

// ---------------------------------------------------------------------------------------------
// Synthetic `.wandb` runs with hostile keys and values (valid framing, valid protobuf).

function item(pathParts: string[], json: string, python: boolean): ProtoWriter {
	const w = new ProtoWriter();
	if (python) w.stringField(1, pathParts.join('.'));
	else for (const part of pathParts) w.stringField(2, part);
	return w.stringField(16, json);
}

function syntheticBinary(rand: Rand): Mutated {
	const records: Uint8Array[] = [encodeHeader({producer: '0.22.3'}), encodeRun({runId: 'synth', config: {a: 1}})];
	const rows = rand.int(1, 20);
	const labels: string[] = [];
	for (let r = 0; r < rows; r++) {
		const body = new ProtoWriter();
		const n = rand.int(1, 6);
		for (let k = 0; k < n; k++) {
			const python = rand.chance(0.5);
			const pick = rand.int(0, 5);
			let parts: string[];
			let json: string;
			if (pick === 0) {
				// Media object rebuilt from core leaves, with a hostile path under it.
				body.messageField(1, item(['img', '_type'], '"image-file"', false));
				parts = ['img', rand.pick(['__proto__', 'constructor', 'prototype', 'x']), rand.pick(['polluted', 'shell', 'toString'])];
				json = rand.pick(['"yes"', '1', '{"a":1}', '[1]']);
			} else if (pick === 1) {
				const d = deepLine(rand);
				parts = ['deep'];
				json = d.line;
			} else if (pick === 2) {
				parts = Array.from({length: rand.pick([2, 70, 5000])}, (_, i) => `p${i}`);
				json = '1';
			} else {
				parts = [rand.pick(WEIRD_KEYS)];
				json = rand.pick(WEIRD_NUMBERS);
			}
			labels.push(`${parts.slice(0, 3).join('.')}${parts.length > 3 ? `…(${parts.length})` : ''}=${json.slice(0, 12)}`);
			body.messageField(1, item(parts, json, python && pick !== 0));
		}
		body.messageField(2, new ProtoWriter().varintField(1, r));
		records.push(new ProtoWriter().messageField(2, body).finish());
		if (rand.chance(0.3)) records.push(encodeSummary({update: {[rand.pick(WEIRD_KEYS)]: rand.next()}, encoding: rand.chance(0.5) ? 'python' : 'core'}));
		if (rand.chance(0.3)) records.push(encodeStats({timestamp: 1.7e9 + r, values: {[rand.pick(WEIRD_KEYS)]: r, cpu: 5}}));
		if (rand.chance(0.3)) records.push(encodeOutput({stream: 'stdout', text: `${rand.pick(WEIRD_KEYS)}\n`}));
	}
	records.push(encodeHistory({step: rows, values: {ok: 1}}));
	return {bytes: Buffer.from(encodeFraming(records)), label: `synthetic ${rows} rows: ${labels.slice(0, 3).join('; ')}`};
}

// ---------------------------------------------------------------------------------------------

/** The case with this index (deterministic). */
export function caseAt(index: number, seed = 0x5eed): FuzzCase {
	const rand = new Rand((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
	const all = loadSources();
	const binary = all.filter(s => s.kind === 'binary');
	const legacy = all.filter(s => s.kind !== 'binary');
	// Two thirds binary (the format of every run since 2020), one third legacy; 1 in 20 synthetic.
	if (index % 20 === 19) {
		const m = syntheticBinary(rand);
		const extra = rand.chance(0.3) ? binaryMutation({name: 'synthetic', kind: 'binary', bytes: m.bytes, chunks: chunkMap(m.bytes)}, rand, binary) : null;
		return {index, kind: 'binary', source: 'synthetic', mutation: extra ? `${m.label} + ${extra.label}` : m.label, bytes: extra ? extra.bytes : m.bytes, expectCorrupt: false};
	}
	if (index % 3 !== 2) {
		const src = binary[index % binary.length];
		let m = binaryMutation(src, rand, binary);
		let label = m.label;
		let expectCorrupt = m.expectCorrupt ?? false;
		if (rand.chance(0.1)) {
			const second = binaryMutation({...src, bytes: m.bytes, chunks: chunkMap(m.bytes)}, rand, binary);
			label += ` + ${second.label}`;
			m = second;
			expectCorrupt = false;
		}
		return {index, kind: 'binary', source: src.name, mutation: label, bytes: m.bytes, expectCorrupt};
	}
	const src = legacy[Math.floor(index / 3) % legacy.length];
	const m = legacyMutation(src, rand, legacy);
	return {index, kind: src.kind, source: src.name, mutation: m.label, bytes: m.bytes, expectCorrupt: false};
}

function binaryMutation(src: Source, rand: Rand, binary: Source[]): Mutated {
	const b = src.bytes;
	for (;;) {
		const kind = rand.int(0, 11);
		let m: Mutated | null = null;
		switch (kind) {
			case 0:
			case 1:
				m = flipPayloadByte(src, rand);
				break;
			case 2:
				m = flipBytes(b, rand, rand.logInt(1, 16));
				break;
			case 3:
				m = truncate(b, rand);
				break;
			case 4:
				m = splice(b, rand.pick(binary), rand);
				break;
			case 5:
				m = duplicateRange(b, rand, rand.chance(0.5));
				break;
			case 6:
				m = removeRange(b, rand, rand.chance(0.5));
				break;
			case 7:
				m = hugeLength(src, rand);
				break;
			case 8:
				m = zeroRange(b, rand);
				break;
			case 9:
				m = protoGarbage(src, rand);
				break;
			case 10:
				m = chainChunks(src, rand);
				break;
			case 11:
				m = {bytes: Buffer.from(b), label: 'unchanged'};
				break;
		}
		if (m !== null) return m;
	}
}

function legacyMutation(src: Source, rand: Rand, legacy: Source[]): Mutated {
	const b = src.bytes;
	switch (rand.int(0, 10)) {
		case 0:
			return flipBytes(b, rand, rand.logInt(1, 16));
		case 1:
			return truncate(b, rand);
		case 2:
			return splice(b, rand.pick(legacy), rand);
		case 3:
			return duplicateRange(b, rand, false);
		case 4:
			return removeRange(b, rand, false);
		case 5:
			return zeroRange(b, rand);
		case 6:
			return replaceNumber(b, rand);
		case 7: {
			const d = deepLine(rand);
			return insertLine(b, rand, d.line, d.label);
		}
		case 8: {
			const w = weirdKeyLine(rand);
			return insertLine(b, rand, w.line, w.label);
		}
		case 9: {
			const line = rand.pick(WEIRD_LINES);
			return insertLine(b, rand, line, `line ${JSON.stringify(line)}`);
		}
		default:
			return {bytes: Buffer.from(b.toString('latin1').replace(/\n/g, '\r\n'), 'latin1'), label: 'CRLF'};
	}
}
