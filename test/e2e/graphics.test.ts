/**
 * The real binary in a pseudo-terminal (util-linux `script`) that says it is kitty: the media
 * page's image reaches the terminal as kitty graphics escapes (`ESC _ G`, PNG in 4096-byte base64
 * chunks) at the image's cell, whose PNG is the run's image; it is deleted on quit; and the same
 * run in a terminal that is not kitty (or inside tmux without passthrough) gets none.
 */
import {execFileSync, spawn} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {PNG} from 'pngjs';
import {describe, expect, it} from 'vitest';
import {CLI, realRun} from '../helpers/fixtures.js';

const IMAGES = realRun('pvzznizc'); // 15 PNGs (640x480)

const hasScript = (() => {
	try {
		execFileSync('script', ['--version'], {stdio: 'ignore'});
		return true;
	} catch {
		return false;
	}
})();

/**
 * Runs wbtop under `script` at 120x40 with `env`; presses m once the dashboard is up, q once
 * `until` holds (or after 12 s); the raw output. `answer`: what the terminal replies to the device
 * attributes query (`CSI c`), typed after an `m` (a key pressed while wbtop waits for the reply).
 */
function session(env: Record<string, string>, until: (out: string) => boolean, answer?: string, lateMs = 0): Promise<string> {
	const base = {...process.env};
	for (const name of ['TMUX', 'NO_COLOR', 'WBTOP_GRAPHICS', 'KITTY_WINDOW_ID', 'TERM_PROGRAM']) delete base[name];
	const child = spawn('script', ['-q', '-e', '-c', `stty cols 120 rows 40; exec node ${CLI} --no-follow --no-gpu ${IMAGES}`, '/dev/null'], {env: {...base, ...env}, stdio: ['pipe', 'pipe', 'pipe']});
	let out = '';
	let pressed = false;
	let quit = false;
	const press = () => {
		if (!quit) child.stdin.write('q');
		quit = true;
	};
	const giveUp = setTimeout(press, 12_000);
	const hardStop = setTimeout(() => child.kill('SIGKILL'), 25_000);
	child.stdout.setEncoding('utf8');
	child.stdout.on('data', (chunk: string) => {
		out += chunk;
		if (answer !== undefined && !pressed && out.includes('\u001B[c')) {
			pressed = true;
			if (lateMs === 0) child.stdin.write(`m${answer}`);
			else setTimeout(() => child.stdin.write(`${answer}m`), lateMs);
		}
		if (!pressed && out.includes('Summary')) {
			pressed = true;
			child.stdin.write('m');
		}
		if (pressed && !quit && until(out)) setTimeout(press, 300);
	});
	return new Promise(resolve => {
		child.on('close', () => {
			clearTimeout(giveUp);
			clearTimeout(hardStop);
			resolve(out);
		});
	});
}

const maybe = hasScript ? describe : describe.skip;

maybe('kitty graphics from the real binary', () => {
	it('TERM=xterm-kitty: the selected image as ESC _ G chunks at its cell, the run\'s own PNG, deleted on quit', async () => {
		const out = await session({TERM: 'xterm-kitty'}, text => /\u001B_G[^\u001B]*m=0[;\u001B]/.test(text));
		const escapes = [...out.matchAll(/\u001B_G([^;\u001B]*)(?:;([^\u001B]*))?\u001B\\/g)].map(m => ({keys: m[1], payload: m[2] ?? ''}));
		const start = escapes.findIndex(e => e.keys.startsWith('a=T,f=100,'));
		expect(start, 'a transmit-and-display escape').toBeGreaterThanOrEqual(0);
		const end = escapes.findIndex((e, i) => i >= start && /(^|,)m=0/.test(e.keys));
		expect(end).toBeGreaterThan(start);
		const chunks = escapes.slice(start, end + 1);
		for (const chunk of chunks.slice(0, -1)) expect(chunk.payload.length).toBe(4096);
		// The cursor goes to the image's cell first: right of the 43-column list, below the titles.
		const at = out.indexOf('\u001B_Ga=T');
		expect(out.slice(at - 20, at)).toMatch(/\u001B7\u001B\[3;45H$/);
		const png = PNG.sync.read(Buffer.from(chunks.map(c => c.payload).join(''), 'base64'));
		// The first key's image, confusion_matrix_1, decoded here from the run's file.
		const file = fs.readdirSync(path.join(IMAGES, 'files/media/images')).find(name => name.startsWith('confusion_matrix_1_'))!;
		const own = PNG.sync.read(fs.readFileSync(path.join(IMAGES, 'files/media/images', file)));
		expect([png.width, png.height]).toEqual([own.width, own.height]);
		let worst = 0;
		for (let p = 0; p < own.width * own.height; p += 97) for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(png.data[p * 4 + c] - (own.data[p * 4 + c] * own.data[p * 4 + 3]) / 255));
		expect(worst).toBeLessThanOrEqual(0.5);
		const id = /(?:^|,)i=(\d+)/.exec(chunks[0].keys)![1];
		expect(escapes.some(e => e.keys.startsWith(`a=d,d=I,i=${id}`)), 'the image deleted on quit').toBe(true);
	}, 30_000);

	it('no graphics escapes in a terminal that is not kitty, or in tmux without passthrough: half blocks', async () => {
		const envs: Array<Record<string, string>> = [{TERM: 'xterm-256color'}, {TERM: 'xterm-kitty', TMUX: '/nonexistent/tmux-socket,1,0'}];
		for (const env of envs) {
			const out = await session(env, text => text.includes('▀'));
			expect(out).toContain('Media ·');
			expect(out).toContain('▀');
			expect(out).not.toContain('\u001B_G');
		}
	}, 60_000);

	it('a terminal whose device attributes list 4 gets sixel, and a key typed while wbtop waits for the reply is kept', async () => {
		const out = await session({TERM: 'xterm-256color'}, text => /\u001BPq"1;1;\d+;\d+/.test(text), '\u001B[?62;4;22c');
		const sixel = /\u001B7\u001B\[3;45H\u001BPq"1;1;(\d+);(\d+)/.exec(out);
		expect(sixel, 'a sixel image at the image cell').not.toBeNull();
		expect(Number(sixel![1])).toBeLessThanOrEqual(76 * 8);
		expect(Number(sixel![1])).toBeGreaterThan(76 * 8 * 0.9);
		expect(out).not.toContain('\u001B_G');
		// The m typed before the reply opened the media page (the image is on it).
		expect(out).toContain('Media ·');
	}, 30_000);

	it('a reply without 4: half blocks, after the same query', async () => {
		const out = await session({TERM: 'xterm-256color'}, text => text.includes('▀'), '\u001B[?62;22c');
		expect(out).toContain('\u001B[c');
		expect(out).toContain('▀');
		expect(out).not.toContain('\u001BPq');
	}, 30_000);

	it('a reply that comes after the wait (1.5 s) is not read as keys (its ? would open the help)', async () => {
		const out = await session({TERM: 'xterm-256color'}, text => text.includes('▀'), '\u001B[?62;4;22c', 1500);
		// The m after it opened the media page, with half blocks: the late reply changed nothing.
		expect(out).toContain('Media ·');
		expect(out).toContain('▀');
		expect(out).not.toContain('wbtop keys');
	}, 30_000);
});
