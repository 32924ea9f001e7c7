/** The run's recorded system metrics (StatsRecords), one sparkline per metric, labelled as recorded. */
import type {RunState} from '../../state/run-state.js';
import {runNow} from '../../state/run-clock.js';
import {recordedSystemKeys} from '../../state/selectors.js';
import {sparkline} from '../chart.js';
import {formatBytes, formatClock, formatDuration, formatNumber, padEnd, textWidth} from '../format.js';
import {fitLine, type Line, type Style} from '../line.js';

const DIM: Style = {dim: true};
const MAGENTA: Style = {color: 'magenta'};

/** A recorded system metric's value in its key's unit. */
export function formatRecorded(key: string, value: number | null): string {
	if (value === null) return '—';
	if (/network\.(sent|recv)$/.test(key)) return formatBytes(value);
	if (/(^cpu$|percent|Percent|\.gpu$|memory$|memoryAllocated$)/.test(key)) return `${value.toFixed(0)}%`;
	if (/powerWatts$/.test(key)) return `${value.toFixed(0)}W`;
	if (/temp$/.test(key)) return `${value.toFixed(0)}°C`;
	if (/rssMB$/.test(key)) return formatBytes(value * 1024 * 1024);
	return formatNumber(value);
}

/** The panel's lines: exactly `height` lines of `width` columns; `scroll` is the first metric shown. */
export function recordedLines(options: {run: RunState; width: number; height: number; scroll: number; now: number}): Line[] {
	const {run, width, height, scroll, now} = options;
	if (height <= 0) return [];
	const keys = recordedSystemKeys(run);
	const last = run.stats.lastTimestamp;
	const age = last === null ? '' : run.exit ? `, last sample ${formatClock(last)}` : `, last sample ${formatDuration(runNow(run, now) / 1000 - last)} ago`;
	const out: Line[] = [fitLine([{text: `Recorded by W&B (${run.stats.records} samples${age})`, style: DIM}], width)];
	const body = height - 1;
	if (keys.length === 0) out.push(fitLine([{text: 'no system metrics recorded', style: DIM}], width));
	const first = Math.max(0, Math.min(scroll, keys.length - body));
	const visible = keys.slice(first, first + body);
	const keyWidth = Math.min(22, Math.floor(width * 0.45), Math.max(6, ...visible.map(key => textWidth(key))));
	const sparkWidth = Math.max(4, Math.min(40, width - Math.min(22, Math.floor(width * 0.45)) - 9));
	const values = visible.map(key => formatRecorded(key, run.stats.series.get(key)!.lastFinite));
	const lastWidth = Math.max(5, ...values.map(value => value.length));
	visible.forEach((key, i) => {
		const series = run.stats.series.get(key)!;
		out.push(fitLine([padEnd(key, keyWidth) + ' ', {text: sparkline(series, run.stats.time, sparkWidth), style: MAGENTA}, ' ' + values[i].padStart(lastWidth)], width));
	});
	while (out.length < height) out.push(fitLine([], width));
	return out.slice(0, height);
}
