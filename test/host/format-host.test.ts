import {describe, expect, it} from 'vitest';
import {fitLine, formatBytes, formatRate, formatUsedTotal, shortGpuName, sparkline, wrapWords} from '../../source/view/format-host.js';

describe('format-host', () => {
	it('sparkline: 0..100 onto ▁..█, right-aligned, gaps for unknown values', () => {
		expect(sparkline([0, 50, 100], 3)).toBe('▁▅█');
		expect(sparkline([100, null, 0], 5)).toBe('  █ ▁');
		expect(sparkline([1, 2, 3, 4, 5, 6], 3)).toBe('▁▁▁');
		expect(sparkline([10, 20, 40], 3, 'auto')).toBe('▃▅█');
		expect(sparkline([0, 0], 2, 'auto')).toBe('▁▁');
	});

	it('human units', () => {
		expect(formatBytes(512)).toBe('512B');
		expect(formatBytes(1.5 * 1024 ** 2)).toBe('1.5M');
		expect(formatBytes(81559 * 1024 ** 2)).toBe('79.6G');
		expect(formatBytes(null)).toBe('N/A');
		expect(formatRate(null)).toBe('…');
		expect(formatRate(340 * 1024)).toBe('340K/s');
		expect(formatUsedTotal(20213 * 1024 ** 2, 81559 * 1024 ** 2)).toBe('19.7/79.6G');
		expect(formatUsedTotal(null, 81559 * 1024 ** 2)).toBe('N/A/79.6G');
	});

	it('short GPU names', () => {
		expect(shortGpuName('NVIDIA H100 80GB HBM3')).toBe('H100 80GB');
		expect(shortGpuName('NVIDIA GeForce RTX 4080')).toBe('RTX 4080');
		expect(shortGpuName('Tesla V100-SXM2-16GB')).toBe('V100-SXM2-16GB');
	});

	it('fitLine cuts styled segments to the width with an ellipsis', () => {
		const line = fitLine([{text: 'abc'}, {text: 'defgh', color: 'red'}], 6);
		expect(line).toEqual([{text: 'abc'}, {text: 'de…', color: 'red'}]);
		expect(fitLine([{text: 'abc'}, {text: 'def'}], 3)).toEqual([{text: 'ab…'}]);
		expect(fitLine([{text: 'abc'}], 3)).toEqual([{text: 'abc'}]);
	});

	it('wrapWords', () => {
		expect(wrapWords('one two three four', 9, 3)).toEqual(['one two', 'three', 'four']);
		expect(wrapWords('one two three four', 9, 2)).toEqual(['one two', 'three fo…']);
		expect(wrapWords('abcdefghijkl', 5, 2)).toEqual(['abcd…']);
		expect(wrapWords('', 5, 2)).toEqual([]);
	});
});

describe('hostile text', () => {
	it('control characters in process names and messages never reach the terminal', () => {
		const evil = 'python\u001b]52;c;aGk=\u0007\u001b[2J\u009b';
		expect(fitLine([{text: evil}], 80).map(s => s.text).join('')).toBe('python?]52;c;aGk=??[2J?');
		expect(wrapWords(`GPU: ${evil}`, 80, 2).join('')).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
	});
});
