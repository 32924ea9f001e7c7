/**
 * `node --import tsx bench/experiments/idle-folder.ts [folder] [smi] [--before REV]`
 *
 * folder: a wandb/ folder of 5,000 finished runs (each a tiny `.wandb` from wbtop's own writer),
 *   nothing changing. Measures the CPU of `RunCatalog.refresh()` every 2 s for 20 s (what the
 *   dashboard does while idle on such a folder), and of `locateRun(folder)` every 1 s (the
 *   session's new-run check), with and without a `latest-run` link.
 * smi: the RSS over 30 s of a process running the GPU source against the stand-in nvidia-smi in
 *   its `no-newline` mode (endless output without a line break), and the number of nvidia-smi
 *   processes alive against the `stuck` mode (a child whose pipe stays open after SIGKILL).
 *
 * --before REV measures the code of git revision REV instead (extracted from `git archive` into
 * bench/out/), for before/after figures from one script; the stand-in is always this checkout's.
 *
 * Last run (2 shared EPYC vCPUs; f6b83fe = before, d5e6439..99ae25c = after):
 *   RunCatalog.refresh() on 5,000 runs: 140 ms a call, 6.4 % of a core -> 0.6 ms, 0.15 %
 *   locateRun(folder) every 1 s, no latest-run: 119 ms, 11.2 % -> 3.4 ms, 0.75 %
 *   locateRun(folder) every 1 s, with latest-run: 5.3 ms -> 0.5 ms
 *   no-newline stand-in, 30 s: RSS peak 1,057 MB and 109 % of a core -> 92 MB and 1.4 % (the
 *     normal stand-in: 94 MB, 1.4 %); the stream is now reported and restarted
 *   stuck stand-in, 30 s: 4 stream spawns, 6 processes alive at once, 5 left -> 1 spawn, 4 alive
 *     at most (stream child + its holder, apps child + its holder), 2 left (the holders)
 * (The CPU figures include the measuring process's own floor, 0.2-0.9 % on that box.)
 */
import {execFileSync, spawn} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {encodeExit, encodeFraming, encodeHeader, encodeHistory, encodeRun} from '../../source/demo/writer.js';
import {CLK_TCK, FAKE_SMI_DIR, ROOT, sleep} from '../lib.js';

const RUNS = 5000;
const args = process.argv.slice(2);

/** The source tree to measure: this checkout's, or REV's extracted under bench/out/. */
function sourceRoot(): {root: string; label: string} {
	const at = args.indexOf('--before');
	if (at < 0) return {root: join(ROOT, 'source'), label: 'working tree'};
	const rev = args[at + 1]!;
	const dir = join(ROOT, 'bench', 'out', `idle-folder-${rev.replace(/[^\w.-]/g, '_')}`);
	if (!existsSync(join(dir, 'source'))) {
		mkdirSync(dir, {recursive: true});
		execFileSync('sh', ['-c', `git archive ${JSON.stringify(rev)} source | tar -x -C ${JSON.stringify(dir)}`], {cwd: ROOT});
	}
	return {root: join(dir, 'source'), label: rev};
}

/** A wandb/ folder of RUNS finished runs, cached under bench/out/. */
function makeFolder(): string {
	const wandb = join(ROOT, 'bench', 'out', 'idle-folder-runs', 'wandb');
	if (existsSync(wandb) && readdirSync(wandb).length >= RUNS) return wandb;
	rmSync(wandb, {recursive: true, force: true});
	mkdirSync(wandb, {recursive: true});
	const start = Date.UTC(2024, 0, 1);
	for (let i = 0; i < RUNS; i++) {
		const t = new Date(start + i * 3600_000);
		const stamp = t.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
		const id = `r${String(i).padStart(7, '0')}`;
		const dir = join(wandb, `run-${stamp}-${id}`);
		mkdirSync(join(dir, 'files'), {recursive: true});
		const records = [encodeHeader({producer: '0.22.3'}), encodeRun({runId: id, project: 'idle', displayName: `run ${i}`, startTime: t.getTime()})];
		for (let step = 0; step < 5; step++) records.push(encodeHistory({step, values: {loss: 1 / (step + 1), _step: step}}));
		records.push(encodeExit({exitCode: 0, runtime: 5}));
		writeFileSync(join(dir, `run-${id}.wandb`), encodeFraming(records));
	}
	return wandb;
}

