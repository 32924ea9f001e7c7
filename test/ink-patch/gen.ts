/**
 * Random inputs for comparing stock and patched Ink: text pieces (ASCII, SGR, CJK, emoji,
 * combining marks, box drawing, other escapes), Output operation lists and Ink element trees.
 * Everything is data (JSON-printable), so a failing case can be printed and replayed.
 */
import React from 'react';
import type {InkModule, OutputInstance, Transformer} from './stock-ink.js';

export type Rng = () => number;
export const int = (r: Rng, min: number, max: number) => min + Math.floor(r() * (max - min + 1));
export const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)];
export const chance = (r: Rng, p: number) => r() < p;

export type Classes = {
	/** SGR with ':' separators (ITU T.416 style, e.g. curly underline `ESC[4:3m`). */
	colonSgr?: boolean;
	/** U+0000 inside text. */
	nul?: boolean;
	/** Non-SGR escapes: CSI K, OSC 8 links, lone ESC, C1 controls. */
	otherEscapes?: boolean;
};

const WORDS = ['loss', 'train/acc', 'step', '1714', 'GPU 0', 'util 98%', 'mem', '42.7 GiB', 'epoch=3', 'lr 3e-4', '|', '-', ':', '[ok]', 'x', 'Summary', 'a', '   ', ' '];
const NARROW = ['─', '│', '┌', '┐', '└', '┘', '├', '┤', '┬', '┴', '┼', '╭', '╮', '╰', '╯', '═', '║', '█', '▓', '▒', '░', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '▌', '▐', '■', '□', '▶', '◀', '●', '○', '◆', '✓', '✗', '⚠', '→', '←', '↑', '↓', '↵', '·', '…', '•', '‰', '′', 'é', 'ñ', 'ß', 'Ω', 'ø', 'ł', 'ı', '±', '°', '¢', '\u00A0', '¿', 'ʃ', 'ˈ'];
const WIDE = ['漢字', 'ひらがな', '한국어', '全角', '中', '。', 'Ａ', '가'];
const EMOJI = ['😀', '👍🏽', '👨‍👩‍👧', '👩‍💻', '🇯🇵', '🇺🇸', '❤️', '1️⃣', '✔️', '⚠️', '☀', '✨', '🏳️‍🌈', '⏱'];
const COMBINING = ['e\u0301', 'a\u0308\u0301', '\u0301', 'n\u0303', 'q\u20DD'];
const ZERO_WIDTH = ['\u200B', '\u200D', '\uFE0F', '\u00AD', '\t', '\u2060'];
const SGR_OPEN = ['\u001B[31m', '\u001B[32m', '\u001B[1m', '\u001B[2m', '\u001B[3m', '\u001B[4m', '\u001B[7m', '\u001B[9m', '\u001B[92m', '\u001B[44m', '\u001B[101m', '\u001B[38;5;208m', '\u001B[48;5;17m', '\u001B[38;2;255;128;0m', '\u001B[48;2;0;0;0m', '\u001B[1;31m', '\u001B[1;38;5;10;48;2;1;2;3m', '\u001B[2;7m'];
const SGR_CLOSE = ['\u001B[39m', '\u001B[49m', '\u001B[22m', '\u001B[23m', '\u001B[24m', '\u001B[27m', '\u001B[29m', '\u001B[0m', '\u001B[m'];
const SGR_ODD = ['\u001B[;m', '\u001B[12345m', '\u001B[38;5m', '\u001B[38;2;1m', '\u001B[00m', '\u001B[1;;4m'];
const COLON_SGR = ['\u001B[4:3m', '\u001B[38:2::255:0:0m', '\u001B[58:5:1m', '\u001B[4:0m'];
const OTHER_ESCAPES = ['\u001B[2K', '\u001B[K', '\u001B]8;;https://wandb.ai/x\u0007', '\u001B]8;;\u0007', '\u001B', '\u001B[?25l', '\u0085', '\u009B31m', '\u001B[1A', '\u001B(B', '\u001B]0;title\u0007'];

