/**
 * The overview page (key `i`): the run (identity, tags, notes, resume and fork), its environment
 * (host, OS, Python, program and arguments, git, GPUs, CUDA, CPUs, memory, Slurm) and its config
 * (every key, `a.b.c`; lists and dicts folded to one line, or wrapped when unfolded). Two columns
 * where the pane is wide enough (run and environment | config), else one page of sections. Each
 * column scrolls; `/` filters the keys. Every value goes through fitLine (the sanitizer).
 */
import type {Value} from '../../decode/run-events.js';
import type {ConfigRow, Overview, OverviewEnvironment, OverviewRun} from '../../state/overview.js';
import type {OverviewUi} from '../../state/ui-state.js';
import {compileFilter} from '../../state/ui-state.js';
import {formatBytes, formatCount, formatDateTime, formatDuration, formatNumber, padEnd, textWidth} from '../format.js';
import {fitLine, joinLines, type Line, type Style} from '../line.js';
import {sanitizeLine} from '../sanitize.js';

const TITLE: Style = {bold: true};
const TITLE_ACTIVE: Style = {bold: true, inverse: true, color: 'cyan'};
const KEY: Style = {dim: true};
const DIM: Style = {dim: true};
const SECTION: Style = {bold: true, color: 'cyan'};

/** One row of the page: a section title, a key and its value, or a note. */
export type OverviewRow = {kind: 'section'; text: string} | {kind: 'entry'; key: string; value: string} | {kind: 'note'; text: string};

/** The run and environment key column: `forked from`, and most Slurm variable names. */
const INFO_KEYS = 14;

/** Columns of a pane at least this wide: run and environment beside the config. */
export const OVERVIEW_TWO_COLUMNS = 100;

// ---- values as text ----

/** A config value on one line: scalars as the summary shows them, lists and dicts as compact JSON. */
export function foldValue(value: Value): string {
	if (value === null || typeof value !== 'object') return typeof value === 'number' ? formatNumber(value) : value === null ? 'null' : String(value);
	return inner(value);
}

function inner(value: Value): string {
	if (value === null) return 'null';
	if (typeof value === 'number') return Number.isFinite(value) ? String(value) : Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
	if (typeof value === 'string') return JSON.stringify(value);
	if (typeof value === 'boolean') return String(value);
	if (Array.isArray(value)) return `[${value.map(item => inner(item as Value)).join(', ')}]`;
	const record = value as {readonly [key: string]: Value};
	if (record.kind === 'media' && typeof record.mediaType === 'string') return `[${String(record.mediaType).replace(/-file$/, '')}${record.detail ? ` ${String(record.detail)}` : ''}]`;
	return `{${Object.keys(record)
		.map(key => `${key}: ${inner(record[key])}`)
		.join(', ')}}`;
}

function bytes(n: number | null): string | null {
	return n === null ? null : formatBytes(n);
}

/** `NVIDIA H100 80GB HBM3 x 4 (79.6 GiB each)`, joined for several models. */
export function gpuText(env: OverviewEnvironment): string | null {
	if (env.gpus.length === 0) return env.accelerator;
	const text = env.gpus.map(group => `${group.name}${group.count > 1 ? ` x ${group.count}` : ''}${group.memoryBytes !== null ? ` (${formatBytes(group.memoryBytes)}${group.count > 1 ? ' each' : ''})` : ''}`).join(', ');
	return env.accelerator ? `${text}; ${env.accelerator}` : text;
}