/** CPU % of one core that `fn` costs, called every `everyMs` for `forMs`. */
async function cpuOf(fn: () => void, everyMs: number, forMs: number): Promise<{percent: number; perCallMs: number}> {
	const calls: number[] = [];
	const before = process.cpuUsage();
	const t0 = performance.now();
	while (performance.now() - t0 < forMs) {
		const c0 = performance.now();
		fn();
		calls.push(performance.now() - c0);
		await sleep(everyMs);
	}
	const used = process.cpuUsage(before);
	const wall = performance.now() - t0;
	calls.sort((a, b) => a - b);
	return {percent: ((used.user + used.system) / 1000 / wall) * 100, perCallMs: calls[Math.floor(calls.length / 2)]!};
}

async function folder(root: string): Promise<void> {
	const wandb = makeFolder();
	const {RunCatalog} = (await import(pathToFileURL(join(root, 'modes', 'run-catalog.ts')).href)) as typeof import('../../source/modes/run-catalog.js');
	const {locateRun} = (await import(pathToFileURL(join(root, 'sources', 'locate.ts')).href)) as typeof import('../../source/sources/locate.js');
	const floor = await cpuOf(() => {}, 2000, 10_000);
	console.log(`  floor (an empty call every 2 s, 10 s): ${floor.percent.toFixed(2)} % of a core`);
	const catalog = new RunCatalog(wandb);
	const c0 = performance.now();
	catalog.refresh();
	console.log(`  first refresh: ${(performance.now() - c0).toFixed(0)} ms, ${catalog.entries().length} runs`);
	const idle = await cpuOf(() => catalog.refresh(), 2000, 20_000);
	console.log(`  RunCatalog.refresh() every 2 s, 20 s: ${idle.percent.toFixed(2)} % of a core (median call ${idle.perCallMs.toFixed(1)} ms)`);
	catalog.close();
	const latest = join(wandb, 'latest-run');
	rmSync(latest, {force: true});
	const noLink = await cpuOf(() => locateRun(wandb), 1000, 10_000);
	console.log(`  locateRun(folder) every 1 s, no latest-run: ${noLink.percent.toFixed(2)} % (median call ${noLink.perCallMs.toFixed(1)} ms)`);
	symlinkSync(readdirSync(wandb).filter(n => n.startsWith('run-')).sort().at(-1)!, latest);
	const link = await cpuOf(() => locateRun(wandb), 1000, 10_000);
	console.log(`  locateRun(folder) every 1 s, with latest-run: ${link.percent.toFixed(2)} % (median call ${link.perCallMs.toFixed(1)} ms)`);
	rmSync(latest, {force: true});
}

/** Resident set of a pid, MB, from /proc. */
function rssMB(pid: number): number | null {
	try {
		const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
		return kb ? Number(kb) / 1024 : null;
	} catch {
		return null;
	}
}

/** Live processes whose command line contains `marker`. */
function processesWith(marker: string): number[] {
	const pids: number[] = [];
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker)) pids.push(Number(name));
		} catch {
			// gone
		}
	}
	return pids;
}

