/**
 * Turns a live snapshot plus the UI state into what each panel needs. Pure; shared by the live
 * dashboard and `--once`.
 */
import type {LiveSnapshot} from '../modes/session.js';
import type {RunState} from '../state/run-state.js';
import {runExitCode, runStatus, stepsPerSecond, xAxisCandidates} from '../state/run-state.js';
import {activeXAxis, recordedSystemKeys, visibleMetrics} from '../state/selectors.js';
import type {UiContext, UiState} from '../state/ui-state.js';
import {computeLayout, chartGrid} from './layout.js';
import {sparkline} from './chart.js';
import {formatBytes, formatClock, formatDuration, formatNumber} from './format.js';
import type {HeaderProps} from '../ui/Header.js';
import type {RecordedLine} from '../ui/RecordedStatsPanel.js';
import type {ConsoleLine} from '../ui/ConsolePanel.js';

/** What the key reducer needs to know about the screen. */
export function dashboardContext(snap: LiveSnapshot, ui: UiState, size: {columns: number; rows: number}): UiContext {
	const layout = computeLayout(size.columns, size.rows);
	const metrics = visibleMetrics(snap.run, ui.filter);
	const chartsPerPage =
		layout.mode === 'full' ? (() => {
			const grid = chartGrid(layout.metrics, metrics.length);
			return grid.columns * grid.rows;
		})() : Math.max(1, layout.root.height - 3);
	const pageRows = layout.mode === 'full' ? Math.max(1, (ui.panel === 'console' ? layout.console.height : ui.panel === 'summary' ? layout.summary.height : layout.system.height) - 2) : 5;
	return {
		metricCount: metrics.length,
		chartsPerPage,
		xAxes: xAxisCandidates(snap.run),
		currentXAxis: activeXAxis(snap.run, ui),
		pageRows,
		runDirs: snap.runs?.map(entry => entry.listing.runDir) ?? [],
	};
}

/** Header props for the current snapshot. */
export function headerModel(snap: LiveSnapshot, ui: UiState, now: number, pulse: number, width: number, color: boolean): HeaderProps {
	const run = snap.run;
	const status = runStatus(run);
	const runtime = run.exit?.runtime ?? run.lastRuntime;
	const sinceLastRow = status === 'running' && run.lastRowAt !== null ? Math.max(0, (now - run.lastRowAt) / 1000) : null;
	return {
		width,
		color,
		name: run.info?.name ?? run.info?.id ?? null,
		project: run.info?.project ?? null,
		entity: run.info?.entity ?? null,
		status,
		exitCode: runExitCode(run),
		step: run.lastStep,
		stepsPerSecond: stepsPerSecond(run),
		runtime,
		sinceLastRow,
		xAxis: activeXAxis(run, ui),
		smoothing: ui.smoothing,
		logScale: ui.logScale,
		filter: ui.filter,
		paused: ui.paused,
		alerts: snap.alerts.map(alert => alert.message),
		notice: snap.runGone ? 'the run directory is gone' : snap.runError ? `run: ${snap.runError}` : snap.notice,
		pulse,
	};
}

/** Formats a recorded system metric for its key's unit. */
function formatRecorded(key: string, value: number | null): string {
	if (value === null) return '—';
	if (/network\.(sent|recv)$/.test(key)) return formatBytes(value);
	if (/(^cpu$|percent|Percent|\.gpu$|memory$|memoryAllocated$)/.test(key)) return `${value.toFixed(0)}%`;
	if (/powerWatts$/.test(key)) return `${value.toFixed(0)}W`;
	if (/temp$/.test(key)) return `${value.toFixed(0)}°C`;
	if (/rssMB$/.test(key)) return formatBytes(value * 1024 * 1024);
	return formatNumber(value);
}

/** One sparkline line per recorded system metric. */
export function recordedModel(run: RunState, width: number, now: number): {title: string; lines: RecordedLine[]} {
	const keys = recordedSystemKeys(run);
	const sparkWidth = Math.max(4, Math.min(40, width - Math.min(22, Math.floor(width * 0.45)) - 9));
	const lines = keys.map(key => {
		const series = run.stats.series.get(key)!;
		return {key, spark: sparkline(series, run.stats.time, sparkWidth), last: formatRecorded(key, series.lastFinite)};
	});
	const last = run.stats.lastTimestamp;
	const age = last === null ? '' : run.exit ? `, last sample ${formatClock(last)}` : `, last sample ${formatDuration(Math.max(0, now / 1000 - last))} ago`;
	return {title: `Recorded by W&B (${run.stats.records} samples${age})`, lines};
}

/** Console lines and the current search match. */
export function consoleModel(run: RunState, ui: UiState): {lines: ConsoleLine[]; matchIndex: number | null; matchCount: number; scroll: number} {
	const lines = run.console.lines();
	if (!ui.search) return {lines, matchIndex: null, matchCount: 0, scroll: ui.consoleScroll};
	const needle = ui.search.toLowerCase();
	const matches: number[] = [];
	for (let i = lines.length - 1; i >= 0; i--) if (lines[i].text.toLowerCase().includes(needle)) matches.push(i);
	if (matches.length === 0) return {lines, matchIndex: null, matchCount: 0, scroll: ui.consoleScroll};
	const matchIndex = matches[Math.min(ui.searchMatch, matches.length - 1)];
	// Scroll so the current match is on screen (a few lines above the bottom edge).
	const scroll = Math.max(0, lines.length - 1 - matchIndex - 2);
	return {lines, matchIndex, matchCount: matches.length, scroll};
}
