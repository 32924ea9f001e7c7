/**
 * Short, stable text for numbers, durations, times, sizes and run values, and column-width aware
 * truncate/pad (wide CJK and emoji take two terminal columns).
 */
import stringWidth from 'string-width';
import type {Value} from '../decode/run-events.js';
import {isNarrowText, sanitizeLine} from './sanitize.js';

const SI_PREFIXES = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/** Drop trailing zeros of a fixed/precision mantissa: `1.500` → `1.5`, `2.000` → `2`. */
function trimZeros(text: string): string {
	if (!text.includes('.')) return text;
	return text.replace(/\.?0+$/, '');
}

/** `1.2e-5` style (no `+`, no trailing zeros), `digits` after the point. */
export function formatExponent(n: number, digits: number): string {
	if (!Number.isFinite(n)) return formatNumber(n);
	const [mantissa, exponent] = n.toExponential(Math.max(0, Math.min(20, Math.floor(digits) || 0))).split('e');
	return `${trimZeros(mantissa)}e${exponent.replace('+', '')}`;
}

/** toPrecision without exponent output: integer digits are never dropped (`722` stays `722`). */
function precise(abs: number, significant: number): string {
	const integerDigits = abs >= 1 ? Math.floor(Math.log10(abs)) + 1 : 1;
	return trimZeros(abs.toPrecision(Math.min(100, Math.max(1, significant, integerDigits))));
}

/**
 * `n` scaled by a power of 1000 with an SI suffix and `significant` digits: `1.23M`, `45.6k`.
 * Falls back to exponent form beyond E (1e18+).
 */
export function formatSI(n: number, significant = 3): string {
	if (!Number.isFinite(n)) return formatNumber(n);
	const abs = Math.abs(n);
	let power = abs < 1 ? 0 : Math.floor(Math.log10(abs) / 3);
	for (;;) {
		if (power >= SI_PREFIXES.length) return formatExponent(n, significant - 1);
		const scaled = abs / 1000 ** power;
		const text = precise(scaled, significant);
		// Rounding can carry into the next prefix: 999.96k → 1000k → 1M.
		if (Number(text) >= 1000 && power + 1 < SI_PREFIXES.length) {
			power++;
			continue;
		}
		return `${n < 0 ? '-' : ''}${text}${SI_PREFIXES[power]}`;
	}
}

/**
 * Compact number for tables and headers: null → `—`, NaN → `NaN`, ±Inf → `+Inf`/`-Inf`, integers
 * below 1e6 in full, large values with SI suffixes (`3.4M`), tiny ones in exponent form (`1.2e-5`),
 * others with 5 significant digits. With `width`, precision drops until it fits (last resort: cut).
 */
export function formatNumber(n: number | null | undefined, width?: number): string {
	if (n === null || n === undefined) return '—';
	if (Number.isNaN(n)) return 'NaN';
	if (n === Infinity) return '+Inf';
	if (n === -Infinity) return '-Inf';
	const text = compactNumber(n, 5);
	if (width === undefined || text.length <= width) return text;
	for (let significant = 4; significant >= 1; significant--) {
		const shorter = compactNumber(n, significant, true);
		if (shorter.length <= width) return shorter;
	}
	return text.slice(0, Math.max(0, width));
}

function compactNumber(n: number, significant: number, squeeze = false): string {
	if (n === 0) return '0';
	const abs = Math.abs(n);
	if (abs >= 1e21 || abs < 1e-3) return formatExponent(n, Math.max(0, significant - 3));
	if (Number.isInteger(n) && abs < 1e6 && !squeeze) return String(n);
	if (abs >= 1e4 || (squeeze && abs >= 1e3)) return formatSI(n, Math.min(significant, 4));
	return (n < 0 ? '-' : '') + precise(abs, significant);
}

/** Elapsed seconds as `45s`, `2.5s`, `5m03s`, `1h23m`, `2d04h`. */
export function formatDuration(seconds: number): string {
	if (!Number.isFinite(seconds)) return formatNumber(seconds);
	if (seconds < 0) return `-${formatDuration(-seconds)}`;
	if (seconds < 10 && !Number.isInteger(seconds)) {
		const text = trimZeros(seconds.toFixed(1));
		if (text !== '10') return `${text}s`;
	}
	const total = Math.round(seconds);
	if (total < 60) return `${total}s`;
	const pad = (k: number) => String(k).padStart(2, '0');
	if (total < 3600) return `${Math.floor(total / 60)}m${pad(total % 60)}s`;
	const minutes = Math.floor(total / 60);
	if (total < 86400) return `${Math.floor(minutes / 60)}h${pad(minutes % 60)}m`;
	const hours = Math.floor(total / 3600);
	return `${Math.floor(hours / 24)}d${pad(hours % 24)}h`;
}

/** Local wall-clock time of an epoch (seconds) as `14:05`, or `14:05:09` with seconds. */
export function formatClock(epochSeconds: number, withSeconds = false): string {
	if (!Number.isFinite(epochSeconds)) return formatNumber(epochSeconds);
	const date = new Date(epochSeconds * 1000);
	const pad = (k: number) => String(k).padStart(2, '0');
	const text = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
	return withSeconds ? `${text}:${pad(date.getSeconds())}` : text;
}

