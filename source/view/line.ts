/**
 * Screen lines: the one boundary where text becomes screen content. A `Line` can only be made by
 * {@link fitLine} (or by joining lines made by it), which sanitizes every span, normalizes its
 * width and cuts or pads it to exactly the width asked for. Panels build lines; nothing else
 * reaches the terminal, so no panel can forget to sanitize and no line can wrap the screen.
 *
 * Styles are data (a colour name and attributes); escape codes are produced here, when a line is
 * painted, for one of three outputs: colour, mono (attributes only: NO_COLOR, --no-color) and
 * plain (--once text).
 */
import {sanitizeLine} from './sanitize.js';
import {textWidth, truncate} from './format.js';

/**
 * The eight named terminal colours, one of the 256-colour palette's (`256:178`: SGR 38;5;178), or
 * a 24-bit one (`#1f77b4`: SGR 38;2;31;119;180; only where the terminal says it has them).
 */
export type Color = NamedColor | `256:${number}` | `#${string}`;
export type NamedColor = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'white' | 'gray';

/** How a span looks. Shared constant objects are cheapest: painting caches per style object. */
export type Style = Readonly<{color?: Color; bg?: Color; bold?: boolean; dim?: boolean; inverse?: boolean; underline?: boolean}>;

/** A piece of a line in one style. */
export type Span = Readonly<{text: string; style?: Style}>;

/** colour: SGR colours and attributes; mono: attributes only; plain: no escape codes at all. */
export type PaintMode = 'color' | 'mono' | 'plain';

const RESET = '\u001B[0m';
const COLOR_CODES: Record<NamedColor, number> = {red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, white: 37, gray: 90};

/** A colour's SGR parameters: `36`, or `38;5;178` for a 256-colour one. */
export function colorCode(color: Color): string {
	if (color.startsWith('#')) return `38;2;${rgbParams(color)}`;
	return color.startsWith('256:') ? `38;5;${color.slice(4)}` : String(COLOR_CODES[color as NamedColor]);
}

/** A background colour's SGR parameters: `46`, `48;5;178`, `48;2;31;119;180`. */
export function bgCode(color: Color): string {
	if (color.startsWith('#')) return `48;2;${rgbParams(color)}`;
	return color.startsWith('256:') ? `48;5;${color.slice(4)}` : String(COLOR_CODES[color as NamedColor] + 10);
}

/** `#1f77b4` → `31;119;180`. */
function rgbParams(color: string): string {
	const n = Number.parseInt(color.slice(1, 7), 16);
	return `${(n >> 16) & 255};${(n >> 8) & 255};${n & 255}`;
}

/** The SGR codes that go from one style to the next in one sequence (null: no style). */
function transition(from: Style | null, to: Style | null, withColor: boolean): string {
	const codes: Array<number | string> = [];
	const bold = Boolean(to?.bold);
	const dim = Boolean(to?.dim);
	// Bold and dim are both ended by 22: end both, then start again the one that stays.
	if ((from?.bold && !bold) || (from?.dim && !dim)) {
		codes.push(22);
		if (bold) codes.push(1);
		if (dim) codes.push(2);
	} else {
		if (bold && !from?.bold) codes.push(1);
		if (dim && !from?.dim) codes.push(2);
	}
	if (Boolean(from?.underline) !== Boolean(to?.underline)) codes.push(to?.underline ? 4 : 24);
	if (Boolean(from?.inverse) !== Boolean(to?.inverse)) codes.push(to?.inverse ? 7 : 27);
	if (withColor) {
		const fromColor = from?.color;
		const toColor = to?.color;
		if (fromColor !== toColor) codes.push(toColor ? colorCode(toColor) : 39);
		if (from?.bg !== to?.bg) codes.push(to?.bg ? bgCode(to.bg) : 49);
	}
	return codes.length === 0 ? '' : `\u001B[${codes.join(';')}m`;
}

/** Whether a style shows at all in this mode (mono drops colours). */
function visible(style: Style | undefined, withColor: boolean): Style | null {
	if (!style) return null;
	if (style.bold || style.dim || style.underline || style.inverse) return style;
	return withColor && (style.color || style.bg) ? style : null;
}

