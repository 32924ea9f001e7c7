/**
 * The media page: every media key of the run (kind, count, last step) and the selected one's view:
 * an image as half-block cells, a histogram as bars with its heat strip over steps, a table's
 * first rows and columns, and for other kinds (video, audio, html, object3D, plotly) their file,
 * size and step. Also the all-gradients view: every `gradients/*` histogram, smallest first.
 * Pure: files the view needs are named in `wants`, read by the session, and arrive in the run's
 * media log; until then the view says it is reading, and a file that is not there says so.
 */
import type {MediaNav, MediaUi} from '../../state/media-ui.js';
import {gradientTracks, keptHistogram, mediaTracks, type MediaFile, type MediaTrack, type TablePreview} from '../../state/media.js';
import type {RunState} from '../../state/run-state.js';
import {isMediaValue} from '../../decode/values.js';
import {formatCount, formatNumber, padEnd, textWidth, truncate} from '../format.js';
import {fitLine, joinLines, type Line, type Style} from '../line.js';
import {imageCells, imageLines, type ColorDepth} from '../image-cells.js';
import type {Graphic} from '../graphics-protocol.js';
import {heatStrip, histogramBars, histogramSparkline} from '../histogram-draw.js';

/** A media file the page needs read (relative to `files/`). */
export type MediaWant = {path: string; kind: 'image' | 'table'};

/** The page's body and what key handling and the session need from it. */
export type MediaPage = {lines: Line[]; nav: MediaNav; wants: MediaWant | null; position: string; detail: boolean; graphic?: Graphic | null};

const DIM: Style = {dim: true};
const BOLD: Style = {bold: true};
const SELECTED: Style = {inverse: true};
const WARN: Style = {color: 'yellow'};

/** The list and the detail side by side from this many columns. */
export const MEDIA_TWO_COLUMNS = 100;

/** `text` in `width` columns, cut at the left (`…ch_mlp.0.bias`): keys differ at their ends. */
function cutLeft(text: string, width: number): string {
	if (textWidth(text) <= width) return text;
	const chars = [...text];
	let out = '';
	for (let i = chars.length - 1; i >= 0 && textWidth(chars[i] + out) <= width - 1; i--) out = chars[i] + out;
	return `…${out}`;
}

/** `image-file` → `image`, `histogram` → `hist`. */
function shortKind(kind: string): string {
	return kind === 'histogram' ? 'hist' : kind.replace(/-file$/, '');
}

/** The run's media keys: the history's, then media only the summary holds (one value, no step). */
export function mediaKeys(run: RunState): MediaTrack[] {
	const tracks = mediaTracks(run.mediaLog);
	const seen = new Set(tracks.map(track => track.key));
	const extra: MediaTrack[] = [];
	for (const [key, entry] of run.summary) {
		const value = entry.value;
		if (seen.has(key) || !isMediaValue(value)) continue;
		const histograms = value.histogram ? [keptHistogram(value.histogram.counts, value.histogram.edges, null)] : [];
		extra.push({key, kind: value.mediaType, count: 1, entries: [{step: null, path: value.path}], histograms, detail: value.detail});
		if (extra.length >= 1000) break;
	}
	return [...tracks, ...extra.sort((a, b) => (a.key < b.key ? -1 : 1))];
}

function detailKind(track: MediaTrack | undefined): MediaNav['detail'] {
	if (track === undefined) return null;
	if (track.kind.startsWith('image')) return 'image';
	if (track.kind === 'histogram') return 'histogram';
	if (track.kind.includes('table') && track.entries.some(entry => entry.path !== null)) return 'table';
	return 'other';
}

/**
 * The media page for `run` at `width` x `height` (the body: no title or footer). `graphics`: the
 * terminal draws images itself (kitty, sixel): the image's cells are left blank and `graphic`
 * names them (in the body's cells) with the full-resolution pixels.
 */
