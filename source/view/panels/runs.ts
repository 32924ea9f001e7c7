/** The runs of the wandb/ folder: display name, id, state, steps, age; overlay marks. */
import type {RunListEntry} from '../../state/snapshot.js';
import {runLatestMs, runNow} from '../../state/run-clock.js';
import {runLife} from '../../state/run-life.js';
import {stateWord} from '../life-text.js';
import {formatDuration, padEnd} from '../format.js';
import {fitLine, type Line, type Style} from '../line.js';
import {OVERLAY_COLORS} from '../overlay-chart.js';

const BOLD: Style = {bold: true};
const DIM: Style = {dim: true};

/** Rows of the list that fit on screen (for paging keys). */
export function runsPageRows(height: number): number {
	return Math.max(1, height - 3);
}

/** Exactly `height` lines of `width` columns. */
export function runsScreenLines(options: {width: number; height: number; runs: readonly RunListEntry[]; current: string; cursor: number; overlay: readonly string[]; now: number}): Line[] {
	const {width, height, runs, current, cursor, overlay, now} = options;
	const body = runsPageRows(height);
	const first = Math.max(0, Math.min(cursor - Math.floor(body / 2), runs.length - body));
	const shown = runs.slice(first, first + body);
	const nameWidth = Math.max(12, Math.min(40, width - 54));
	const folder = runs.length > 0 ? runs[0].runDir.replace(/\/[^/]+$/, '') : '';
	const out: Line[] = [
		fitLine([{text: `Runs in ${folder}  (${runs.length})`, style: BOLD}], width),
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
		const style: Style = {inverse: index === cursor, color: overlayIndex >= 0 ? OVERLAY_COLORS[(overlayIndex + 1) % OVERLAY_COLORS.length] : undefined};
		out.push(fitLine([{text, style}], width, index === cursor ? style : undefined));
	});
	while (out.length < height - 1) out.push(fitLine([], width));
	out.push(fitLine([{text: '↑↓ move · o overlay on charts · Enter open · r/Esc close', style: DIM}], width));
	return out.slice(0, height);
}
