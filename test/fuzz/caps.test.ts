/** The limits in source/decode/caps.ts, and what a run that hits them still shows. */
import {describe, expect, it} from 'vitest';
import {jsonTooBig, MAX_KEYS_PER_ROW, MAX_VALUE_DEPTH} from '../../source/decode/caps.js';
import {flattenCapped} from '../../source/decode/values.js';
import {parseValueJson} from '../../source/decode/values.js';

describe('jsonTooBig', () => {
	it('counts nesting and keys outside string literals only', () => {
		const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
		expect(jsonTooBig(deep(MAX_VALUE_DEPTH))).toBe(false);
		expect(jsonTooBig(deep(MAX_VALUE_DEPTH + 1))).toBe(true);
		// Brackets, colons and escaped quotes inside strings do not count.
		expect(jsonTooBig(JSON.stringify({s: '['.repeat(1000) + '\\"[[[' + ':'.repeat(200_000)}))).toBe(false);
		expect(jsonTooBig(`{${Array.from({length: 100}, (_, i) => `"k${i}":1`).join(',')}}`, 64, 100)).toBe(false);
		expect(jsonTooBig(`{${Array.from({length: 101}, (_, i) => `"k${i}":1`).join(',')}}`, 64, 100)).toBe(true);
	});

	it('a value too deep to walk is kept as its text instead of overflowing the stack', () => {
		const text = `{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
		expect(parseValueJson(text)).toBe(text);
		expect(parseValueJson('{"a":[[1,NaN]]}')).toEqual({a: [[1, NaN]]});
	});
});

describe('flattenCapped', () => {
	it('flattens like flattenInto and keeps the first MAX_KEYS_PER_ROW keys', () => {
		expect(flattenCapped({a: 1, b: {c: 2, d: {e: 3}}, f: {}, g: [1, {h: 2}]})).toEqual({a: 1, 'b.c': 2, 'b.d.e': 3, f: {}, g: [1, {h: 2}]});
		const wide: Record<string, number> = {};
		for (let i = 0; i < MAX_KEYS_PER_ROW + 500; i++) wide[`k${i}`] = i;
		const flat = flattenCapped({_step: 1, nested: wide});
		expect(Object.keys(flat)).toHaveLength(MAX_KEYS_PER_ROW);
		expect(flat._step).toBe(1);
		expect(flat['nested.k0']).toBe(0);
	});

	it('never turns a __proto__ key into a prototype', () => {
		const flat = flattenCapped(JSON.parse('{"__proto__": [1, 2], "x": {"__proto__": 5}, "ok": 1}'));
		expect(Object.getPrototypeOf(flat)).toBe(Object.prototype);
		const keys: string[] = [];
		for (const key in flat) keys.push(key);
		// The array did not become the prototype (its indexes would show up as inherited keys).
		expect(keys).not.toContain('0');
		expect(flat.ok).toBe(1);
	});
});
