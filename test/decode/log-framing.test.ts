/** The `.wandb` framing: header, blocks, chunks, CRC, torn tails, damage and resuming. */
import * as fs from 'node:fs';
import {describe, expect, it} from 'vitest';
import {
	BLOCK_SIZE,
	CHUNK_FIRST,
	CHUNK_FULL,
	CHUNK_LAST,
	CHUNK_MIDDLE,
	crc32,
	decodeLog,
	FILE_HEADER,
	INITIAL_STATE,
	LogDecoder,
	tableCrc32,
	type DecodeState,
} from '../../source/decode/log-framing.js';
import {encodeFraming} from '../../source/demo/writer.js';
import {decodeEvents, logFileOf, readManifest, rng} from '../helpers/run-files.js';

const manifest = readManifest();
const binaryRuns = manifest.filter(run => run.format === 'binary');
const read = (dirPart: string) => {
	const run = manifest.find(r => r.dir.includes(dirPart));
	if (!run) throw new Error(`no fixture ${dirPart}`);
	return new Uint8Array(fs.readFileSync(logFileOf(run.path)));
};
/** A core-written (header.producer set) multi-block file with chunks split over block boundaries. */
const coreFile = read('f230dm6e');
/** A Python-written file (0.15.9). */
const pythonFile = read('tlc2uulp');

type Chunk = {offset: number; type: number; length: number};
/** Walks the chunk headers of a well-formed file (test oracle, deliberately naive). */
function chunksOf(bytes: Uint8Array): Chunk[] {
	const chunks: Chunk[] = [];
	let pos = 7;
	while (pos + 7 <= bytes.length) {
		const left = BLOCK_SIZE - (pos % BLOCK_SIZE);
		if (left < 7) {
			pos += left;
			continue;
		}
		const length = bytes[pos + 4] | (bytes[pos + 5] << 8);
		if (pos + 7 + length > bytes.length) break;
		chunks.push({offset: pos, type: bytes[pos + 6], length});
		pos += 7 + length;
	}
	return chunks;
}

function same(a: Uint8Array[], b: Uint8Array[]): boolean {
	return a.length === b.length && a.every((x, i) => Buffer.compare(Buffer.from(x), Buffer.from(b[i])) === 0);
}

/** Decodes `bytes` as it would be seen growing: cut at `cut`, then resumed to the end. */
function decodeInTwo(bytes: Uint8Array, cut: number) {
	const first = decodeLog(bytes.subarray(0, cut));
	const second = decodeLog(bytes.subarray(first.nextOffset), first.next);
	return {first, second, records: [...first.records, ...second.records], offsets: [...first.recordOffsets, ...second.recordOffsets]};
}

/** Feeds `bytes` to a decoder in growing pieces, re-reading from the returned offset each time. */
function decodeGrowing(bytes: Uint8Array, sizes: number[]) {
	let state: DecodeState = INITIAL_STATE;
	const records: Uint8Array[] = [];
	const offsets: number[] = [];
	let corrupt = 0;
	for (const size of [...sizes, bytes.length]) {
		if (size < state.offset) continue;
		const result = decodeLog(bytes.subarray(state.offset, size), state);
		records.push(...result.records);
		offsets.push(...result.recordOffsets);
		corrupt += result.corrupt;
		state = result.next;
	}
	return {records, offsets, corrupt, state};
}

describe('file header', () => {
	it('a 0-byte file has no records, no error, and nothing torn', () => {
		const result = decodeLog(new Uint8Array(0));
		expect(result).toMatchObject({records: [], nextOffset: 0, corrupt: 0, tail: 'clean'});
		expect(result.headerError).toBeUndefined();
	});

	it('a header still being written is waited for, not an error', () => {
		for (let n = 1; n < 7; n++) {
			const result = decodeLog(FILE_HEADER.subarray(0, n));
			expect(result.headerError).toBeUndefined();
			expect(result).toMatchObject({records: [], nextOffset: 0, tail: 'partial'});
		}
		expect(decodeLog(FILE_HEADER)).toMatchObject({records: [], nextOffset: 7, tail: 'clean'});
	});

	it('a file that is not a wandb log gets a clear error instead of a throw', () => {
		const zip = decodeLog(Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00));
		expect(zip.headerError).toMatch(/not a W&B run log.*:W&B.*50 4b 03 04/);
		expect(zip.records).toEqual([]);
		const text = decodeLog(new TextEncoder().encode('{"loss": 1}\n'));
		expect(text.headerError).toMatch(/not a W&B run log/);
		// Wrong in the first bytes already: no need to wait for all 7.
		expect(decodeLog(Uint8Array.of(0x7b)).headerError).toMatch(/not a W&B run log/);
		const version = FILE_HEADER.slice();
		version[6] = 1;
		expect(decodeLog(version).headerError).toMatch(/version 1/);
	});
});