export function mediaPage(run: RunState, ui: MediaUi, width: number, height: number, depth: ColorDepth, graphics = false): MediaPage {
	const tracks = mediaKeys(run);
	const keys = tracks.map(track => track.key);
	const gradients = gradientTracks(run.mediaLog);
	const cursor = Math.min(ui.cursor, Math.max(0, tracks.length - 1));
	const track = tracks[cursor];
	const kind = detailKind(track);
	const stepIndex = track === undefined ? 0 : Math.min(ui.step ?? track.entries.length - 1, track.entries.length - 1);
	const entry = track?.entries[stepIndex];
	const file = entry?.path ? run.mediaLog.files.get(entry.path) : undefined;
	const table = file?.kind === 'table' ? file.table : null;
	const nav: MediaNav = {keys, steps: track?.entries.length ?? 0, detail: kind, tableRows: table?.rows.length ?? 0, tableColumns: table?.columns.length ?? 0, pageRows: Math.max(1, height - 3), gradientKeys: gradients.map(g => g.track.key)};
	// An image whose full-resolution pixels state dropped (memory) is read again where graphics draw it.
	const stale = graphics && file?.kind === 'image' && file.thumb.full === null;
	const wants: MediaWant | null = !ui.gradients && entry?.path && (file === undefined || stale) && (kind === 'image' || kind === 'table') ? {path: entry.path, kind} : null;

	if (tracks.length === 0) {
		const lines = [fitLine([{text: 'no media logged in this run (images, histograms, tables appear here as they are logged)', style: DIM}], width)];
		return {lines: fill(lines, width, height), nav, wants: null, position: '', detail: false};
	}
	if (ui.gradients) {
		const cursorAt = Math.min(ui.gradientCursor, Math.max(0, gradients.length - 1));
		return {lines: gradientLines(gradients, cursorAt, width, height), nav, wants: null, position: gradients.length > 0 ? `${cursorAt + 1}/${gradients.length} gradients` : '', detail: false};
	}
	const position = `${cursor + 1}/${tracks.length}`;
	const two = width >= MEDIA_TWO_COLUMNS;
	const out: {graphic: Graphic | null} = {graphic: null};
	const detailArgs = {track: track!, kind, stepIndex, file, tableRow: ui.tableRow, tableColumn: ui.tableColumn, depth, active: ui.pane === 'detail', graphics, out};
	if (!two) {
		const lines = ui.pane === 'detail' ? detailLines({...detailArgs, width, height}) : listLines(tracks, cursor, width, height, true);
		return {lines: fill(lines, width, height), nav, wants: ui.pane === 'detail' ? wants : null, position, detail: ui.pane === 'detail', graphic: out.graphic};
	}
	const listWidth = Math.min(48, Math.floor(width * 0.36));
	const detailWidth = width - listWidth - 1;
	const left = fill(listLines(tracks, cursor, listWidth, height, ui.pane === 'list'), listWidth, height);
	const right = fill(detailLines({...detailArgs, width: detailWidth, height}), detailWidth, height);
	const gap = fitLine([{text: '│', style: DIM}], 1);
	const graphic = out.graphic === null ? null : {...out.graphic, x: out.graphic.x + listWidth + 1};
	return {lines: left.map((line, i) => joinLines([line, gap, right[i]])), nav, wants, position, detail: ui.pane === 'detail', graphic};
}

function fill(lines: Line[], width: number, height: number): Line[] {
	const out = lines.slice(0, height);
	while (out.length < height) out.push(fitLine([], width));
	return out;
}

/** The key list: kind, key, count, last step; the selected one inverse (`active`: the arrows move it). */
function listLines(tracks: readonly MediaTrack[], cursor: number, width: number, height: number, active: boolean): Line[] {
	const rows = Math.max(1, height - 1);
	const first = Math.max(0, Math.min(cursor - Math.floor(rows / 2), tracks.length - rows));
	const lines = [fitLine([{text: 'kind   key', style: BOLD}, {text: `  (${tracks.length})`, style: DIM}], width)];
	for (const [i, track] of tracks.slice(first, first + rows).entries()) {
		const last = track.entries.at(-1)?.step;
		const tail = ` ${formatCount(track.count)}× ${last === null || last === undefined ? 'summary' : `@${last}`}`;
		const keyWidth = Math.max(4, width - 7 - textWidth(tail));
		const text = `${padEnd(shortKind(track.kind).slice(0, 6), 6)} ${padEnd(cutLeft(track.key, keyWidth), keyWidth)}${tail}`;
		const selected = first + i === cursor;
		lines.push(fitLine([{text, style: selected ? (active ? SELECTED : BOLD) : undefined}], width, selected && active ? SELECTED : undefined));
	}
	return lines;
}

