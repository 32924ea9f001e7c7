import {describe, expect, it} from 'vitest';
import {blockSparkline, formatBytesShort, formatRateShort, formatUsedTotal, shortGpuName, wrapWords} from '../../source/view/format.js';
import {fitLine} from '../../source/view/line.js';

describe('host panel formatting', () => {
	it('block sparkline: 0..100 onto ▁..█, right-aligned, gaps for unknown values', () => {
		expect(blockSparkline([0, 50, 100], 3)).toBe('▁▅█');
		expect(blockSparkline([100, null, 0], 5)).toBe('  █ ▁');
		expect(blockSparkline([1, 2, 3, 4, 5, 6], 3)).toBe('▁▁▁');
		expect(blockSparkline([10, 20, 40], 3, 'auto')).toBe('▃▅█');
		expect(blockSparkline([0, 0], 2, 'auto')).toBe('▁▁');
	});

	it('human units', () => {
		expect(formatBytesShort(512)).toBe('512B');
		expect(formatBytesShort(1.5 * 1024 ** 2)).toBe('1.5M');
		expect(formatBytesShort(81559 * 1024 ** 2)).toBe('79.6G');
		expect(formatBytesShort(null)).toBe('N/A');
		expect(formatRateShort(null)).toBe('…');
		expect(formatRateShort(340 * 1024)).toBe('340K/s');
		expect(formatUsedTotal(20213 * 1024 ** 2, 81559 * 1024 ** 2)).toBe('19.7/79.6G');
		expect(formatUsedTotal(null, 81559 * 1024 ** 2)).toBe('N/A/79.6G');
	});

	it('short GPU names', () => {
		expect(shortGpuName('NVIDIA H100 80GB HBM3')).toBe('H100 80GB');
		expect(shortGpuName('NVIDIA GeForce RTX 4080')).toBe('RTX 4080');
		expect(shortGpuName('Tesla V100-SXM2-16GB')).toBe('V100-SXM2-16GB');
	});

	it('fitLine cuts styled spans to the width with an ellipsis, and pads to exactly the width', () => {
		const red = {color: 'red'} as const;
		const line = fitLine([{text: 'abc'}, {text: 'defgh', style: red}], 6);
		expect(line.spans).toEqual([{text: 'abc'}, {text: 'de…', style: red}]);
		expect(fitLine(['abc', 'def'], 3).text).toBe('ab…');
		expect(fitLine(['abc'], 3).text).toBe('abc');
		expect(fitLine(['ab'], 5).text).toBe('ab   ');
		expect(fitLine(['日本語'], 5).text).toBe('日本…');
	});

	it('wrapWords', () => {
		expect(wrapWords('one two three four', 9, 3)).toEqual(['one two', 'three', 'four']);
		expect(wrapWords('one two three four', 9, 2)).toEqual(['one two', 'three fo…']);
		expect(wrapWords('abcdefghijkl', 5, 2)).toEqual(['abcd…']);
		expect(wrapWords('', 5, 2)).toEqual([]);
	});
});

describe('hostile text', () => {
	it('control sequences in process names and messages never reach the terminal', () => {
		const evil = 'python\u001b]52;c;aGk=\u0007\u001b[2J\u009b';
		expect(fitLine([evil], 80).text.trimEnd()).toBe('python');
		expect(fitLine([`GPU: ${evil}`], 80).paint('color')).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
	});
});