describe('CRC-32', () => {
	it('matches the worked example of the format doc (first chunk of dz01opvs)', () => {
		const bytes = read('dz01opvs');
		expect(Array.from(bytes.subarray(7, 14))).toEqual([0x71, 0x8f, 0xd0, 0x22, 0x37, 0x00, 0x01]);
		expect(crc32(bytes.subarray(13, 14 + 55))).toBe(0x22d08f71);
	});

	it('the table fallback agrees with zlib', () => {
		const random = rng(7);
		for (const size of [0, 1, 7, 100, 4096]) {
			const data = Uint8Array.from({length: size}, () => Math.floor(random() * 256));
			expect(tableCrc32(data)).toBe(crc32(data));
		}
	});
});

describe('real files', () => {
	it.each(binaryRuns.map(run => [run.dir, run] as const))('%s: chunk layout is what the decoder expects', (_name, run) => {
		// Every record the decoder returns corresponds to a FULL or FIRST chunk of the naive walk.
		const bytes = new Uint8Array(fs.readFileSync(logFileOf(run.path)));
		const starts = chunksOf(bytes).filter(c => c.type === CHUNK_FULL || c.type === CHUNK_FIRST);
		const result = decodeLog(bytes);
		const complete = run.tail === 'clean' ? starts : starts.filter(c => c.offset < result.nextOffset);
		expect(result.recordOffsets).toEqual(complete.map(c => c.offset));
		expect(result.nextOffset === bytes.length).toBe(run.tail === 'clean');
	});

	it('a Python file cut at every byte across its first 5 records resumes to the same records, once', () => {
		const all = decodeLog(pythonFile);
		const end = all.recordOffsets[5];
		let seen = 0;
		for (let cut = 0; cut <= end + 1; cut++) {
			const {first, records, offsets} = decodeInTwo(pythonFile, cut);
			expect(same(records, all.records), `cut ${cut}`).toBe(true);
			expect(offsets).toEqual(all.recordOffsets);
			expect(first.corrupt).toBe(0);
			expect(first.headerError).toBeUndefined();
			// Records only ever appear as the cut moves on; a cut inside a record leaves a partial tail.
			expect(first.records.length).toBeGreaterThanOrEqual(seen);
			seen = first.records.length;
			expect(first.tail).toBe(first.nextOffset < cut ? 'partial' : 'clean');
		}
		expect(seen).toBe(5);
	});

	it('a core file cut at every byte across a 32 KiB boundary resumes to the same records, once', () => {
		const all = decodeLog(coreFile);
		// The first record that starts in block 0 and ends in block 1 (FIRST … LAST).
		const i = all.recordOffsets.findIndex((offset, k) => offset < BLOCK_SIZE && all.recordOffsets[k + 1] > BLOCK_SIZE);
		expect(i).toBeGreaterThan(0);
		const chunkTypes = chunksOf(coreFile).filter(c => c.offset >= all.recordOffsets[i] && c.offset < all.recordOffsets[i + 1]).map(c => c.type);
		expect(chunkTypes).toEqual([CHUNK_FIRST, CHUNK_LAST]);
		// Work on a prefix that ends two records later, so each cut stays cheap.
		const prefix = coreFile.subarray(0, all.recordOffsets[i + 2]);
		const expected = decodeLog(prefix);
		for (let cut = all.recordOffsets[i] - 8; cut <= all.recordOffsets[i + 1] + 8; cut++) {
			const {first, records} = decodeInTwo(prefix, cut);
			expect(same(records, expected.records), `cut ${cut}`).toBe(true);
			if (cut > all.recordOffsets[i] && cut < all.recordOffsets[i + 1]) {
				// Mid-record, including a block-aligned cut between FIRST and LAST: wait at FIRST.
				expect(first.nextOffset).toBe(all.recordOffsets[i]);
				expect(first.tail).toBe('partial');
			}
		}
	});

	it('a core file cut across trailer padding resumes to the same records', () => {
		const chunks = chunksOf(coreFile);
		// A block whose last chunk leaves fewer than 7 bytes: the writer padded with zeros.
		const padded = chunks.find(c => {
			const end = c.offset + 7 + c.length;
			return BLOCK_SIZE - (end % BLOCK_SIZE) < 7 && end % BLOCK_SIZE !== 0;
		});
		expect(padded).toBeDefined();
		const end = padded!.offset + 7 + padded!.length;
		const all = decodeLog(coreFile);
		const next = all.recordOffsets.find(o => o > end)!;
		const prefix = coreFile.subarray(0, all.recordOffsets[all.recordOffsets.indexOf(next) + 1]);
		const expected = decodeLog(prefix);
		for (let cut = end - 20; cut <= next + 10; cut++) {
			expect(same(decodeInTwo(prefix, cut).records, expected.records), `cut ${cut}`).toBe(true);
		}
	});

	it.each(binaryRuns.map(run => [run.dir, run] as const))('%s: fed in random pieces, yields every record exactly once', (_name, run) => {
		const bytes = new Uint8Array(fs.readFileSync(logFileOf(run.path)));
		const all = decodeLog(bytes);
		const random = rng(bytes.length);
		const sizes: number[] = [];
		for (let size = 0; size < bytes.length; size += 1 + Math.floor(random() * 3000)) sizes.push(size);
		const grown = decodeGrowing(bytes, sizes);
		expect(same(grown.records, all.records)).toBe(true);
		expect(grown.offsets).toEqual(all.recordOffsets);
		expect(grown.corrupt).toBe(0);
		expect(grown.state.offset).toBe(all.nextOffset);
	});

	it('a live core file at a block multiple ends inside a record: it waits at that record', () => {
		const all = decodeLog(coreFile);
		const cut = 2 * BLOCK_SIZE;
		const result = decodeLog(coreFile.subarray(0, cut));
		const open = all.recordOffsets.filter(o => o < cut).at(-1)!;
		expect(result.tail).toBe('partial');
		expect(result.nextOffset).toBe(open);
		expect(result.records.length).toBe(all.recordOffsets.indexOf(open));
	});

	it('the LogDecoder wrapper counts across pushes', () => {
		const decoder = new LogDecoder();
		const first = decoder.push(pythonFile.subarray(0, 5000));
		const rest = decoder.push(pythonFile.subarray(decoder.offset));
		expect(first.length + rest.length).toBe(decodeLog(pythonFile).records.length);
		expect(decoder.tail).toBe('clean');
		expect(decoder.corruptChunks).toBe(0);
	});
});

