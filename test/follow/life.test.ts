/**
 * Alive or dead, in the live session: a writer process on this host killed mid-run turns the run
 * to crashed within 2 s; a run whose process cannot be checked turns stale after 10 minutes of
 * silence (injected clock) and back to running when its log grows; and opening a large finished
 * run shows "catching up" with a progress bar while it is read, never `running` or a stall.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {LiveSession} from '../../source/modes/session.js';
import {locateRun} from '../../source/sources/locate.js';
import {runLife, STALE_SECONDS} from '../../source/state/run-life.js';
import type {Snapshot} from '../../source/state/snapshot.js';
import {initialUiState} from '../../source/state/ui-state.js';
import {ScreenBuilder} from '../../source/view/screen.js';
import {ROOT} from '../helpers/fixtures.js';
import {LiveRun} from '../helpers/live-run.js';
import {writeBigFinishedRun} from '../helpers/big-run.js';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
const sessions: LiveSession[] = [];
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
	for (const session of sessions.splice(0)) session.stop();
	for (const child of children.splice(0)) child.kill('SIGKILL');
	for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

function tempDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-life-'));
	dirs.push(dir);
	return dir;
}

function startSession(runDir: string, clock?: () => number): LiveSession {
	const session = new LiveSession(locateRun(runDir), {intervalMs: 1000, gpu: false, follow: false, poll: false, clock});
	sessions.push(session);
	session.start();
	return session;
}

async function waitFor(test: () => boolean, timeoutMs = 10_000): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (!test()) {
		if (Date.now() > end) throw new Error('timed out');
		await sleep(20);
	}
}

/** The header's two lines as a user sees them, at 120x40 (or the compact view's top at 60x15). */
function header(snap: Snapshot, now: number, columns = 120, rows = 40): string {
	const screen = new ScreenBuilder().build({snap, ui: initialUiState(), columns, rows, now, pulse: 0});
	return screen.lines
		.slice(0, 2)
		.map(line => line.text)
		.join('\n');
}

describe('a writer on this host', () => {
	it('killed mid-run: the state turns to crashed within 2 s, saying which process ended', async () => {
		const runDir = path.join(tempDir(), 'run-20261201_120000-alive');
		const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'helpers', 'life-writer.ts'), runDir], {cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit']});
		children.push(child);
		const pid = await new Promise<number>((resolve, reject) => {
			child.stdout!.on('data', (data: Buffer) => {
				const ready = /ready (\d+)/.exec(data.toString());
				if (ready) resolve(Number(ready[1]));
			});
			child.on('exit', code => reject(new Error(`writer exited (${code})`)));
		});
		const session = startSession(runDir);
		const life = () => runLife(session.snapshot().run, Date.now());
		await waitFor(() => life().alive === true);
		expect(life()).toMatchObject({status: 'running', reason: {kind: 'alive', pid}});
		expect(header(session.snapshot(), Date.now())).toMatch(/● running/);

		const exited = new Promise(resolve => child.on('exit', resolve));
		child.kill('SIGKILL');
		const killedAt = Date.now();
		await exited;
		await waitFor(() => life().status === 'crashed', 2000);
		expect(Date.now() - killedAt).toBeLessThan(2000);
		expect(life()).toMatchObject({alive: false, reason: {kind: 'gone', pid}});
		expect(header(session.snapshot(), Date.now())).toMatch(new RegExp(`✗ crashed +process ${pid} ended, no exit record +step \\d+`));
	}, 30_000);
});

describe('a writer that cannot be checked (no PID)', () => {
	it('turns stale after 10 minutes without a write (injected clock), and back to running when the log grows', async () => {
		const run = new LiveRun(tempDir(), 3);
		run.rows(50);
		let now = Date.now();
		const session = startSession(run.runDir, () => now);
		await waitFor(() => session.snapshot().run.rows === 50);
		expect(runLife(session.snapshot().run, now)).toMatchObject({status: 'running', alive: null});

		now += (STALE_SECONDS + 60) * 1000;
		// The session notices on its own timer (alerts and host samples re-judge the state).
		const heard: string[] = [];
		session.subscribe(kind => heard.push(kind));
		await waitFor(() => heard.includes('run'), 8000);
		const snap = session.snapshot();
		expect(runLife(snap.run, now).status).toBe('stale');
		expect(header(snap, now)).toMatch(/◌ stale +no write for 11m0\ds +step 49/);
		// The stall alert does not repeat what the state says.
		expect(snap.alerts.map(alert => alert.kind)).not.toContain('stall');

		// The run writes again: rows arrive (their own timestamps are 11 minutes behind this clock).
		run.rows(3);
		await waitFor(() => session.snapshot().run.rows === 53);
		expect(runLife(session.snapshot().run, now).status).toBe('running');
		expect(header(session.snapshot(), now)).toMatch(/● running/);
	}, 30_000);
});

describe('opening a large finished run', () => {
	it('shows "catching up" with a progress bar while reading, never running or a stall, then finished', async () => {
		// 40k rows x 20 metrics (~34 MB: several of the tail's 8 MiB reads), logged 3 h ago at 10 rows/s.
		const runDir = path.join(tempDir(), 'run-20261201_090000-big');
		const rows = 40_000;
		const size = writeBigFinishedRun(runDir, rows);
		expect(size).toBeGreaterThan(3 * 8 * 1024 * 1024);

		const seen: Array<{header: string; compact: string; rows: number; alerts: string[]}> = [];
		const session = new LiveSession(locateRun(runDir), {intervalMs: 1000, gpu: false, follow: false, poll: false});
		sessions.push(session);
		session.subscribe(() => {
			const snap = session.snapshot();
			seen.push({header: header(snap, Date.now()), compact: header(snap, Date.now(), 60, 15), rows: snap.run.rows, alerts: snap.alerts.map(alert => alert.kind)});
		});
		session.start();
		await waitFor(() => session.snapshot().run.exit !== null && !runLife(session.snapshot().run, Date.now()).catchingUp, 20_000);
		await sleep(100);

		const catchingUp = seen.filter(frame => frame.header.includes('catching up'));
		// Several frames while reading, each with the bar, bytes, rows so far; the rows grow (the charts fill).
		expect(catchingUp.length).toBeGreaterThanOrEqual(3);
		for (const frame of catchingUp) {
			expect(frame.header).toMatch(/↻ catching up +▕[█░]{10}▏ \d+% +[\d.]+\/3\d\.\d MB +[\d,]+ rows/);
			expect(frame.compact).toMatch(/↻ catching up \d+% step \d+/);
		}
		const counts = catchingUp.map(frame => frame.rows);
		expect(new Set(counts).size).toBeGreaterThanOrEqual(3);
		expect(counts.some(count => count > 0 && count < rows)).toBe(true);
		for (const frame of seen) {
			expect(frame.header).not.toMatch(/running|stalled/);
			expect(frame.compact).not.toMatch(/running|stalled/);
			expect(frame.alerts).not.toContain('stall');
		}
		expect(header(session.snapshot(), Date.now())).toMatch(/✓ finished +step 39999/);
	}, 60_000);
});
