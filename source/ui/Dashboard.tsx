import React from 'react';
import {Box, Text} from 'ink';
import type {LiveSnapshot} from '../modes/session.js';
import type {UiState} from '../state/ui-state.js';
import {summaryRows} from '../state/selectors.js';
import {computeLayout} from '../view/layout.js';
import {metricPage} from '../view/metric-charts.js';
import {consoleModel, headerModel, recordedModel} from '../view/dashboard-model.js';
import {truncate} from '../view/format.js';
import {Header} from './Header.js';
import {MetricGrid} from './MetricGrid.js';
import {SummaryTable} from './SummaryTable.js';
import {ConsolePanel} from './ConsolePanel.js';
import {GpuPanel} from './GpuPanel.js';
import {SystemPanel} from './SystemPanel.js';
import {RecordedStatsPanel} from './RecordedStatsPanel.js';
import {Help} from './Help.js';
import {CompactView} from './CompactView.js';
import {RunsView} from './RunsView.js';
import type {RunState} from '../state/run-state.js';

/** The runs overlaid on the charts: the watched run first, then the ones picked in the runs list. */
function overlayRuns(snap: LiveSnapshot, ui: UiState): Array<{label: string; state: RunState}> {
	if (ui.overlay.length === 0 || !snap.runs) return [];
	const label = (state: RunState, fallback: string) => state.info?.name ?? state.info?.id ?? fallback;
	const runs = [{label: label(snap.run, 'this run'), state: snap.run}];
	for (const dir of ui.overlay) {
		const entry = snap.runs.find(candidate => candidate.listing.runDir === dir);
		if (entry?.state && dir !== snap.location.runDir) runs.push({label: label(entry.state, entry.listing.id), state: entry.state});
	}
	return runs.length > 1 ? runs : [];
}

export type DashboardProps = {
	snap: LiveSnapshot;
	ui: UiState;
	columns: number;
	rows: number;
	color: boolean;
	now: number;
	pulse: number;
};

/** The whole screen for one snapshot: pure, so `--once` renders exactly what the live view shows. */
export function Dashboard({snap, ui, columns, rows, color, now, pulse}: DashboardProps) {
	const layout = computeLayout(columns, rows);
	const header = headerModel(snap, ui, now, pulse, layout.root.width, color);
	if (ui.help) return <Help width={layout.root.width} height={layout.root.height} />;
	if (ui.runsOpen && snap.runs) {
		return <RunsView width={layout.root.width} height={layout.root.height} runs={snap.runs} current={snap.location.runDir} cursor={ui.runCursor} overlay={ui.overlay} now={now} color={color} />;
	}
	if (layout.mode === 'compact') return <CompactView snap={snap} ui={ui} header={header} width={layout.root.width} height={layout.root.height} color={color} />;

	const run = snap.run;
	const page = metricPage(run, ui, layout.metrics, color, overlayRuns(snap, ui));
	const consoleView = consoleModel(run, ui);
	const recorded = recordedModel(run, layout.system.width, now);
	const gpuCount = Math.max(1, snap.host.gpus.length);
	// Live panels first (GPU lines + a process line or two, then CPU/mem/net), recorded stats below.
	// A failure message gets up to 4 lines to wrap in.
	const gpuHeight = Math.min(layout.system.height - 2, snap.host.gpuStatus === 'ok' ? gpuCount + 2 + Math.min(3, snap.host.processes.length) : 4);
	const systemHeight = Math.min(4, Math.max(0, layout.system.height - gpuHeight));
	const recordedHeight = Math.max(0, layout.system.height - gpuHeight - systemHeight);
	const emptyText =
		run.metrics.size === 0 ? (run.rows === 0 ? 'no history rows yet' : 'no numeric metrics in history') : `no metric matches the filter "${ui.filter}" (Esc clears)`;
	const footerText = ui.input
		? `/${ui.input.text}█  Enter apply · Esc cancel`
		: `q quit · ? help · Tab panel [${ui.panel}] · x x-axis · f focus · / filter · s smooth · p pause${snap.runs ? ' · r runs' : ''}   charts ${page.total === 0 ? 0 : page.page + 1}/${page.pageCount}${page.total ? ` (${page.total} metrics)` : ''}`;
	return (
		<Box flexDirection="column" width={layout.root.width} height={layout.root.height}>
			<Header {...header} />
			<Box flexDirection="row" height={layout.metrics.height}>
				<MetricGrid width={layout.metrics.width} height={layout.metrics.height} page={page} active={ui.panel === 'metrics'} color={color} emptyText={emptyText} />
				<Box flexDirection="column" width={layout.system.width} height={layout.system.height}>
					<GpuPanel width={layout.system.width} height={gpuHeight} host={snap.host} runPid={run.info?.pid ?? null} color={color} />
					<SystemPanel width={layout.system.width} height={systemHeight} host={snap.host} color={color} />
					<RecordedStatsPanel width={layout.system.width} height={recordedHeight} lines={recorded.lines} title={recorded.title} scroll={ui.systemScroll} color={color} />
				</Box>
			</Box>
			<Box flexDirection="row" height={layout.console.height}>
				<ConsolePanel
					width={layout.console.width - 1}
					height={layout.console.height}
					lines={consoleView.lines}
					scroll={consoleView.scroll}
					active={ui.panel === 'console'}
					color={color}
					search={ui.search}
					matchIndex={consoleView.matchIndex}
					matchCount={consoleView.matchCount}
					sourceNote={run.consoleSource ?? ''}
				/>
				<Box width={1} />
				<SummaryTable width={layout.summary.width} height={layout.summary.height} rows={summaryRows(run, ui.filter)} scroll={ui.summaryScroll} active={ui.panel === 'summary'} color={color} now={now} filter={ui.filter} />
			</Box>
			<Text wrap="truncate" dimColor={color && !ui.input}>
				{truncate(footerText, layout.root.width)}
			</Text>
		</Box>
	);
}
