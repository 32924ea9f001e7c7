/**
 * The bytes the live dashboard sends to the terminal, captured raw from the tmux pane
 * (pipe-pane), carry no control sequence but wbtop's own cursor moves and colours: no OSC (title,
 * clipboard, links), DCS (tmux passthrough), APC/PM/SOS, RIS, BEL or C1 byte, whatever the run
 * holds: hostile recorded system-metric keys (drawn in the recorded panel), a hostile step-metric
 * name (the compact view's x-axis title), and a new run whose directory name is hostile (the
 * "following new run …" notice). Every panel draws through one sanitizing boundary (view/line.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {encodeFraming, encodeHeader, encodeHistory, encodeRun} from '../../source/demo/writer.js';
import {CLI} from '../helpers/fixtures.js';
import {hasTmux, startPane, type Pane} from '../helpers/tmux.js';
import {EVIL, writeEvilBinaryRun} from './evil-run.js';

const maybe = hasTmux ? describe : describe.skip;

/** Escape sequences and bytes that must never reach the terminal from wbtop. */
function forbidden(raw: Buffer): string[] {
	const text = raw.toString('utf8');
	const hits: string[] = [];
	const patterns: Array<[string, RegExp]> = [
		['OSC', /\u001B\]/],
		['DCS', /\u001BP/],
		['APC', /\u001B_/],
		['PM', /\u001B\^/],
		['SOS', /\u001BX/],
		['RIS', /\u001Bc/],
		['BEL', /\u0007/],
		['C1', /[\u0080-\u009F]/],
		['backspace', /\u0008/],
		['alt-screen exit', /\u001B\[\?1049l(?![\s\S]*\u001B\[\?1049h)[\s\S]+/],
	];
	for (const [name, pattern] of patterns) {
		const match = pattern.exec(text);
		if (match) hits.push(`${name} at ${match.index}: ${JSON.stringify(text.slice(Math.max(0, match.index - 30), match.index + 30))}`);
	}
	return hits;
}

let tmp: string;
beforeAll(() => {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-inject-'));
});
afterAll(() => fs.rmSync(tmp, {recursive: true, force: true}));

/** Start wbtop in a pane and record everything it writes. */
async function watch(args: string, columns: number, rows: number, ready: (screen: string) => boolean): Promise<{pane: Pane; raw: () => Buffer; id: string}> {
	const file = path.join(tmp, `raw-${columns}x${rows}-${Math.random().toString(36).slice(2)}`);
	// The pane waits for pipe-pane to be in place before wbtop starts.
	const pane = startPane(`sh -c 'sleep 0.4; exec node ${CLI} ${args}'`, columns, rows);
	const id = pane.id();
	pane.tmux('pipe-pane', '-o', '-t', id, `cat >> ${file}`);
	// Accept OSC 52 from applications, so a leaked clipboard write would land in a buffer.
	pane.tmux('set-option', '-s', 'set-clipboard', 'on');
	await pane.waitFor(ready);
	return {pane, id, raw: () => (fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0))};
}

async function settle(pane: Pane, keys: string[][]): Promise<void> {
	await new Promise(resolve => setTimeout(resolve, 1200));
	for (const press of keys) {
		pane.keys(...press);
		await new Promise(resolve => setTimeout(resolve, 250));
	}
}

maybe('raw pane output on hostile runs', () => {
	it.each([
		[120, 40, 'Recorded by W&B'],
		// The compact view: its title line ends with the x-axis (the hostile step metric), cut to fit.
		[79, 23, 'x: ste'],
	])('at %ix%i: only wbtop’s own cursor moves and colours reach the terminal', async (columns, rows, marker) => {
		const runDir = writeEvilBinaryRun(path.join(tmp, `wandb-${columns}`));
		const {pane, raw, id} = await watch(`--no-gpu ${runDir}`, columns, rows, s => s.includes('EVILNAME<') && s.includes(marker));
		try {
			await settle(pane, [['Tab'], ['Tab'], ['Tab'], ['x'], ['j'], ['?'], ['?']]);
			const bytes = raw();
			expect(bytes.length).toBeGreaterThan(1000);
			expect(forbidden(bytes)).toEqual([]);
			expect(pane.tmux('display-message', '-p', '-t', id, '#{alternate_on}|#{pane_title}')).not.toContain('PWNED');
			expect(pane.tmux('list-buffers', '-F', '#{buffer_sample}')).not.toContain('evil');
			if (columns === 120) expect(pane.screen()).toMatch(/disk\..*usageP|proc\.memory\.rss/);
			pane.keys('q');
			await pane.waitFor(() => !pane.alive(), 5000);
		} finally {
			pane.kill();
		}
	}, 40_000);

	it('a new run with a hostile directory name: the "following new run" notice is harmless', async () => {
		const wandbDir = path.join(tmp, 'wandb-follow');
		fs.mkdirSync(wandbDir, {recursive: true});
		const write = (name: string, id: string) => {
			const runDir = path.join(wandbDir, name);
			fs.mkdirSync(runDir);
			fs.writeFileSync(path.join(runDir, `run-${id}.wandb`), encodeFraming([encodeHeader({producer: '0.22.3'}), encodeRun({runId: id, displayName: `name-${id}`, project: 'p'}), encodeHistory({step: 1, values: {loss: 1, _step: 1}})]));
			return runDir;
		};
		write('run-20250301_120000-first01', 'first01');
		fs.symlinkSync('run-20250301_120000-first01', path.join(wandbDir, 'latest-run'));
		const {pane, raw, id} = await watch(`--no-gpu ${wandbDir}`, 120, 40, s => s.includes('name-first01'));
		try {
			const evilName = `run-20250301_130000-x${EVIL.replace(/[/\u0000]/g, '')}`;
			write(evilName, 'second02');
			fs.symlinkSync(evilName, path.join(wandbDir, 'latest-run.tmp'));
			fs.renameSync(path.join(wandbDir, 'latest-run.tmp'), path.join(wandbDir, 'latest-run'));
			await pane.waitFor(s => s.includes('following new run'));
			await settle(pane, [['r'], ['Escape']]);
			expect(forbidden(raw())).toEqual([]);
			expect(pane.tmux('display-message', '-p', '-t', id, '#{pane_title}')).not.toContain('PWNED');
			pane.keys('q');
			await pane.waitFor(() => !pane.alive(), 5000);
		} finally {
			pane.kill();
		}
	}, 40_000);
});
