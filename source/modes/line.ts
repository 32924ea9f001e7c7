/**
 * `wbtop --line`: one status line, for a tmux status bar, which calls it every few seconds. So it
 * reads only the run's end (sources/log-end.ts), and loads only the code it uses: nvidia-smi's
 * (execa) only when the GPUs are sampled.
 */
import {reduceRun, type RunState} from '../state/run-state.js';
import {runLife} from '../state/run-life.js';
import {lifeTargetOf, probeRunLife} from '../sources/run-life.js';
import {readRunPid} from '../sources/run-pid.js';
import {hostsSummary, type HostState} from '../state/host-state.js';
import {computeAlerts, initialAlertMemory, type Alert} from '../state/alerts.js';
import {readRunEnd} from '../sources/log-end.js';
import {UnreadableRunError, type RunLocation} from '../sources/locate.js';
import type {Options} from '../options.js';
import v8 from 'node:v8';
import {formatNumber} from '../view/format.js';
import {runProgress} from '../state/progress.js';
import {progressShort} from '../view/progress-text.js';
import {sanitizeLine} from '../view/sanitize.js';

/**
 * The metrics `--line` shows: losses first, then accuracies, then the rest; shorter names first,
 * then by `localeCompare`; at most `count`. Names are compared with `localeCompare` only where
 * rank and length tie within the first `count`: its first call loads ICU's collation data, which
 * costs `--line` ~5 ms and ~4 MB when it is not needed.
 */
export function mainMetrics(state: RunState, count = 3): string[] {
	const rank = (name: string) => (/loss/i.test(name) ? 0 : /acc|f1|score|reward|return/i.test(name) ? 1 : /lr|learning_rate/i.test(name) ? 3 : 2);
	const names: Array<{name: string; rank: number}> = [];
	for (const metric of state.metrics.values()) if (!metric.hidden && metric.series.count > 0) names.push({name: metric.name, rank: rank(metric.name)});
	const coarse = (a: {name: string; rank: number}, b: {name: string; rank: number}) => a.rank - b.rank || a.name.length - b.name.length;
	names.sort(coarse);
	// The first `count`, and the names that tie with the last of them.
	let end = Math.min(count, names.length);
	while (end > 0 && end < names.length && coarse(names[end - 1], names[end]) === 0) end++;
	return names
		.slice(0, end)
		.sort((a, b) => coarse(a, b) || a.name.localeCompare(b.name))
		.slice(0, count)
		.map(entry => entry.name);
}

/** `--line`: one status line, e.g. `resnet ● running step 1200 train/loss 0.31 | GPU0 97% 61G/80G`. */
export function statusLine(state: RunState, host: HostState | null, alerts: readonly Alert[], now = Date.now()): string {
	const status = runLife(state, now).status;
	const mark = status === 'running' ? '●' : status === 'finished' ? '✓' : status === 'stale' ? '◌' : '✗';
	const name = sanitizeLine(state.info?.name ?? state.info?.id ?? 'run');
	const parts = [`${name} ${mark} ${status}`, `step ${state.lastStep ?? '—'}`];
	// From the log's head (config) and end (console, rows): `14% ETA 2d3h`.
	const progress = runProgress(state, status === 'running');
	if (progress) parts.push(progressShort(progress));
	for (const key of mainMetrics(state)) parts.push(`${sanitizeLine(key)} ${formatNumber(state.metrics.get(key)!.series.last)}`);
	let line = parts.join(' ');
	if (host && host.remotes.length > 0) line += ' | ' + nodesSummary(host);
	else if (host && host.gpus.length > 0) {
		const gpus = host.gpus.map(gpu => {
			const util = gpu.util === null ? (gpu.mig ? 'MIG' : 'N/A') : `${gpu.util.toFixed(0)}%`;
			const mem = gpu.memUsedMiB !== null && gpu.memTotalMiB !== null ? ` ${(gpu.memUsedMiB / 1024).toFixed(0)}G/${(gpu.memTotalMiB / 1024).toFixed(0)}G` : '';
			return `GPU${gpu.index} ${util}${mem}`;
		});
		line += ' | ' + gpus.join(' ');
	}
	if (alerts.length > 0) line += ` | ⚠ ${alerts.length}`;
	return line;
}

/**
 * `4 nodes 32 GPUs 91 %`: this machine and the `--hosts` nodes, the GPUs that answered and their
 * mean utilization (`N/A` when none reports one); `3/4 nodes` when some did not answer.
 */
export function nodesSummary(host: HostState): string {
	const {nodes, up, gpus, util} = hostsSummary(host);
	return `${up === nodes ? nodes : `${up}/${nodes}`} nodes ${gpus} GPUs ${util === null ? 'N/A' : `${Math.round(util)} %`}`;
}

/**
 * The `--line` output for a run (without the newline): its end read, the GPUs sampled once
 * (unless `--no-gpu`; nvidia-smi runs while the log is read), alerts from what was read.
 */
export async function lineFor(location: RunLocation, options: Pick<Options, 'gpu' | 'gpuWaitMs'> & {hosts?: readonly string[]}): Promise<string> {
	// The training PID (debug.log's head): marks its GPU processes and is what the life probe asks about.
	const pid = readRunPid(location.runDir);
	const gpu = options.gpu ? await startGpuSample(pid, options.gpuWaitMs, options.hosts ?? []) : null;
	// A call usually decodes ~100 KB. V8's optimizing compiler would start on the decoder's hot
	// functions and cost more than it saves: ~6 MB of peak RSS (it compiles on a thread) for a few
	// ms. Past 1 MiB (a run with no history row near its end) it pays again, so it is let back.
	v8.setFlagsFromString('--max-opt=1');
	const {state, error, unreadable} = readRunEnd(location, {beforeLargeRead: () => v8.setFlagsFromString('--max-opt=999 --turbofan')});
	if (unreadable) throw new UnreadableRunError(`${location.runDir}/${error}`);
	// Alive or dead: one kill(pid, 0) and one /proc read, where the run has not recorded its end.
	if (state.exit === null) reduceRun(state, probeRunLife(lifeTargetOf(state.info, pid)), Date.now());
	const hostState = gpu === null ? null : await gpu.host;
	return statusLine(state, hostState, computeAlerts(state, hostState, Date.now(), initialAlertMemory()).alerts);
}

/** Loads the nvidia-smi code and starts one sample (bounded by `waitMs`); the GPUs only, no CPU rates. */
async function startGpuSample(runPid: number | null, waitMs: number, hosts: readonly string[]): Promise<{host: Promise<HostState>}> {
	if (hosts.length > 0) {
		// Other nodes too (--hosts): the one-shot modes' sampler, which also asks them over ssh.
		const {startHostSample} = await import('./load.js');
		return {host: startHostSample({gpu: true, gpuWaitMs: waitMs, hosts, system: false, runPid}).host};
	}
	const [{sampleGpusOnce}, {hostStateFromOnce}] = await Promise.all([import('../sources/nvidia-smi.js'), import('../state/host-state.js')]);
	const sample = sampleGpusOnce({timeoutMs: waitMs, runPid});
	return {host: sample.then(gpu => hostStateFromOnce(gpu, null))};
}
