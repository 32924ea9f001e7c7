/**
 * A small protobuf wire-format reader and writer, just enough for wandb `Record` messages.
 *
 * Why hand-written: we decode a handful of fields and skip everything else, 64-bit fields become
 * plain numbers (no `Long`), and every malformed input ends in one error type that the caller
 * turns into "skip this record" (doc §2.5 rule 7).
 */

/** Wire types that occur in proto3 (groups 3/4 are obsolete and treated as malformed). */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

/** Thrown for truncated or malformed protobuf input. */
export class ProtoError extends Error {
	override name = 'ProtoError';
}

const TWO_32 = 4294967296;

/** Reads protobuf fields from `buf[start, end)`. Methods throw {@link ProtoError} past `end`. */
export class ProtoReader {
	pos: number;
	readonly end: number;
	private readonly buf: Uint8Array;
	/** Low and high 32 bits of the last varint read by `varint64`. */
	private lo = 0;
	private hi = 0;

	constructor(buf: Uint8Array, start = 0, end = buf.length) {
		this.buf = buf;
		this.pos = start;
		this.end = end;
	}

	/** True when every byte has been read. */
	get done(): boolean {
		return this.pos >= this.end;
	}

	/** Reads a field tag; `tag >>> 3` is the field number, `tag & 7` the wire type. */
	tag(): number {
		const tag = this.uint32();
		if (tag >>> 3 === 0) throw new ProtoError(`invalid field number 0 at ${this.pos}`);
		return tag;
	}

	/** Reads a varint and returns its low 32 bits as an unsigned number. */
	uint32(): number {
		// Fast path: one byte (tags, short lengths, small enums).
		if (this.pos < this.end) {
			const b = this.buf[this.pos];
			if (b < 0x80) {
				this.pos++;
				return b;
			}
		}
		this.varint64();
		return this.lo >>> 0;
	}

	/** Reads an `int32`: negatives arrive as 10-byte varints; the low 32 bits carry the value. */
	int32(): number {
		this.varint64();
		return this.lo | 0;
	}

	/** Reads an `int64` as a number (exact up to 2^53). */
	int64(): number {
		this.varint64();
		return (this.hi | 0) * TWO_32 + (this.lo >>> 0);
	}

	/** Reads a `uint64` as a number (exact up to 2^53). */
	uint64(): number {
		this.varint64();
		return (this.hi >>> 0) * TWO_32 + (this.lo >>> 0);
	}

	bool(): boolean {
		this.varint64();
		return this.lo !== 0 || this.hi !== 0;
	}

	double(): number {
		this.need(8);
		const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
		this.pos += 8;
		return view.getFloat64(0, true);
	}

	/** Reads a length prefix and returns `[start, end)` of the bytes, moving past them. */
	span(): [number, number] {
		const length = this.uint32();
		const start = this.pos;
		if (length > this.end - start) throw new ProtoError(`length ${length} runs past the end at ${start}`);
		this.pos = start + length;
		return [start, start + length];
	}

	/** Reads a length-delimited field as a reader over its bytes (for nested messages). */
	message(): ProtoReader {
		const [start, end] = this.span();
		return new ProtoReader(this.buf, start, end);
	}

	/** Reads a length-delimited field as a UTF-8 string (invalid bytes become U+FFFD). */
	string(): string {
		const [start, end] = this.span();
		return utf8(this.buf, start, end);
	}

	/** Skips the value of a field with the given wire type. */
	skip(wireType: number): void {
		switch (wireType) {
			case WIRE_VARINT:
				this.varint64();
				return;
			case WIRE_FIXED64:
				this.need(8);
				this.pos += 8;
				return;
			case WIRE_BYTES:
				this.span();
				return;
			case WIRE_FIXED32:
				this.need(4);
				this.pos += 4;
				return;
			default:
				throw new ProtoError(`unsupported wire type ${wireType} at ${this.pos}`);
		}
	}

	private need(n: number): void {
		if (this.end - this.pos < n) throw new ProtoError(`truncated value at ${this.pos}`);
	}

	/** Reads a varint of up to 10 bytes into `lo`/`hi`. */
	private varint64(): void {
		const buf = this.buf;
		const end = this.end;
		let p = this.pos;
		let lo = 0;
		let hi = 0;
		let b: number;
		for (let shift = 0; shift < 28; shift += 7) {
			if (p >= end) throw new ProtoError(`truncated varint at ${this.pos}`);
			b = buf[p++];
			lo |= (b & 0x7f) << shift;
			if (b < 0x80) return this.setVarint(p, lo, hi);
		}
		if (p >= end) throw new ProtoError(`truncated varint at ${this.pos}`);
		b = buf[p++];
		lo |= (b & 0x0f) << 28;
		hi = (b & 0x7f) >> 4;
		if (b < 0x80) return this.setVarint(p, lo, hi);
		for (let shift = 3; shift < 32; shift += 7) {
			if (p >= end) throw new ProtoError(`truncated varint at ${this.pos}`);
			b = buf[p++];
			hi |= (b & 0x7f) << shift;
			if (b < 0x80) return this.setVarint(p, lo, hi);
		}
		throw new ProtoError(`varint longer than 10 bytes at ${this.pos}`);
	}

