import {describe, expect, it} from 'vitest';
import {AxisColumn, Series} from '../../source/state/series.js';
import {prng as random} from '../helpers/prng.js';


describe('Series', () => {
	it('keeps every point while it has room', () => {
		const s = new Series(8);
		for (let i = 0; i < 7; i++) s.append(i * 10, i * i);
		const b = s.buckets();
		expect(b.length).toBe(7);
		expect(Array.from(b.rowFirst)).toEqual([0, 10, 20, 30, 40, 50, 60]);
		expect(Array.from(b.min)).toEqual([0, 1, 4, 9, 16, 25, 36]);
		expect(Array.from(b.last)).toEqual([0, 1, 4, 9, 16, 25, 36]);
		expect(s.pointsPerBucket).toBe(1);
	});

	it('merges into buckets whose aggregates match the raw points they cover', () => {
		const rand = random(7);
		const s = new Series(16);
		const rows: number[] = [];
		const values: number[] = [];
		let row = 0;
		for (let i = 0; i < 1000; i++) {
			row += 1 + Math.floor(rand() * 3);
			const r = rand();
			const v = r < 0.05 ? Number.NaN : r < 0.07 ? Infinity : r < 0.08 ? -Infinity : rand() * 100 - 50;
			rows.push(row);
			values.push(v);
			s.append(row, v);
			const n = s.buckets().length;
			if (i >= 16) {
				expect(n).toBeGreaterThanOrEqual(8);
				expect(n).toBeLessThanOrEqual(16);
			}
		}
		const b = s.buckets();
		expect(b.rowFirst[0]).toBe(rows[0]);
		expect(b.rowLast[b.length - 1]).toBe(rows.at(-1));
		let k = 0;
		for (let i = 0; i < b.length; i++) {
			if (i > 0) expect(b.rowFirst[i]).toBeGreaterThan(b.rowLast[i - 1]);
			const covered: number[] = [];
			while (k < rows.length && rows[k] <= b.rowLast[i]) {
				expect(rows[k]).toBeGreaterThanOrEqual(b.rowFirst[i]);
				covered.push(values[k]);
				k++;
			}
			const finite = covered.filter(Number.isFinite);
			expect(b.first[i]).toBe(covered[0]);
			expect(b.last[i]).toBe(covered.at(-1));
			expect(b.gap[i]).toBe(finite.length < covered.length ? 1 : 0);
			expect(b.finite[i]).toBe(finite.length);
			if (finite.length === 0) {
				expect(b.min[i]).toBeNaN();
				expect(b.max[i]).toBeNaN();
			} else {
				expect(b.min[i]).toBe(Math.min(...finite));
				expect(b.max[i]).toBe(Math.max(...finite));
				expect(b.sum[i]).toBeCloseTo(finite.reduce((a, v) => a + v, 0), 9);
			}
		}
		expect(k).toBe(rows.length);
		const allFinite = values.filter(Number.isFinite);
		expect(s.min).toBe(Math.min(...allFinite));
		expect(s.max).toBe(Math.max(...allFinite));
		expect(s.nonFinite).toBe(values.length - allFinite.length);
	});

	it('stays bounded and keeps a one-point spike and exact min/max after 1M appends', () => {
		const s = new Series(2048);
		const spikeRow = 654_321;
		const dipRow = 123_457;
		for (let i = 0; i < 1_000_000; i++) {
			const v = i === spikeRow ? 1e6 : i === dipRow ? -42 : Math.sin(i / 1000);
			s.append(i, v);
		}
		const b = s.buckets();
		expect(b.length).toBeLessThanOrEqual(2048);
		expect(b.length).toBeGreaterThanOrEqual(1024);
		expect(s.count).toBe(1_000_000);
		expect(s.max).toBe(1e6);
		expect(s.min).toBe(-42);
		let spikeBucket = 0;
		while (spikeBucket + 1 < b.length && b.rowFirst[spikeBucket + 1] <= spikeRow) spikeBucket++;
		expect(b.max[spikeBucket]).toBe(1e6);
		expect(b.rowLast[spikeBucket]).toBeGreaterThanOrEqual(spikeRow);
		// Uniform resolution: every full bucket holds the same number of points.
		const span = s.pointsPerBucket;
		for (let i = 0; i < b.length - 1; i++) expect(b.rowLast[i] - b.rowFirst[i] + 1).toBe(span);
	});

	it('tracks last, lastFinite, nonFinite, rows, and gaps without folding them into min/max', () => {
		const s = new Series(4);
		expect(s.last).toBeNull();
		expect(s.min).toBeNull();
		expect(s.firstRow).toBeNull();
		expect(s.buckets().length).toBe(0);
		s.append(3, 2);
		s.append(4, Number.NaN);
		s.append(5, -Infinity);
		expect(s.last).toBe(-Infinity);
		expect(s.lastFinite).toBe(2);
		expect(s.nonFinite).toBe(2);
		expect(s.min).toBe(2);
		expect(s.max).toBe(2);
		expect(s.firstRow).toBe(3);
		expect(s.lastRow).toBe(5);
		expect(Array.from(s.buckets().gap)).toEqual([0, 1, 1]);
	});

	it('ignores rows that do not increase', () => {
		const s = new Series();
		expect(s.append(5, 1)).toBe(true);
		expect(s.append(5, 2)).toBe(false);
		expect(s.append(4, 3)).toBe(false);
		expect(s.count).toBe(1);
		expect(s.last).toBe(1);
	});

	it('appends 1M points in amortized constant time', () => {
		const s = new Series();
		const started = performance.now();
		for (let i = 0; i < 1_000_000; i++) s.append(i, i % 17);
		// ~20 ms on a laptop; a quadratic merge would take minutes.
		expect(performance.now() - started).toBeLessThan(2000);
	});
});

