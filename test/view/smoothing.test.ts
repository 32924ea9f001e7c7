import {describe, expect, it} from 'vitest';
import {Series} from '../../source/state/series.js';
import {emaSmooth} from '../../source/view/smoothing.js';

describe('emaSmooth', () => {
	it('matches a hand-computed debiased EMA', () => {
		// w = 0.5: last = 0.5, 1.25, 2.125; debias 1 - 0.5^n = 0.5, 0.75, 0.875.
		const out = emaSmooth([1, 2, 3], 0.5);
		expect(out[0]).toBeCloseTo(1, 12);
		expect(out[1]).toBeCloseTo(1.25 / 0.75, 12);
		expect(out[2]).toBeCloseTo(2.125 / 0.875, 12);
	});

	it('skips NaN/Inf and keeps them as gaps', () => {
		const out = emaSmooth([1, Number.NaN, 3, Infinity], 0.5);
		expect(out[0]).toBeCloseTo(1, 12);
		expect(out[1]).toBeNaN();
		// As if the NaN were not there: last = 0.5*0.5 + 0.5*3 = 1.75, debias 0.75.
		expect(out[2]).toBeCloseTo(1.75 / 0.75, 12);
		expect(out[3]).toBe(Infinity);
	});

	it('weight 0 is the identity; a constant stays constant; weights clamp at 0.999', () => {
		expect(Array.from(emaSmooth([3, 1, 4], 0))).toEqual([3, 1, 4]);
		for (const v of emaSmooth(new Float64Array(50).fill(7), 0.9)) expect(v).toBeCloseTo(7, 10);
		expect(Array.from(emaSmooth([1, 2], 5))).toEqual(Array.from(emaSmooth([1, 2], 0.999)));
	});

	it('smoothing bucket means with counts tracks the raw EMA after downsampling', () => {
		const raw: number[] = [];
		const s = new Series(1024); // 64 points per bucket at the end
		for (let i = 0; i < 50_000; i++) {
			const v = Math.exp(-i / 10_000) + (i % 2 ? 0.2 : -0.2);
			raw.push(v);
			s.append(i, v);
		}
		const weight = 0.99;
		const exact = emaSmooth(raw, weight);
		const b = s.buckets();
		const means = Array.from(b.sum, (sum, i) => sum / b.finite[i]);
		const approx = emaSmooth(means, weight, b.finite);
		for (let i = 1; i < b.length; i++) expect(Math.abs(approx[i] - exact[b.rowLast[i]])).toBeLessThan(0.002);
	});
});
