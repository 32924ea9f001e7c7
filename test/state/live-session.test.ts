import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {LiveSession} from '../../source/modes/session.js';
import {locateRun} from '../../source/sources/locate.js';
import {initialUiState} from '../../source/state/ui-state.js';
import {ScreenBuilder} from '../../source/view/screen.js';
import {realRun} from '../helpers/fixtures.js';
import {LiveRun} from '../helpers/live-run.js';
import {encodeConfig, encodeEnvironment} from '../../source/demo/writer.js';

const wait = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
const sleep = wait;

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

describe('pause', () => {
	it('holds the screen still while rows arrive underneath; resume shows them and says how many', async () => {
		const root = mkdtempSync(join(tmpdir(), 'wbtop-pause-'));
		const run = new LiveRun(root, 4);
		run.rows(100);
		const session = new LiveSession(locateRun(run.runDir), {intervalMs: 1000, gpu: false, follow: false, poll: false});
		const heard: string[] = [];
		session.subscribe(kind => heard.push(kind));
		session.start();
		const draw = (snap: ReturnType<LiveSession['snapshot']>) =>
			new ScreenBuilder()
				.build({snap, ui: initialUiState(), columns: 120, rows: 40, now: 0, pulse: 0})
				.lines.map(line => line.text)
				.join('\n');
		try {
			await waitFor(() => session.snapshot().run.rows === 100);
			session.command({type: 'pause'});
			const paused = session.snapshot();
			expect(paused.paused).not.toBeNull();
			const screen = draw(paused);
			expect(screen).toContain('PAUSED');
			const loss = paused.run.metrics.get('train/loss')!.series;
			const count = loss.count;
			heard.length = 0;

			run.rows(25);
			await sleep(1200); // the tail reads the new rows (events, else its 500 ms poll)
			const still = session.snapshot();
			expect(still).toBe(paused);
			expect(still.run.rows).toBe(100);
			// The held copy did not grow with the live series (it used to: same object, mutated in place).
			expect(loss.count).toBe(count);
			expect(draw(still)).toBe(screen);
			expect(heard).toEqual([]); // nothing to redraw while paused

			session.command({type: 'pause'});
			const resumed = session.snapshot();
			expect(resumed.paused).toBeNull();
			expect(resumed.run.rows).toBe(125);
			expect(resumed.notice).toBe('resumed: 25 new rows arrived while paused');
			expect(draw(resumed)).toContain('step 124');
		} finally {
			session.stop();
			rmSync(root, {recursive: true, force: true});
		}
	});

	it('alerts come from data changes, not from taking a snapshot', async () => {
		const rung: string[] = [];
		const session = new LiveSession(locateRun(realRun('f230dm6e')), {intervalMs: 1000, gpu: false, follow: false, poll: false, onNewAlert: alert => rung.push(alert.id)});
		session.start();
		try {
			await waitFor(() => session.snapshot().run.rows === 1715 && session.snapshot().alerts.length > 0);
			const before = session.snapshot();
			for (let i = 0; i < 5; i++) expect(session.snapshot()).toBe(before);
			expect(rung.length).toBe(before.alerts.length);
		} finally {
			session.stop();
		}
	});
});

async function waitFor(test: () => boolean, timeoutMs = 5000): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (!test()) {
		if (Date.now() > end) throw new Error('timed out');
		await sleep(20);
	}
}

describe('the overview, live', () => {
	it('environment and config records, then wandb-metadata.json, show on the open overview as they arrive', async () => {
		const root = mkdtempSync(join(tmpdir(), 'wbtop-overview-'));
		const run = new LiveRun(root, 2);
		run.rows(10);
		const session = new LiveSession(locateRun(run.runDir), {intervalMs: 1000, gpu: false, follow: false, poll: false});
		const ui = {...initialUiState(), overview: {...initialUiState().overview, open: true}};
		const page = () =>
			new ScreenBuilder()
				.build({snap: session.snapshot(), ui, columns: 120, rows: 40, now: Date.now(), pulse: 0})
				.lines.map(line => line.text)
				.join('\n');
		const until = async (test: () => boolean, ms: number) => {
			for (const end = Date.now() + ms; Date.now() < end && !test(); ) await wait(50);
			return test();
		};
		session.start();
		try {
			expect(await until(() => /^id +live/m.test(page()), 2000)).toBe(true);
			expect(page()).toMatch(/^host +—/m);
			expect(page()).toContain('no config recorded');
			run.append(encodeEnvironment({writerId: 'w1', host: 'gpu-node-7', gpus: [{name: 'NVIDIA A100-SXM4-80GB', memoryTotal: 85_899_345_920}, {name: 'NVIDIA A100-SXM4-80GB', memoryTotal: 85_899_345_920}], cudaVersion: '12.2'}), encodeConfig({update: {optimizer: {lr: 0.0003, betas: [0.9, 0.95]}}}));
			expect(await until(() => /^host +gpu-node-7/m.test(page()), 3000)).toBe(true);
			expect(page()).toMatch(/^gpu +NVIDIA A100-SXM4-80GB x 2 \(80 GiB each\)/m);
			expect(page()).toMatch(/optimizer\.betas +\[0\.9, 0\.95\]/);
			expect(page()).toMatch(/optimizer\.lr +3e-4|optimizer\.lr +0\.0003/);
			// The metadata file comes later (an online run's sender writes it): looked at every 5 s.
			writeFileSync(join(run.runDir, 'files', 'wandb-metadata.json'), JSON.stringify({program: '/srv/train.py', args: ['--epochs', '3'], git: {commit: 'deadbeef'}}));
			expect(await until(() => /^command +\/srv\/train\.py --epochs 3/m.test(page()), 7000)).toBe(true);
			expect(page()).toMatch(/^git commit +deadbeef/m);
			// The records still win for what they hold.
			expect(page()).toMatch(/^host +gpu-node-7/m);
		} finally {
			session.stop();
			rmSync(root, {recursive: true, force: true});
		}
	}, 15_000);
});
