/** Pure text helpers for the host panels: sparklines, human units, GPU names. */

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** One block character for `value` on a 0..max scale; a space when the value is unknown. */
export function block(value: number | null | undefined, max = 100): string {
	if (value === null || value === undefined || !Number.isFinite(value) || !(max > 0)) return ' ';
	const level = Math.round((Math.min(max, Math.max(0, value)) / max) * (BLOCKS.length - 1));
	return BLOCKS[level]!;
}

/**
 * The last `width` values as block characters, right-aligned (padded with spaces on the left
 * while history is short). Unknown values are gaps. `max` defaults to 100 (percent); pass
 * 'auto' to scale to the largest value shown (rates).
 */
export function sparkline(values: ReadonlyArray<number | null>, width: number, max: number | 'auto' = 100): string {
	if (width <= 0) return '';
	const shown = values.slice(-width);
	let top = typeof max === 'number' ? max : 0;
	if (max === 'auto') for (const v of shown) if (v !== null && v > top) top = v;
	return ' '.repeat(width - shown.length) + shown.map(v => (top > 0 ? block(v, top) : block(v === null ? null : 0))).join('');
}

const UNITS = ['B', 'K', 'M', 'G', 'T', 'P'];

/** Bytes in binary units with one letter: 512B, 1.5K, 20M, 79.6G. */
export function formatBytes(bytes: number | null): string {
	if (bytes === null || !Number.isFinite(bytes)) return 'N/A';
	let value = Math.max(0, bytes);
	let unit = 0;
	while (value >= 1024 && unit < UNITS.length - 1) {
		value /= 1024;
		unit++;
	}
	if (unit === 0) return `${Math.round(value)}B`;
	return `${value < 100 ? value.toFixed(1) : Math.round(value)}${UNITS[unit]}`;
}

/** A byte rate: 1.2M/s; "…" while the first difference is not known yet. */
export function formatRate(bytesPerSec: number | null): string {
	return bytesPerSec === null ? '…' : `${formatBytes(bytesPerSec)}/s`;
}

/** "used/total" with the total's unit: 19.7/79.6G. */
export function formatUsedTotal(used: number | null, total: number | null): string {
	if (used === null && total === null) return 'N/A';
	if (total === null) return formatBytes(used);
	const t = formatBytes(total);
	const unit = t.replace(/[\d.]/g, '');
	const scale = 1024 ** Math.max(0, UNITS.indexOf(unit));
	const u = used === null ? 'N/A' : (used / scale).toFixed(used / scale < 100 ? 1 : 0);
	return `${u}/${t}`;
}

/** A percentage as a 4-wide right-aligned field: " 97%", "100%", " N/A". */
export function formatPct(value: number | null): string {
	return value === null ? ' N/A' : `${Math.round(value)}%`.padStart(4);
}

/** GPU model without vendor and memory-type noise: "NVIDIA H100 80GB HBM3" → "H100 80GB". */
export function shortGpuName(name: string): string {
	const short = name
		.replace(/^NVIDIA\s+/i, '')
		.replace(/^(GeForce|Tesla|Quadro)\s+/i, '')
		.replace(/\s+(HBM\w*|GDDR\w*)$/i, '')
		.trim();
	return short || name;
}

/** Cuts `text` to `width` columns, ending with "…" when cut. (Panel text is single-width.) */
export function fit(text: string, width: number): string {
	if (width <= 0) return '';
	const chars = [...text];
	if (chars.length <= width) return text;
	return chars.slice(0, width - 1).join('') + '…';
}

/** A piece of a panel line with its style (styles apply only when colour is on). */
export type Segment = {text: string; color?: string; bold?: boolean; dim?: boolean};

/** One panel line as segments. */
export type PanelLine = Segment[];

/** Plain text of a line. */
export function lineText(line: PanelLine): string {
	return line.map(s => s.text).join('');
}

/**
 * Replaces control characters (C0, DEL, C1) with "?". Process names come from other users'
 * processes, which can put escape sequences in their names; they must not reach the terminal.
 */
export function printable(text: string): string {
	return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** Cuts a line to `width` columns (the last kept segment ends with "…" when cut); text made printable. */
export function fitLine(input: PanelLine, width: number): PanelLine {
	const line = input.map(seg => ({...seg, text: printable(seg.text)}));
	const out: PanelLine = [];
	let left = width;
	for (const seg of line) {
		if (left <= 0) break;
		const len = [...seg.text].length;
		if (len <= left) {
			out.push(seg);
			left -= len;
		} else {
			out.push({...seg, text: fit(seg.text, left)});
			left = 0;
		}
	}
	// A cut that lands on the last segment boundary still needs the ellipsis.
	if (left === 0 && [...lineText(line)].length > width && out.length > 0) {
		const last = out[out.length - 1]!;
		if (!last.text.endsWith('…')) out[out.length - 1] = {...last, text: fit(last.text + '…', [...last.text].length)};
	}
	return out;
}

/**
 * Word-wraps `text` into at most `maxLines` lines of `width` columns; the last line ends with "…"
 * when text is left over. Words longer than a line are cut.
 */
export function wrapWords(text: string, width: number, maxLines: number): string[] {
	if (width <= 0 || maxLines <= 0) return [];
	const lines: string[] = [];
	let line = '';
	const words = printable(text).split(/\s+/).filter(Boolean);
	for (let i = 0; i < words.length; i++) {
		const word = words[i]!;
		const next = line ? `${line} ${word}` : word;
		if ([...next].length <= width) {
			line = next;
			continue;
		}
		if (line) lines.push(line);
		line = [...word].length > width ? fit(word, width) : word;
		if (lines.length === maxLines) return [...lines.slice(0, -1), fit(`${lines[maxLines - 1]} ${words.slice(i).join(' ')}`, width)];
	}
	if (line) lines.push(line);
	if (lines.length > maxLines) return [...lines.slice(0, maxLines - 1), fit(lines.slice(maxLines - 1).join(' '), width)];
	return lines;
}
