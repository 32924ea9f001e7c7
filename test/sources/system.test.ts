import {copyFileSync, mkdirSync, mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import type {HostEvent} from '../../source/decode/host-events.js';
import {createProcSampler, sampleSystemOnce, startSystemSource} from '../../source/sources/system.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/proc/${name}`, import.meta.url));

/** A fake /proc holding the captured files. */
function fakeProc(stat: string, netDev: string): string {
	const root = mkdtempSync(join(tmpdir(), 'wbtop-proc-'));
	mkdirSync(join(root, 'net'));
	copyFileSync(fixture(stat), join(root, 'stat'));
	copyFileSync(fixture('meminfo.txt'), join(root, 'meminfo'));
	copyFileSync(fixture(netDev), join(root, 'net', 'dev'));
	return root;
}

describe('createProcSampler', () => {
	it('first reading: memory known, rates null (warming up); second: rates from the difference', async () => {
		const root = fakeProc('stat-1.txt', 'net-dev-1.txt');
		const sample = createProcSampler(root);
		const first = await sample();
		expect(first.cpu).toEqual({totalPct: null, perCorePct: [null, null]});
		expect(first.net).toEqual({rxBytesPerSec: null, txBytesPerSec: null});
		expect(first.mem.totalBytes).toBe(24684084 * 1024);

		copyFileSync(fixture('stat-2.txt'), join(root, 'stat'));
		copyFileSync(fixture('net-dev-2.txt'), join(root, 'net', 'dev'));
		const second = await sample();
		expect(second.cpu.totalPct).toBeCloseTo(0.5, 5);
		expect(second.cpu.perCorePct).toEqual([expect.closeTo(1, 5), 0]);
		// The bytes moved on eth0, over however long this test took between the readings.
		expect(second.net.rxBytesPerSec).toBeGreaterThan(0);
		expect(second.net.txBytesPerSec).toBeGreaterThan(0);
	});
});

describe('startSystemSource', () => {
	it.runIf(process.platform === 'linux')('emits cpu, mem and net samples from this machine; rates null only at first', async () => {
		const events: HostEvent[] = [];
		const source = startSystemSource({intervalMs: 150, onEvent: e => events.push(e)});
		try {
			const end = Date.now() + 5000;
			while (events.filter(e => e.type === 'net/sample').length < 2 && Date.now() < end) await new Promise(r => setTimeout(r, 20));
		} finally {
			source.stop();
		}
		const cpu = events.flatMap(e => (e.type === 'cpu/sample' ? [e] : []));
		const net = events.flatMap(e => (e.type === 'net/sample' ? [e] : []));
		const mem = events.flatMap(e => (e.type === 'mem/sample' ? [e] : []));
		expect(cpu.length).toBeGreaterThanOrEqual(2);
		expect(cpu[0]!.totalPct).toBeNull();
		expect(cpu[1]!.totalPct).toBeTypeOf('number');
		expect(cpu[1]!.perCorePct.length).toBeGreaterThan(0);
		expect(net[0]!.rxBytesPerSec).toBeNull();
		expect(net[1]!.rxBytesPerSec).toBeTypeOf('number');
		expect(mem[0]!.totalBytes).toBeGreaterThan(0);
		expect(mem[0]!.usedBytes).toBeLessThanOrEqual(mem[0]!.totalBytes!);
		expect(events[0]).toEqual({type: 'system/status', status: 'ok', message: null});
	});

	it('a failing read becomes system/status error once, and recovery is reported', async () => {
		const events: HostEvent[] = [];
		let calls = 0;
		const good = createProcSampler(fakeProc('stat-1.txt', 'net-dev-1.txt'));
		const broken = createProcSampler(join(tmpdir(), 'wbtop-no-such-proc'));
		const source = startSystemSource({
			intervalMs: 20,
			onEvent: e => events.push(e),
			sampler: () => (++calls <= 3 ? broken() : good()),
		});
		const end = Date.now() + 5000;
		while (!events.some(e => e.type === 'mem/sample') && Date.now() < end) await new Promise(r => setTimeout(r, 20));
		source.stop();
		const statuses = events.filter(e => e.type === 'system/status');
		expect(statuses.map(s => (s as {status: string}).status)).toEqual(['error', 'ok']);
		expect((statuses[0] as {message: string}).message).toMatch(/^system stats: ENOENT/);
		expect(events.some(e => e.type === 'mem/sample')).toBe(true);
	});
});

describe('sampleSystemOnce', () => {
	it.runIf(process.platform === 'linux')('gives CPU and network rates (two readings apart)', async () => {
		const snap = await sampleSystemOnce(100);
		expect(snap.cpu.totalPct).toBeTypeOf('number');
		expect(snap.net.rxBytesPerSec).toBeTypeOf('number');
		expect(snap.mem.totalBytes).toBeGreaterThan(0);
	});
});
