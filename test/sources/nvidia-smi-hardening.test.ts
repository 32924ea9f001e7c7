/**
 * The GPU source against a misbehaving nvidia-smi (the stand-in in test/fixtures/fake-nvidia-smi,
 * which replays the real H100 captures and real error texts): output without line breaks, text
 * that never makes a sample, a flood on stderr, a child that ignores SIGTERM, and one whose pipe
 * stays open after SIGKILL (a process stuck in the driver). Memory and the number of nvidia-smi
 * processes must stay bounded, the panel must say what happened, and the app must be able to exit.
 *
 * Each test runs the stand-in through a symlink in its own temp dir, so the processes it started
 * are found by that path in /proc/<pid>/cmdline (the marker), including ones that escaped.
 */
import {spawn} from 'node:child_process';
import {getEventListeners} from 'node:events';
import {mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it} from 'vitest';
import type {HostEvent, HostSource} from '../../source/decode/host-events.js';
import {LineSplitter, MAX_LINE_CHARS, sampleGpusOnce, startGpuSource, startOneShot} from '../../source/sources/nvidia-smi.js';

const FAKE = fileURLToPath(new URL('../fixtures/fake-nvidia-smi/nvidia-smi', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCE = fileURLToPath(new URL('../../source/sources/nvidia-smi.ts', import.meta.url));
const isLinux = process.platform === 'linux';

let sources: HostSource[] = [];
let markers: string[] = [];
afterEach(() => {
	for (const s of sources) s.stop();
	sources = [];
	// Whatever the stand-ins left (the stuck mode's holders outlive everything else).
	for (const marker of markers) {
		for (const {pid} of processesWith(marker)) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// gone
			}
		}
		rmSync(marker, {recursive: true, force: true});
	}
	markers = [];
});

/** A fresh path to the stand-in (the marker) and a log of its invocations. */
function marked(): {command: string; marker: string; log: string} {
	const marker = mkdtempSync(join(tmpdir(), 'wbtop-smi-marker-'));
	markers.push(marker);
	const command = join(marker, 'nvidia-smi');
	symlinkSync(FAKE, command);
	return {command, marker, log: join(marker, 'calls.log')};
}

/** Live processes whose command line contains `marker`, with that command line. */
function processesWith(marker: string): Array<{pid: number; cmdline: string}> {
	const found: Array<{pid: number; cmdline: string}> = [];
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
			// A zombie has an empty cmdline and is dead already.
			if (cmdline.includes(marker)) found.push({pid: Number(name), cmdline});
		} catch {
			// gone meanwhile
		}
	}
	return found;
}

/** Starts the source on the marked stand-in in `mode`. */
function start(mode: string, extra: Partial<Parameters<typeof startGpuSource>[0]> = {}, env: NodeJS.ProcessEnv = {}) {
	const {command, marker, log} = marked();
	const events: HostEvent[] = [];
	const source = startGpuSource({
		intervalMs: 200,
		command,
		env: {FAKE_NVIDIA_SMI_MODE: mode, FAKE_NVIDIA_SMI_LOG: log, ...env},
		onEvent: e => events.push(e),
		...extra,
	});
	sources.push(source);
	const calls = () => {
		try {
			return readFileSync(log, 'utf8').split('\n').filter(Boolean);
		} catch {
			return [];
		}
	};
	const spawns = (kind: 'stream' | 'apps') => calls().filter(c => !c.includes(' holder ') && c.includes('-lms') === (kind === 'stream'));
	return {events, source, calls, spawns, marker};
}

async function until(check: () => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > end) throw new Error(`${what} not met within ${timeoutMs} ms`);
		await new Promise(r => setTimeout(r, 20));
	}
}

/** Samples `fn` every 25 ms for `ms`; returns the largest value seen. */
async function most(fn: () => number, ms: number): Promise<number> {
	let top = 0;
	const end = Date.now() + ms;
	while (Date.now() < end) {
		top = Math.max(top, fn());
		await new Promise(r => setTimeout(r, 25));
	}
	return top;
}

const samples = (events: HostEvent[]) => events.filter(e => e.type === 'gpu/sample');
const messages = (events: HostEvent[]) => events.flatMap(e => (e.type === 'gpu/status' ? [e.message ?? `(${e.status})`] : []));

/** Resident set size and CPU seconds of a pid, from /proc. */
function procUsage(pid: number): {rssMB: number; cpuS: number} {
	const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
	return {rssMB: rssKb / 1024, cpuS: (Number(fields[11]) + Number(fields[12])) / 100};
}