type DetailArgs = {track: MediaTrack; kind: MediaNav['detail']; stepIndex: number; file: MediaFile | undefined; tableRow: number; tableColumn: number; depth: ColorDepth; active: boolean; width: number; height: number; graphics: boolean; out: {graphic: Graphic | null}};

/** The selected key's view: a title line (key, step i/n, what it is), then what it holds. */
function detailLines(args: DetailArgs): Line[] {
	const {track, kind, stepIndex, file, width, height} = args;
	const entry = track.entries[stepIndex];
	const stepText = entry?.step === null || entry?.step === undefined ? 'summary' : `step ${entry.step}`;
	const title = fitLine([{text: track.key, style: BOLD}, {text: `  ${stepText} (${stepIndex + 1}/${track.entries.length})  ${track.detail}`, style: DIM}], width);
	const body = height - 1;
	if (kind === 'histogram') return [title, ...histogramDetail(track, stepIndex, width, body)];
	if (kind === 'image' || kind === 'table') {
		const path = entry?.path ?? '';
		if (file === undefined) return [title, fitLine([{text: `reading ${path}…`, style: DIM}], width)];
		if (file.kind === 'error') return [title, fitLine([{text: file.message, style: WARN}], width)];
		if (file.kind === 'image') {
			const thumb = file.thumb;
			const info = fitLine([{text: `${thumb.sourceWidth}x${thumb.sourceHeight} ${thumb.format}  ${path}`, style: DIM}], width);
			if (args.graphics && thumb.full) {
				// The terminal draws the image: its cells stay blank so Ink never writes over it.
				const size = imageCells(thumb.sourceWidth, thumb.sourceHeight, width, Math.max(1, body - 1));
				args.out.graphic = {path, pixels: thumb.full, x: 0, y: 1, columns: size.columns, rows: size.rows};
				return [title, ...Array.from({length: size.rows}, () => fitLine([], width)), info];
			}
			return [title, ...imageLines(thumb, width, Math.max(1, body - 1), args.depth), info];
		}
		return [title, ...tableLines(file.table, args.tableRow, args.tableColumn, width, body)];
	}
	// Video, audio, html, object3D, plotly, ...: where the files are.
	const lines = [title, fitLine([{text: `${track.kind}: not drawn here; its files (relative to files/):`, style: DIM}], width)];
	for (const e of [...track.entries].reverse().slice(0, Math.max(0, body - 1))) {
		lines.push(fitLine([`${e.step === null ? 'summary' : `step ${e.step}`}  `, {text: e.path ?? '(no file)', style: e.path ? undefined : DIM}], width));
	}
	return lines;
}

/** The histogram at the step shown as bars, and all kept histograms (up to it) as a heat strip. */
function histogramDetail(track: MediaTrack, stepIndex: number, width: number, height: number): Line[] {
	// Histograms are kept for the last steps only; the entry shown maps to the kept one at its step.
	const entry = track.entries[stepIndex];
	let at = track.histograms.length - 1;
	for (let i = track.histograms.length - 1; i >= 0; i--) {
		if (track.histograms[i].step === (entry?.step ?? null)) {
			at = i;
			break;
		}
	}
	const sample = track.histograms[at];
	if (sample === undefined) return [fitLine([{text: 'histogram values not kept (too many histogram keys)', style: DIM}], width)];
	let total = 0;
	for (const c of sample.counts) total += c;
	const info = fitLine([{text: `${formatNumber(total)} values in ${sample.counts.length} bins, ${formatNumber(sample.edges[0])} … ${formatNumber(sample.edges[sample.edges.length - 1])}`, style: DIM}], width);
	const barRows = Math.max(2, Math.floor((height - 1) * 0.5));
	const lines = [info, ...histogramBars(sample, width, barRows)];
	const stripRows = height - lines.length - 1;
	const upTo = track.histograms.slice(0, at + 1);
	if (stripRows >= 2 && upTo.length > 1) {
		const shown = upTo.slice(-(width - 11));
		const from = shown[0].step;
		const to = shown[shown.length - 1].step;
		lines.push(fitLine([{text: `over steps (a column each, ${from ?? '?'} … ${to ?? '?'}; shade: density)`, style: DIM}], width));
		lines.push(...heatStrip(shown, width, stripRows));
	}
	return lines;
}