/** Runs the GPU source in a child process against the stand-in in `mode` for `forMs`. */
async function smiChild(root: string, mode: string, forMs: number, sample: (pid: number, t: number) => void, extraEnv: NodeJS.ProcessEnv = {}): Promise<string[]> {
	const module = pathToFileURL(join(root, 'sources', 'nvidia-smi.ts')).href;
	const code = `
		const {startGpuSource} = await import(${JSON.stringify(module)});
		const s = startGpuSource({intervalMs: 1000, command: process.env.SMI, hangMs: 5000, onEvent: e => { if (e.type === 'gpu/status') console.log(JSON.stringify(e.message)); }});
		setTimeout(() => { s.stop(); process.exit(0); }, ${forMs});`;
	const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
		cwd: ROOT,
		env: {...process.env, SMI: join(FAKE_SMI_DIR, 'nvidia-smi'), FAKE_NVIDIA_SMI_MODE: mode, ...extraEnv},
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const lines: string[] = [];
	child.stdout.setEncoding('utf8');
	child.stdout.on('data', (text: string) => lines.push(...text.split('\n').filter(Boolean)));
	const t0 = Date.now();
	const timer = setInterval(() => sample(child.pid!, Date.now() - t0), 500);
	await new Promise(resolve => child.on('exit', resolve));
	clearInterval(timer);
	return lines;
}

/** CPU seconds (user + system) a pid used so far, from /proc. */
function cpuSeconds(pid: number): number | null {
	try {
		const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
		return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
	} catch {
		return null;
	}
}

async function smi(root: string): Promise<void> {
	for (const mode of ['', 'no-newline']) {
		const rss: Array<[number, number]> = [];
		let cpu = 0;
		const statuses = await smiChild(root, mode, 30_000, (pid, t) => {
			const mb = rssMB(pid);
			if (mb !== null) rss.push([t, mb]);
			cpu = cpuSeconds(pid) ?? cpu;
		});
		const at = (s: number) => rss.find(([t]) => t >= s * 1000)?.[1]?.toFixed(0) ?? '?';
		const peak = Math.max(...rss.map(([, mb]) => mb));
		console.log(`  ${mode || 'normal'} stand-in, 30 s: RSS at 2/10/20/29 s ${at(2)}/${at(10)}/${at(20)}/${at(29)} MB, peak ${peak.toFixed(0)} MB; CPU ${((cpu / 30) * 100).toFixed(1)} % of a core`);
		console.log(`    statuses: ${[...new Set(statuses)].slice(0, 4).join(' | ') || '(none)'}`);
	}

	const dir = mkdtempSync(join(tmpdir(), 'wbtop-stuck-marker-'));
	const command = join(dir, 'nvidia-smi');
	const log = join(dir, 'calls.log');
	symlinkSync(join(FAKE_SMI_DIR, 'nvidia-smi'), command);
	let most = 0;
	let mostStreams = 0;
	const stuck = await smiChild(
		root,
		'stuck',
		30_000,
		() => {
			const pids = processesWith(dir);
			most = Math.max(most, pids.length);
			mostStreams = Math.max(mostStreams, pids.filter(pid => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('-lms')).length);
		},
		{SMI: command, FAKE_NVIDIA_SMI_STUCK_MS: '40000', FAKE_NVIDIA_SMI_LOG: log},
	);
	const left = processesWith(dir);
	const calls = readFileSync(log, 'utf8').split('\n').filter(line => line !== '' && !line.includes(' holder '));
	console.log(
		`  stuck stand-in (hang 5 s), 30 s: ${calls.filter(c => c.includes('-lms')).length} stream and ${calls.filter(c => !c.includes('-lms')).length} apps spawns; ` +
			`at most ${mostStreams} stream processes (child + holder) and ${most} in all alive at once; ${left.length} left after`,
	);
	console.log(`    statuses: ${[...new Set(stuck)].slice(0, 4).join(' | ') || '(none)'}`);
	for (const pid of left) process.kill(pid, 'SIGKILL');
	rmSync(dir, {recursive: true, force: true});
}

const {root, label} = sourceRoot();
const beforeAt = args.indexOf('--before');
const sections = args.filter((a, i) => !a.startsWith('--') && (beforeAt < 0 || i !== beforeAt + 1));
const all = sections.length === 0;
console.log(`code: ${label}`);
if (all || sections.includes('folder')) {
	console.log(`folder of ${RUNS} runs:`);
	await folder(root);
}
if (all || sections.includes('smi')) {
	console.log('nvidia-smi:');
	await smi(root);
}
