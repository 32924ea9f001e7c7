/**
 * The `.wandb` framing (doc §2): a 7-byte file header, then a LevelDB-style log of 32 KiB blocks
 * counted from offset 0, each holding chunks `crc32:u32 | length:u16 | type:u8 | payload`.
 *
 * The decoder is pure and incremental. It is handed the file bytes from a resume point and returns
 * the complete records it found plus where the next read must start: the first byte of a record
 * that is not complete yet. Re-reading from there once the file has grown yields every record
 * exactly once, whatever sizes the pieces came in. Damage is skipped and counted, never thrown.
 */
import * as zlib from 'node:zlib';

export const BLOCK_SIZE = 32768;
export const CHUNK_HEADER_SIZE = 7;
export const FILE_HEADER_SIZE = 7;
/** `:W&B`, magic 0xBEE1 little-endian, version 0. */
export const FILE_HEADER = Uint8Array.of(0x3a, 0x57, 0x26, 0x42, 0xe1, 0xbe, 0x00);
/** Records larger than this are refused as corrupt (a real record is at most a few MiB). */
export const MAX_RECORD_SIZE = 64 * 1024 * 1024;

export const CHUNK_FULL = 1;
export const CHUNK_FIRST = 2;
export const CHUNK_MIDDLE = 3;
export const CHUNK_LAST = 4;

/** Where decoding resumes. Treat as opaque: pass back the `next` of the previous result. */
export type DecodeState = {
	/** File offset of the first byte of the buffer handed to the next call. */
	readonly offset: number;
	/** After corruption: skip MIDDLE/LAST chunks until a FULL or FIRST one. */
	readonly resyncing: boolean;
	/**
	 * Block origin: 0 normally; 7 for wandb-core < 0.17.6 files, whose writer left the file
	 * header out of its block accounting (doc §2.2). Detected on the fly, at the first chunk that
	 * crosses a block end of the usual layout (until then both layouts read alike); such a chunk is
	 * waited for until it is whole, as only its CRC tells the layouts apart.
	 */
	readonly blockOrigin: 0 | 7;
};

export const INITIAL_STATE: DecodeState = {offset: 0, resyncing: false, blockOrigin: 0};

export type DecodeResult = {
	/** Payloads of the complete records, in file order. They may alias the input buffer. */
	records: Uint8Array[];
	/** File offset of each record's first chunk header (stable; safe to cache). */
	recordOffsets: number[];
	/** Where the next read must start (the start of the first incomplete record, or the end). */
	nextOffset: number;
	/** State to pass to the next call; `next.offset === nextOffset`. */
	next: DecodeState;
	/** Corrupt chunks or records skipped in this call. */
	corrupt: number;
	/** `partial` when bytes past `nextOffset` were left for later (a torn or still-growing tail). */
	tail: 'clean' | 'partial';
	/** Set when the file header is wrong: the file is not a wandb log. Nothing else is decoded. */
	headerError?: string;
	/**
	 * Every chunk ending at or before this file offset passed its CRC check (or was skipped). A
	 * reader that hands the same bytes again (an unfinished record, kept in memory while it grows)
	 * passes it back as `options.verifiedEnd`, so a 64 MiB record is not re-checked on each piece.
	 */
	verifiedEnd: number;
};

/** CRC-32 (IEEE, zlib's) of `data`. Node ≥ 20.15 has `zlib.crc32`; older Nodes use a table. */
export const crc32: (data: Uint8Array) => number =
	typeof zlib.crc32 === 'function' ? data => zlib.crc32(data) : tableCrc32;

let crcTable: Uint32Array | null = null;
/** The table-driven CRC-32 used where `zlib.crc32` is missing (exported for tests). */
export function tableCrc32(data: Uint8Array): number {
	if (crcTable === null) {
		crcTable = new Uint32Array(256);
		for (let n = 0; n < 256; n++) {
			let c = n;
			for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
			crcTable[n] = c >>> 0;
		}
	}
	let crc = 0xffffffff;
	for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
	return (crc ^ 0xffffffff) >>> 0;
}

/** Checks the 7-byte file header; returns an error message, or null when it is right. */
export function checkFileHeader(header: Uint8Array): string | null {
	const n = Math.min(header.length, FILE_HEADER_SIZE);
	for (let i = 0; i < n; i++) {
		if (header[i] === FILE_HEADER[i]) continue;
		if (i < 6) {
			const found = Array.from(header.subarray(0, n), b => b.toString(16).padStart(2, '0')).join(' ');
			return `not a W&B run log: expected the header ":W&B" e1 be 00, found ${found}`;
		}
		return `unsupported W&B run log version ${header[6]} (only version 0 exists)`;
	}
	return null;
}

