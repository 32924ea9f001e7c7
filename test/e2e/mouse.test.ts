/**
 * The mouse in the real binary inside tmux with `mouse on`. tmux cannot make mouse events without
 * a client, so the SGR reports it would forward (`\033[<b;x;yM`, 1-based) are written to the pane
 * as input with `send-keys -l`: the app reads exactly those bytes. Checked on the captured screen:
 * select, plot click (cursor), double-click focus, wheel zoom, console scroll, a panel title; a
 * report is never typed into the `/` prompt; mouse reporting is off again after q; `--no-mouse`
 * never turns it on (the pane's raw output holds no `?1000h`).
 */
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {CLI, realRun} from '../helpers/fixtures.js';
import {hasTmux, startPane, type Pane} from '../helpers/tmux.js';

const maybe = hasTmux ? describe : describe.skip;
const NER = realRun('SabhyaC26__ner_experiments__run-20211109_214345-31f67q0f');

/** A report as tmux writes it: button code, 0-based cell (sent 1-based), press M or release m. */
const report = (code: number, x: number, y: number, final: 'M' | 'm' = 'M') => `\u001B[<${code};${x + 1};${y + 1}${final}`;
const click = (x: number, y: number) => report(0, x, y) + report(0, x, y, 'm');

/** Where `text` starts on the screen (0-based column and row). */
function find(screen: string, text: string): {x: number; y: number} {
	const rows = screen.split('\n');
	const y = rows.findIndex(row => row.includes(text));
	expect(y, `${text} on screen:\n${screen}`).toBeGreaterThanOrEqual(0);
	return {x: rows[y].indexOf(text), y};
}

/** Past the double-click time: the next press on the same chart is a click of its own. */
const pause = () => new Promise(resolve => setTimeout(resolve, 450));

function send(pane: Pane, bytes: string): void {
	pane.tmux('send-keys', '-t', pane.id(), '-l', bytes);
}

/** The pane's mouse modes as tmux tracks them: SGR (1006), button events (1002), standard (1000). */
const flags = (pane: Pane) => pane.tmux('display-message', '-p', '-t', pane.id(), '#{mouse_sgr_flag}#{mouse_button_flag}#{mouse_standard_flag}');