describe('damage', () => {
	const all = decodeLog(coreFile);
	const chunks = chunksOf(coreFile);
	const block = (offset: number) => Math.floor(offset / BLOCK_SIZE);
	/** Records that survive losing everything from `from` to the end of its block. */
	const survivors = (from: number, recordStart = from) => {
		const nextBlock = (block(from) + 1) * BLOCK_SIZE;
		return all.records.filter((_, k) => all.recordOffsets[k] < recordStart || all.recordOffsets[k] >= nextBlock);
	};
	const flip = (offset: number) => {
		const copy = coreFile.slice();
		copy[offset] ^= 0x55;
		return copy;
	};

	it('a flipped byte in a FULL chunk mid-file: the rest of that block is skipped, counted once, later records read', () => {
		const target = chunks.find(c => c.type === CHUNK_FULL && block(c.offset) === 10 && c.offset % BLOCK_SIZE > 8000)!;
		const result = decodeLog(flip(target.offset + 7 + Math.floor(target.length / 2)));
		expect(result.corrupt).toBe(1);
		expect(result.tail).toBe('clean');
		const expected = survivors(target.offset);
		expect(expected.length).toBeLessThan(all.records.length);
		expect(same(result.records, expected)).toBe(true);
		// And at the event level the run still ends with its exit record.
		expect(decodeEvents(flip(target.offset + 7 + Math.floor(target.length / 2))).at(-1)?.type).toBe('exit');
	});

	it('a flipped byte in the LAST chunk of a split record drops that record and resyncs', () => {
		const last = chunks.find(c => c.type === CHUNK_LAST && block(c.offset) >= 5)!;
		const firstOffset = all.recordOffsets.filter(o => o < last.offset).at(-1)!;
		const result = decodeLog(flip(last.offset + 7));
		expect(result.corrupt).toBe(1);
		expect(same(result.records, survivors(last.offset, firstOffset))).toBe(true);
	});

	it('a chunk header with a bad type or a length past its block is skipped the same way', () => {
		const target = chunks.find(c => c.type === CHUNK_FULL && block(c.offset) === 12 && c.offset % BLOCK_SIZE > 1000)!;
		const badType = coreFile.slice();
		badType[target.offset + 6] = 9;
		const badLength = coreFile.slice();
		badLength[target.offset + 5] = 0xff;
		for (const bytes of [badType, badLength]) {
			const result = decodeLog(bytes);
			expect(result.corrupt).toBe(1);
			expect(same(result.records, survivors(target.offset))).toBe(true);
		}
	});

	it('damage is counted once when the file is read in pieces', () => {
		const target = chunks.find(c => c.type === CHUNK_FULL && block(c.offset) === 10 && c.offset % BLOCK_SIZE > 8000)!;
		const bytes = flip(target.offset + 9);
		const sizes = Array.from({length: 200}, (_, k) => Math.floor((bytes.length * k) / 200));
		const grown = decodeGrowing(bytes, sizes);
		expect(grown.corrupt).toBe(1);
		expect(same(grown.records, survivors(target.offset))).toBe(true);
	});

	it('a bad chunk that ends exactly at EOF is waited for (a write may be in progress)', () => {
		const target = chunks[20];
		const bytes = flip(target.offset + 7);
		const atEof = decodeLog(bytes.subarray(0, target.offset + 7 + target.length));
		expect(atEof.corrupt).toBe(0);
		expect(atEof.tail).toBe('partial');
		expect(atEof.nextOffset).toBe(target.offset);
		// With bytes after it, the same chunk is damage.
		expect(decodeLog(bytes.subarray(atEof.nextOffset), atEof.next).corrupt).toBe(1);
		// Likewise a garbled chunk header that is the last 7 bytes.
		const garbled = coreFile.slice(0, target.offset + 7);
		garbled[target.offset + 6] = 0x7f;
		expect(decodeLog(garbled)).toMatchObject({corrupt: 0, tail: 'partial', nextOffset: target.offset});
	});
});

