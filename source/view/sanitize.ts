/**
 * One sanitizer for every string that comes from a run (metric names, config, summary strings,
 * console output) before it reaches the terminal. A training script can print anything, and a
 * terminal obeys escape sequences: OSC 52 writes the clipboard, OSC 8 hides links, DCS can talk to
 * tmux (`ESC P tmux; ...`), CSI moves the cursor over our frame. We drop them all.
 */

/* eslint-disable no-control-regex */

// Any C0 control except tab (newline included), DEL, or C1 (0x80-0x9F): the fast-path test.
const HAS_CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

// Ordered alternatives; the first that matches at a position wins.
const SEQUENCES = [
	// CSI: ESC [ or 0x9B, parameter bytes, intermediate bytes, final byte.
	'(?:\\x1b\\[|\\x9b)[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]',
	// OSC: ESC ] or 0x9D ... terminated by BEL or ST (ESC \ or 0x9C). An unterminated one is dropped
	// up to the next ESC or the end, as a terminal would swallow it.
	'(?:\\x1b\\]|\\x9d)[^\\x07\\x1b\\x9c]*(?:\\x07|\\x1b\\\\|\\x9c)?',
	// DCS, SOS, PM, APC (7-bit and 8-bit introducers) ... terminated by ST.
	'(?:\\x1b[PX^_]|[\\x90\\x98\\x9e\\x9f])[^\\x1b\\x9c]*(?:\\x1b\\\\|\\x9c)?',
	// Other ESC sequences: ESC, intermediates, an optional final byte (ESC 7, ESC ( B, ESC c, a lone ESC).
	'\\x1b[\\x20-\\x2f]*[\\x30-\\x7e]?',
].join('|');

const STRIP = new RegExp(`${SEQUENCES}|[\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f]`, 'g');
const STRIP_KEEP_NEWLINES = new RegExp(`${SEQUENCES}|[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]`, 'g');

export type SanitizeOptions = {
	/** Keep `\n` (for multi-line text); otherwise newlines are removed like other controls. */
	keepNewlines?: boolean;
	/**
	 * Keep tabs (for callers that expand them). Otherwise a tab becomes one space: Ink counts a tab
	 * as one column while the terminal jumps up to 8, which would wrap lines and scroll the frame.
	 */
	keepTabs?: boolean;
};

/**
 * Remove every terminal control sequence and control character from untrusted text: CSI, OSC
 * (incl. OSC 52 and OSC 8), DCS/SOS/PM/APC, their 8-bit C1 forms, other ESC sequences, C0 controls
 * (`\n` kept with keepNewlines; a tab becomes a space unless keepTabs), DEL, and C1 0x80-0x9F.
 * Returns the input itself when it has nothing to change.
 */
export function sanitize(text: string, options?: SanitizeOptions): string {
	const clean = HAS_CONTROL.test(text) ? text.replace(options?.keepNewlines ? STRIP_KEEP_NEWLINES : STRIP, '') : text;
	return options?.keepTabs || !clean.includes('\t') ? clean : clean.replace(/\t/g, ' ');
}

const TAB_STOP = 8;

// Characters that are one column and one UTF-16 unit wide everywhere and never combine: printable
// ASCII and Latin-1, Latin Extended, punctuation, arrows, box drawing, block elements, geometric
// shapes, ✓ ✗ ⚠. Text of only these has nothing to clean and is as wide as it is long. (The same
// set as the Ink patch's fast width path; test/view/sanitize.test.ts checks it against string-width.)
const NARROW = /^[\u0020-\u007E\u00A0-\u00AC\u00AE-\u02FF\u2010-\u2027\u2030-\u205E\u2190-\u21FF\u2500-\u25FC\u2713\u2717\u26A0]*$/;

/** True when every character is one column and one UTF-16 unit wide (and harmless). */
export function isNarrowText(text: string): boolean {
	return NARROW.test(text);
}

// Bidi embeddings, overrides, isolates and marks: they reorder what a line shows ("gpj.exe" can
// read "exe.jpg"), and the columns after them no longer line up.
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
// Invisible characters that hide or glue text: zero-width space and non-joiner, word joiner and
// invisible operators, BOM, Mongolian vowel separator, soft hyphen.
const INVISIBLE = /[\u00AD\u180E\u200B\u200C\u2060-\u2064\uFEFF]/g;
// Emoji parts that terminals disagree about the width of (measured in tmux 3.3a against
// string-width): variation selectors (⚠️ is 1 column in tmux, 2 for string-width), skin tones
// (👍🏽: 4 vs 2), the keycap mark (1️⃣: 1 vs 2) and tag characters (subdivision flags).
const EMOJI_MODIFIERS = /[\uFE0E\uFE0F\u20E3]|\u{1F3FB}|\u{1F3FC}|\u{1F3FD}|\u{1F3FE}|\u{1F3FF}|[\u{E0020}-\u{E007F}]/gu;
const ZWJ = '\u200D';

// Half of a surrogate pair (a JSON "\ud83d" escape, a cut string): width libraries count it 0
// columns but stdout writes it as U+FFFD, one column.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

let segmenter: Intl.Segmenter | null = null;

/**
 * Text as every terminal draws it at the same width: bidi controls and invisible characters
 * removed, emoji modifiers dropped, and a joined emoji sequence (👨‍👩‍👧, drawn as one glyph by some
 * terminals and as three by others) reduced to its first emoji.
 */
function normalizeForDisplay(text: string): string {
	let clean = withoutHiddenText(text).replace(EMOJI_MODIFIERS, '');
	if (clean.includes(ZWJ)) {
		segmenter ??= new Intl.Segmenter();
		let out = '';
		for (const {segment} of segmenter.segment(clean)) {
			const joint = segment.indexOf(ZWJ);
			out += joint === -1 ? segment : segment.slice(0, joint);
		}
		clean = out;
	}
	return clean;
}

/** Bidi controls and invisible characters removed, lone surrogates made U+FFFD (what stdout writes). */
function withoutHiddenText(text: string): string {
	return text.replace(BIDI, '').replace(INVISIBLE, '').replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * Sanitize text that scripts read (exports, status bars, error messages): what {@link sanitize}
 * removes, plus bidi controls and invisible characters (an RLO in a run name would reverse the rest
 * of a tmux status line); emoji are left as they are. Newlines are kept with keepNewlines.
 */
export function sanitizeText(text: string, options?: SanitizeOptions): string {
	if (NARROW.test(text)) return text;
	return withoutHiddenText(sanitize(text, options));
}

/**
 * Sanitize for a single screen line: newlines (`\r\n`, `\n`, `\r`) become a space, tabs expand to
 * spaces at 8-column stops (counted in UTF-16 units; close enough for the rare wide character),
 * control sequences go (see {@link sanitize}), and so do bidi controls and invisible characters;
 * emoji are normalized so that every terminal draws them at the width wbtop counts.
 */
export function sanitizeLine(text: string): string {
	if (NARROW.test(text)) return text;
	let clean = text;
	if (HAS_CONTROL.test(clean)) {
		clean = clean.replace(/\r\n|[\r\n]/g, ' ');
		clean = sanitize(clean, {keepTabs: true});
	}
	if (!NARROW.test(clean)) clean = normalizeForDisplay(clean);
	if (!clean.includes('\t')) return clean;
	let out = '';
	for (let i = 0; i < clean.length; i++) {
		const ch = clean[i];
		if (ch === '\t') out += ' '.repeat(TAB_STOP - (out.length % TAB_STOP));
		else out += ch;
	}
	return out;
}
