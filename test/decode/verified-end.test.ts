/**
 * decodeLog's `verifiedEnd`: a reader that keeps an unfinished record's bytes and decodes them
 * again as they grow passes back where CRCs were already checked. The result must be the same as
 * checking everything again, for real files grown in any pieces, damage included.
 */
import * as fs from 'node:fs';
import {describe, expect, it} from 'vitest';
import {decodeLog, INITIAL_STATE, type DecodeState} from '../../source/decode/log-framing.js';
import {encodeFraming, encodeHeader, encodeHistory} from '../../source/demo/writer.js';
import {logFileOf, readManifest, rng} from '../helpers/run-files.js';

type Summary = {records: string[]; offsets: number[]; corrupt: number; state: DecodeState};

/** Grows `bytes` in `pieces`, holding the undecoded bytes like RunReader does; with or without verifiedEnd. */
function grow(bytes: Uint8Array, pieces: number[], useVerified: boolean): Summary {
	let state: DecodeState = INITIAL_STATE;
	let verifiedEnd = 0;
	const out: Summary = {records: [], offsets: [], corrupt: 0, state};
	for (const end of [...pieces, bytes.length]) {
		if (end < state.offset) continue;
		const result = decodeLog(bytes.subarray(state.offset, end), state, useVerified ? {verifiedEnd} : {});
		for (const record of result.records) out.records.push(Buffer.from(record).toString('base64'));
		out.offsets.push(...result.recordOffsets);
		out.corrupt += result.corrupt;
		state = result.next;
		verifiedEnd = result.verifiedEnd;
		// Past `end` only where damage skips the rest of its block (state.offset goes there too).
		expect(verifiedEnd).toBeGreaterThanOrEqual(state.offset);
		if (verifiedEnd > end) expect(state.offset).toBe(verifiedEnd);
	}
	out.state = state;
	return out;
}

const binary = readManifest().filter(run => run.format === 'binary');

describe('verifiedEnd', () => {
	it.each(['f230dm6e', 'tlc2uulp', '7exzgvj1', 'dz01opvs'])('%s grown in random pieces: the same records with and without it', id => {
		const bytes = new Uint8Array(fs.readFileSync(logFileOf(binary.find(run => run.dir.includes(id))!.path)));
		const random = rng(bytes.length);
		const pieces: number[] = [];
		for (let at = 0; at < bytes.length; ) pieces.push((at += 1 + Math.floor(random() * 20_000)));
		expect(grow(bytes, pieces, true)).toEqual(grow(bytes, pieces, false));
	});

	it('a big record arriving in small pieces, with damage after it: the same result', () => {
		const bytes = encodeFraming([encodeHeader(), encodeHistory({step: 0, values: {text: 'z'.repeat(200_000)}}), encodeHistory({step: 1, values: {a: 1}}), encodeHistory({step: 2, values: {a: 2}})]);
		const damaged = Uint8Array.from(bytes);
		damaged[damaged.length - 30] ^= 0xff; // inside the last record
		const pieces = Array.from({length: Math.ceil(damaged.length / 4096)}, (_, i) => i * 4096);
		const withIt = grow(damaged, pieces, true);
		expect(withIt).toEqual(grow(damaged, pieces, false));
		const whole = decodeLog(damaged);
		expect(withIt.records).toHaveLength(whole.records.length);
		expect(withIt.corrupt).toBeGreaterThan(0);
	});
});
