/**
 * Following: a LiveSession on a `wandb/` folder switches to a new run when `latest-run` is
 * re-pointed (or, with no link, when a newer run dir appears), goes back on request, stays put with
 * `follow: false`, and survives its run dir being deleted or its log being replaced. Then the same
 * through the real binary in tmux.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {LiveSession} from '../../source/modes/session.js';
import type {Snapshot} from '../../source/state/snapshot.js';
import {locateRun} from '../../source/sources/locate.js';
import {encodeExit, encodeHeader, encodeHistory, encodeOutput, encodeRun, LogWriter} from '../../source/demo/writer.js';
import {CLI} from '../helpers/fixtures.js';
import {hasTmux, startPane} from '../helpers/tmux.js';

let tmp: string;
let wandbDir: string;
const sessions: LiveSession[] = [];

beforeEach(() => {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-follow-'));
	wandbDir = path.join(tmp, 'wandb');
	fs.mkdirSync(wandbDir);
});
afterEach(() => {
	for (const session of sessions.splice(0)) session.stop();
	fs.rmSync(tmp, {recursive: true, force: true});
});

/** A run being written live: `rows(n)` appends n history rows (one console line each). */
class LiveRun {
	readonly name: string;
	readonly dir: string;
	readonly log: string;
	private readonly writer = new LogWriter();
	private step = 0;

	constructor(
		readonly id: string,
		stamp: string,
		parent = wandbDir,
	) {
		this.name = `run-${stamp}-${id}`;
		this.dir = path.join(parent, this.name);
		this.log = path.join(this.dir, `run-${id}.wandb`);
		fs.mkdirSync(path.join(this.dir, 'files'), {recursive: true});
		fs.writeFileSync(this.log, this.writer.header());
		this.append(encodeHeader({producer: '0.22.3+test'}), encodeRun({runId: id, project: 'follow', displayName: `name-${id}`, startTime: Date.now()}));
	}

	append(...payloads: Uint8Array[]): void {
		fs.appendFileSync(this.log, Buffer.concat(payloads.map(payload => this.writer.record(payload))));
	}

	rows(n: number): this {
		const payloads: Uint8Array[] = [];
		for (let i = 0; i < n; i++, this.step++) {
			payloads.push(encodeHistory({step: this.step, values: {[`loss_${this.id}`]: 1 / (this.step + 1), _step: this.step}}));
			payloads.push(encodeOutput({stream: 'stdout', text: `${this.id} step ${this.step}\n`}));
		}
		this.append(...payloads);
		return this;
	}

	finish(): void {
		this.append(encodeExit({exitCode: 0, runtime: 1}));
	}
}

/** Points `wandb/latest-run` at `run` the way wandb does it safely: a temp link renamed over. */
function pointLatest(run: LiveRun): void {
	const temp = path.join(wandbDir, `.latest-run.${process.pid}.tmp`);
	fs.symlinkSync(run.name, temp);
	fs.renameSync(temp, path.join(wandbDir, 'latest-run'));
}

