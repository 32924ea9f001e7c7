/**
 * The old wandb-core layout (< 0.17.6: blocks counted from byte 7, doc §2.2) cut anywhere. Its
 * chunks look the same as the usual layout's until one crosses a multiple of 32768, so a decoder
 * can only tell the two apart once that chunk is whole. A read that ends before must wait, not
 * take the chunk for damage (found by test/fuzz/growing-files.test.ts).
 */
import {describe, expect, it} from 'vitest';
import {BLOCK_SIZE, decodeLog, INITIAL_STATE, type DecodeState} from '../../source/decode/log-framing.js';
import {encodeFraming} from '../../source/demo/writer.js';

function payload(length: number, seed: number): Uint8Array {
	const out = new Uint8Array(length);
	for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 7 + 1) & 0xff;
	return out;
}

const smalls = (n: number, seed: number) => Array.from({length: n}, (_, k) => payload(40 + ((k * 53) % 300), seed + k));

/** Layouts that meet each way the first block ends under origin 7 (its last chunk ends at 32775). */
const layouts: Record<string, Uint8Array[]> = {
	// The fuzz case: a record bigger than the rest of block 0 (its FIRST chunk runs to 32775).
	'a FIRST chunk crossing 32768': [...smalls(5, 0), payload(40 * 1024, 5), ...smalls(400, 6)],
	// A chunk ends at 32763, both layouts agree; under origin 0 the next 5 bytes are trailer
	// padding, but there the old layout holds a 3-byte FULL chunk, then 2 bytes of its padding.
	'a small chunk where origin 0 has trailer padding': [payload(32749, 1), payload(3, 2), ...smalls(400, 3)],
	// The same, the chunk in the trailer a 5-byte FIRST.
	'a FIRST chunk where origin 0 has trailer padding': [payload(32749, 1), payload(100, 2), ...smalls(400, 3)],
	// A FULL chunk ending at 32770, then origin 7's trailer padding.
	'a FULL chunk crossing 32768, then padding': [payload(32756, 1), ...smalls(400, 2)],
	// A chunk ends at 32768: origin 7 puts a 0-length FIRST there, valid under both; they differ
	// only at the next block.
	'a 0-length FIRST at 32768': [payload(32754, 1), payload(2000, 2), ...smalls(400, 3)],
};

function same(a: Uint8Array[], b: Uint8Array[]): boolean {
	return a.length === b.length && a.every((x, i) => Buffer.compare(Buffer.from(x), Buffer.from(b[i])) === 0);
}

/** Decodes `bytes` cut at each of `cuts` in turn, resuming where the previous call said. */
function decodeCut(bytes: Uint8Array, cuts: number[]) {
	let state: DecodeState = INITIAL_STATE;
	const records: Uint8Array[] = [];
	const offsets: number[] = [];
	let corrupt = 0;
	for (const cut of [...cuts, bytes.length]) {
		if (cut < state.offset) continue;
		const result = decodeLog(bytes.subarray(state.offset, cut), state);
		records.push(...result.records);
		offsets.push(...result.recordOffsets);
		corrupt += result.corrupt;
		state = result.next;
	}
	return {records, offsets, corrupt, state};
}

describe.each(Object.entries(layouts))('block origin 7, %s', (_name, records) => {
	const bytes = encodeFraming(records, {blockOrigin: 7});
	const whole = decodeLog(bytes);

	it('read whole: every record, no damage, origin 7', () => {
		expect(whole.corrupt).toBe(0);
		expect(whole.next.blockOrigin).toBe(7);
		expect(same(whole.records, records)).toBe(true);
	});

	it('cut once anywhere (every byte near a block end): the same records, no damage', () => {
		const cuts: number[] = [];
		const nearBlockEnd = (at: number) => at % BLOCK_SIZE > BLOCK_SIZE - 300 || at % BLOCK_SIZE < 300;
		for (let cut = 8; cut < bytes.length; cut += nearBlockEnd(cut) ? 1 : 97) cuts.push(cut);
		for (const cut of cuts) {
			const got = decodeCut(bytes, [cut]);
			expect(got.corrupt, `cut ${cut}`).toBe(0);
			expect(got.offsets, `cut ${cut}`).toEqual(whole.recordOffsets);
			expect(got.state.blockOrigin, `cut ${cut}`).toBe(7);
		}
		expect(same(decodeCut(bytes, [BLOCK_SIZE + 3]).records, records)).toBe(true);
	});

	it('grown in many small pieces: the same records, no damage', () => {
		const cuts: number[] = [];
		for (let cut = 1, k = 0; cut < bytes.length; cut += 1 + ((k++ * 7919) % 1500)) cuts.push(cut);
		const got = decodeCut(bytes, cuts);
		expect(got.corrupt).toBe(0);
		expect(got.offsets).toEqual(whole.recordOffsets);
		expect(same(got.records, records)).toBe(true);
	});
});

describe('block origin 0, cut inside trailer padding', () => {
	it('waits for the whole trailer, then reads on', () => {
		const records = [payload(32749, 1), payload(3, 2), payload(50, 3)];
		const bytes = encodeFraming(records);
		// The first record ends at 32763; 5 zero bytes of padding follow.
		for (let cut = 32763; cut <= BLOCK_SIZE; cut++) {
			const first = decodeLog(bytes.subarray(0, cut));
			expect(first.records.length).toBe(1);
			const waits = cut > 32763 && cut < BLOCK_SIZE;
			expect(first.nextOffset).toBe(waits ? 32763 : cut);
			expect(first.tail).toBe(waits ? 'partial' : 'clean');
			const got = decodeCut(bytes, [cut]);
			expect(got.corrupt).toBe(0);
			expect(same(got.records, records)).toBe(true);
		}
	});
});