/** A table's rows from `row` and columns from `column`, each column as wide as its text (at most 24). */
function tableLines(table: TablePreview, row: number, column: number, width: number, height: number): Line[] {
	const rows = table.rows.slice(row, row + Math.max(0, height - 2));
	const lines: Line[] = [];
	const cols: number[] = [];
	const widths: number[] = [];
	let used = 0;
	for (let c = column; c < table.columns.length && used < width; c++) {
		let w = textWidth(table.columns[c]);
		for (const r of rows) w = Math.max(w, textWidth(r[c] ?? ''));
		w = Math.min(24, Math.max(3, w));
		cols.push(c);
		widths.push(w);
		used += w + 2;
	}
	const cell = (text: string, w: number) => padEnd(truncate(text.replace(/\s+/g, ' '), w), w) + '  ';
	lines.push(fitLine([{text: cols.map((c, i) => cell(table.columns[c], widths[i])).join(''), style: BOLD}], width));
	for (const r of rows) lines.push(fitLine([cols.map((c, i) => cell(r[c] ?? '', widths[i])).join('')], width));
	const shownTo = row + rows.length;
	lines.push(fitLine([{text: `rows ${rows.length === 0 ? 0 : row + 1}-${shownTo} of ${formatCount(table.totalRows)}${table.rows.length < table.totalRows ? ` (first ${table.rows.length} read)` : ''} · columns ${column + 1}-${column + cols.length} of ${table.totalColumns}`, style: DIM}], width));
	return lines;
}

/** Every `gradients/*` key's latest histogram, smallest max |value| first, with its shape. */
function gradientLines(gradients: ReturnType<typeof gradientTracks>, cursor: number, width: number, height: number): Line[] {
	const lines = [fitLine([{text: 'gradients/* by max |value|, smallest first', style: BOLD}, {text: `  (${gradients.length}; vanishing gradients on top)`, style: DIM}], width)];
	if (gradients.length === 0) {
		lines.push(fitLine([{text: 'no gradients/* histograms (wandb.watch(model, log="gradients") logs them)', style: DIM}], width));
		return fill(lines, width, height);
	}
	const rows = Math.max(1, height - 2);
	const first = Math.max(0, Math.min(cursor - Math.floor(rows / 2), gradients.length - rows));
	const sparkWidth = Math.max(8, Math.min(32, Math.floor(width * 0.3)));
	const numbers = 22;
	const nameWidth = Math.max(8, width - sparkWidth - numbers - 2);
	lines.push(fitLine([{text: `${padEnd('key', nameWidth)} ${padEnd('max|g|', 10)} ${padEnd('std', 10)} distribution`, style: DIM}], width));
	for (const [i, {track, spread}] of gradients.slice(first, first + rows).entries()) {
		const latest = track.histograms[track.histograms.length - 1];
		const selected = first + i === cursor;
		const name = padEnd(cutLeft(track.key.slice('gradients/'.length), nameWidth), nameWidth);
		lines.push(fitLine([{text: `${name} ${padEnd(formatNumber(spread.maxAbs), 10)} ${padEnd(formatNumber(spread.std), 10)} `, style: selected ? SELECTED : undefined}, {text: histogramSparkline(latest, sparkWidth), style: {color: 'cyan', inverse: selected}}], width));
	}
	return fill(lines, width, height);
}
