/** `wbtop --line`: one status line, for a tmux status bar. */
import {runStatus, type RunState} from '../state/run-state.js';
import type {HostState} from '../state/host-state.js';
import {visibleMetrics} from '../state/selectors.js';
import type {Alert} from '../state/alerts.js';
import {formatNumber} from '../view/format.js';
import {sanitize} from '../view/sanitize.js';

/** The metrics `--line` shows: losses first, then accuracies, then the rest; at most `count`. */
export function mainMetrics(state: RunState, count = 3): string[] {
	const rank = (name: string) => (/loss/i.test(name) ? 0 : /acc|f1|score|reward|return/i.test(name) ? 1 : /lr|learning_rate/i.test(name) ? 3 : 2);
	return visibleMetrics(state, '')
		.map(metric => metric.name)
		.sort((a, b) => rank(a) - rank(b) || a.length - b.length || a.localeCompare(b))
		.slice(0, count);
}

/** `--line`: one status line, e.g. `resnet ● running step 1200 train/loss 0.31 | GPU0 97% 61G/80G`. */
export function statusLine(state: RunState, host: HostState | null, alerts: readonly Alert[]): string {
	const status = runStatus(state);
	const mark = status === 'running' ? '●' : status === 'finished' ? '✓' : '✗';
	const name = sanitize(state.info?.name ?? state.info?.id ?? 'run');
	const parts = [`${name} ${mark} ${status}`, `step ${state.lastStep ?? '—'}`];
	for (const key of mainMetrics(state)) parts.push(`${sanitize(key)} ${formatNumber(state.metrics.get(key)!.series.last)}`);
	let line = parts.join(' ');
	if (host && host.gpus.length > 0) {
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
