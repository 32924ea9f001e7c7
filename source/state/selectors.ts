/**
 * Read-only views of RunState that panels, `--once`, `--check` and `--line` share.
 */
import type {Metric, RunState} from './run-state.js';
import {defaultXAxis, xAxisCandidates} from './run-state.js';
import type {UiState} from './ui-state.js';
import {compileFilter} from './ui-state.js';
import type {Value} from '../decode/run-events.js';

/** The prefix a metric is grouped under: the part before the first `/` (W&B's panel sections). */
export function groupOf(name: string): string {
	const slash = name.indexOf('/');
	return slash > 0 ? name.slice(0, slash) : '';
}

/** Metrics to chart: not hidden, matching the filter, grouped by prefix (ungrouped first), then by name. */
export function visibleMetrics(state: RunState, filter: string): Metric[] {
	const matches = compileFilter(filter);
	const metrics = [...state.metrics.values()].filter(metric => !metric.hidden && metric.series.count > 0 && matches(metric.name));
	return metrics.sort((a, b) => {
		const ga = groupOf(a.name);
		const gb = groupOf(b.name);
		if (ga !== gb) return ga === '' ? -1 : gb === '' ? 1 : ga.localeCompare(gb);
		return a.name.localeCompare(b.name);
	});
}

/** The x-axis in effect: the user's choice when still available, else the run's default. */
export function activeXAxis(state: RunState, ui: Pick<UiState, 'xAxis'>): string {
	const candidates = xAxisCandidates(state);
	if (ui.xAxis && candidates.includes(ui.xAxis)) return ui.xAxis;
	const fallback = defaultXAxis(state);
	return candidates.includes(fallback) ? fallback : candidates[0];
}

/** One row of the summary table: summary records merged with the latest history values. */
export type SummaryRow = {key: string; value: Value; changedAt: number | null};

/** Summary rows sorted by key, `_`-keys last, filtered like the charts. */
export function summaryRows(state: RunState, filter: string): SummaryRow[] {
	const matches = compileFilter(filter);
	const rows = new Map<string, SummaryRow>();
	for (const [key, entry] of state.summary) rows.set(key, {key, value: entry.value, changedAt: entry.changedAt});
	// History is newer than a Python run's summary (written only at the end): latest history values win.
	for (const metric of state.metrics.values()) {
		const last = metric.series.last;
		if (last !== null) {
			const previous = rows.get(metric.name);
			if (!previous || typeof previous.value === 'number' || previous.value === null) {
				rows.set(metric.name, {key: metric.name, value: last, changedAt: previous?.changedAt ?? null});
			}
		}
	}
	for (const [key, value] of state.latestOther) if (!rows.has(key)) rows.set(key, {key, value, changedAt: null});
	return [...rows.values()]
		.filter(row => matches(row.key) && row.key !== '_wandb.runtime')
		.sort((a, b) => {
			const ua = a.key.startsWith('_');
			const ub = b.key.startsWith('_');
			return ua === ub ? a.key.localeCompare(b.key) : ua ? 1 : -1;
		});
}

/**
 * Where a recorded system metric goes in the panel (lower first), by its key without a `/l:`
 * label; 99: not worth a small chart.
 */
export function recordedKeyScore(key: string): number {
	if (/^gpu\.\d+\.gpu$/.test(key)) return 0;
	if (/^gpu\.\d+\.memoryAllocated$/.test(key)) return 1;
	if (/^gpu\.\d+\.powerWatts$/.test(key)) return 2;
	if (/^gpu\.\d+\.temp$/.test(key)) return 3;
	if (key === 'cpu') return 4;
	if (key === 'memory_percent' || key === 'memory') return 5;
	if (key === 'network.recv' || key === 'network.sent') return 6;
	if (/^disk\..*usagePercent$/s.test(key)) return 7;
	if (key.startsWith('proc.memory.rssMB')) return 8;
	return 99;
}

/** Recorded system metric keys worth a small chart, in display order. */
export function recordedSystemKeys(state: RunState): string[] {
	return [...state.stats.series.keys()]
		.filter(key => recordedKeyScore(key) < 99)
		.sort((a, b) => recordedKeyScore(a) - recordedKeyScore(b) || a.localeCompare(b, undefined, {numeric: true}));
}
