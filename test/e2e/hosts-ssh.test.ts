// `--hosts`: other nodes' GPUs over a real OpenSSH server on 127.0.0.1 (test/helpers/sshd.ts), whose
// nvidia-smi is the stand-in replaying the real H100 captures. Skipped, saying why, where sshd
// cannot be started (not installed, not permitted).
import {chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {hostname, tmpdir} from 'node:os';
import {join} from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CLI, ROOT, realRun} from '../helpers/fixtures.js';
import {sshdUnavailable, startSshd, type TestSshd} from '../helpers/sshd.js';
import type {HostEvent} from '../../source/decode/host-events.js';
import {startRemoteGpuSource} from '../../source/sources/remote-gpu.js';
import {initialHostState, reduceHost} from '../../source/state/host-state.js';

const FAKE_DIR = join(ROOT, 'test', 'fixtures', 'fake-nvidia-smi');
const RUN = realRun('gkmcq7i0');

let sshd: TestSshd | null = null;
let why = sshdUnavailable();
beforeAll(async () => {
	if (why) return;
	try {
		sshd = await startSshd();
	} catch (error) {
		why = `sshd could not be started: ${(error as Error).message}`;
	}
});
afterAll(async () => {
	await sshd?.stop();
});

const wbtop = (args: string[]) =>
	execa('node', [CLI, ...args], {reject: false, timeout: 30_000, env: {...sshd!.env, PATH: `${FAKE_DIR}:${sshd!.env.PATH}`, NO_COLOR: '1'}});