/**
 * Runs `code` (an ES module body with `startGpuSource` and `sampleGpusOnce` in scope) in a
 * separate Node process; resolves with its stdout lines, exit code and wall time.
 */
function runChild(code: string, env: NodeJS.ProcessEnv, onLine: (line: string, pid: number) => void = () => {}) {
	const body = `const {startGpuSource, sampleGpusOnce} = await import(${JSON.stringify(SOURCE)});\n${code}`;
	const t0 = Date.now();
	const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', body], {cwd: ROOT, env: {...process.env, ...env}, stdio: ['pipe', 'pipe', 'pipe']});
	const lines: string[] = [];
	let stderr = '';
	child.stdout.setEncoding('utf8');
	child.stdout.on('data', (text: string) => {
		for (const line of text.split('\n').filter(Boolean)) {
			lines.push(line);
			onLine(line, child.pid!);
		}
	});
	child.stderr.on('data', d => (stderr += d));
	const done = new Promise<{code: number | null; wallMs: number; lines: string[]; stderr: string}>(resolve =>
		child.on('exit', code => resolve({code, wallMs: Date.now() - t0, lines, stderr})),
	);
	return {child, done};
}

describe('LineSplitter: at most MAX_LINE_CHARS of an unfinished line', () => {
	it('splits lines across chunks and gives the unfinished last line at the end', () => {
		const lines: string[] = [];
		const splitter = new LineSplitter(line => lines.push(line));
		for (const chunk of ['0, GPU-a', ', H100\n1, GP', 'U-b, H100\n\n2, x']) splitter.push(chunk);
		expect(lines).toEqual(['0, GPU-a, H100', '1, GPU-b, H100', '']);
		splitter.end();
		expect(lines.at(-1)).toBe('2, x');
	});

	it('200 MB without a line break: holds at most the cap, reports one overflow, and reads the line after the break', () => {
		const lines: string[] = [];
		let reported = 0;
		const splitter = new LineSplitter(line => lines.push(line), () => reported++);
		const garbage = 'NVIDIA H100 80GB HBM3'.repeat(3121); // ~64 KiB, from the captured name
		let most = 0;
		for (let i = 0; i < 3200; i++) {
			splitter.push(garbage);
			most = Math.max(most, splitter.pendingChars);
		}
		expect(most).toBeLessThanOrEqual(MAX_LINE_CHARS);
		expect(splitter.pendingChars).toBe(0); // dropping: nothing held at all
		expect(reported).toBe(1);
		splitter.push(`${garbage}\n0, GPU-a, H100\n`);
		expect(lines).toEqual(['0, GPU-a, H100']);
		splitter.end();
		expect(splitter.overflows).toBe(1);
	});

	it('a complete line over the cap in one chunk is dropped too; one at the cap is kept', () => {
		const lines: string[] = [];
		const splitter = new LineSplitter(line => lines.push(line), () => {}, 10);
		splitter.push('x'.repeat(11) + '\n' + 'y'.repeat(10) + '\nz');
		expect(lines).toEqual(['y'.repeat(10)]);
		expect(splitter.overflows).toBe(1);
		splitter.push('z'.repeat(20)); // an unfinished overlong line is not given at the end
		splitter.end();
		expect(lines).toEqual(['y'.repeat(10)]);
		expect(splitter.overflows).toBe(2);
	});
});

