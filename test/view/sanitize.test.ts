import {describe, expect, it} from 'vitest';
import {sanitize, sanitizeLine, sanitizeText} from '../../source/view/sanitize.js';
import {prng as random} from '../helpers/prng.js';

// Anything a terminal could act on: C0 except tab, DEL, C1.
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;


describe('sanitize', () => {
	it('returns plain text unchanged, Unicode included', () => {
		for (const text of ['', 'loss 0.25', '日本語 😀 é', '½ ¼ ÿ']) expect(sanitize(text)).toBe(text);
	});

	it('turns a tab into one space (a drawn tab would be wider than Ink counts), unless asked to keep it', () => {
		expect(sanitize('a\tb')).toBe('a b');
		expect(sanitize('a\tb', {keepTabs: true})).toBe('a\tb');
	});

	it('removes OSC 52 clipboard writes and OSC 8 links (BEL and ST terminated)', () => {
		expect(sanitize('a\x1b]52;c;ZXZpbCBjb21tYW5k\x07b')).toBe('ab');
		expect(sanitize('a\x1b]52;c;ZXZpbA==\x1b\\b')).toBe('ab');
		expect(sanitize('\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\')).toBe('click');
		expect(sanitize('\x1b]0;new window title\x07x')).toBe('x');
		// Unterminated: swallowed to the end, as a terminal would.
		expect(sanitize('ok\x1b]52;c;ZXZpbA==')).toBe('ok');
	});

	it('removes CSI sequences (colours, cursor moves, clears, private modes)', () => {
		expect(sanitize('\x1b[31mred\x1b[0m')).toBe('red');
		expect(sanitize('\x1b[2J\x1b[H\x1b[?1049h\x1b[38;2;1;2;3mx\x1b[K')).toBe('x');
		expect(sanitize('\x1b[1;31;4mx\x1b[!p')).toBe('x');
	});

	it('removes DCS/SOS/PM/APC strings, including tmux passthrough', () => {
		expect(sanitize('a\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\b')).toBe('ab');
		expect(sanitize('a\x1bP1$r0m\x1b\\b')).toBe('ab');
		expect(sanitize('a\x1b_Gf=100;AAAA\x1b\\b')).toBe('ab');
		expect(sanitize('a\x1b^privacy\x1b\\b\x1bXsos\x1b\\c')).toBe('abc');
	});

	it('removes 8-bit C1 forms and bare C1 controls', () => {
		expect(sanitize('a\x9b31mb')).toBe('ab');
		expect(sanitize('a\x9d52;c;aGk=\x9cb')).toBe('ab');
		expect(sanitize('a\x90qpayload\x9cb')).toBe('ab');
		expect(sanitize('a\x85b\x8dc\x9fapc\x9cd')).toBe('abcd');
	});

	it('removes other ESC sequences, C0 controls and DEL', () => {
		expect(sanitize('a\x1b7b\x1b8c\x1b(Bd\x1bce\x1b')).toBe('abcde');
		expect(sanitize('a\x00b\x07c\x08d\x7fe\rf\ng\x0bh\x0ci')).toBe('abcdefghi');
	});

	it('keeps newlines only when asked', () => {
		expect(sanitize('a\nb\r\nc', {keepNewlines: true})).toBe('a\nb\nc');
		expect(sanitize('a\nb', {keepNewlines: false})).toBe('ab');
	});

	it('never lets a control byte through, whatever the input', () => {
		const rand = random(1);
		const alphabet = ['\x1b', '[', ']', 'P', '\\', '\x07', '\x9b', '\x9c', '\x9d', '\x90', '\x00', '\r', '\n', '\t', '\x7f', '\x85', ';', '5', '2', 'm', 'a', '日', '😀', '_', '^', 'X', '('];
		for (let i = 0; i < 3000; i++) {
			let text = '';
			const length = Math.floor(rand() * 40);
			for (let k = 0; k < length; k++) text += alphabet[Math.floor(rand() * alphabet.length)];
			const clean = sanitize(text);
			expect(CONTROL.test(clean), JSON.stringify(text)).toBe(false);
			expect(CONTROL.test(sanitizeLine(text))).toBe(false);
			expect(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(sanitize(text, {keepNewlines: true}))).toBe(false);
		}
	});

	it('is fast on large input', () => {
		const chunk = 'epoch 3 \x1b[32mloss\x1b[0m 0.25 |████▌     | 45%\r';
		const big = chunk.repeat(40_000); // ~2 MB
		const started = performance.now();
		const clean = sanitize(big);
		expect(performance.now() - started).toBeLessThan(500);
		expect(clean.length).toBeLessThan(big.length);
	});
});

describe('sanitizeLine', () => {
	it('turns newlines into spaces and expands tabs to 8-column stops', () => {
		expect(sanitizeLine('a\tb')).toBe('a       b');
		expect(sanitizeLine('abcdefgh\tx')).toBe('abcdefgh        x');
		expect(sanitizeLine('one\ntwo\r\nthree')).toBe('one two three');
		expect(sanitizeLine('\x1b[1mbold\x1b[0m\t!')).toBe('bold    !');
	});
});

describe('sanitizeText (exports, status lines, error messages)', () => {
	it('removes controls, bidi overrides and zero-width characters, and keeps emoji sequences whole', () => {
		expect(sanitizeText('name\u202egpj.exe\u200b\u001B]0;T\u0007 👩‍💻')).toBe('namegpj.exe 👩‍💻');
	});

	it('keeps newlines only when asked', () => {
		expect(sanitizeText('a\nb', {keepNewlines: true})).toBe('a\nb');
		expect(sanitizeText('a\nb')).toBe('ab');
	});
});

describe('lone surrogates', () => {
	it('become U+FFFD, one column, as stdout would write them (a JSON "\\ud83d" escape)', () => {
		expect(sanitizeLine('a\ud83d')).toBe('a\uFFFD');
		expect(sanitizeLine('\udc00b')).toBe('\uFFFDb');
		expect(sanitizeText('x\ud83dy')).toBe('x\uFFFDy');
		// A whole pair is left alone.
		expect(sanitizeLine('a😀')).toBe('a😀');
	});
});