	private setVarint(p: number, lo: number, hi: number): void {
		this.pos = p;
		this.lo = lo;
		this.hi = hi;
	}
}

/**
 * Decodes UTF-8. Most strings in a run are short ASCII keys and numbers, for which building the
 * string by hand beats a native call; anything else goes to Buffer's decoder (no copy when the
 * bytes already live in a Buffer, as they do when read from a file).
 */
export function utf8(buf: Uint8Array, start: number, end: number): string {
	if (end - start <= 12) {
		let s = '';
		let i = start;
		for (; i < end; i++) {
			const b = buf[i];
			if (b >= 0x80) break;
			s += String.fromCharCode(b);
		}
		if (i === end) return s;
	}
	if (Buffer.isBuffer(buf)) return buf.toString('utf8', start, end);
	return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
}

/** google.protobuf.Timestamp → seconds since the epoch (float). */
export function decodeTimestamp(r: ProtoReader): number {
	let seconds = 0;
	let nanos = 0;
	while (!r.done) {
		const tag = r.tag();
		if (tag >>> 3 === 1 && (tag & 7) === 0) seconds = r.int64();
		else if (tag >>> 3 === 2 && (tag & 7) === 0) nanos = r.int32();
		else r.skip(tag & 7);
	}
	return seconds + nanos / 1e9;
}

const textEncoder = new TextEncoder();

/** Builds one protobuf message. Nested messages are built with their own writer. */
export class ProtoWriter {
	private chunks: number[] = [];
	private parts: Uint8Array[] = [];
	private size = 0;

	/** Writes a varint field. Negative numbers are written as 10-byte two's complement (int32/int64). */
	varintField(field: number, value: number | boolean): this {
		this.varint((field << 3) | WIRE_VARINT);
		this.varint(typeof value === 'boolean' ? (value ? 1 : 0) : value);
		return this;
	}

	/** Writes a length-delimited field holding a UTF-8 string. */
	stringField(field: number, value: string): this {
		return this.bytesField(field, textEncoder.encode(value));
	}

	/** Writes a length-delimited field holding raw bytes (or an encoded message). */
	bytesField(field: number, value: Uint8Array): this {
		this.varint((field << 3) | WIRE_BYTES);
		this.varint(value.length);
		this.flushChunks();
		this.parts.push(value);
		this.size += value.length;
		return this;
	}

	/** Writes a nested message field. */
	messageField(field: number, message: ProtoWriter): this {
		return this.bytesField(field, message.finish());
	}

	/** Writes a `double` field. */
	doubleField(field: number, value: number): this {
		this.varint((field << 3) | WIRE_FIXED64);
		const bytes = new Uint8Array(8);
		new DataView(bytes.buffer).setFloat64(0, value, true);
		this.flushChunks();
		this.parts.push(bytes);
		this.size += 8;
		return this;
	}

	/** Returns the encoded message. */
	finish(): Uint8Array {
		this.flushChunks();
		if (this.parts.length === 1) return this.parts[0];
		const out = new Uint8Array(this.size);
		let p = 0;
		for (const part of this.parts) {
			out.set(part, p);
			p += part.length;
		}
		return out;
	}

	private varint(value: number): void {
		if (value < 0) {
			// Two's complement over 64 bits: low word, then high word (all ones for small negatives).
			let lo = value >>> 0;
			let hi = Math.floor(value / TWO_32) >>> 0;
			for (let i = 0; i < 9; i++) {
				this.chunks.push((lo & 0x7f) | 0x80);
				lo = (lo >>> 7) | ((hi & 0x7f) << 25);
				hi >>>= 7;
			}
			this.chunks.push(lo & 0x01);
			return;
		}
		while (value >= 0x80) {
			this.chunks.push((value % 0x80) | 0x80);
			value = Math.floor(value / 0x80);
		}
		this.chunks.push(value);
	}

	private flushChunks(): void {
		if (this.chunks.length === 0) return;
		this.parts.push(Uint8Array.from(this.chunks));
		this.size += this.chunks.length;
		this.chunks = [];
	}
}
