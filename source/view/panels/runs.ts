/** The runs of the wandb/ folder: display name, id, state, steps, age; overlay marks; the `/` query. */
import type {RunListEntry} from '../../state/snapshot.js';
import {matchRun, parseRunQuery, type RunFields, type RunQuery} from '../../state/run-query.js';
import type {PaletteName} from '../../state/settings.js';
import {runLatestMs, runNow} from '../../state/run-clock.js';
import {runLife} from '../../state/run-life.js';
import {stateWord} from '../life-text.js';
import {formatDuration, padEnd} from '../format.js';
import {fitLine, type Line, type Style} from '../line.js';
import {colorStyle, seriesColor} from '../palette.js';

const BOLD: Style = {bold: true};
const DIM: Style = {dim: true};
const WARN: Style = {color: 'yellow'};

/** What the query looks at in a listed run: its name, id, tags, state word, group and config. */
export function runFieldsOf(entry: RunListEntry, now: number): RunFields {
	const state = entry.state;
	return {
		name: state?.info?.name ?? entry.name,
		id: entry.id,
		read: state !== null,
		tags: state?.info?.tags ?? [],
		state: state ? stateWord(runLife(state, now)) : null,
		group: state?.info?.group ?? null,
		config: state?.config ?? {},
	};
}

/** The runs the query keeps, in list order. */
export function filterRuns(runs: readonly RunListEntry[], query: RunQuery, now: number): readonly RunListEntry[] {
	return query.groups.length === 0 ? runs : runs.filter(entry => matchRun(query, runFieldsOf(entry, now)));
}

/** The query the list is filtered by: the one being typed (the list follows each key), else the one applied. */
export function runsQueryText(ui: {input: {target: string; text: string} | null; runFilter: string}): string {
	return ui.input?.target === 'runs' ? ui.input.text : ui.runFilter;
}

/** The query's text parsed, memoized on the text (each frame asks again). */
let lastQuery: {text: string; query: RunQuery} = {text: '', query: parseRunQuery('')};
export function runsQuery(text: string): RunQuery {
	if (lastQuery.text !== text) lastQuery = {text, query: parseRunQuery(text)};
	return lastQuery.query;
}

/** Rows of the list that fit on screen (for paging keys). */
export function runsPageRows(height: number): number {
	return Math.max(1, height - 3);
}

/** Exactly `height` lines of `width` columns. */
export function runsScreenLines(options: {
	width: number;
	height: number;
	/** The runs shown (filtered by the query). */
	runs: readonly RunListEntry[];
	/** Runs in the folder, before the query (default: all are shown). */
	total?: number;
	current: string;
	cursor: number;
	overlay: readonly string[];
	now: number;
	palette?: PaletteName;
	/** The query's text and what it did not understand; `typing` while the `/` prompt is open. */
	query?: {text: string; problems: readonly string[]; typing: boolean};
}): Line[] {
	const {width, height, runs, current, cursor, overlay, now} = options;
	const palette = options.palette ?? 'default';
	const query = options.query ?? {text: '', problems: [], typing: false};
	const body = runsPageRows(height);
	const first = Math.max(0, Math.min(cursor - Math.floor(body / 2), runs.length - body));
	const shown = runs.slice(first, first + body);
	const nameWidth = Math.max(12, Math.min(40, width - 54));
	const folder = runs.length > 0 ? runs[0].runDir.replace(/\/[^/]+$/, '') : '';
	const count = query.text ? `${runs.length} of ${options.total ?? runs.length}` : String(runs.length);
	const out: Line[] = [
		fitLine([{text: `Runs${folder ? ` in ${folder}` : ''}  (${count})`, style: BOLD}, query.text && !query.typing ? {text: `  query: ${query.text}`} : ''], width),
		fitLine([{text: `   ${padEnd('name', nameWidth)} ${padEnd('id', 10)} ${padEnd('state', 11)} ${'step'.padStart(8)} ${'age'.padStart(7)}`, style: DIM}], width),
	];
	shown.forEach((entry, i) => {
		const index = first + i;
		const state = entry.state;
		const name = state?.info?.name ?? entry.name;
		const status = state ? stateWord(runLife(state, now)) : '—';
		const step = state?.lastStep ?? null;
		// Since the run's own latest record where it was read (a copied run dir's mtime is the copy's), else since its files changed.
		const latest = state ? runLatestMs(state) : null;
		const age = formatDuration(latest !== null ? (runNow(state!, now) - latest) / 1000 : Math.max(0, (now - entry.mtime) / 1000));
		const overlayIndex = overlay.indexOf(entry.runDir);
		const mark = entry.runDir === current ? '▶' : overlayIndex >= 0 ? '+' : ' ';
		const text = `${mark}  ${padEnd(name, nameWidth)} ${padEnd(entry.id, 10)} ${padEnd(status, 11)} ${String(step ?? '—').padStart(8)} ${age.padStart(7)}`;
		const style: Style = {inverse: index === cursor, color: overlayIndex >= 0 ? seriesColor(palette, overlayIndex + 1) : undefined};
		out.push(fitLine([{text, style}], width, index === cursor ? style : undefined));
	});
	if (runs.length === 0 && query.text) out.push(fitLine([{text: `   no run matches the query (Esc clears it)`, style: DIM}], width));
	while (out.length < height - 1) out.push(fitLine([], width));
	// Not understood: named, and the list is filtered by the rest of the query.
	const problems = query.problems.length > 0 ? [{text: `  ? did not understand: ${query.problems.join('; ')} (filtered by the rest)`, style: WARN}] : [];
	if (query.typing) out.push(fitLine([{text: `/${query.text}█  Enter apply · Esc cancel`, style: BOLD}, ...problems], width));
	else if (problems.length > 0) out.push(fitLine([{text: 'query', style: DIM}, ...problems], width));
	else out.push(fitLine([{text: `↑↓ move · o overlay on charts · Enter open · / query · ${query.text ? 'Esc clear query' : 'r/Esc close'}`, style: DIM}], width));
	return out.slice(0, height);
}