describe('synthetic framing (writer → reader)', () => {
	const payload = (size: number, seed: number) => {
		const random = rng(seed);
		return Uint8Array.from({length: size}, () => 1 + Math.floor(random() * 255));
	};
	const layout = (bytes: Uint8Array) => chunksOf(bytes).map(c => [c.type, c.length]);

	it('splits a big record into FIRST, MIDDLE…, LAST and joins it back', () => {
		const big = payload(3 * BLOCK_SIZE + 100, 1);
		const bytes = encodeFraming([payload(10, 2), big, payload(20, 3)]);
		expect(layout(bytes).map(([type]) => type)).toEqual([CHUNK_FULL, CHUNK_FIRST, CHUNK_MIDDLE, CHUNK_MIDDLE, CHUNK_LAST, CHUNK_FULL]);
		const result = decodeLog(bytes);
		expect(result.corrupt).toBe(0);
		expect(same(result.records, [payload(10, 2), big, payload(20, 3)])).toBe(true);
		for (let cut = 0; cut <= bytes.length; cut += 97) expect(same(decodeInTwo(bytes, cut).records, result.records)).toBe(true);
	});

	it('writes a 0-length FIRST chunk when exactly 7 bytes are left in a block, and reads it', () => {
		// Header (7) + chunk header (7) + n = 32768 - 7  →  exactly 7 bytes left after the first record.
		const filler = payload(BLOCK_SIZE - 21, 4);
		const records = [filler, payload(50, 5), payload(0, 6)];
		const bytes = encodeFraming(records);
		expect(layout(bytes)).toEqual([
			[CHUNK_FULL, filler.length],
			[CHUNK_FIRST, 0],
			[CHUNK_LAST, 50],
			[CHUNK_FULL, 0],
		]);
		const result = decodeLog(bytes);
		expect(same(result.records, records)).toBe(true);
		for (let cut = BLOCK_SIZE - 20; cut <= bytes.length; cut++) expect(same(decodeInTwo(bytes, cut).records, records)).toBe(true);
	});

	it('pads with zeros when fewer than 7 bytes are left, for every such gap', () => {
		for (let gap = 1; gap < 7; gap++) {
			const filler = payload(BLOCK_SIZE - 21 + (7 - gap), gap);
			const records = [filler, payload(30, 10 + gap)];
			const bytes = encodeFraming(records);
			expect(Array.from(bytes.subarray(BLOCK_SIZE - gap, BLOCK_SIZE))).toEqual(new Array(gap).fill(0));
			expect(chunksOf(bytes)[1].offset).toBe(BLOCK_SIZE);
			for (let cut = BLOCK_SIZE - 10; cut <= bytes.length; cut++) expect(same(decodeInTwo(bytes, cut).records, records)).toBe(true);
		}
	});

	it('an all-zero chunk header skips the rest of its block, and waits when the zeros reach EOF', () => {
		const one = encodeFraming([payload(100, 1)]);
		const bytes = new Uint8Array(BLOCK_SIZE + 200);
		bytes.set(one);
		// Zero fill to the end of block 0, then a record at the start of block 1.
		const next = encodeFraming([payload(100, 2)]).subarray(7);
		bytes.set(next, BLOCK_SIZE);
		const whole = decodeLog(bytes.subarray(0, BLOCK_SIZE + next.length));
		expect(whole.corrupt).toBe(0);
		expect(same(whole.records, [payload(100, 1), payload(100, 2)])).toBe(true);
		const waiting = decodeLog(bytes.subarray(0, 5000));
		expect(waiting.records.length).toBe(1);
		expect(waiting.nextOffset).toBe(one.length);
		expect(waiting.tail).toBe('partial');
	});

	it('a continuation without its start, or a start without its end, is counted and skipped', () => {
		const big = payload(BLOCK_SIZE + 10, 3);
		const bytes = encodeFraming([payload(10, 1), big, payload(10, 2)]);
		const [, first, last, full] = chunksOf(bytes);
		// Turn the FIRST into a FULL-less orphan: change its type to MIDDLE (CRC fixed up).
		const orphan = bytes.slice();
		orphan[first.offset + 6] = CHUNK_MIDDLE;
		fixCrc(orphan, first);
		const a = decodeLog(orphan);
		expect(a.corrupt).toBe(1);
		expect(same(a.records, [payload(10, 1), payload(10, 2)])).toBe(true);
		// Turn the LAST into a FULL: the open record is cut short.
		const cutShort = bytes.slice();
		cutShort[last.offset + 6] = CHUNK_FULL;
		fixCrc(cutShort, last);
		const b = decodeLog(cutShort);
		expect(b.corrupt).toBe(1);
		expect(b.records.length).toBe(3);
		expect(full.type).toBe(CHUNK_FULL);
	});

	it('refuses a record above the size cap, counts it, and reads on', () => {
		const records = [payload(10, 1), payload(BLOCK_SIZE * 2, 2), payload(10, 3)];
		const result = decodeLog(encodeFraming(records), INITIAL_STATE, {maxRecordSize: BLOCK_SIZE});
		expect(result.corrupt).toBe(1);
		expect(same(result.records, [records[0], records[2]])).toBe(true);
	});

	it('reads the pre-0.17.6 core layout (blocks offset by the 7-byte header)', () => {
		const records = Array.from({length: 40}, (_, k) => payload(3000 + k * 37, k));
		records.push(payload(BLOCK_SIZE + 500, 99));
		const shifted = encodeFraming(records, {blockOrigin: 7});
		expect(Buffer.compare(Buffer.from(shifted), Buffer.from(encodeFraming(records)))).not.toBe(0);
		const result = decodeLog(shifted);
		expect(result.corrupt).toBe(0);
		expect(result.next.blockOrigin).toBe(7);
		expect(same(result.records, records)).toBe(true);
		const sizes = Array.from({length: 60}, (_, k) => Math.floor((shifted.length * k) / 60));
		const grown = decodeGrowing(shifted, sizes);
		expect(grown.corrupt).toBe(0);
		expect(same(grown.records, records)).toBe(true);
	});
});

function fixCrc(bytes: Uint8Array, chunk: Chunk): void {
	const crc = crc32(bytes.subarray(chunk.offset + 6, chunk.offset + 7 + chunk.length));
	new DataView(bytes.buffer, bytes.byteOffset).setUint32(chunk.offset, crc, true);
}