/**
 * Decodes the complete records in `buf`, which holds the file's bytes from `state.offset` on.
 * `buf` may end anywhere (a torn write, a capped read): an incomplete record is left for the next
 * call, which must pass `result.next` and bytes from `result.nextOffset`. A damaged chunk is
 * counted and the rest of its block skipped, unless it is the last thing in `buf` (then it may be
 * a write in progress, and is waited for). `options.maxRecordSize` is for tests; `options.verifiedEnd`
 * is a previous result's `verifiedEnd` for these same bytes (their CRCs are not checked again).
 */
export function decodeLog(buf: Uint8Array, state: DecodeState = INITIAL_STATE, options: {maxRecordSize?: number; verifiedEnd?: number} = {}): DecodeResult {
	const maxRecordSize = options.maxRecordSize ?? MAX_RECORD_SIZE;
	const verifiedEnd = options.verifiedEnd ?? 0;
	const base = state.offset;
	const end = base + buf.length;
	const records: Uint8Array[] = [];
	const recordOffsets: number[] = [];
	let corrupt = 0;
	let resyncing = state.resyncing;
	let origin = state.blockOrigin;
	let pos = base;

	if (base === 0) {
		const headerError = checkFileHeader(buf);
		if (headerError !== null) {
			return {records, recordOffsets, nextOffset: 0, next: state, corrupt, tail: 'partial', headerError, verifiedEnd: 0};
		}
		if (buf.length < FILE_HEADER_SIZE) {
			// Nothing yet, or a header still being written: wait.
			return {records, recordOffsets, nextOffset: 0, next: state, corrupt, tail: buf.length === 0 ? 'clean' : 'partial', verifiedEnd: 0};
		}
		pos = FILE_HEADER_SIZE;
	}

	// The record being reassembled from FIRST/MIDDLE chunks.
	let recordStart = -1;
	let parts: Uint8Array[] = [];
	let partsSize = 0;
	const dropOpenRecord = () => {
		recordStart = -1;
		parts = [];
		partsSize = 0;
	};
	const markCorrupt = () => {
		corrupt++;
		dropOpenRecord();
		resyncing = true;
	};
	const blockLeft = (at: number) => BLOCK_SIZE - ((at - origin) % BLOCK_SIZE);

	while (pos < end) {
		const left = blockLeft(pos);
		if (left < CHUNK_HEADER_SIZE) {
			// Trailer padding: skipped only once all of it is there (doc §2.5 rule 3), because in a
			// wrongly aligned (pre-0.17.6 core) file these bytes are the start of a chunk instead.
			if (pos + left > end) break;
			if (origin === 0 && !allZero(buf, pos - base, pos + left - base)) {
				const shift = tryShift(buf, base, pos);
				if (shift === 'wait') break;
				if (shift === 'yes') {
					origin = 7;
					continue;
				}
			}
			pos += left;
			continue;
		}
		if (end - pos < CHUNK_HEADER_SIZE) break; // torn chunk header: wait
		const i = pos - base;
		const length = buf[i + 4] | (buf[i + 5] << 8);
		const type = buf[i + 6];
		if (type === 0 && length === 0 && readU32(buf, i) === 0) {
			// All-zero header: the rest of the block is zero fill (Go reader's rule). At EOF it only
			// means "no more data yet", so wait rather than jump past bytes still to be written.
			if (origin === 0) {
				const shift = tryShift(buf, base, pos);
				if (shift === 'wait') break;
				if (shift === 'yes') {
					origin = 7;
					continue;
				}
			}
			if (pos + left >= end) break;
			if (recordStart >= 0) markCorrupt();
			pos += left;
			continue;
		}
		if (type < CHUNK_FULL || type > CHUNK_LAST || CHUNK_HEADER_SIZE + length > left) {
			if (origin === 0 && type >= CHUNK_FULL && type <= CHUNK_LAST) {
				// Too long for this block, but maybe not for the old layout's block, which ends 7
				// bytes later. Until that chunk is all written its CRC cannot tell: wait for it
				// (marking it corrupt would skip the block and lose the alignment for good).
				const shift = tryShift(buf, base, pos);
				if (shift === 'wait') break;
				if (shift === 'yes') {
					origin = 7;
					continue;
				}
			}
			if (pos + CHUNK_HEADER_SIZE === end) break; // a bad header as the last bytes: maybe mid-write
			markCorrupt();
			pos += left;
			continue;
		}
		const chunkEnd = pos + CHUNK_HEADER_SIZE + length;
		if (chunkEnd > end) break; // torn payload: wait
		if (chunkEnd > verifiedEnd && crc32(buf.subarray(i + 6, i + CHUNK_HEADER_SIZE + length)) !== readU32(buf, i)) {
			// A bad chunk that ends exactly at EOF may be a write in progress: wait for more bytes.
			if (chunkEnd === end) break;
			markCorrupt();
			pos += left;
			continue;
		}
		const payload = buf.subarray(i + CHUNK_HEADER_SIZE, i + CHUNK_HEADER_SIZE + length);
		switch (type) {
			case CHUNK_FULL:
				if (recordStart >= 0) corrupt++; // an unfinished record was cut short
				dropOpenRecord();
				records.push(payload);
				recordOffsets.push(pos);
				resyncing = false;
				break;
			case CHUNK_FIRST:
				if (recordStart >= 0) corrupt++;
				dropOpenRecord();
				recordStart = pos;
				parts.push(payload);
				partsSize = length;
				resyncing = false;
				break;
			default: // MIDDLE or LAST
				if (recordStart < 0) {
					// A continuation without its start: expected right after a resync, else damage.
					if (!resyncing) {
						corrupt++;
						resyncing = true;
					}
					break;
				}
				parts.push(payload);
				partsSize += length;
				if (partsSize > maxRecordSize) {
					markCorrupt();
					break;
				}
				if (type === CHUNK_LAST) {
					records.push(concat(parts, partsSize));
					recordOffsets.push(recordStart);
					dropOpenRecord();
				}
		}
		pos = chunkEnd;
	}

	const nextOffset = recordStart >= 0 ? recordStart : pos;
	// Resuming at an open record's FIRST chunk must not skip it as a resync leftover.
	const next: DecodeState = {offset: nextOffset, resyncing: recordStart >= 0 ? false : resyncing, blockOrigin: origin};
	return {records, recordOffsets, nextOffset, next, corrupt, tail: nextOffset < end ? 'partial' : 'clean', verifiedEnd: pos};
}

