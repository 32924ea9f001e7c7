/**
 * A seeded generator of hostile text: terminal escape sequences (CSI, OSC, DCS incl. tmux
 * passthrough, APC/PM/SOS, RIS; 7-bit and 8-bit, terminated and not), C1 and C0 controls, bidi
 * overrides and isolates, zero-width characters, soft hyphens, stacks of combining marks, wide
 * CJK, emoji (ZWJ sequences, flags, skin tones, VS16, keycaps), lone surrogate halves and plain
 * ASCII. Every string is a deterministic function of the Rand stream it is drawn from.
 *
 * Also the check for what may reach a terminal from wbtop: printable text, and in colour/mono
 * output SGR sequences `ESC [ digits;… m` only.
 */
import stringWidth from 'string-width';
import {Rand} from '../chaos/prng.js';

/** The alphabet's classes; each draws one piece. */
export const CLASSES = ['csi', 'osc', 'dcs', 'apc', 'ris', 'esc', 'c1', 'c0', 'bidi', 'zero-width', 'soft-hyphen', 'combining', 'cjk', 'emoji', 'surrogate', 'ascii'] as const;
export type HostileClass = (typeof CLASSES)[number];

const PAYLOAD = 'ZXZpbA=='; // "evil"

function csi(r: Rand): string {
	const fixed = [
		'\x1b[2J',
		'\x1b[H',
		'\x1b[3J',
		'\x1b[10;20H',
		'\x1b[A',
		'\x1b[5B',
		'\x1b[3C',
		'\x1b[99D',
		'\x1b[K',
		'\x1b[2K',
		'\x1b[1M',
		'\x1b[31m',
		'\x1b[1;38;5;196m',
		'\x1b[38:2:255:0:0m',
		'\x1b[0m',
		'\x1b[?1049l',
		'\x1b[?1049h',
		'\x1b[?25l',
		'\x1b[?1000h',
		'\x1b[?2004h',
		'\x1b[6n',
		'\x1b[s',
		'\x1b[u',
		'\x1b[1;1r',
		'\x1b[>c',
		'\x1b[2 q',
		'\x1b[8;100;100t',
		'\x9b2J', // 8-bit CSI
		'\x9b?1049l',
		'\x1b[', // cut short
	];
	if (r.chance(0.2)) return `\x1b[${Array.from({length: r.int(0, 4)}, () => r.int(0, 9999)).join(';')}${r.pick(['m', 'H', 'J', 'K', 'A', 'r', 't', 'h', 'l', '@', '~'])}`;
	return r.pick(fixed);
}

function osc(r: Rand): string {
	const end = r.pick(['\x07', '\x1b\\', '\x9c', '']); // BEL, ST, 8-bit ST, unterminated
	const intro = r.chance(0.8) ? '\x1b]' : '\x9d';
	return r.pick([
		`${intro}0;PWNED-TITLE${end}`,
		`${intro}2;PWNED-TITLE${end}`,
		`${intro}8;;https://evil.example/${end}click${intro}8;;${end}`,
		`${intro}52;c;${PAYLOAD}${end}`,
		`${intro}52;p;?${end}`,
		`${intro}4;1;rgb:ff/00/00${end}`,
		`${intro}1337;File=name=${PAYLOAD}:${PAYLOAD}${end}`,
		`${intro}7;file://evil/${end}`,
	]);
}

function dcs(r: Rand): string {
	const end = r.pick(['\x1b\\', '\x9c', '']);
	return r.pick([
		`\x1bPtmux;\x1b\x1b]52;c;${PAYLOAD}\x07${end}`,
		`\x1bPtmux;\x1b\x1b]0;PWNED-TITLE\x07${end}`,
		`\x1bP1$r${end}`,
		`\x1bP+q544e${end}`,
		`\x90tmux;\x1b\x1b]52;c;${PAYLOAD}\x07\x9c`,
		`\x90q"1;1;10;10#0;2;0;0;0${end}`, // sixel
	]);
}

function apc(r: Rand): string {
	const end = r.pick(['\x1b\\', '\x9c', '']);
	return r.pick([`\x1b_Gf=100;${PAYLOAD}${end}`, `\x1b^privacy message${end}`, `\x1bXstart of string${end}`, `\x9f apc ${end}`, `\x9e pm ${end}`, `\x98 sos ${end}`]);
}

