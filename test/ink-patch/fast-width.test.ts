/**
 * frame-caches.js's fastStringWidth (used by the patched Output and measureText instead of
 * string-width) must be exactly string-width's answer: for every code point its NARROW_TEXT set
 * accepts (all of U+0020..U+2FFFF tried through isNarrowText), and for random strings mixing
 * narrow characters, SGR, other escapes, wide characters and emoji. The set must also hold
 * characters that never join a neighbour into one grapheme (renderPlainRow counts one cell per
 * UTF-16 unit).
 */
import stringWidth from 'string-width';
import {beforeAll, describe, expect, it} from 'vitest';
import {prng} from '../helpers/prng.js';
import {piece} from './gen.js';
import {importBuild, PATCHED_INK} from './stock-ink.js';

type FrameCaches = {
	isNarrowText(text: string): boolean;
	fastStringWidth(text: string): number;
	fastWidestLine(text: string): number;
};

let caches: FrameCaches;
const narrow: string[] = [];
beforeAll(async () => {
	caches = await importBuild<FrameCaches>(PATCHED_INK, 'frame-caches.js');
	for (let code = 0x20; code <= 0x2ffff; code++) {
		if (code >= 0xd800 && code <= 0xdfff) continue;
		const character = String.fromCodePoint(code);
		if (caches.isNarrowText(character)) narrow.push(character);
	}
});

const hex = (text: string) => [...text].map(c => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ');

describe('fastStringWidth is string-width', () => {
	it('the narrow set is what the patch says (printable ASCII, Latin-1, Latin Extended, punctuation, arrows, box drawing, blocks, shapes, ✓ ✗ ⚠)', () => {
		expect(narrow.length).toBeGreaterThan(1000);
		for (const character of ['a', '~', 'é', 'ÿ', 'ʃ', '–', '…', '→', '─', '┤', '█', '▁', '■', '✓', '✗', '⚠']) expect(caches.isNarrowText(character), hex(character)).toBe(true);
		for (const character of ['\u001F', '\u007F', '\u00AD', '\u0301', '\u200B', '\u2028', '中', '😀', '\u25FD', '\uFE0F']) expect(caches.isNarrowText(character), hex(character)).toBe(false);
	});

	it('every code point of the narrow set is one column and one UTF-16 unit', () => {
		const wrong = narrow.filter(character => character.length !== 1 || caches.fastStringWidth(character) !== stringWidth(character) || stringWidth(character) !== 1);
		expect(wrong.map(hex)).toEqual([]);
	});

	it('no narrow character joins a neighbour into one grapheme', () => {
		const segmenter = new Intl.Segmenter(undefined, {granularity: 'grapheme'});
		const count = (text: string) => [...segmenter.segment(text)].length;
		const joining = narrow.filter(character => count(`a${character}a`) !== 3 || count(character + character) !== 2 || count(`${character}\u001B`) !== 2);
		expect(joining.map(hex)).toEqual([]);
	});

	it('random strings: narrow runs, SGR, other escapes, wide characters, emoji, combining marks', () => {
		const r = prng(41);
		for (let i = 0; i < 10_000; i++) {
			let text = '';
			const count = 1 + Math.floor(r() * 8);
			for (let j = 0; j < count; j++) text += r() < 0.5 ? narrow[Math.floor(r() * narrow.length)].repeat(1 + Math.floor(r() * 3)) : piece(r, {colonSgr: true, otherEscapes: true, nul: true});
			expect(caches.fastStringWidth(text), JSON.stringify(text)).toBe(stringWidth(text));
			const lines = `${text}\n${text.slice(0, text.length >> 1)}`;
			expect(caches.fastWidestLine(lines), JSON.stringify(lines)).toBe(Math.max(...lines.split('\n').map(line => stringWidth(line))));
		}
	});
});