/**
 * Where to start decoding to read a log from `offset` on without the bytes before it (the end of
 * a long log, doc §2.5): the start of the block holding `offset`, entered resyncing, so the
 * MIDDLE/LAST chunks of a record begun in an earlier block are skipped, not counted as damage,
 * until a FULL or FIRST chunk starts a record. Blocks are counted from `blockOrigin` (7 for the
 * old wandb-core layout: take it from a decode of the file's start, `result.next.blockOrigin`).
 * In block 0 this is the file's start: the header is checked and nothing is skipped.
 */
export function blockStartState(offset: number, blockOrigin: 0 | 7 = 0): DecodeState {
	const block = Math.floor((offset - blockOrigin) / BLOCK_SIZE);
	if (block <= 0) return {...INITIAL_STATE, blockOrigin};
	return {offset: blockOrigin + block * BLOCK_SIZE, resyncing: true, blockOrigin};
}

function readU32(buf: Uint8Array, i: number): number {
	return (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24)) >>> 0;
}

function allZero(buf: Uint8Array, from: number, to: number): boolean {
	for (let i = from; i < to; i++) if (buf[i] !== 0) return false;
	return true;
}

/**
 * Whether a valid chunk (type, length and CRC) sits at `pos` when blocks are counted from byte 7:
 * 'yes', 'no', or 'wait' when its header and length fit that layout but its bytes run past the
 * end of `buf` (a chunk still being written, whose CRC cannot be checked yet).
 */
function tryShift(buf: Uint8Array, base: number, pos: number): 'yes' | 'no' | 'wait' {
	const end = base + buf.length;
	let at = pos;
	const left = BLOCK_SIZE - ((at - 7) % BLOCK_SIZE);
	if (left < CHUNK_HEADER_SIZE) {
		// Under the shifted layout this is trailer padding: the next chunk must be valid.
		if (!allZero(buf, at - base, Math.min(at + left, end) - base)) return 'no';
		at += left;
	}
	if (end - at < CHUNK_HEADER_SIZE) return 'wait';
	const i = at - base;
	const length = buf[i + 4] | (buf[i + 5] << 8);
	const type = buf[i + 6];
	const shiftedLeft = BLOCK_SIZE - ((at - 7) % BLOCK_SIZE);
	if (type < CHUNK_FULL || type > CHUNK_LAST || CHUNK_HEADER_SIZE + length > shiftedLeft) return 'no';
	if (at + CHUNK_HEADER_SIZE + length > end) return 'wait';
	return crc32(buf.subarray(i + 6, i + CHUNK_HEADER_SIZE + length)) === readU32(buf, i) ? 'yes' : 'no';
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
	// A Buffer, like the payloads sliced from a file read, so strings decode without a copy.
	const out = Buffer.allocUnsafe(size);
	let p = 0;
	for (const part of parts) {
		out.set(part, p);
		p += part.length;
	}
	return out;
}

/**
 * Stateful wrapper around {@link decodeLog} for a reader that re-reads from `offset` each time.
 * Counts corruption across calls.
 */
export class LogDecoder {
	state: DecodeState = INITIAL_STATE;
	corruptChunks = 0;
	tail: 'clean' | 'partial' = 'clean';
	headerError: string | null = null;

	/** File offset the next `push` must start at. */
	get offset(): number {
		return this.state.offset;
	}

	/** Decodes `bytes`, which must be the file's bytes starting at {@link offset}. */
	push(bytes: Uint8Array): Uint8Array[] {
		const result = decodeLog(bytes, this.state);
		this.state = result.next;
		this.corruptChunks += result.corrupt;
		this.tail = result.tail;
		this.headerError = result.headerError ?? null;
		return result.records;
	}
}