describe('--hosts over ssh', () => {
	it('refuses a host name ssh would read as an option, running nothing', async () => {
		const marker = join(mkdtempSync(join(tmpdir(), 'wbtop-proxy-')), 'ran');
		const result = await execa('node', [CLI, '--once', '--json', '--no-gpu', `--hosts=node1,-oProxyCommand=touch ${marker}`, RUN], {reject: false});
		expect(result.exitCode).toBe(2);
		expect(result.stderr.split('\n')[0]).toMatch(/^wbtop: --hosts: refused host name '-oProxyCommand=touch .*' starts with '-'/);
		expect(result.stdout).toBe('');
		expect(existsSync(marker)).toBe(false);
		rmSync(join(marker, '..'), {recursive: true, force: true});
	});

	it('--once --json: hosts has this machine first, then each node with its state and GPUs', async context => {
		if (why) return context.skip(why);
		const result = await wbtop(['--once', '--json', '--hosts', 'hostA,hostE,hostAuth,hostMissing,hostDown', RUN]);
		expect(result.exitCode, result.stderr).toBe(0);
		const report = JSON.parse(result.stdout);
		const hosts = report.hosts as Array<{name: string; status: string; message: string | null; gpus: Array<{index: number; util: number | null; memTotalMiB: number | null}>}>;
		expect(hosts.map(h => h.name)).toEqual([hostname(), 'hostA', 'hostE', 'hostAuth', 'hostMissing', 'hostDown']);
		// The local host object is kept as it was, and the local entry of hosts says the same.
		expect(hosts[0]!.status).toBe(report.host.gpuStatus);
		expect(hosts[0]!.gpus).toEqual(report.host.gpus);
		// hostA runs the same stand-in as this machine: the same capture's GPUs, read over ssh.
		expect(hosts[1]).toMatchObject({status: 'ok', message: null});
		expect(hosts[1]!.gpus.map(g => [g.index, g.memTotalMiB])).toEqual(report.host.gpus.map((g: {index: number; memTotalMiB: number}) => [g.index, g.memTotalMiB]));
		expect(hosts[2]!.status).toBe('ok');
		expect(hosts[2]!.gpus.map(g => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
		expect(hosts[3]).toMatchObject({status: 'auth-refused', gpus: []});
		expect(hosts[3]!.message).toMatch(/^authentication refused: .*Permission denied \(publickey\)/);
		expect(hosts[4]).toMatchObject({status: 'no-nvidia-smi', message: 'no nvidia-smi on this host', gpus: []});
		expect(hosts[5]).toMatchObject({status: 'unreachable', gpus: []});
		expect(hosts[5]!.message).toMatch(/^unreachable: ssh: connect to host 127\.0\.0\.\d port \d+: Connection refused/);
	});

	it('--once at 120x40: each host named over its GPU lines, failing ones with their state', async context => {
		if (why) return context.skip(why);
		const result = await wbtop(['--once', '--width', '120', '--height', '40', '--hosts', 'hostA,hostE,hostAuth,hostMissing,hostDown', RUN]);
		expect(result.exitCode, result.stderr).toBe(0);
		const lines = result.stdout.split('\n');
		const column = lines.map(line => line.slice(line.search(/(local|host[A-Za-z]+)(\s|$)/)));
		const at = (name: string) => column.findIndex(line => line.startsWith(name));
		for (const name of ['local', 'hostA', 'hostE', 'hostAuth', 'hostMissing', 'hostDown']) expect(at(name), name).toBeGreaterThan(0);
		// hostE's 8 GPU lines (index, the capture's name) follow its name.
		const gpuRows = lines.slice(at('hostE') + 1, at('hostE') + 9).map(line => /\b([0-7]) H100 80GB/.exec(line)?.[1]);
		expect(gpuRows).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
		expect(column[at('hostAuth')]).toMatch(/^hostAuth +authentication refused/);
		expect(column[at('hostMissing')]).toMatch(/^hostMissing +no nvidia-smi on this/);
		expect(column[at('hostDown')]).toMatch(/^hostDown +unreachable: ssh: conn/);
	});

	it('--line sums the nodes that answered: nodes, GPUs and their mean utilization', async context => {
		if (why) return context.skip(why);
		const [line, json] = await Promise.all([
			wbtop(['--line', '--hosts', 'hostA,hostE,hostDown', RUN]),
			wbtop(['--once', '--json', '--hosts', 'hostA,hostE,hostDown', RUN]),
		]);
		expect(line.exitCode, line.stderr).toBe(0);
		const hosts = JSON.parse(json.stdout).hosts as Array<{status: string; gpus: Array<{util: number | null}>}>;
		const gpus = hosts.filter(h => h.status === 'ok').flatMap(h => h.gpus);
		const utils = gpus.map(g => g.util).filter((u): u is number => u !== null);
		const mean = Math.round(utils.reduce((a, b) => a + b, 0) / utils.length);
		expect(gpus.length).toBe(1 + 1 + 8);
		expect(line.stdout).toContain(` | 3/4 nodes ${gpus.length} GPUs ${mean} %`);
	});

	it('the live stream: samples from a node, "stalled" 3 intervals past the connect timeout, one attempt per back-off step', async context => {
		if (why) return context.skip(why);
		const controlDir = join(sshd!.env.XDG_RUNTIME_DIR!, 'wbtop');
		const events: Array<HostEvent & {at: number}> = [];
		const start = Date.now();
		const onEvent = (event: HostEvent) => events.push({...event, at: Date.now() - start});
		const callsBefore = {down: sshd!.sshCalls('hostDown'), hang: sshd!.sshCalls('hostHang')};
		const savedPath = process.env.PATH;
		process.env.PATH = sshd!.env.PATH; // the ssh that reads the test's ssh_config
		const sources = ['hostE', 'hostHang', 'hostDown', 'hostAuth'].map(host => startRemoteGpuSource({host, intervalMs: 500, onEvent, controlDir, env: sshd!.env}));
		process.env.PATH = savedPath;
		try {
			await new Promise(resolve => setTimeout(resolve, 8500));
		} finally {
			for (const source of sources) source.stop();
		}
		const of = (host: string) => events.filter(e => 'host' in e && e.host === host);
		// hostE: samples of 8 GPUs, one per interval (500 ms).
		const samples = of('hostE').filter(e => e.type === 'remote/sample');
		expect(samples.length).toBeGreaterThanOrEqual(10);
		for (const s of samples) if (s.type === 'remote/sample') expect(s.gpus.map(g => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
		// hostHang: connected, never a sample; stalled at ConnectTimeout (5 s) + 3 intervals (1.5 s), not before.
		const stalled = of('hostHang').find(e => e.type === 'remote/status' && e.status === 'stalled');
		expect(stalled, JSON.stringify(of('hostHang'))).toBeDefined();
		expect(stalled!.at).toBeGreaterThanOrEqual(6500);
		expect(stalled!.at).toBeLessThan(7300);
		expect(of('hostHang').some(e => e.type === 'remote/sample')).toBe(false);
		// hostDown: unreachable, retried after 1, 2 and 4 s: 4 attempts in 8.5 s, never more.
		const down = of('hostDown').filter(e => e.type === 'remote/status').map(e => (e.type === 'remote/status' ? e.status : ''));
		expect(down).toContain('unreachable');
		expect(sshd!.sshCalls('hostDown') - callsBefore.down).toBe(4);
		// hostHang: killed at 6.5 s, again after 1 s: 2 attempts, never a second while one lives.
		expect(sshd!.sshCalls('hostHang') - callsBefore.hang).toBe(2);
		// The reducer keeps the hosts in the order they first spoke, with their states.
		const state = events.reduce(reduceHost, initialHostState());
		expect(new Set(state.remotes.map(r => r.name))).toEqual(new Set(['hostE', 'hostHang', 'hostDown', 'hostAuth']));
		expect(state.remotes.find(r => r.name === 'hostAuth')!.status).toBe('auth-refused');
		expect(state.remotes.find(r => r.name === 'hostE')!.gpus).toHaveLength(8);
	});
});

describe('--hosts slurm', () => {
	/** A stand-in for Slurm's scontrol: `show hostnames LIST` prints one name a line, as the real one does for `node-[1-2],hostE`. */
	const fakeScontrol = () => {
		const dir = mkdtempSync(join(tmpdir(), 'wbtop-slurm-'));
		writeFileSync(join(dir, 'scontrol'), `#!/bin/sh\n[ "$1 $2" = "show hostnames" ] || exit 1\necho "$3" >> '${join(dir, 'calls')}'\nprintf 'hostA\\nhostE\\n%s\\n' "$(hostname)"\n`);
		chmodSync(join(dir, 'scontrol'), 0o755);
		return dir;
	};

	it('expands the job node list with scontrol (this machine left out) and watches those nodes', async context => {
		if (why) return context.skip(why);
		const slurm = fakeScontrol();
		const result = await execa('node', [CLI, '--once', '--json', '--hosts', 'slurm', RUN], {
			reject: false,
			timeout: 30_000,
			env: {...sshd!.env, PATH: `${slurm}:${FAKE_DIR}:${sshd!.env.PATH}`, SLURM_JOB_NODELIST: 'host[A,E]'},
		});
		expect(result.exitCode, result.stderr).toBe(0);
		expect(readFileSync(join(slurm, 'calls'), 'utf8')).toBe('host[A,E]\n');
		const hosts = JSON.parse(result.stdout).hosts as Array<{name: string; status: string; gpus: unknown[]}>;
		expect(hosts.map(h => [h.name, h.status, h.gpus.length])).toEqual([
			[hostname(), 'ok', JSON.parse(result.stdout).host.gpus.length],
			['hostA', 'ok', 1],
			['hostE', 'ok', 8],
		]);
		rmSync(slurm, {recursive: true, force: true});
	});

	it('outside a job, or without scontrol, says so in one line (exit 2)', async () => {
		const env = {...process.env};
		delete env.SLURM_JOB_NODELIST;
		delete env.SLURM_NODELIST;
		const outside = await execa('node', [CLI, '--once', '--json', '--hosts', 'slurm', RUN], {reject: false, env, extendEnv: false});
		expect(outside.exitCode).toBe(2);
		expect(outside.stderr).toBe('wbtop: --hosts slurm: SLURM_JOB_NODELIST is not set (run it inside a Slurm job, or give --hosts node1,node2,...)');
		const noScontrol = await execa(process.execPath, [CLI, '--once', '--json', '--hosts', 'slurm', RUN], {reject: false, env: {...env, PATH: '/nonexistent', SLURM_JOB_NODELIST: 'node-[1-4]'}, extendEnv: false});
		expect(noScontrol.exitCode).toBe(2);
		expect(noScontrol.stderr).toBe("wbtop: --hosts slurm: scontrol not found (Slurm's commands are not on PATH)");
	});
});
