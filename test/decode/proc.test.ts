import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {
	cpuUsage,
	isCountedInterface,
	parseMeminfo,
	parseNetDev,
	parseProcStat,
	parseStatPpid,
	ratePerSec,
} from '../../source/decode/proc.js';

const capture = (name: string) => readFileSync(new URL(`../fixtures/proc/${name}`, import.meta.url), 'utf8');

describe('/proc/stat', () => {
	const a = parseProcStat(capture('stat-1.txt'))!;
	const b = parseProcStat(capture('stat-2.txt'))!;

	it('reads the aggregate line and every core', () => {
		expect(a.cores.length).toBe(2);
		// cpu  2452 0 1567 46896 71 0 25 9 0 0: busy = user+nice+system+irq+softirq+steal
		expect(a.total).toEqual({busy: 2452 + 1567 + 25 + 9, total: 2452 + 1567 + 46896 + 71 + 25 + 9});
	});

	it('gives busy percent between two readings (total and per core)', () => {
		const usage = cpuUsage(a, b);
		// Δbusy 1 of Δtotal 200 jiffies; cpu0 1 of 100; cpu1 0 of 100.
		expect(usage.totalPct).toBeCloseTo(0.5, 5);
		expect(usage.perCorePct[0]).toBeCloseTo(1, 5);
		expect(usage.perCorePct[1]).toBe(0);
	});

	it('is null, not 0, when nothing can be said', () => {
		expect(cpuUsage(a, a).totalPct).toBeNull();
		// A core that went offline has no line in the second reading.
		const offline = parseProcStat(capture('stat-2.txt').replace(/^cpu1 .*$/m, ''))!;
		expect(cpuUsage(a, offline).perCorePct).toEqual([expect.closeTo(1, 5)]);
		expect(parseProcStat('garbage')).toBeNull();
	});
});

describe('/proc/meminfo', () => {
	it('used = MemTotal − MemAvailable; swap from SwapTotal/SwapFree; in bytes', () => {
		expect(parseMeminfo(capture('meminfo.txt'))).toEqual({
			totalBytes: 24684084 * 1024,
			usedBytes: (24684084 - 24392192) * 1024,
			swapTotalBytes: 0,
			swapUsedBytes: 0,
		});
	});

	it('falls back to free+buffers+cached without MemAvailable', () => {
		const m = parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\nSwapTotal: 10 kB\nSwapFree: 4 kB\n');
		expect(m).toEqual({totalBytes: 1000 * 1024, usedBytes: 600 * 1024, swapTotalBytes: 10 * 1024, swapUsedBytes: 6 * 1024});
	});
});

describe('/proc/net/dev', () => {
	const a = parseNetDev(capture('net-dev-1.txt'));
	const b = parseNetDev(capture('net-dev-2.txt'));

	it('sums the real interfaces only (no lo, no ifb mirrors)', () => {
		expect(a.interfaces).toEqual(['eth0']);
		expect(a).toMatchObject({rxBytes: 173534630, txBytes: 361386});
		expect(isCountedInterface('lo')).toBe(false);
		expect(isCountedInterface('veth12ab')).toBe(false);
		expect(isCountedInterface('enp3s0')).toBe(true);
	});

	it('rates between the two captures (1.54 s apart)', () => {
		expect(ratePerSec(a.rxBytes, b.rxBytes, 1.54)).toBeCloseTo((173654301 - 173534630) / 1.54, 3);
		expect(ratePerSec(a.txBytes, b.txBytes, 1.54)).toBeCloseTo((363222 - 361386) / 1.54, 3);
	});

	it('a counter going backwards (interface reset) or no elapsed time gives null', () => {
		expect(ratePerSec(b.rxBytes, a.rxBytes, 1)).toBeNull();
		expect(ratePerSec(a.rxBytes, b.rxBytes, 0)).toBeNull();
	});

	it('copes with a count glued to the colon (old kernels)', () => {
		const text = 'Inter-|\n face |\n  eth0:1234 5 0 0 0 0 0 0 678 9 0 0 0 0 0 0\n';
		expect(parseNetDev(text)).toMatchObject({rxBytes: 1234, txBytes: 678});
	});
});

describe('/proc/<pid>/stat', () => {
	it('finds the parent pid even when the command name has spaces and parentheses', () => {
		expect(parseStatPpid('2489 (bash) S 2464 2489 2489 0 -1 4194560')).toBe(2464);
		expect(parseStatPpid('77 (python (x) y) R 12 77 77 0')).toBe(12);
		expect(parseStatPpid('nonsense')).toBeNull();
	});
});