function otherEsc(r: Rand): string {
	return r.pick(['\x1b7', '\x1b8', '\x1b(0', '\x1b)0', '\x1b#8', '\x1bM', '\x1bD', '\x1bE', '\x1b=', '\x1b>', '\x1bN', '\x1bO', '\x1b%G', '\x1b', '\x1b\x1b', '\x1b ']);
}

const C0 = ['\x07', '\b', '\r', '\n', '\t', '\x0b', '\x0c', '\x00', '\x7f', '\r\n', '\x1a', '\x05', '\x0e', '\x0f'];
const BIDI = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c'];
const ZERO_WIDTH = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff'];
const EMOJI = [
	'😀',
	'👍',
	'🎉',
	'🔥',
	'\u2705',
	'👨\u200d👩\u200d👧\u200d👦',
	'🏳\ufe0f\u200d🌈',
	'👩\u200d💻',
	'🧑🏽\u200d🚀',
	'❤\ufe0f\u200d🔥',
	'🇺🇸',
	'🇯🇵',
	'🇺', // a lone regional indicator
	'🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}', // subdivision flag (tags)
	'👍🏻',
	'👍🏿',
	'🏽', // a skin tone alone
	'⚠\ufe0f',
	'❤\ufe0f',
	'☺\ufe0e',
	'1\ufe0f\u20e3',
	'#\ufe0f\u20e3',
	'*\u20e3',
	'\u200d', // a ZWJ alone
];
const SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff', '\udc00\ud800', 'a\ud83d', '\ude00b'];

function combining(r: Rand): string {
	const marks = () => {
		const ranges: Array<[number, number]> = [
			[0x300, 0x36f],
			[0x483, 0x489],
			[0x591, 0x5bd],
			[0x20d0, 0x20f0],
			[0xfe20, 0xfe2f],
		];
		const [lo, hi] = r.pick(ranges);
		return String.fromCharCode(r.int(lo, hi));
	};
	const base = r.chance(0.2) ? '' : r.pick(['a', 'e', 'Z', '中', ' ', '😀', '│']);
	return base + Array.from({length: r.logInt(1, 60)}, marks).join('');
}

function cjk(r: Rand): string {
	const ranges: Array<[number, number]> = [
		[0x4e00, 0x9fff],
		[0xac00, 0xd7a3],
		[0x3041, 0x30ff],
		[0xff01, 0xff60],
	];
	return Array.from({length: r.int(1, 12)}, () => {
		const [lo, hi] = r.pick(ranges);
		return String.fromCharCode(r.int(lo, hi));
	}).join('');
}

function ascii(r: Rand): string {
	const words = ['loss', 'train', 'val/acc', 'lr', 'epoch', 'gpu', 'x', 'step', 'a b', '%d', '{}', '"q"', '\\', '-', '.', '…', 'PWNED', 'evil'];
	if (r.chance(0.1)) return 'A'.repeat(r.logInt(50, 3000));
	return Array.from({length: r.int(1, 4)}, () => r.pick(words)).join(r.pick(['', ' ', '_', '/']));
}

/** One piece of the given class. */
export function piece(r: Rand, cls: HostileClass): string {
	switch (cls) {
		case 'csi':
			return csi(r);
		case 'osc':
			return osc(r);
		case 'dcs':
			return dcs(r);
		case 'apc':
			return apc(r);
		case 'ris':
			return '\x1bc';
		case 'esc':
			return otherEsc(r);
		case 'c1':
			return String.fromCharCode(r.int(0x80, 0x9f));
		case 'c0':
			return r.pick(C0);
		case 'bidi':
			return r.chance(0.3) ? '\u202egpj.exe' : r.pick(BIDI);
		case 'zero-width':
			return r.pick(ZERO_WIDTH);
		case 'soft-hyphen':
			return '\u00ad';
		case 'combining':
			return combining(r);
		case 'cjk':
			return cjk(r);
		case 'emoji':
			return r.pick(EMOJI);
		case 'surrogate':
			return r.pick(SURROGATES);
		case 'ascii':
			return ascii(r);
	}
}

export type HostileOptions = {
	/** Most pieces (default 8). */
	maxPieces?: number;
	/** Leave these out (e.g. '/' and NUL in file names are handled by the caller). */
	without?: readonly HostileClass[];
};

/** A hostile string: 1..maxPieces pieces, mostly hostile, with ASCII between them. */
export function hostile(r: Rand, options: HostileOptions = {}): string {
	const classes = CLASSES.filter(cls => !options.without?.includes(cls));
	const n = r.int(1, options.maxPieces ?? 8);
	let out = '';
	for (let i = 0; i < n; i++) out += piece(r, r.chance(0.25) ? 'ascii' : r.pick(classes));
	return out;
}

