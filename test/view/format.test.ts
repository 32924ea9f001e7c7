import {describe, expect, it} from 'vitest';
import {
	formatBytes,
	formatClock,
	formatDuration,
	formatNumber,
	formatRate,
	formatSI,
	formatValue,
	padEnd,
	padStart,
	textWidth,
	truncate,
} from '../../source/view/format.js';

describe('formatNumber', () => {
	it('names the special values', () => {
		expect(formatNumber(null)).toBe('—');
		expect(formatNumber(Number.NaN)).toBe('NaN');
		expect(formatNumber(Infinity)).toBe('+Inf');
		expect(formatNumber(-Infinity)).toBe('-Inf');
		expect(formatNumber(0)).toBe('0');
	});

	it('is compact across magnitudes', () => {
		expect(formatNumber(42)).toBe('42');
		expect(formatNumber(123456)).toBe('123456');
		expect(formatNumber(3_400_000)).toBe('3.4M');
		expect(formatNumber(0.123456789)).toBe('0.12346');
		expect(formatNumber(-2.5)).toBe('-2.5');
		expect(formatNumber(1.2e-5)).toBe('1.2e-5');
		expect(formatNumber(12345.678)).toBe('12.35k');
		expect(formatNumber(1e25)).toBe('1e25');
	});

	it('fits a width by dropping precision', () => {
		expect(formatNumber(0.123456789, 4)).toBe('0.12');
		expect(formatNumber(123456, 4)).toBe('123k');
		expect(formatNumber(1234.5, 4)).toBe('1.2k');
		expect(formatNumber(1.23456e-7, 4)).toBe('1e-7');
		for (const n of [Math.PI * 1e8, -Math.E, 1 / 3, 9.99e-4, 999_999.5]) {
			for (let w = 3; w < 10; w++) expect(formatNumber(n, w).length).toBeLessThanOrEqual(w);
		}
	});

	it('carries SI rounding into the next prefix', () => {
		expect(formatSI(999_960, 3)).toBe('1M');
		expect(formatSI(722_000_000, 2)).toBe('722M');
	});
});

describe('durations, clock, bytes', () => {
	it('formats durations', () => {
		expect(formatDuration(0)).toBe('0s');
		expect(formatDuration(2.5)).toBe('2.5s');
		expect(formatDuration(45)).toBe('45s');
		expect(formatDuration(303)).toBe('5m03s');
		expect(formatDuration(4980)).toBe('1h23m');
		expect(formatDuration(2 * 86400 + 4 * 3600 + 59)).toBe('2d04h');
		expect(formatDuration(-61)).toBe('-1m01s');
	});

	it('formats local clock times', () => {
		const epoch = new Date(2024, 2, 5, 14, 5, 9).getTime() / 1000;
		expect(formatClock(epoch)).toBe('14:05');
		expect(formatClock(epoch, true)).toBe('14:05:09');
	});

	it('formats bytes and rates in IEC units', () => {
		expect(formatBytes(0)).toBe('0 B');
		expect(formatBytes(512)).toBe('512 B');
		expect(formatBytes(1536)).toBe('1.5 KiB');
		expect(formatBytes(23 * 1024 ** 2)).toBe('23 MiB');
		expect(formatBytes(1024 ** 3 - 1)).toBe('1 GiB');
		expect(formatRate(1.5 * 1024 ** 2)).toBe('1.5 MiB/s');
	});
});

describe('formatValue', () => {
	it('describes media, lists and objects', () => {
		expect(formatValue({kind: 'media', mediaType: 'image-file', detail: '1500x800 png'})).toBe('[image 1500x800 png]');
		expect(formatValue({kind: 'media', mediaType: 'histogram', detail: ''})).toBe('[histogram]');
		expect(formatValue([1, 2, 3])).toBe('[3 items]');
		expect(formatValue([1])).toBe('[1 item]');
		expect(formatValue({a: 1, b: 2})).toBe('{2 keys}');
		expect(formatValue(true)).toBe('true');
		expect(formatValue(null)).toBe('null');
		expect(formatValue(Number.NaN)).toBe('NaN');
	});

	it('sanitizes strings to one line', () => {
		expect(formatValue('ok\x1b]52;c;aGk=\x07\nnext\tcol')).toBe('ok next col');
		expect(formatValue('a\tb')).toBe('a       b');
	});
});

describe('width-aware text', () => {
	it('counts wide characters as two columns', () => {
		expect(textWidth('abc')).toBe(3);
		expect(textWidth('日本語')).toBe(6);
		expect(textWidth('a😀b')).toBe(4);
	});

	it('truncates by columns with an ellipsis, never splitting a character', () => {
		expect(truncate('hello world', 8)).toBe('hello w…');
		expect(truncate('hello', 5)).toBe('hello');
		expect(truncate('日本語テキスト', 7)).toBe('日本語…');
		// A joined emoji is drawn as its first emoji (terminals disagree on the width of the whole).
		expect(truncate('👩‍👩‍👧 family', 4)).toBe('👩 …');
		expect(truncate('abc', 0)).toBe('');
		for (let w = 1; w < 16; w++) expect(textWidth(truncate('日本a語😀テbキスト', w))).toBeLessThanOrEqual(w);
	});

	it('pads to an exact column width', () => {
		expect(padEnd('ab', 4)).toBe('ab  ');
		expect(padEnd('日本語', 5)).toBe('日本…');
		expect(padEnd('日本語', 6)).toBe('日本語');
		expect(padEnd('日本語x', 6)).toBe('日本… ');
		expect(textWidth(padEnd('日本語x', 6))).toBe(6);
		expect(padStart('7', 3)).toBe('  7');
	});
});
