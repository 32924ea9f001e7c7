import {spawn} from 'node:child_process';
import {hostname} from 'node:os';
import {describe, expect, it} from 'vitest';
import {liveSystem, parseProcStat, probeRunLife, sameHost, type LifeSystem} from '../../source/sources/run-life.js';

/** An OS with one process table entry (or none), for the cases a real box cannot be set up for. */
function system(host: string, process: {pid: number; startedAt: number | null; exists?: boolean} | null): LifeSystem {
	return {
		hostname: () => host,
		process: pid => (process !== null && pid === process.pid ? {exists: process.exists ?? true, startedAt: process.startedAt} : {exists: false, startedAt: null}),
	};
}

const RUN_START = Date.parse('2026-11-30T10:00:00Z');

describe('probeRunLife', () => {
	it('on this host: a live writer is alive, a missing one ended, a younger process on its PID is PID reuse', () => {
		const target = {pid: 4242, host: 'gpu7', startTime: RUN_START};
		expect(probeRunLife(target, system('gpu7', {pid: 4242, startedAt: RUN_START - 5000}))).toMatchObject({alive: true, pid: 4242, why: 'alive'});
		expect(probeRunLife(target, system('gpu7', null))).toMatchObject({alive: false, pid: 4242, why: 'gone'});
		// PID 4242 now belongs to a process that started an hour after the run: the writer is gone.
		expect(probeRunLife(target, system('gpu7', {pid: 4242, startedAt: RUN_START + 3600_000}))).toMatchObject({alive: false, why: 'pid-reused'});
		// The domain part of a host name does not make it another host.
		expect(probeRunLife({...target, host: 'gpu7.cluster.example'}, system('gpu7', null))).toMatchObject({alive: false, why: 'gone'});
	});

	it('another host cannot be checked, unless the PID is a process that started with the run', () => {
		const target = {pid: 4242, host: 'laptop', startTime: RUN_START};
		expect(probeRunLife(target, system('gpu7', null))).toMatchObject({alive: null, why: 'other-host'});
		// A PID of the same number here, started long after the run: another process, not evidence.
		expect(probeRunLife(target, system('gpu7', {pid: 4242, startedAt: RUN_START + 3600_000}))).toMatchObject({alive: null, why: 'other-host'});
		// Renamed host or a container: the process started 2 s before the run did, so it is the writer.
		expect(probeRunLife(target, system('gpu7', {pid: 4242, startedAt: RUN_START - 2000}))).toMatchObject({alive: true, why: 'alive'});
		// ...but not one that started a week before.
		expect(probeRunLife(target, system('gpu7', {pid: 4242, startedAt: RUN_START - 7 * 86400_000}))).toMatchObject({alive: null});
	});

	it('no PID: nothing to check', () => {
		expect(probeRunLife({pid: null, host: hostname(), startTime: RUN_START})).toMatchObject({alive: null, pid: null, why: 'no-pid'});
		expect(probeRunLife({pid: 1, host: hostname(), startTime: RUN_START})).toMatchObject({alive: null, why: 'no-pid'});
	});

	it('asks the real OS: this process is alive; a child that exited is gone', async () => {
		const self = probeRunLife({pid: process.pid, host: hostname(), startTime: Date.now()});
		expect(self).toMatchObject({alive: true, pid: process.pid});
		const child = spawn(process.execPath, ['-e', '0']);
		const pid = child.pid!;
		await new Promise(resolve => child.on('exit', resolve));
		expect(probeRunLife({pid, host: hostname(), startTime: Date.now() - 1000})).toMatchObject({alive: false, pid, why: 'gone'});
	});

	it.runIf(process.platform === 'linux')('reads a process start time from /proc that matches when it started', () => {
		const started = liveSystem.process(process.pid).startedAt!;
		const expected = Date.now() - process.uptime() * 1000;
		expect(Math.abs(started - expected)).toBeLessThan(2000);
	});
});

describe('parseProcStat', () => {
	it('takes field 22 after a command name holding spaces and parentheses, and sees zombies', () => {
		const line = '4242 (python (train) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 1 0 0 20 0 3 0 123456 1000 10 18446744073709551615';
		expect(parseProcStat(line, 1_000_000)).toEqual({ended: false, startedAt: 1_000_000 + 1_234_560});
		expect(parseProcStat(line.replace(') S ', ') Z '), 0).ended).toBe(true);
		expect(parseProcStat(line, null).startedAt).toBeNull();
	});

	it('sameHost: case and domain do not matter, other names do', () => {
		expect(sameHost('GPU7.lab', 'gpu7')).toBe(true);
		expect(sameHost('gpu7', 'gpu8')).toBe(false);
	});
});
