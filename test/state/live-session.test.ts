import {describe, expect, it} from 'vitest';
import {LiveSession} from '../../source/modes/session.js';
import {locateRun} from '../../source/sources/locate.js';
import {realRun} from '../helpers/fixtures.js';

const wait = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('live session', () => {
	it('reads the run, and reports each new alert once (what --bell rings on)', async () => {
		const rung: string[] = [];
		const session = new LiveSession(locateRun(realRun('f230dm6e')), {intervalMs: 1000, gpu: false, follow: false, poll: false, onNewAlert: alert => rung.push(alert.id)});
		session.start();
		try {
			await wait(300);
			const first = session.snapshot();
			expect(first.run.rows).toBe(1715);
			expect(first.host.gpuStatus).toBe('unavailable');
			expect(rung.length).toBe(first.alerts.length);
			expect(rung.length).toBeGreaterThan(0);
			session.snapshot();
			expect(rung.length).toBe(first.alerts.length); // no repeats
		} finally {
			session.stop();
		}
	});

	it('falls back to output.log for a run without console records (legacy 0.8)', async () => {
		const session = new LiveSession(locateRun(realRun('jsr4s3y6')), {intervalMs: 1000, gpu: false, follow: false, poll: false});
		session.start();
		try {
			await wait(300);
			const snap = session.snapshot();
			expect(snap.run.consoleSource).toBe('output.log');
			expect(snap.run.console.totalLines).toBeGreaterThan(1000);
		} finally {
			session.stop();
		}
	});
});