describe('an nvidia-smi that prints garbage', () => {
	it('output without line breaks: reported once, the stream restarted, no sample made up', async () => {
		const {events, spawns} = start('no-newline', {hangMs: 1000, backoffMs: 100, maxBackoffMs: 200});
		await until(() => spawns('stream').length >= 2 && messages(events).filter(m => m.includes('no line breaks')).length >= 2, 6000, 'two restarts');
		const said = messages(events);
		expect(said[0]).toBe(`nvidia-smi printed over ${MAX_LINE_CHARS / 1024} KiB without a line break — ignoring it`);
		expect(said).toContain('nvidia-smi stopped responding (no sample for 1 s; its output has no line breaks) — restarting');
		// Once per child: never twice in a row.
		for (let i = 1; i < said.length; i++) expect(said[i]).not.toBe(said[i - 1]);
		expect(samples(events)).toEqual([]);
	});

	(isLinux ? it : it.skip)('output without line breaks: the RSS and CPU of a process running the source stay flat', async () => {
		const {command, marker} = marked();
		let at: {t: number; usage: ReturnType<typeof procUsage>} | null = null;
		let after: ReturnType<typeof procUsage> | null = null;
		const {child, done} = runChild(
			`const s = startGpuSource({intervalMs: 200, hangMs: 30000, command: process.env.SMI, onEvent: e => { if (e.type === 'gpu/status') console.log(e.message); }});
			 process.stdin.once('data', () => { s.stop(); process.exit(0); });`,
			{SMI: command, FAKE_NVIDIA_SMI_MODE: 'no-newline'},
			(line, pid) => {
				if (line.includes('without a line break') && at === null) at = {t: Date.now(), usage: procUsage(pid)};
			},
		);
		await until(() => at !== null, 5000, 'the overflow report');
		// The stand-in writes as fast as the pipe takes it; 2 s of that unbounded would be >100 MB.
		await new Promise(r => setTimeout(r, 2000));
		after = procUsage(child.pid!);
		const stand = processesWith(marker);
		expect(stand).toHaveLength(1); // still the first stream child: it is not read, not restarted
		child.stdin!.end('stop\n');
		const result = await done;
		expect(result.code, result.stderr).toBe(0);
		const before = at!.usage;
		expect(after.rssMB - before.rssMB).toBeLessThan(20);
		expect(after.cpuS - before.cpuS).toBeLessThan(0.5); // stopped reading it
	});

	it('whole lines that never make a sample: restarted after the hang limit, the text quoted and cut', async () => {
		const {events, spawns} = start('text-flood', {hangMs: 800, backoffMs: 100, maxBackoffMs: 200});
		await until(() => spawns('stream').length >= 2, 5000, 'a restart');
		const restart = messages(events).find(m => m.includes('stopped responding'));
		expect(restart).toMatch(/^nvidia-smi stopped responding \(no sample for 0\.8 s; it printed "NVIDIA-SMI has failed because it couldn't communicate/);
		expect(restart!.length).toBeLessThanOrEqual(300);
	});

	it('16 MiB on stderr, then exit: the reason from its first line, a short message, retried', async () => {
		const {events, spawns} = start('stderr-flood', {backoffMs: 100, maxBackoffMs: 200});
		await until(() => spawns('stream').length >= 2, 8000, 'a retry');
		expect(messages(events)[0]).toBe("couldn't communicate with the NVIDIA driver — retrying in 0.1 s");
	});
});

describe('an nvidia-smi that hangs', () => {
	(isLinux ? it : it.skip)('ignoring SIGTERM: killed at each hang and restarted, never two stream children alive', async () => {
		const {events, spawns, marker} = start('hang', {hangMs: 500, backoffMs: 100, maxBackoffMs: 100, appsIntervalMs: 300});
		const streams = () => processesWith(marker).filter(p => p.cmdline.includes('-lms')).length;
		const apps = () => processesWith(marker).filter(p => p.cmdline.includes('--query-compute-apps')).length;
		const both = await most(() => streams() * 100 + apps(), 2500);
		expect(Math.floor(both / 100)).toBeLessThanOrEqual(1);
		expect(both % 100).toBeLessThanOrEqual(1);
		expect(spawns('stream').length).toBeGreaterThanOrEqual(3);
		expect(messages(events)[0]).toBe('nvidia-smi stopped responding (no output for 0.5 s) — restarting');
	});

	(isLinux ? it : it.skip)('with a pipe SIGKILL cannot close: reported as stuck, nothing more spawned until it is gone', async () => {
		// The hang limit leaves the stand-in time to start its holder even on a busy box.
		const {events, spawns, calls, marker} = start('stuck', {hangMs: 1000, backoffMs: 100, maxBackoffMs: 200, appsIntervalMs: 1000});
		await until(() => messages(events).some(m => m.startsWith('nvidia-smi is stuck')), 4000, 'the stuck report');
		const firstPid = Number(spawns('stream')[0]!.split(' ')[0]);
		expect(messages(events)).toEqual([
			'nvidia-smi stopped responding (no output for 1 s) — restarting',
			`nvidia-smi is stuck (pid ${firstPid} was killed, but a process it started still holds its output open)`,
		]);
		// Several hang periods and apps intervals later: still the one stream child and one apps call.
		const streams = await most(() => processesWith(marker).filter(p => p.cmdline.includes('-lms')).length, 1500);
		expect(streams).toBeLessThanOrEqual(2); // the killed child's holder, and the child until it died
		expect(spawns('stream')).toHaveLength(1);
		expect(spawns('apps')).toHaveLength(1); // the first poll got stuck too: no other started
		expect(processesWith(marker).filter(p => p.cmdline.includes('-lms'))).toHaveLength(1);
		// The stuck one goes at last (the driver lets go): the stream starts again at once.
		const holder = calls().find(c => c.includes(' holder ') && c.includes('-lms'))!;
		process.kill(Number(holder.split(' ')[0]), 'SIGKILL');
		await until(() => spawns('stream').length === 2, 2000, 'the restart after the stuck child went');
	});

	(isLinux ? it : it.skip)('stop() with a stuck child: the app process still exits at once', async () => {
		const {command, marker} = marked();
		let stuckAt = 0;
		const {done} = runChild(
			`const s = startGpuSource({intervalMs: 200, hangMs: 1000, backoffMs: 100, command: process.env.SMI, onEvent: e => {
				if (e.type === 'gpu/status') console.log(e.message);
				if (e.type === 'gpu/status' && e.message?.startsWith('nvidia-smi is stuck')) s.stop();
			}});`,
			{SMI: command, FAKE_NVIDIA_SMI_MODE: 'stuck', FAKE_NVIDIA_SMI_STUCK_MS: '20000'},
			line => {
				if (line.startsWith('nvidia-smi is stuck')) stuckAt = Date.now();
			},
		);
		const result = await done;
		expect(result.lines.some(l => l.startsWith('nvidia-smi is stuck')), result.stderr).toBe(true);
		expect(Date.now() - stuckAt).toBeLessThan(1500);
		expect(result.code).toBe(0);
		expect(processesWith(marker).length).toBeGreaterThanOrEqual(1); // the holders live on, without us
	});
});

describe('one-shot calls', () => {
	(isLinux ? it : it.skip)('apps polls against a hanging nvidia-smi: never two in flight', async () => {
		// The stream hangs too, but its hang limit is far away, so the polls go on (a poll's
		// timeout is min(5 s, appsIntervalMs); the hung child ignores the SIGTERM it gets then).
		const {marker} = start('hang', {hangMs: 60_000, appsIntervalMs: 150});
		const seen = new Set<number>();
		const apps = await most(() => {
			const live = processesWith(marker).filter(p => p.cmdline.includes('--query-compute-apps'));
			for (const p of live) seen.add(p.pid);
			return live.length;
		}, 2000);
		expect(apps).toBe(1);
		expect(seen.size).toBeGreaterThanOrEqual(2); // each was given up and killed, then the next
	});

	it('one-shot calls leave no abort listener behind, and the signal ends one at once', async () => {
		const {command} = marked();
		const stop = new AbortController();
		const warnings: string[] = [];
		const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
		process.on('warning', onWarning);
		try {
			for (let i = 0; i < 12; i++) {
				const call = startOneShot(command, ['--query-compute-apps=pid', '--format=csv,noheader,nounits'], 5000, {}, stop.signal);
				expect((await call.result).failure).toBeNull();
				await call.reaped;
			}
			expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
			const hung = startOneShot(command, ['--query-gpu=index'], 5000, {FAKE_NVIDIA_SMI_MODE: 'hang'}, stop.signal);
			await new Promise(r => setTimeout(r, 300));
			const t0 = Date.now();
			stop.abort();
			expect((await hung.result).failure).not.toBeNull();
			expect(Date.now() - t0).toBeLessThan(100);
			await hung.reaped; // SIGKILL: gone
		} finally {
			process.off('warning', onWarning);
		}
		expect(warnings.filter(w => w.includes('MaxListeners'))).toEqual([]);
	});

	(isLinux ? it : it.skip)('sampleGpusOnce against a stuck nvidia-smi: bounded, two calls only, and the process exits', async () => {
		const {command, marker, log} = marked();
		const {done} = runChild(
			`const t0 = Date.now();
			 const snap = await sampleGpusOnce({timeoutMs: 600, command: process.env.SMI});
			 console.log(JSON.stringify({ms: Date.now() - t0, snap}));`,
			{SMI: command, FAKE_NVIDIA_SMI_MODE: 'stuck', FAKE_NVIDIA_SMI_LOG: log, FAKE_NVIDIA_SMI_STUCK_MS: '20000'},
		);
		const result = await done;
		expect(result.code, result.stderr).toBe(0);
		const {ms, snap} = JSON.parse(result.lines.at(-1)!);
		expect(ms).toBeLessThan(1500);
		expect(snap).toMatchObject({status: 'error', message: expect.stringContaining('timed out')});
		const calls = readFileSync(log, 'utf8').split('\n').filter(l => l && !l.includes(' holder '));
		expect(calls).toHaveLength(2); // --query-gpu and --query-compute-apps, not retried
		// The process ended soon after its answer although the holders still keep the pipes open.
		expect(result.wallMs - ms).toBeLessThan(3000);
		expect(processesWith(marker).length).toBeGreaterThanOrEqual(1);
	});
});
