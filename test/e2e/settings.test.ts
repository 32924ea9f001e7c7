/**
 * Settings that persist and palettes, with the real binary: a config file with every kind of bad
 * entry still starts wbtop (one line each on stderr, a notice in the header); --print-config says
 * where each setting came from; the save key writes the config file and nothing else; and at
 * 120x40 in tmux the series are drawn in the palette's colours (or, in mono, by glyph).
 */
import {spawnSync} from 'node:child_process';
import {cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {CLI, realRun} from '../helpers/fixtures.js';
import {hasTmux, startPane} from '../helpers/tmux.js';
import {OKABE_ITO} from '../../source/view/palette.js';

const maybe = hasTmux ? describe : describe.skip;
const root = mkdtempSync(join(tmpdir(), 'wbtop-settings-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));

/** A config home holding `config` as wbtop/config.json. */
function configHome(name: string, config: string | null): string {
	const home = join(root, name);
	mkdirSync(join(home, 'wbtop'), {recursive: true});
	if (config !== null) writeFileSync(join(home, 'wbtop', 'config.json'), config);
	return home;
}

// Every kind of bad entry: wrong types, out of range, unknown names, bad and colliding keys.
const BAD = JSON.stringify({smoothing: 'high', logY: 'yes', interval: 5, panels: ['gpus'], grid: '0x3', palette: 'rainbow', mouse: 'off', xAxis: 3, colour: 'red', keys: {pause: 'j', jump: 'k', quit: 'F13'}});
const BAD_COUNT = 12;

describe('--print-config', () => {
	it('prints the effective settings with where each came from, a flag over the file over the default', () => {
		const home = configHome('print', JSON.stringify({palette: 'mono', interval: 400, grid: '2x2', keys: {pause: 'space', pageDown: 'PgDn'}}));
		const out = spawnSync('node', [CLI, '--print-config', '--palette', 'okabe-ito'], {encoding: 'utf8', env: {...process.env, XDG_CONFIG_HOME: home}});
		expect(out.status).toBe(0);
		const report = JSON.parse(out.stdout);
		expect(report.file).toBe(join(home, 'wbtop', 'config.json'));
		expect(report.settings.palette).toEqual({value: 'okabe-ito', from: 'flag'});
		expect(report.settings.interval).toEqual({value: 400, from: 'file'});
		expect(report.settings.grid).toEqual({value: '2x2', from: 'file'});
		expect(report.settings.keys).toEqual({value: {pause: ['Space'], pageDown: ['PgDn']}, from: 'file'});
		expect(report.settings.smoothing).toEqual({value: 0, from: 'default'});
		expect(report.problems).toEqual([]);
		expect(out.stderr).toBe('');
	});

	it('a file with every kind of bad entry: exit 0, one stderr line per entry naming the file, defaults used', () => {
		const home = configHome('bad-print', BAD);
		const out = spawnSync('node', [CLI, '--print-config'], {encoding: 'utf8', env: {...process.env, XDG_CONFIG_HOME: home}});
		expect(out.status).toBe(0);
		const lines = out.stderr.trim().split('\n');
		expect(lines).toHaveLength(BAD_COUNT);
		for (const line of lines) expect(line).toMatch(new RegExp(`^wbtop: ${join(home, 'wbtop', 'config.json').replace(/[.]/g, '\\.')}: "[\\w.]+": `));
		expect(lines[0]).toBe(`wbtop: ${join(home, 'wbtop', 'config.json')}: "smoothing": expected a number 0..0.99, got "high"; using the default`);
		const report = JSON.parse(out.stdout);
		for (const name of ['smoothing', 'logY', 'interval', 'panels', 'grid', 'palette', 'mouse', 'xAxis', 'keys']) expect(report.settings[name].from, name).toBe('default');
		expect(report.problems).toHaveLength(BAD_COUNT);
	});

	it('a config file that is not JSON: one line, and the defaults', () => {
		const home = configHome('not-json', '{"palette": "mono",');
		const out = spawnSync('node', [CLI, '--print-config'], {encoding: 'utf8', env: {...process.env, XDG_CONFIG_HOME: home}});
		expect(out.status).toBe(0);
		expect(out.stderr.trim().split('\n')).toHaveLength(1);
		expect(out.stderr).toMatch(/config\.json: not valid JSON \(.*\); using the defaults\n$/);
		expect(JSON.parse(out.stdout).settings.palette).toEqual({value: 'default', from: 'default'});
	});

	it('--palette takes only a palette name', () => {
		const out = spawnSync('node', [CLI, '--print-config', '--palette', 'rainbow'], {encoding: 'utf8'});
		expect(out.status).toBe(2);
		expect(out.stderr).toMatch(/^wbtop: --palette must be one of default, okabe-ito, mono, got 'rainbow'/);
	});
});

/** Every directory and file under `dir` with its size and mtime, to see that nothing was written. */
function listing(dir: string): string[] {
	return readdirSync(dir, {recursive: true}).map(name => {
		const stat = statSync(join(dir, String(name)));
		return `${String(name)} ${stat.size} ${stat.mtimeMs}`;
	}).sort();
}

/** The foreground colour (SGR parameters) of each character in a `capture-pane -e` line, by column. */
function colouredCells(line: string): Array<{ch: string; fg: string | null}> {
	const cells: Array<{ch: string; fg: string | null}> = [];
	let fg: string | null = null;
	for (const match of line.matchAll(/\u001B\[([\d;]*)m|([^\u001B])/gu)) {
		if (match[2] !== undefined) {
			cells.push({ch: match[2], fg});
			continue;
		}
		const codes = match[1] === '' ? ['0'] : match[1].split(';');
		for (let i = 0; i < codes.length; i++) {
			const code = codes[i];
			if (code === '0' || code === '39') fg = null;
			else if (code === '38') {
				fg = `38;5;${codes[i + 2]}`;
				i += 2;
			} else if (/^(3[0-7]|9[0-7])$/.test(code)) fg = code;
		}
	}
	return cells;
}

maybe('palettes and the save key in tmux, 120x40', () => {
	// Two real runs of one project sharing four metrics (accuracy_0.75, …): the newer is watched, the older overlaid.
	const wandb = join(root, 'project', 'wandb');
	mkdirSync(wandb, {recursive: true});
	cpSync(realRun('anlc1q2m'), join(wandb, 'run-20240528_042705-anlc1q2m'), {recursive: true});
	cpSync(realRun('h0sbxufh'), join(wandb, 'run-20240529_073551-h0sbxufh'), {recursive: true});
	const older = new Date(Date.now() - 3_600_000);
	utimesSync(join(wandb, 'run-20240528_042705-anlc1q2m'), older, older);

	/** Start wbtop on the sweep, overlay the second run, and return the plot cells' colours and glyphs. */
	async function overlaid(args: string, home: string): Promise<{colours: Set<string | null>; glyphs: Set<string>; screen: string}> {
		const pane = startPane(`node ${CLI} --no-gpu ${args} ${wandb}`, 120, 40, {XDG_CONFIG_HOME: home});
		try {
			await pane.waitFor(screen => screen.includes('accuracy_0.75'));
			pane.keys('r');
			await pane.waitFor(screen => screen.includes('Runs in'));
			pane.keys('j', 'o', 'r');
			const screen = await pane.waitFor(s => s.includes('(2 runs)'));
			const colours = new Set<string | null>();
			const glyphs = new Set<string>();
			// The chart area: below the header, left of the system column (x < 80), plot rows only.
			for (const line of pane.screenWithColors().split('\n').slice(3, 26)) {
				const cells = colouredCells(line).slice(0, 80);
				if (cells.some(cell => cell.ch === '●' || cell.ch === '▲') && cells.some(cell => /[a-z]/.test(cell.ch))) continue; // a legend
				for (const cell of cells) {
					if ('─╭╮╰╯'.includes(cell.ch)) colours.add(cell.fg);
					if ('●▲'.includes(cell.ch)) glyphs.add(`${cell.ch}${cell.fg ?? ''}`);
				}
			}
			return {colours, glyphs, screen};
		} finally {
			pane.kill();
		}
	}

	it('default: the overlay lines are cyan and yellow', async () => {
		const {colours} = await overlaid('', configHome('none', null));
		expect([...colours].sort()).toEqual(['33', '36']);
	}, 30_000);

	it('--palette okabe-ito: Okabe-Ito orange and sky blue, no default colour', async () => {
		const {colours} = await overlaid('--palette okabe-ito', configHome('none', null));
		expect([...colours].sort()).toEqual([OKABE_ITO[0], OKABE_ITO[1]].map(color => `38;5;${color.slice(4)}`).sort());
	}, 30_000);

	it('mono from the config file: no colour, each run drawn with its own glyph', async () => {
		const {colours, glyphs} = await overlaid('', configHome('mono', JSON.stringify({palette: 'mono'})));
		expect(colours.size).toBe(0);
		expect(glyphs).toEqual(new Set(['●', '▲']));
	}, 30_000);

	it('a config file with every kind of bad entry: wbtop starts, says so in the header, and still works', async () => {
		const home = configHome('bad-live', BAD);
		const errors = join(root, 'bad-live.err');
		const pane = startPane(`node ${CLI} --no-gpu ${realRun('h0sbxufh')} 2>${errors}`, 120, 40, {XDG_CONFIG_HOME: home});
		try {
			const screen = await pane.waitFor(s => s.includes('Summary'));
			// The line is cut at the pane's width: the count and the first entry's name fit.
			expect(screen).toMatch(/config\.json: 12 problems \(all on stderr\), the first: "smoothing"/);
			expect(readFileSync(errors, 'utf8').trim().split('\n')).toHaveLength(BAD_COUNT);
			// The refused remap left p as pause.
			pane.keys('p');
			await pane.waitFor(s => s.includes('PAUSED'));
			pane.keys('q');
			await pane.waitFor(() => !pane.alive(), 5000);
		} finally {
			pane.kill();
		}
	}, 30_000);

	it('W saves the view to the config file (folder created), keeps the other entries, writes nothing else', async () => {
		const home = join(root, 'save-home');
		mkdirSync(home);
		const run = join(root, 'save-run');
		cpSync(realRun('h0sbxufh'), run, {recursive: true});
		const before = listing(run);
		const pane = startPane(`node ${CLI} --no-gpu ${run}`, 120, 40, {XDG_CONFIG_HOME: home});
		try {
			await pane.waitFor(s => s.includes('Summary'));
			pane.keys('s', 'L', 'C', 'x');
			await pane.waitFor(s => s.includes('x: _runtime'));
			pane.keys('W');
			const screen = await pane.waitFor(s => s.includes('saved to'));
			expect(screen).toContain(`saved to ${join(home, 'wbtop', 'config.json')}: x-axis _runtime`);
			expect(JSON.parse(readFileSync(join(home, 'wbtop', 'config.json'), 'utf8'))).toEqual({xAxis: '_runtime', smoothing: 0.6, logY: true, palette: 'okabe-ito'});
			expect(readdirSync(join(home, 'wbtop'))).toEqual(['config.json']);
			expect(listing(run)).toEqual(before);
			pane.keys('q');
			await pane.waitFor(() => !pane.alive(), 5000);
		} finally {
			pane.kill();
		}
		// The next start begins where the view was saved.
		const again = startPane(`node ${CLI} --no-gpu ${run}`, 120, 40, {XDG_CONFIG_HOME: home});
		try {
			const screen = await again.waitFor(s => s.includes('Summary'));
			expect(screen).toMatch(/x: _runtime/);
			expect(screen).toMatch(/EMA 0\.6|smooth(ing)? 0\.6/);
		} finally {
			again.kill();
		}
	}, 40_000);
});