/** One line of the screen: sanitized spans, exactly `width` columns. */
export class Line {
	private readonly painted: Partial<Record<PaintMode, string>> = {};
	private ownSpans: readonly Span[] | null;

	private constructor(
		spans: readonly Span[] | null,
		readonly width: number,
		/** The lines this one was joined from (painted part by part, each part cached). */
		private readonly parts: readonly Line[] | null,
	) {
		this.ownSpans = spans;
	}

	/** @internal Only fitLine and joinLines make lines. */
	static make(spans: readonly Span[] | null, width: number, parts: readonly Line[] | null = null): Line {
		return new Line(spans, width, parts);
	}

	/** The styled pieces, left to right (a joined line gathers its parts' only when asked). */
	get spans(): readonly Span[] {
		this.ownSpans ??= this.parts!.flatMap(part => part.spans);
		return this.ownSpans;
	}

	/** The text without styles. */
	get text(): string {
		return this.paint('plain');
	}

	/** The line as terminal text: escape codes for `mode`, ending with every style closed. */
	paint(mode: PaintMode): string {
		const cached = this.painted[mode];
		if (cached !== undefined) return cached;
		let out = '';
		if (this.parts) {
			for (const part of this.parts) out += part.paint(mode);
		} else {
			const withColor = mode === 'color';
			let current: Style | null = null;
			for (const span of this.spans) {
				const next = mode === 'plain' ? null : visible(span.style, withColor);
				if (next !== current) out += transition(current, next, withColor);
				current = next;
				out += span.text;
			}
			if (current) out += RESET;
		}
		this.painted[mode] = out;
		return out;
	}
}

/** Text or a styled span. */
export type SpanLike = string | Span;

/**
 * The one way to make a line: each span sanitized and normalized (sanitizeLine), the whole cut
 * to `width` columns (ending in `…` when cut) and padded with spaces to exactly `width`.
 * `fill` styles the padding (a selected row drawn inverse across the panel, say).
 */
export function fitLine(spans: readonly SpanLike[], width: number, fill?: Style): Line {
	const w = Math.max(0, Math.floor(width));
	const out: Span[] = [];
	let used = 0;
	for (const item of spans) {
		const span = typeof item === 'string' ? {text: item} : item;
		const text = sanitizeLine(span.text);
		if (text.length === 0) continue;
		const room = w - used;
		if (room <= 0) {
			// Already full: mark the cut on what is there.
			markCut(out);
			break;
		}
		const cols = textWidth(text);
		if (cols <= room) {
			out.push(text === span.text ? span : {text, style: span.style});
			used += cols;
		} else {
			const cut = truncate(text, room);
			out.push({text: cut, style: span.style});
			used += textWidth(cut);
			break;
		}
	}
	if (used < w) out.push({text: ' '.repeat(w - used), style: fill});
	return Line.make(out, w);
}

/** End a full line with `…` in its last column (a later span did not fit at all). */
function markCut(spans: Span[]): void {
	for (let i = spans.length - 1; i >= 0; i--) {
		const span = spans[i];
		if (span.text.length === 0) continue;
		const cols = textWidth(span.text);
		spans[i] = {text: truncate(span.text + '…', cols), style: span.style};
		// A wide last character can leave one column over: pad it.
		const short = cols - textWidth(spans[i].text);
		if (short > 0) spans.splice(i + 1, 0, {text: ' '.repeat(short)});
		return;
	}
}

/** A line of `width` spaces. */
export function blankLine(width: number): Line {
	return fitLine([], width);
}

/** Lines side by side as one line (already fitted: nothing is sanitized again). */
export function joinLines(lines: readonly Line[]): Line {
	if (lines.length === 1) return lines[0];
	let width = 0;
	for (const line of lines) width += line.width;
	return Line.make(null, width, lines);
}

/** Exactly `height` lines of `width`: cut, or padded with blank lines. */
export function fitLines(lines: readonly Line[], width: number, height: number): Line[] {
	const out = lines.slice(0, Math.max(0, height));
	for (const [i, line] of out.entries()) if (line.width !== width) out[i] = fitLine(line.spans, width);
	while (out.length < height) out.push(blankLine(width));
	return out;
}