maybe('the mouse in tmux (mouse on)', () => {
	it('selects, places the cursor, focuses, zooms and scrolls; never types; off again after q', async () => {
		const raw = join(mkdtempSync(join(tmpdir(), 'wbtop-mouse-')), 'raw');
		const pane = startPane(`sh -c 'sleep 0.3; node ${CLI} --no-gpu ${NER}; echo "EXIT=$?"; sleep 30'`, 120, 40);
		try {
			pane.tmux('set-option', '-g', 'mouse', 'on');
			pane.tmux('pipe-pane', '-o', '-t', pane.id(), `cat >> ${raw}`);
			let screen = await pane.waitFor(s => s.includes('Console') && s.includes('train_loss'));
			// tmux says what the app asked for: SGR reports of presses, releases and drags.
			expect(flags(pane)).toMatch(/^11/);

			// A click on train_loss's title selects it: its title is drawn inverse.
			const title = find(screen, 'train_loss  ');
			send(pane, click(title.x + 2, title.y));
			await pane.waitFor(() => /\u001B\[[\d;]*7[\d;]*m(?:\u001B\[[\d;]*m)*train_loss/.test(pane.screenWithColors()));

			// A click on its plot (two rows below the title) places the cursor: the title reads it.
			await pause();
			send(pane, click(title.x + 12, title.y + 2));
			screen = await pane.waitFor(s => /train_loss {2}@\d+/.test(s));

			// The filter prompt is open: a click there is not typed into it.
			pane.keys('/');
			await pane.waitFor(s => s.includes('Enter apply'));
			send(pane, click(title.x + 12, title.y + 2) + report(64, 5, 30));
			pane.keys('Escape');
			screen = await pane.waitFor(s => !s.includes('Enter apply'));
			expect(screen).not.toContain('[<');

			// A double click focuses it (the other charts' titles go), another unfocuses it.
			await pause();
			send(pane, click(title.x + 2, title.y) + click(title.x + 2, title.y));
			// The charts' first row (below the two header lines): the focused chart alone, or the grid's first.
			const firstChart = (s: string) => s.split('\n')[2];
			screen = await pane.waitFor(s => firstChart(s).startsWith('train_loss  ') && !firstChart(s).includes('test_precision'));
			await pause();
			send(pane, click(2, 2) + click(2, 2));
			screen = await pane.waitFor(s => firstChart(s).startsWith('test_f1  ') && firstChart(s).includes('test_precision  '));

			// The wheel over the plot zooms (the footer names the range), out again to the whole run.
			const plot = find(screen, 'train_loss  ');
			send(pane, report(64, plot.x + 12, plot.y + 3));
			screen = await pane.waitFor(s => /zoom \d+–\d+/.test(s));
			send(pane, report(65, plot.x + 12, plot.y + 3) + report(65, plot.x + 12, plot.y + 3));
			screen = await pane.waitFor(s => !s.includes('zoom '));

			// The wheel over the console scrolls it 3 lines up; a click on the Summary title moves the focus there.
			const consoleTitle = find(screen, 'Console ');
			send(pane, report(64, consoleTitle.x + 5, consoleTitle.y + 3));
			screen = await pane.waitFor(s => /Console \d+ lines ↑3/.test(s));
			const summary = find(screen, 'Summary');
			send(pane, click(summary.x + 1, summary.y));
			await pane.waitFor(s => s.includes('[summary]'));

			pane.keys('q');
			await pane.waitFor(s => s.includes('EXIT=0'));
			expect(flags(pane)).toBe('000');
			const bytes = execFileSync('cat', [raw], {encoding: 'latin1'});
			expect(bytes).toContain('\u001B[?1006h');
			expect(bytes.lastIndexOf('\u001B[?1000l')).toBeGreaterThan(bytes.lastIndexOf('\u001B[?1000h'));
		} finally {
			pane.kill();
		}
	}, 60_000);

	it('SIGTERM turns mouse reporting off too', async () => {
		const pane = startPane(`sh -c 'sleep 0.3; node ${CLI} --no-gpu ${NER}; echo "EXIT=$?"; sleep 30'`, 120, 40);
		try {
			await pane.waitFor(s => s.includes('Console'));
			expect(flags(pane)).toMatch(/^11/);
			const shell = pane.tmux('display-message', '-p', '-t', pane.id(), '#{pane_pid}');
			const pid = Number(execFileSync('ps', ['-o', 'pid=', '--ppid', shell], {encoding: 'utf8'}).trim().split('\n')[0]);
			process.kill(pid, 'SIGTERM');
			await pane.waitFor(s => s.includes('EXIT=143'));
			expect(flags(pane)).toBe('000');
		} finally {
			pane.kill();
		}
	}, 30_000);

	it('the config file\'s "mouse": false leaves it off; --print-config says where that came from', async () => {
		const home = mkdtempSync(join(tmpdir(), 'wbtop-mouse-config-'));
		mkdirSync(join(home, 'wbtop'));
		writeFileSync(join(home, 'wbtop', 'config.json'), JSON.stringify({mouse: false}));
		const pane = startPane(`sh -c 'sleep 0.3; node ${CLI} --no-gpu ${NER}; echo "EXIT=$?"; sleep 30'`, 120, 40, {XDG_CONFIG_HOME: home});
		try {
			await pane.waitFor(s => s.includes('Console') && s.includes('train_loss'));
			expect(flags(pane)).toBe('000');
			pane.keys('q');
			await pane.waitFor(s => s.includes('EXIT=0'));
		} finally {
			pane.kill();
		}
		const report = JSON.parse(execFileSync('node', [CLI, '--print-config'], {encoding: 'utf8', env: {...process.env, XDG_CONFIG_HOME: home}}));
		expect(report.settings.mouse).toEqual({value: false, from: 'file'});
		const flagged = JSON.parse(execFileSync('node', [CLI, '--print-config', '--no-mouse'], {encoding: 'utf8', env: {...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'wbtop-mouse-none-'))}}));
		expect(flagged.settings.mouse).toEqual({value: false, from: 'flag'});
	}, 30_000);

	it('--no-mouse never asks for mouse reports, and a report sent anyway is not a key', async () => {
		const raw = join(mkdtempSync(join(tmpdir(), 'wbtop-nomouse-')), 'raw');
		const pane = startPane(`sh -c 'sleep 0.3; node ${CLI} --no-gpu --no-mouse ${NER}; echo "EXIT=$?"; sleep 30'`, 120, 40);
		try {
			pane.tmux('set-option', '-g', 'mouse', 'on');
			pane.tmux('pipe-pane', '-o', '-t', pane.id(), `cat >> ${raw}`);
			const screen = await pane.waitFor(s => s.includes('Console') && s.includes('train_loss'));
			expect(flags(pane)).toBe('000');
			const title = find(screen, 'train_loss  ');
			pane.keys('/');
			await pane.waitFor(s => s.includes('Enter apply'));
			send(pane, click(title.x + 2, title.y));
			// Nothing typed (Ink reads it as one escape sequence, dropped), and no chart selected by it.
			await new Promise(resolve => setTimeout(resolve, 500));
			expect(pane.screen()).not.toContain('[<');
			pane.keys('Escape');
			await pane.waitFor(s => !s.includes('Enter apply'));
			pane.keys('q');
			await pane.waitFor(s => s.includes('EXIT=0'));
			const bytes = execFileSync('cat', [raw], {encoding: 'latin1'});
			expect(bytes).toContain('\u001B[?1049h');
			expect(bytes).not.toContain('?1000h');
			expect(bytes).not.toContain('?1006h');
		} finally {
			pane.kill();
		}
	}, 30_000);
});
