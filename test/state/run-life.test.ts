import {describe, expect, it} from 'vitest';
import {deriveRunState} from '../../source/decode/records.js';
import {loadRun} from '../../source/modes/load.js';
import {checkRun, CHECK_EXIT} from '../../source/modes/check.js';
import {computeAlerts, initialAlertMemory, stallAlert} from '../../source/state/alerts.js';
import {runLife, STALE_SECONDS} from '../../source/state/run-life.js';
import {reduceRun, type RunState} from '../../source/state/run-state.js';
import {lifeReasonText} from '../../source/view/life-text.js';
import {realRun} from '../helpers/fixtures.js';

/** A real run with no exit record (wandb 0.17, 1768 rows, written on another host in May 2024). */
function deadRun(): RunState {
	return loadRun(realRun('anlc1q2m')).state;
}

describe('runLife: a run without an exit record', () => {
	it('is stale after 10 minutes without a write, judged from its own timestamps', () => {
		const run = deadRun();
		expect(run.exit).toBeNull();
		const last = run.lastRecordTime!;
		// Its last record is its last stats sample, after the last history row.
		expect(last).toBeGreaterThanOrEqual(run.lastRowTimestamp!);
		expect(runLife(run, (last + STALE_SECONDS - 5) * 1000).status).toBe('running');
		const stale = runLife(run, (last + 3 * 3600) * 1000);
		expect(stale).toMatchObject({status: 'stale', alive: null});
		expect(lifeReasonText(stale.reason)).toBe('no write for 3h00m; likely crashed (written on another host)');
		// Today: never running.
		expect(runLife(run, Date.now()).status).toBe('stale');
	});

	it('a host clock behind the run: not stale (no negative silence)', () => {
		const run = deadRun();
		expect(runLife(run, (run.lastRecordTime! - 3600) * 1000).status).toBe('running');
	});

	it('the OS answer wins over the clock: a live writer is running however quiet, a gone one crashed', () => {
		const run = deadRun();
		const late = (run.lastRecordTime! + 86400) * 1000;
		reduceRun(run, {type: 'life', alive: true, pid: 31349, why: 'alive'}, late);
		expect(runLife(run, late)).toMatchObject({status: 'running', alive: true});
		reduceRun(run, {type: 'life', alive: false, pid: 31349, why: 'gone'}, late);
		const crashed = runLife(run, late);
		expect(crashed).toMatchObject({status: 'crashed', alive: false});
		expect(lifeReasonText(crashed.reason)).toBe('the training process 31349 ended without an exit record');
		// Crashed even a second after its last write: the OS said so.
		expect(runLife(run, (run.lastRecordTime! + 1) * 1000).status).toBe('crashed');
	});

	it('comes back to running when records arrive after it was judged dead', () => {
		const run = deadRun();
		const now = Date.now();
		reduceRun(run, {type: 'read-progress', position: 1, size: 1, caughtUp: true, since: now - 1000}, now - 1000);
		reduceRun(run, {type: 'life', alive: false, pid: 31349, why: 'gone'}, now - 500);
		expect(runLife(run, now).status).toBe('crashed');
		// A row written now (its timestamp is its own clock; what counts is that it arrived live).
		reduceRun(run, {type: 'history', step: 1768, values: {_step: 1768, loss: 0.5}}, now);
		expect(runLife(run, now).status).toBe('running');
		expect(runLife(run, now + (STALE_SECONDS + 1) * 1000).status).toBe('stale');
	});
});

describe('catching up', () => {
	it('while the log is still being read: no state word, no stall; once caught up the stall is judged', () => {
		const run = deadRun();
		const now = (run.lastRowTimestamp! + 400) * 1000; // 400 s after its last row: a stall (over 5 min), not yet stale
		reduceRun(run, {type: 'read-progress', position: 100, size: 1000, caughtUp: false, since: now - 3000}, now);
		expect(runLife(run, now).catchingUp).toBe(true);
		expect(stallAlert(run, now)).toBeNull();
		expect(computeAlerts(run, null, now, initialAlertMemory()).alerts).toEqual([]);
		reduceRun(run, {type: 'read-progress', position: 1000, size: 1000, caughtUp: true, since: now - 3000}, now);
		expect(runLife(run, now)).toMatchObject({catchingUp: false, status: 'running'});
		expect(stallAlert(run, now)?.kind).toBe('stall');
	});

	it('no stall alert for a stale or crashed run (the state already says it), never "821d" on a dead run', () => {
		const run = deadRun();
		expect(stallAlert(run, Date.now())).toBeNull();
		const alerts = computeAlerts(run, null, Date.now(), initialAlertMemory()).alerts;
		expect(alerts.map(alert => alert.kind)).not.toContain('stall');
	});
});

describe('exit codes', () => {
	it('maps the SDK codes: 0 finished, 255 (Ctrl-C / killed) and 254 (lost) crashed, others failed', () => {
		expect(deriveRunState({exitCode: 0})).toBe('finished');
		expect(deriveRunState({exitCode: 255})).toBe('crashed');
		expect(deriveRunState({exitCode: 254})).toBe('crashed');
		// wandb 0.8's -n for a child killed by signal n (it said failed), or sys.exit(-1) since 0.10.
		expect(deriveRunState({exitCode: -9})).toBe('failed');
		expect(deriveRunState({exitCode: 1})).toBe('failed');
		expect(deriveRunState({exitCode: 137})).toBe('failed');
		// A legacy metadata state "running" is no final state: the exit record (or its absence) decides.
		expect(deriveRunState({exitCode: null, legacyState: 'running'})).toBe('running');
	});

	it('--check: 2 for crashed (the process ended), 1 for stale, each with a one-line reason', () => {
		const stale = checkRun(deadRun(), [], Date.now());
		expect(stale.exitCode).toBe(CHECK_EXIT.warning);
		expect(stale.lines[0]).toMatch(/^stale: no write for \d+d\d\dh; likely crashed .*; last step 1767$/);
		const run = deadRun();
		reduceRun(run, {type: 'life', alive: false, pid: 31349, why: 'gone'}, Date.now());
		const crashed = checkRun(run, [], Date.now());
		expect(crashed.exitCode).toBe(CHECK_EXIT.failed);
		expect(crashed.lines[0]).toBe('crashed: the run crashed at step 1767: the training process 31349 ended without an exit record');
	});
});