describe('AxisColumn', () => {
	it('maps rows to x exactly where kept, null before the first row, held after the last', () => {
		const a = new AxisColumn();
		expect(a.xAt(0)).toBeNull();
		expect(a.first).toBeNull();
		a.append(10, 100);
		a.append(20, 250);
		a.append(30, 260);
		expect(a.xAt(9)).toBeNull();
		expect(a.xAt(10)).toBe(100);
		expect(a.xAt(20)).toBe(250);
		expect(a.xAt(15)).toBe(175);
		expect(a.xAt(99)).toBe(260);
		expect(a.first).toBe(100);
		expect(a.last).toBe(260);
		expect(a.count).toBe(3);
		expect(a.monotonic).toBe(true);
	});

	it('notices a decrease but ignores NaN', () => {
		const a = new AxisColumn();
		a.append(0, 1);
		a.append(1, Number.NaN);
		a.append(2, 2);
		expect(a.monotonic).toBe(true);
		expect(a.count).toBe(2);
		a.append(3, 1.5);
		expect(a.monotonic).toBe(false);
	});

	it('stays bounded and interpolates a linear axis exactly after merges', () => {
		const a = new AxisColumn(64);
		for (let row = 0; row < 100_000; row++) a.append(row, 3 * row + 7);
		expect(a.bucketCount).toBeLessThanOrEqual(64);
		for (const row of [0, 1, 777, 50_000, 99_998, 99_999]) expect(a.xAt(row)).toBeCloseTo(3 * row + 7, 6);
	});

	it('xsAt matches xAt for sorted rows', () => {
		const rand = random(3);
		const a = new AxisColumn(32);
		let row = 5;
		for (let i = 0; i < 500; i++) {
			row += 1 + Math.floor(rand() * 4);
			a.append(row, row * row * 0.001 + rand());
		}
		const rows = Float64Array.from({length: 300}, (_, i) => i * 7);
		const out = new Float64Array(rows.length);
		a.xsAt(rows, out);
		rows.forEach((r, i) => {
			const x = a.xAt(r);
			if (x === null) expect(out[i]).toBeNaN();
			else expect(out[i]).toBe(x);
		});
	});
});