/** One fragment of text. */
export function piece(r: Rng, classes: Classes = {}): string {
	const roll = r();
	if (classes.colonSgr && roll < 0.04) return pick(r, COLON_SGR);
	if (classes.nul && roll < 0.07) return '\u0000';
	if (classes.otherEscapes && roll < 0.12) return pick(r, OTHER_ESCAPES);
	if (roll < 0.35) return pick(r, WORDS);
	if (roll < 0.5) return pick(r, NARROW).repeat(chance(r, 0.3) ? int(r, 2, 12) : 1);
	if (roll < 0.6) return pick(r, SGR_OPEN);
	if (roll < 0.68) return pick(r, SGR_CLOSE);
	if (roll < 0.7) return pick(r, SGR_ODD);
	if (roll < 0.78) return pick(r, WIDE);
	if (roll < 0.85) return pick(r, EMOJI);
	if (roll < 0.89) return pick(r, COMBINING);
	if (roll < 0.91) return pick(r, ZERO_WIDTH);
	// Mostly-dashboard text: a plain narrow line, maybe coloured as a whole.
	const plain = Array.from({length: int(r, 1, 4)}, () => (chance(r, 0.5) ? pick(r, WORDS) : pick(r, NARROW))).join('');
	return chance(r, 0.5) ? `${pick(r, SGR_OPEN)}${plain}${pick(r, SGR_CLOSE)}` : plain;
}

/** A line of about `width` columns (sometimes exactly filled by narrow text, sometimes longer). */
export function line(r: Rng, width: number, classes: Classes = {}): string {
	const kind = r();
	if (kind < 0.15) {
		// Exactly `width` narrow cells, last one non-blank, maybe styled.
		const body = Array.from({length: Math.max(1, width)}, (_, i) => (i === width - 1 ? '┤' : pick(r, ['─', 'x', ' ', '█', 'é']))).join('');
		return chance(r, 0.5) ? `\u001B[36m${body}\u001B[39m` : body;
	}
	if (kind < 0.35) {
		// Plain narrow, the common dashboard case (the patch's fast path).
		let text = '';
		while (text.length < int(r, 1, width + 5)) text += chance(r, 0.2) ? pick(r, SGR_OPEN) : pick(r, chance(r, 0.6) ? WORDS : NARROW);
		return text + (chance(r, 0.5) ? '\u001B[0m' : '');
	}
	let text = '';
	const count = int(r, 1, 10);
	for (let i = 0; i < count; i++) text += piece(r, classes);
	return text;
}

export const TRANSFORMERS: Record<string, Transformer> = {
	upper: text => text.toUpperCase(),
	index: (text, index) => `${index}:${text}`,
	red: text => `\u001B[31m${text}\u001B[39m`,
	dropFirst: text => text.slice(1),
	pad: text => `${text}   `,
	empty: () => '',
	wide: text => `中${text}`,
};

export type Op =
	| {op: 'write'; x: number; y: number; text: string; transformers: string[]}
	| {op: 'clip'; clip: {x1?: number; x2?: number; y1?: number; y2?: number}}
	| {op: 'unclip'};

export type Frame = {width: number; height: number; ops: Op[]};

/** A random frame; `pool` holds lines to reuse (so the patched caches see repeats across frames). */
export function frame(r: Rng, pool: string[], classes: Classes = {}): Frame {
	const width = pick(r, [1, 5, 10, 20, 40, 60, 80]);
	const height = int(r, 1, 10);
	const ops: Op[] = [];
	let clips = 0;
	const count = int(r, 1, 14);
	const text = () => {
		if (pool.length > 0 && chance(r, 0.5)) return pick(r, pool);
		const lines = Array.from({length: chance(r, 0.2) ? int(r, 2, 4) : 1}, () => line(r, width, classes));
		const made = lines.join('\n');
		if (pool.length < 300) pool.push(made);
		else pool[int(r, 0, pool.length - 1)] = made;
		return made;
	};
	for (let i = 0; i < count; i++) {
		const roll = r();
		if (roll < 0.1) {
			const maybe = (value: number) => (chance(r, 0.85) ? value : undefined);
			ops.push({op: 'clip', clip: {x1: maybe(int(r, -2, width)), x2: maybe(int(r, 0, width + 2)), y1: maybe(int(r, -1, height)), y2: maybe(int(r, 0, height + 1))}});
			clips++;
		} else if (roll < 0.15 && clips > 0) {
			ops.push({op: 'unclip'});
			clips--;
		} else {
			const x = chance(r, 0.6) ? 0 : chance(r, 0.9) ? int(r, 1, width + 2) : -1;
			const y = chance(r, 0.95) ? int(r, 0, height - 1) : pick(r, [-1, height, height + 3]);
			const transformers = chance(r, 0.2) ? Array.from({length: int(r, 1, 2)}, () => pick(r, Object.keys(TRANSFORMERS))) : [];
			ops.push({op: 'write', x, y, text: text(), transformers});
		}
	}
	return {width, height, ops};
}