/** Local date and time of an epoch (seconds): `2024-02-19 15:35:04`. */
export function formatDateTime(epochSeconds: number): string {
	const date = new Date(Math.floor(epochSeconds) * 1000);
	const pad = (k: number) => String(k).padStart(2, '0');
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** The epochs a time-named value must fall in to be read as a date: 2000-01-01 to 2100-01-01 (UTC), in seconds. */
const EPOCH_RANGE_S = [946_684_800, 4_102_444_800] as const;

/** A key that names a point in time: `_timestamp`, anything with `timestamp` in it, or ending in `_time`. */
export function isTimeKey(key: string): boolean {
	return /timestamp/i.test(key) || /_time$/i.test(key);
}

/**
 * The epoch seconds a summary value stands for, when its key names a point in time and the value
 * is a plausible date in seconds or in milliseconds; null otherwise (a duration like
 * `train_time: 3600` stays a number).
 */
export function epochSecondsOf(key: string, value: Value): number | null {
	if (typeof value !== 'number' || !Number.isFinite(value) || !isTimeKey(key)) return null;
	const [min, max] = EPOCH_RANGE_S;
	if (value >= min && value < max) return value;
	if (value >= min * 1000 && value < max * 1000) return value / 1000;
	return null;
}

/** A summary table value: epoch times under time-named keys as local date-times, else {@link formatValue}. */
export function formatSummaryValue(key: string, value: Value): string {
	const epoch = epochSecondsOf(key, value);
	return epoch === null ? formatValue(value) : formatDateTime(epoch);
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** Bytes in IEC units: `512 B`, `1.5 KiB`, `23 MiB`, `1.2 GiB`. */
export function formatBytes(n: number): string {
	if (!Number.isFinite(n)) return formatNumber(n);
	const sign = n < 0 ? '-' : '';
	let value = Math.abs(n);
	let unit = 0;
	while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
		value /= 1024;
		unit++;
	}
	if (unit === 0) return `${sign}${Math.round(value)} B`;
	let text = value < 10 ? trimZeros(value.toFixed(1)) : String(Math.round(value));
	if (text === '1024' && unit < BYTE_UNITS.length - 1) {
		text = '1';
		unit++;
	}
	return `${sign}${text} ${BYTE_UNITS[unit]}`;
}

/** Bytes per second: `1.5 MiB/s`. */
export function formatRate(bytesPerSecond: number): string {
	return `${formatBytes(bytesPerSecond)}/s`;
}

/**
 * One-line text for a summary/history value: numbers via formatNumber, strings sanitized, media as
 * `[image 1500x800 png]`, lists as `[3 items]`, objects as `{2 keys}`.
 */
export function formatValue(v: Value): string {
	if (v === null) return 'null';
	switch (typeof v) {
		case 'number':
			return formatNumber(v);
		case 'string':
			return sanitizeLine(v);
		case 'boolean':
			return v ? 'true' : 'false';
		default:
			break;
	}
	if (Array.isArray(v)) return `[${v.length} ${v.length === 1 ? 'item' : 'items'}]`;
	const record = v as {readonly [key: string]: Value};
	if (record.kind === 'media' && typeof record.mediaType === 'string') {
		const kind = sanitizeLine(record.mediaType).replace(/-file$/, '');
		const detail = typeof record.detail === 'string' ? sanitizeLine(record.detail) : '';
		return detail ? `[${kind} ${detail}]` : `[${kind}]`;
	}
	const keys = Object.keys(record).length;
	return `{${keys} ${keys === 1 ? 'key' : 'keys'}}`;
}

let segmenter: Intl.Segmenter | null = null;

/** Terminal columns the text takes on screen (measured after sanitizing, as it will be drawn). */
export function textWidth(text: string): number {
	if (isNarrowText(text)) return text.length;
	const clean = sanitizeLine(text);
	return isNarrowText(clean) ? clean.length : stringWidth(clean);
}

/**
 * The text sanitized (as it will be drawn) and cut to at most `width` columns, ending with `…`
 * when cut; never splits a character.
 */
export function truncate(raw: string, width: number): string {
	if (width <= 0) return '';
	if (isNarrowText(raw)) return raw.length <= width ? raw : `${raw.slice(0, width - 1)}…`;
	const text = sanitizeLine(raw);
	if (isNarrowText(text)) return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
	if (stringWidth(text) <= width) return text;
	segmenter ??= new Intl.Segmenter();
	let out = '';
	let used = 0;
	for (const {segment} of segmenter.segment(text)) {
		const w = stringWidth(segment);
		if (used + w > width - 1) break;
		out += segment;
		used += w;
	}
	return `${out}…`;
}

/** Truncate, then pad with spaces to exactly `width` columns. */
export function padEnd(text: string, width: number): string {
	if (width <= 0) return '';
	const cut = truncate(text, width);
	return cut + ' '.repeat(Math.max(0, width - textWidth(cut)));
}

/** Like padEnd, but right-aligned. */
export function padStart(text: string, width: number): string {
	if (width <= 0) return '';
	const cut = truncate(text, width);
	return ' '.repeat(Math.max(0, width - textWidth(cut))) + cut;
}

// ---------------------------------------------------------------------------------------------
// Host panels: compact units, percentages, block sparklines.

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
export function blockSparkline(values: ReadonlyArray<number | null>, width: number, max: number | 'auto' = 100): string {
	if (width <= 0) return '';
	const shown = values.slice(-width);
	let top = typeof max === 'number' ? max : 0;
	if (max === 'auto') for (const v of shown) if (v !== null && v > top) top = v;
	return ' '.repeat(width - shown.length) + shown.map(v => (top > 0 ? block(v, top) : block(v === null ? null : 0))).join('');
}

const SHORT_UNITS = ['B', 'K', 'M', 'G', 'T', 'P'];

/** Bytes in binary units with one letter, for tight columns: 512B, 1.5K, 20M, 79.6G; N/A when unknown. */
export function formatBytesShort(bytes: number | null): string {
	if (bytes === null || !Number.isFinite(bytes)) return 'N/A';
	let value = Math.max(0, bytes);
	let unit = 0;
	while (value >= 1024 && unit < SHORT_UNITS.length - 1) {
		value /= 1024;
		unit++;
	}
	if (unit === 0) return `${Math.round(value)}B`;
	return `${value < 100 ? value.toFixed(1) : Math.round(value)}${SHORT_UNITS[unit]}`;
}

/** A byte rate in short units: 1.2M/s; "…" while the first difference is not known yet. */
export function formatRateShort(bytesPerSec: number | null): string {
	return bytesPerSec === null ? '…' : `${formatBytesShort(bytesPerSec)}/s`;
}

/** "used/total" with the total's unit: 19.7/79.6G. */
export function formatUsedTotal(used: number | null, total: number | null): string {
	if (used === null && total === null) return 'N/A';
	if (total === null) return formatBytesShort(used);
	const t = formatBytesShort(total);
	const unit = t.replace(/[\d.]/g, '');
	const scale = 1024 ** Math.max(0, SHORT_UNITS.indexOf(unit));
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

/**
 * Word-wraps `text` into at most `maxLines` lines of `width` columns; the last line ends with "…"
 * when text is left over. Words longer than a line are cut.
 */
export function wrapWords(text: string, width: number, maxLines: number): string[] {
	if (width <= 0 || maxLines <= 0) return [];
	const lines: string[] = [];
	let line = '';
	const words = text.split(/\s+/).filter(Boolean);
	for (let i = 0; i < words.length; i++) {
		const word = words[i]!;
		const next = line ? `${line} ${word}` : word;
		if (textWidth(next) <= width) {
			line = next;
			continue;
		}
		if (line) lines.push(line);
		line = textWidth(word) > width ? truncate(word, width) : word;
		if (lines.length === maxLines) return [...lines.slice(0, -1), truncate(`${lines[maxLines - 1]} ${words.slice(i).join(' ')}`, width)];
	}
	if (line) lines.push(line);
	if (lines.length > maxLines) return [...lines.slice(0, maxLines - 1), truncate(lines.slice(maxLines - 1).join(' '), width)];
	return lines;
}

// ---------------------------------------------------------------------------------------------
// Progress and speed.

/** A count with thousands separators, `35,675`; a fraction (an epoch of 2.35) with up to 2 decimals. */
export function formatCount(n: number): string {
	if (!Number.isFinite(n)) return formatNumber(n);
	const text = Number.isInteger(n) ? String(n) : trimZeros(n.toFixed(2));
	const [whole, decimals] = text.split('.');
	const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ',');
	return decimals === undefined ? grouped : `${grouped}.${decimals}`;
}

/** Time left in its two largest units: `2d 3h`, `5h 12m`, `12m 30s`, `45s`; `compact`: `2d3h`. */
export function formatEta(seconds: number, compact = false): string {
	if (!Number.isFinite(seconds)) return formatNumber(seconds);
	const total = Math.max(0, Math.round(seconds));
	const units: Array<[string, number]> = [
		['d', 86400],
		['h', 3600],
		['m', 60],
		['s', 1],
	];
	const first = units.findIndex(([, size]) => total >= size);
	if (first < 0) return '0s';
	const [bigName, bigSize] = units[first];
	const big = Math.floor(total / bigSize);
	if (first === units.length - 1) return `${big}${bigName}`;
	const [smallName, smallSize] = units[first + 1];
	const small = Math.floor((total - big * bigSize) / smallSize);
	return `${big}${bigName}${compact ? '' : ' '}${small}${smallName}`;
}

/** Seconds per step (or row) as `0.31 s`, `42 s`, `29 ms`, `5m03s`: two significant digits below a minute. */
export function formatPerItem(seconds: number): string {
	if (!Number.isFinite(seconds) || seconds < 0) return formatNumber(seconds);
	if (seconds < 0.1) return `${Number((seconds * 1000).toPrecision(2))} ms`;
	if (seconds < 60) return `${Number(seconds.toPrecision(2))} s`;
	return formatDuration(seconds);
}