function startSession(input: string, follow = true): LiveSession {
	const session = new LiveSession(locateRun(input), {intervalMs: 1000, gpu: false, follow, poll: false});
	sessions.push(session);
	session.start();
	return session;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Polls the session until `test` passes; returns the snapshot and how long it took. */
async function waitSnap(session: LiveSession, test: (snap: Snapshot) => boolean, timeoutMs = 4000): Promise<{snap: Snapshot; ms: number}> {
	const start = Date.now();
	let snap = session.snapshot();
	while (!test(snap)) {
		if (Date.now() - start > timeoutMs) {
			throw new Error(`timed out after ${timeoutMs} ms; run ${snap.runDir}, rows ${snap.run.rows}, notice ${snap.notice}, gone ${snap.runGone}, error ${snap.runError}`);
		}
		await sleep(25);
		snap = session.snapshot();
	}
	return {snap, ms: Date.now() - start};
}

const real = (p: string) => fs.realpathSync(p);
const on = (run: LiveRun, rows?: number) => (snap: Snapshot) => snap.runDir === real(run.dir) && snap.run.info?.id === run.id && (rows === undefined || snap.run.rows === rows);

describe('LiveSession following a wandb/ folder', () => {
	it('switches to the run latest-run is re-pointed to within ~2 s, says so, and back() returns', async () => {
		const a = new LiveRun('aaaa1111', '20250301_120000').rows(20);
		pointLatest(a);
		const session = startSession(wandbDir);
		await waitSnap(session, on(a, 20));
		a.rows(5); // still live
		await waitSnap(session, on(a, 25));

		const b = new LiveRun('bbbb2222', '20250301_130000').rows(7);
		pointLatest(b);
		const {snap, ms} = await waitSnap(session, on(b, 7));
		expect(ms).toBeLessThan(2500);
		expect(snap.notice).toContain(`following new run ${b.name}`);
		expect(snap.notice).toContain('b: back to the previous run');
		// Nothing of run A leaks into B's state.
		expect([...snap.run.metrics.keys()]).toEqual(['loss_bbbb2222']);
		b.rows(3);
		await waitSnap(session, on(b, 10));

		session.command({type: 'back'});
		const back = await waitSnap(session, on(a, 25));
		expect(back.snap.notice).toContain(`back on ${a.name}`);
		expect([...back.snap.run.metrics.keys()]).toEqual(['loss_aaaa1111']);
		// Pinned on A: a newer run does not pull it away.
		const c = new LiveRun('cccc3333', '20250301_140000').rows(2);
		pointLatest(c);
		await sleep(2200);
		expect(session.snapshot().runDir).toBe(real(a.dir));
		// back() again: follow the newest run again, which is now C.
		session.command({type: 'back'});
		const forward = await waitSnap(session, on(c, 2), 3000);
		expect(forward.snap.runDir).toBe(real(c.dir));
	}, 20_000);

	it('with follow: false it stays on its run', async () => {
		const a = new LiveRun('aaaa1111', '20250301_120000').rows(4);
		pointLatest(a);
		const session = startSession(wandbDir, false);
		await waitSnap(session, on(a, 4));
		const b = new LiveRun('bbbb2222', '20250301_130000').rows(3);
		pointLatest(b);
		await sleep(2500);
		const snap = session.snapshot();
		expect(snap.runDir).toBe(real(a.dir));
		expect(snap.run.rows).toBe(4);
		expect(snap.notice).toBeNull();
	}, 10_000);

	it('follows a newer run dir that appears without any latest-run link (Windows-style)', async () => {
		const a = new LiveRun('aaaa1111', '20250301_120000').rows(3);
		const session = startSession(wandbDir);
		await waitSnap(session, on(a, 3));
		// An older-stamped dir appearing later is not "newer".
		new LiveRun('oooo0000', '20250301_110000').rows(1);
		await sleep(1500);
		expect(session.snapshot().runDir).toBe(real(a.dir));
		const b = new LiveRun('bbbb2222', '20250301_130000').rows(6);
		const {snap, ms} = await waitSnap(session, on(b, 6));
		expect(ms).toBeLessThan(2500);
		expect(snap.notice).toContain(`following new run ${b.name}`);
	}, 10_000);

	it('a followed run whose dir is deleted shows runGone, then moves on when a new run starts', async () => {
		const a = new LiveRun('aaaa1111', '20250301_120000').rows(5);
		pointLatest(a);
		const session = startSession(wandbDir);
		await waitSnap(session, on(a, 5));
		fs.rmSync(a.dir, {recursive: true});
		const gone = await waitSnap(session, snap => snap.runGone, 3000);
		// What was read is kept on screen; nothing crashed.
		expect(gone.snap.run.rows).toBe(5);
		await sleep(1200); // a follow check with a dangling latest-run must not throw
		expect(session.snapshot().runGone).toBe(true);
		const b = new LiveRun('bbbb2222', '20250301_130000').rows(2);
		pointLatest(b);
		const next = await waitSnap(session, on(b, 2));
		expect(next.snap.runGone).toBe(false);
	}, 12_000);
});

describe('LiveSession on one run dir', () => {
	it('a deleted run dir shows runGone and recovers when it comes back', async () => {
		const a = new LiveRun('aaaa1111', '20250301_120000').rows(5);
		const session = startSession(a.dir);
		await waitSnap(session, on(a, 5));
		fs.rmSync(a.dir, {recursive: true});
		await waitSnap(session, snap => snap.runGone, 3000);
		// Restored (e.g. a remount): the tail picks the log up again from scratch.
		const again = new LiveRun('aaaa1111', '20250301_120000').rows(2);
		expect(again.dir).toBe(a.dir);
		const back = await waitSnap(session, snap => !snap.runGone && snap.run.rows === 2, 4000);
		expect(back.snap.runError).toBeNull();
	}, 10_000);

	it('a log truncated in place resets the state and reads the new content', async () => {
		const a = new LiveRun('aaaa1111', '20250301_120000').rows(50);
		const session = startSession(a.dir);
		await waitSnap(session, on(a, 50));
		fs.truncateSync(a.log, 0);
		const writer = new LogWriter();
		fs.appendFileSync(a.log, Buffer.concat([writer.header(), writer.record(encodeRun({runId: 'aaaa1111'})), writer.record(encodeHistory({step: 0, values: {fresh: 1}}))]));
		const {snap} = await waitSnap(session, s => s.run.rows === 1);
		expect(snap.notice).toMatch(/replaced or truncated/);
		expect([...snap.run.metrics.keys()]).toEqual(['fresh']);
	}, 10_000);

	it('a log replaced by a new file (rename over it) resets the state', async () => {
		const a = new LiveRun('aaaa1111', '20250301_120000').rows(10);
		const session = startSession(a.dir);
		await waitSnap(session, on(a, 10));
		const writer = new LogWriter();
		const parts = [writer.header(), writer.record(encodeRun({runId: 'aaaa1111'}))];
		for (let i = 0; i < 40; i++) parts.push(writer.record(encodeHistory({step: i, values: {replaced: i}})));
		const temp = path.join(a.dir, 'new.tmp');
		fs.writeFileSync(temp, Buffer.concat(parts));
		fs.renameSync(temp, a.log);
		const {snap} = await waitSnap(session, s => s.run.rows === 40);
		expect(snap.notice).toMatch(/replaced or truncated/);
		expect([...snap.run.metrics.keys()]).toEqual(['replaced']);
	}, 10_000);

	it('a log overwritten in place by a longer one (cp over it: same inode, larger size) resets the state', async () => {
		const a = new LiveRun('aaaa1111', '20250301_120000').rows(10);
		const session = startSession(a.dir);
		await waitSnap(session, on(a, 10));
		const writer = new LogWriter();
		const parts = [writer.header(), writer.record(encodeRun({runId: 'aaaa1111'}))];
		for (let i = 0; i < 400; i++) parts.push(writer.record(encodeHistory({step: i, values: {overwritten: i}})));
		const ino = fs.statSync(a.log).ino;
		fs.writeFileSync(a.log, Buffer.concat(parts)); // O_TRUNC + write, as cp does
		expect(fs.statSync(a.log).ino).toBe(ino);
		const {snap} = await waitSnap(session, s => s.run.rows === 400);
		expect([...snap.run.metrics.keys()]).toEqual(['overwritten']);
		expect(snap.run.integrity.corruptChunks).toBe(0);
	}, 10_000);
});

const maybe = hasTmux ? describe : describe.skip;

maybe('wbtop following a wandb/ folder in tmux', () => {
	it('the header says "following new run" when latest-run moves, and b goes back', async () => {
		const a = new LiveRun('aaaa1111', '20250301_120000').rows(30);
		pointLatest(a);
		const pane = startPane(`node ${CLI} --no-gpu ${wandbDir}`, 120, 40);
		try {
			await pane.waitFor(screen => screen.includes('name-aaaa1111') && screen.includes('loss_aaaa1111'));
			const b = new LiveRun('bbbb2222', '20250301_130000').rows(12);
			pointLatest(b);
			const screen = await pane.waitFor(s => s.includes('following new run') && s.includes('name-bbbb2222'), 6000);
			expect(screen).toContain(`following new run ${b.name}`);
			expect(screen).toContain('loss_bbbb2222');
			expect(screen).not.toContain('loss_aaaa1111');
			pane.keys('b');
			const back = await pane.waitFor(s => s.includes('name-aaaa1111') && s.includes(`back on ${a.name}`), 5000);
			expect(back).toContain('loss_aaaa1111');
			pane.keys('q');
			await pane.waitFor(() => !pane.alive(), 5000);
		} finally {
			pane.kill();
		}
	}, 30_000);
});