export function runFrame(Output: new (options: {width: number; height: number}) => OutputInstance, f: Frame): string {
	const output = new Output({width: f.width, height: f.height});
	for (const op of f.ops) {
		if (op.op === 'write') output.write(op.x, op.y, op.text, {transformers: op.transformers.map(name => TRANSFORMERS[name])});
		else if (op.op === 'clip') output.clip(op.clip);
		else output.unclip();
	}
	return output.get().output;
}

// ---- Ink element trees ----

type TextChild = string | TextNode;
export type TextNode = {kind: 'text'; props: Record<string, unknown>; children: TextChild[]};
export type BoxNode = {kind: 'box'; props: Record<string, unknown>; children: Array<BoxNode | TextNode>};

const COLORS = ['red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white', 'gray', 'blackBright', 'redBright', '#ff8800', '#123456', 'ansi256(208)', 'rgb(10,200,30)'];
const WRAPS = ['wrap', 'truncate', 'truncate-end', 'truncate-middle', 'truncate-start', 'end', 'middle'];
const BORDERS = ['single', 'round', 'double', 'bold', 'classic', 'singleDouble', 'doubleSingle', 'arrow'];

function textNode(r: Rng, depth: number, classes: Classes): TextNode {
	const props: Record<string, unknown> = {};
	if (chance(r, 0.4)) props.color = pick(r, COLORS);
	if (chance(r, 0.15)) props.backgroundColor = pick(r, COLORS);
	for (const flag of ['bold', 'dim', 'italic', 'underline', 'inverse', 'strikethrough']) if (chance(r, 0.1)) props[flag] = true;
	if (depth === 0 && chance(r, 0.5)) props.wrap = pick(r, WRAPS);
	const children: TextChild[] = [];
	const count = int(r, 1, 3);
	for (let i = 0; i < count; i++) {
		if (depth < 2 && chance(r, 0.25)) children.push(textNode(r, depth + 1, classes));
		else children.push(chance(r, 0.5) ? line(r, int(r, 3, 50), classes) : piece(r, classes) + (chance(r, 0.3) ? '\n' + piece(r, classes) : ''));
	}
	return {kind: 'text', props, children};
}

export function boxNode(r: Rng, depth: number, classes: Classes = {}): BoxNode {
	const props: Record<string, unknown> = {flexDirection: pick(r, ['row', 'column', 'column'])};
	if (chance(r, 0.3)) props.padding = int(r, 0, 1);
	if (chance(r, 0.2)) props.paddingX = int(r, 0, 2);
	if (chance(r, 0.1)) props.marginLeft = int(r, 0, 2);
	if (chance(r, 0.3)) {
		props.borderStyle = pick(r, BORDERS);
		if (chance(r, 0.5)) props.borderColor = pick(r, COLORS);
		if (chance(r, 0.2)) props.borderDimColor = true;
	}
	if (chance(r, 0.35)) props.width = chance(r, 0.7) ? int(r, 4, 40) : pick(r, ['50%', '100%']);
	if (chance(r, 0.25)) {
		props.overflow = 'hidden';
		props.height = int(r, 1, 5);
		if (props.width === undefined) props.width = int(r, 3, 30);
	}
	if (chance(r, 0.15)) props.gap = 1;
	if (chance(r, 0.15)) props.justifyContent = pick(r, ['flex-start', 'center', 'flex-end', 'space-between']);
	if (chance(r, 0.15)) props.alignItems = pick(r, ['flex-start', 'center', 'flex-end']);
	const children: Array<BoxNode | TextNode> = [];
	const count = int(r, 1, depth === 0 ? 5 : 3);
	for (let i = 0; i < count; i++) children.push(depth < 3 && chance(r, 0.35) ? boxNode(r, depth + 1, classes) : textNode(r, 0, classes));
	return {kind: 'box', props, children};
}

/** The element for a tree description, built from one Ink copy's components. */
export function element(ink: Pick<InkModule, 'Box' | 'Text'>, node: BoxNode | TextNode, key = 0): React.ReactElement {
	if (node.kind === 'box') {
		return React.createElement(ink.Box, {key, ...node.props}, ...node.children.map((child, i) => element(ink, child, i)));
	}
	return React.createElement(
		ink.Text,
		{key, ...node.props},
		...node.children.map((child, i) => (typeof child === 'string' ? child : element(ink, child, i))),
	);
}