/** `python train.py --lr 3e-4`: the program and its arguments, as the SDK recorded them. */
export function commandText(env: OverviewEnvironment): string | null {
	if (env.program === null && (env.args === null || env.args.length === 0)) return null;
	const quote = (arg: string) => (arg === '' || /[\s"'\\$`]/.test(arg) ? JSON.stringify(arg) : arg);
	return [env.program ?? env.codePath ?? '?', ...(env.args ?? []).map(quote)].join(' ');
}

function runRows(run: OverviewRun, state: string | null): OverviewRow[] {
	const rows: OverviewRow[] = [];
	const add = (key: string, value: string | null, always = false) => {
		if (value !== null && value !== '') rows.push({kind: 'entry', key, value});
		else if (always) rows.push({kind: 'entry', key, value: '—'});
	};
	add('name', run.name, true);
	add('id', run.id, true);
	add('project', run.project === null ? null : run.entity ? `${run.entity}/${run.project}` : run.project, true);
	add('state', state);
	add('group', run.group);
	add('job type', run.jobType);
	add('tags', run.tags.length > 0 ? run.tags.join(', ') : null);
	add('notes', run.notes);
	add('sweep', run.sweepId);
	add('sdk', run.sdkVersion === null ? null : `wandb ${run.sdkVersion}`, true);
	add('started', run.startTime === null ? null : formatDateTime(run.startTime / 1000), true);
	add('runtime', run.runtime === null ? null : formatDuration(run.runtime), true);
	if (run.resumed) {
		const from = [run.resumedRuntime !== null ? `after ${formatDuration(run.resumedRuntime)}` : null, run.startingStep !== null ? `at step ${formatCount(run.startingStep)}` : null].filter(Boolean).join(' ');
		add('resumed', from ? `yes, ${from}` : 'yes');
	}
	if (run.branchPoint) {
		const point = run.branchPoint;
		const at = point.metric === '' || point.metric === '_step' ? formatCount(point.value) : `${point.metric}=${formatNumber(point.value)}`;
		// resume_from= names the run itself (a rewind); fork_from= another run.
		add(point.run === run.id ? 'rewound to' : 'forked from', `${point.run}@${at}`);
	}
	return rows;
}

function environmentRows(env: OverviewEnvironment): OverviewRow[] {
	const rows: OverviewRow[] = [];
	const add = (key: string, value: string | null, always = false) => {
		if (value !== null && value !== '') rows.push({kind: 'entry', key, value});
		else if (always) rows.push({kind: 'entry', key, value: '—'});
	};
	add('host', env.host === null ? null : env.otherHosts.length > 0 ? `${env.host} (+ ${env.otherHosts.join(', ')})` : env.host, true);
	if (env.writers > 1) add('writers', String(env.writers));
	add('os', env.os);
	add('python', env.python);
	add('command', commandText(env), true);
	add('executable', env.executable);
	add('user', env.username);
	add('docker', env.docker);
	add('git remote', env.gitRemote);
	add('git branch', env.gitBranch);
	const diff = env.diffPatch === null ? '' : env.diffPatch ? ' (+ diff.patch: uncommitted changes)' : '';
	add('git commit', env.gitCommit === null ? null : env.gitCommit + diff, true);
	add('gpu', gpuText(env), true);
	add('cuda', env.cudaVersion);
	const cpus = env.cpuCount === null ? null : `${env.cpuCount}${env.cpuCountLogical !== null && env.cpuCountLogical !== env.cpuCount ? ` cores, ${env.cpuCountLogical} threads` : env.cpuCount === 1 ? ' core' : ' cores'}`;
	add('cpu', cpus);
	add('memory', bytes(env.memoryBytes));
	if (env.disk !== null && env.disk.total !== null) add('disk /', env.disk.used !== null ? `${formatBytes(env.disk.used)} used of ${formatBytes(env.disk.total)}` : formatBytes(env.disk.total));
	const slurm = Object.keys(env.slurm).sort();
	if (slurm.length > 0) rows.push({kind: 'section', text: 'Slurm'});
	for (const key of slurm) add(key, env.slurm[key]);
	return rows;
}

/** The page's rows by column: run + environment, and config (both filtered by key). */
export function overviewRows(overview: Overview, config: readonly ConfigRow[], options: {state: string | null; filter: string; internals: boolean}): {info: OverviewRow[]; config: OverviewRow[]} {
	return {info: infoRows(overview, options), config: configSection(config, options)};
}

/** The run and environment sections, their keys filtered. */
export function infoRows(overview: Overview, options: {state: string | null; filter: string}): OverviewRow[] {
	const matches = compileFilter(options.filter);
	const section = (title: string, rows: OverviewRow[]): OverviewRow[] => {
		// A sub-section (Slurm) whose keys the filter left out goes too.
		const kept = rows.filter(row => row.kind !== 'entry' || matches(row.key)).filter((row, i, all) => row.kind !== 'section' || all[i + 1]?.kind === 'entry');
		return [{kind: 'section', text: title}, ...(kept.length > 0 ? kept : [{kind: 'note' as const, text: options.filter ? 'no key matches the filter' : 'nothing recorded'}])];
	};
	const env = overview.environment;
	const from = env.sources.length > 0 ? `  from ${env.sources.join(', ')}` : '';
	return [...section('Run', runRows(overview.run, options.state)), {kind: 'note' as const, text: ''}, ...section(`Environment${from}`, environmentRows(env))];
}

/** The config section: its title (count, filter, internals) and one row per key, values folded. */
export function configSection(config: readonly ConfigRow[], options: {filter: string; internals: boolean}): OverviewRow[] {
	const title = `Config  ${config.length} ${config.length === 1 ? 'key' : 'keys'}${options.filter ? ` (filter: ${options.filter})` : ''}${options.internals ? ' · _wandb shown' : ''}`;
	const configRows: OverviewRow[] = [{kind: 'section', text: title}];
	if (config.length === 0) configRows.push({kind: 'note', text: options.filter ? 'no key matches the filter' : 'no config recorded'});
	for (const row of config) configRows.push({kind: 'entry', key: row.key, value: foldValue(row.value)});
	return configRows;
}

/** Splits sanitized text into pieces of at most `width` columns (an unfolded value). */
function wrap(text: string, width: number, maxLines = 50): string[] {
	const clean = sanitizeLine(text);
	if (width <= 0) return [clean];
	const out: string[] = [];
	let line = '';
	let used = 0;
	for (const ch of clean) {
		const w = textWidth(ch);
		if (used + w > width && line !== '') {
			out.push(line);
			if (out.length >= maxLines) return out;
			line = '';
			used = 0;
		}
		line += ch;
		used += w;
	}
	if (line !== '' || out.length === 0) out.push(line);
	return out;
}

/** Each row set's longest key (a config's rows are memoized, so a new frame does not measure them again). */
const longestKeys = new WeakMap<readonly OverviewRow[], number>();

/** The key column of a set of rows: its longest key, at most 60 % of the width. */
function keyWidthOf(rows: readonly OverviewRow[], width: number): number {
	let longest = longestKeys.get(rows);
	if (longest === undefined) {
		longest = 6;
		for (const row of rows) if (row.kind === 'entry') longest = Math.max(longest, textWidth(row.key));
		longestKeys.set(rows, longest);
	}
	return Math.min(longest, Math.max(6, Math.floor(width * 0.6)));
}

/**
 * Rows as lines of `width` columns: key column, then the value (folded or wrapped). `offset`: the
 * index of the first row in its column (its first row is the column's title).
 */
export function rowLines(rows: readonly OverviewRow[], width: number, options: {expand: boolean; active: boolean; keyWidth?: number; offset?: number}): Line[] {
	const keyWidth = options.keyWidth ?? keyWidthOf(rows, width);
	const valueWidth = Math.max(1, width - keyWidth - 1);
	const out: Line[] = [];
	const offset = options.offset ?? 0;
	for (const row of rows) {
		const title = offset + out.length === 0;
		if (row.kind === 'section') out.push(fitLine([{text: row.text, style: title && options.active ? TITLE_ACTIVE : title ? TITLE : SECTION}], width, title && options.active ? TITLE_ACTIVE : undefined));
		else if (row.kind === 'note') out.push(fitLine([{text: row.text, style: DIM}], width));
		else if (!options.expand || (textWidth(row.value) <= valueWidth && textWidth(row.key) <= keyWidth)) out.push(fitLine([{text: padEnd(row.key, keyWidth) + ' ', style: KEY}, row.value], width));
		else {
			// Unfolded: a key too long for its column gets lines of its own, then the value wraps under it.
			const keyLines = textWidth(row.key) > keyWidth ? wrap(row.key, width) : [];
			for (const piece of keyLines) out.push(fitLine([{text: piece, style: KEY}], width));
			wrap(row.value, valueWidth).forEach((piece, i) => out.push(fitLine([{text: padEnd(i === 0 && keyLines.length === 0 ? row.key : '', keyWidth) + ' ', style: KEY}, piece], width)));
		}
	}
	return out;
}

/** A column scrolled: its lines shown, the first line's index, the last first line, how many lines in all. */
type Column = {lines: Line[]; first: number; max: number; total: number};

/**
 * Groups of rows (each with its own key column) drawn one below the other, from line `scroll`
 * on: exactly `height` lines. Folded, a row is one line, so only the rows shown are drawn (a
 * config of 10,000 keys scrolls at the cost of a page); unfolded, every row is wrapped first.
 */
function column(groups: ReadonlyArray<{rows: readonly OverviewRow[]; keyWidth?: number}>, width: number, height: number, scroll: number, options: {expand: boolean; active: boolean}): Column {
	const pad = (lines: Line[]) => {
		while (lines.length < height) lines.push(fitLine([], width));
		return lines;
	};
	const sized = groups.map(group => ({rows: group.rows, keyWidth: group.keyWidth ?? keyWidthOf(group.rows, width)}));
	if (options.expand) {
		const all: Line[] = [];
		for (const group of sized) all.push(...rowLines(group.rows, width, {...options, keyWidth: group.keyWidth, offset: all.length}));
		const max = Math.max(0, all.length - height);
		const first = Math.max(0, Math.min(scroll, max));
		return {lines: pad(all.slice(first, first + height)), first, max, total: all.length};
	}
	const total = sized.reduce((sum, group) => sum + group.rows.length, 0);
	const max = Math.max(0, total - height);
	const first = Math.max(0, Math.min(scroll, max));
	const lines: Line[] = [];
	let start = 0;
	for (const group of sized) {
		const from = Math.max(first, start);
		const to = Math.min(first + height, start + group.rows.length);
		if (from < to) lines.push(...rowLines(group.rows.slice(from - start, to - start), width, {...options, keyWidth: group.keyWidth, offset: from}));
		start += group.rows.length;
	}
	return {lines: pad(lines), first, max, total};
}

/** Where the page is: its columns' widths (one or two) and body height. */
export function overviewLayout(width: number, height: number): {columns: 1 | 2; left: number; right: number; body: number} {
	const body = Math.max(1, height - 2);
	if (width < OVERVIEW_TWO_COLUMNS) return {columns: 1, left: width, right: 0, body};
	const left = Math.min(90, Math.max(48, Math.floor(width * 0.55)));
	return {columns: 2, left, right: width - left - 1, body};
}

/** The whole page's body: exactly `layout.body` lines of `width`, and the scroll limits for the keys. */
export function overviewBody(rows: {info: OverviewRow[]; config: OverviewRow[]}, ui: OverviewUi, width: number, height: number): {lines: Line[]; maxScroll: {info: number; config: number}; columns: 1 | 2; pageRows: number; position: string} {
	const layout = overviewLayout(width, height);
	if (layout.columns === 1) {
		// Run and environment keys are short; the config's get their own (wider) key column.
		const page = column([{rows: rows.info, keyWidth: INFO_KEYS}, {rows: [{kind: 'note', text: ''}, ...rows.config], keyWidth: keyWidthOf(rows.config, width)}], width, layout.body, ui.scroll, {expand: ui.expand, active: false});
		return {lines: page.lines, maxScroll: {info: page.max, config: 0}, columns: 1, pageRows: layout.body, position: positionText(page.first, layout.body, page.total)};
	}
	const info = column([{rows: rows.info, keyWidth: INFO_KEYS}], layout.left, layout.body, ui.scroll, {expand: ui.expand, active: ui.pane === 'info'});
	const config = column([{rows: rows.config}], layout.right, layout.body, ui.configScroll, {expand: ui.expand, active: ui.pane === 'config'});
	const gap = fitLine([], 1);
	const lines = info.lines.map((line, i) => joinLines([line, gap, config.lines[i]]));
	const active = ui.pane === 'config' ? config : info;
	return {lines, maxScroll: {info: info.max, config: config.max}, columns: 2, pageRows: layout.body, position: positionText(active.first, layout.body, active.total)};
}

function positionText(first: number, height: number, total: number): string {
	return total <= height ? '' : `${first + 1}-${Math.min(total, first + height)}/${total}`;
}

/**
 * The overview in brief, for `--once` text: host (OS, Python), GPU (CUDA), command, git commit
 * (remote, diff.patch). Only the lines that have something; at most four.
 */
export function overviewBriefLines(overview: Overview, width: number): Line[] {
	const env = overview.environment;
	const join = (...parts: Array<string | null>) => parts.filter((part): part is string => part !== null && part !== '').join(' · ');
	const gpu = gpuText(env);
	const rows: Array<[string, string]> = [
		['host', join(env.host, env.os, env.python)],
		['gpu', join(gpu, env.cudaVersion === null ? null : `CUDA ${env.cudaVersion}`)],
		['command', commandText(env) ?? ''],
		['git', env.gitCommit === null ? '' : join(env.gitCommit, env.gitRemote, env.diffPatch ? '+ diff.patch' : null)],
	];
	return rows.filter(([, value]) => value !== '').map(([key, value]) => fitLine([{text: padEnd(key, 8) + ' ', style: KEY}, value], width));
}
