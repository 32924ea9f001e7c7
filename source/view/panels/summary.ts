/**
 * The summary table: key and value columns, scrollable, values that just changed highlighted;
 * epoch times (`_timestamp`, `*_time`) shown as local date-times.
 */
import type {SummaryRow} from '../../state/selectors.js';
import {formatSummaryValue, padEnd, textWidth} from '../format.js';
import {fitLine, type Line, type Style} from '../line.js';

const TITLE: Style = {bold: true};
const TITLE_ACTIVE: Style = {bold: true, inverse: true, color: 'cyan'};
const DIM: Style = {dim: true};
const CHANGED: Style = {color: 'yellow', bold: true};

/** The panel's lines: exactly `height` lines of `width` columns. `now` (ms) marks recent changes. */
export function summaryLines(options: {rows: readonly SummaryRow[]; width: number; height: number; scroll: number; active: boolean; now: number; filter: string}): Line[] {
	const {rows, width, height, scroll, active, now, filter} = options;
	if (height <= 0) return [];
	const body = Math.max(0, height - 1);
	const first = Math.max(0, Math.min(scroll, rows.length - body));
	const visible = rows.slice(first, first + body);
	const keyWidth = Math.min(Math.max(8, ...visible.map(row => textWidth(row.key))), Math.floor(width * 0.55));
	const more = rows.length > body ? ` ${first + 1}-${first + visible.length}/${rows.length}` : ` ${rows.length}`;
	const out: Line[] = [fitLine([{text: `Summary${more}${filter ? ` (filter: ${filter})` : ''}`, style: active ? TITLE_ACTIVE : TITLE}], width, active ? TITLE_ACTIVE : undefined)];
	if (visible.length === 0) out.push(fitLine([{text: filter ? 'no key matches the filter' : 'no summary yet', style: DIM}], width));
	for (const row of visible) {
		const changed = row.changedAt !== null && now - row.changedAt < 3000;
		out.push(fitLine([{text: padEnd(row.key, keyWidth) + ' ', style: DIM}, {text: formatSummaryValue(row.key, row.value), style: changed ? CHANGED : undefined}], width));
	}
	while (out.length < height) out.push(fitLine([], width));
	return out.slice(0, height);
}