/**
 * Hostile bytes for files (output.log, jsonl): the pieces' UTF-8, plus raw bytes a string cannot
 * hold: raw C1 bytes (0x80-0x9F, invalid UTF-8 alone), a cut multi-byte sequence, overlong forms.
 */
export function hostileBytes(r: Rand, options: HostileOptions = {}): Buffer {
	const parts: Buffer[] = [];
	const n = r.int(1, options.maxPieces ?? 8);
	for (let i = 0; i < n; i++) {
		if (r.chance(0.2)) {
			parts.push(
				r.pick([
					Buffer.from([r.int(0x80, 0x9f)]), // raw C1
					Buffer.from([0x1b, 0x9b, 0x32, 0x4a]), // ESC then a raw 8-bit CSI
					Buffer.from([0xe4, 0xb8]), // a cut 3-byte sequence
					Buffer.from([0xc0, 0x9b]), // overlong CSI
					Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate (CESU)
					Buffer.from([0xff, 0xfe]),
					Buffer.from([0xc2, r.int(0x80, 0x9f)]), // C1 as UTF-8
				]),
			);
		} else {
			parts.push(Buffer.from(hostile(r, {...options, maxPieces: 2}), 'utf8')); // lone surrogates become U+FFFD
		}
	}
	return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------
// What may reach the terminal.

const SGR = /\x1b\[[0-9;]*m/g;
const BIDI_RE = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
// Zero-width and invisible characters the sanitizer removes.
const INVISIBLE_RE = /[\u00ad\u180e\u200b\u200c\u2060-\u2064\ufeff]/u;
// Emoji parts whose width terminals disagree on (ZWJ: joined emoji are cut to their first emoji on
// screen). Exports keep them: there a name is data, and they reorder or hide nothing.
const EMOJI_PARTS_RE = /[\u200d\ufe0e\ufe0f\u20e3]|[\u{1f3fb}-\u{1f3ff}]|[\u{e0020}-\u{e007f}]/u;

/** SGR sequences removed (what is left is what the terminal draws as text). */
export function stripSgr(text: string): string {
	return text.replace(SGR, '');
}

/** The first lone surrogate's index, or -1 (a lone surrogate is written as U+FFFD, one column). */
export function loneSurrogateAt(text: string): number {
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c >= 0xd800 && c <= 0xdbff) {
			const next = text.charCodeAt(i + 1);
			if (next >= 0xdc00 && next <= 0xdfff) {
				i++;
				continue;
			}
			return i;
		}
		if (c >= 0xdc00 && c <= 0xdfff) return i;
	}
	return -1;
}

function show(text: string, at: number): string {
	return JSON.stringify(text.slice(Math.max(0, at - 12), at + 12));
}

/**
 * Problems with one line of terminal output: `allowSgr` permits `ESC [ digits;… m`, nothing else
 * of ESC; never C0 (tab and newline included: a line is one row), DEL, C1, bidi controls,
 * zero-width characters or lone surrogates.
 */
export function terminalProblems(line: string, options: {allowSgr: boolean; allowTab?: boolean; allowEmojiParts?: boolean}): string[] {
	const problems: string[] = [];
	const text = options.allowSgr ? stripSgr(line) : line;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 0x09 && options.allowTab) continue;
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
			problems.push(`control U+${c.toString(16).padStart(4, '0')} at ${i}: ${show(text, i)}`);
			break;
		}
	}
	const bidi = BIDI_RE.exec(text);
	if (bidi) problems.push(`bidi control U+${bidi[0].charCodeAt(0).toString(16)} at ${bidi.index}: ${show(text, bidi.index)}`);
	const invisible = INVISIBLE_RE.exec(text) ?? (options.allowEmojiParts ? null : EMOJI_PARTS_RE.exec(text));
	if (invisible) problems.push(`invisible U+${invisible[0].codePointAt(0)!.toString(16)} at ${invisible.index}: ${show(text, invisible.index)}`);
	const lone = loneSurrogateAt(text);
	if (lone >= 0) problems.push(`lone surrogate U+${text.charCodeAt(lone).toString(16)} at ${lone} (written as U+FFFD): ${show(text, lone)}`);
	return problems;
}

/** Display columns of terminal output as the terminal gets it: UTF-8 round trip, SGR removed. */
export function displayWidth(line: string): number {
	return stringWidth(stripSgr(Buffer.from(line, 'utf8').toString('utf8')), {countAnsiEscapeCodes: true});
}
