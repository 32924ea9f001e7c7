/**
 * The run's recorded system metrics (StatsRecords), one sparkline per metric, labelled as
 * recorded. A shared-mode run's metrics (keys `…/l:<label>`, and its other nodes' dirs) are
 * grouped by node: a line per node (`node-0  gpu 97%  mem 61%  cpu 23%  ram 40%`), its metrics
 * under it as far as the pane has room, then the unlabelled ones.
 */
import type {RunState} from '../../state/run-state.js';
import {runNow} from '../../state/run-clock.js';
import {recordedSystemKeys} from '../../state/selectors.js';
import {groupMean, hasNodes, recordedGroups, writerStatus, type RecordedGroup} from '../../state/nodes.js';
import {sanitizeLine} from '../sanitize.js';
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
	if (hasNodes(run)) return nodeLines(options);
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

const BOLD: Style = {bold: true};

/** The panel for a run with nodes: see the file comment. */
function nodeLines(options: {run: RunState; width: number; height: number; scroll: number; now: number}): Line[] {
	const {run, width, height, scroll, now} = options;
	const groups = recordedGroups(run);
	const labelled = groups.filter(group => group.label !== null);
	const records = run.nodes.reduce((sum, node) => sum + node.state.stats.records, run.stats.records);
	let last: number | null = null;
	for (const group of groups) if (group.stats.lastTimestamp !== null && (last === null || group.stats.lastTimestamp > last)) last = group.stats.lastTimestamp;
	const ended = run.exit !== null;
	const age = last === null ? '' : ended ? `, last sample ${formatClock(last)}` : `, last sample ${formatDuration(Math.max(0, runNow(run, now) / 1000 - last))} ago`;
	const head = fitLine([{text: `Recorded by W&B: ${labelled.length} node${labelled.length === 1 ? '' : 's'} (${records} samples${age})`, style: DIM}], width);
	const body = height - 1;
	const unlabelled = groups.filter(group => group.label === null).flatMap(group => group.keys.map(key => ({group, ...key})));
	// Each node gets its line; the rows left are shared out as its metrics' lines.
	const room = Math.max(0, body - labelled.length - unlabelled.length);
	const perNode = labelled.length === 0 ? 0 : Math.floor(room / labelled.length);
	const labelWidth = Math.min(20, Math.max(6, ...labelled.map(group => textWidth(sanitizeLine(group.label!)))));
	const detail = labelled.flatMap(group => group.keys.slice(0, perNode).map(key => ({group, ...key})));
	const keyWidth = Math.min(22, Math.floor(width * 0.45), Math.max(6, ...[...detail, ...unlabelled].map(({base, group}) => textWidth(sanitizeLine(base)) + (group.label === null ? 0 : 2))));
	const sparkWidth = Math.max(4, Math.min(40, width - keyWidth - 10));
	const metricLine = (group: RecordedGroup, key: string, base: string, indent: string): Line => {
		const series = group.stats.series.get(key)!;
		const value = formatRecorded(base, series.lastFinite).padStart(5);
		return fitLine([padEnd(indent + sanitizeLine(base), keyWidth) + ' ', {text: sparkline(series, group.stats.time, sparkWidth), style: MAGENTA}, ' ' + value], width);
	};
	const lines: Line[] = [];
	for (const group of labelled) {
		lines.push(nodeLine(group, labelWidth, width, now));
		for (const {key, base} of group.keys.slice(0, perNode)) lines.push(metricLine(group, key, base, '  '));
	}
	for (const {group, key, base} of unlabelled) lines.push(metricLine(group, key, base, ''));
	if (lines.length === 0) lines.push(fitLine([{text: 'no system metrics recorded', style: DIM}], width));
	const first = Math.max(0, Math.min(scroll, lines.length - body));
	const out = [head, ...lines.slice(first, first + body)];
	while (out.length < height) out.push(fitLine([], width));
	return out.slice(0, height);
}

/** `node-0  gpu 97%  mem 61%  cpu 23%  ram 40%`, and how the node ended where it did. */
function nodeLine(group: RecordedGroup, labelWidth: number, width: number, now: number): Line {
	const parts: string[] = [];
	const add = (name: string, value: number | null) => {
		if (value !== null) parts.push(`${name} ${value.toFixed(0)}%`);
	};
	add('gpu', groupMean(group, /^gpu\.\d+\.gpu$/));
	add('mem', groupMean(group, /^gpu\.\d+\.memoryAllocated$/));
	add('cpu', groupMean(group, /^cpu$/));
	add('ram', groupMean(group, /^(memory_percent|memory)$/));
	const {status, exitCode} = writerStatus(group.state, now);
	// How it ended goes first: in a narrow column the metrics are what gets cut.
	const end = status === 'running' ? '' : exitCode !== null ? `${status === 'finished' ? 'ended' : 'failed'} ${exitCode}` : status;
	const spans: Array<string | {text: string; style: Style}> = [{text: padEnd(sanitizeLine(group.label!), labelWidth), style: BOLD}];
	if (end) spans.push({text: ` ${end}`, style: status === 'finished' ? DIM : {color: 'red'}});
	spans.push('  ' + (parts.length > 0 ? parts.join('  ') : 'no metrics yet'));
	return fitLine(spans, width);
}
