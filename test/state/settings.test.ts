/**
 * The config file's checking: every kind of bad entry gives one line naming the file and the
 * entry, and keeps that setting's default while the good entries still apply; key remaps that
 * collide are refused; flags win over the file; saving keeps the user's other entries.
 */
import {mkdtempSync, mkdirSync, readFileSync, readdirSync, writeFileSync, rmSync} from 'node:fs';
import {execFileSync} from 'node:child_process';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {actionFor, footerHints, helpLines, KEYMAP} from '../../source/keymap.js';
import {DEFAULT_SETTINGS, parseSettings, resolveSettings, savedSettingsText} from '../../source/state/settings.js';
import {configLocation, readConfig, saveViewSettings} from '../../source/sources/config-file.js';

const FILE = '~/.config/wbtop/config.json';

describe('config file entries', () => {
	it('takes every valid entry', () => {
		const parsed = parseSettings(JSON.stringify({xAxis: '_runtime', smoothing: 0.9, logY: true, interval: 500, panels: ['console'], grid: '3x2', palette: 'okabe-ito', mouse: false, keys: {pause: 'space', pageDown: 'PgDn'}}), FILE);
		expect(parsed.problems).toEqual([]);
		expect(parsed.settings).toEqual({xAxis: '_runtime', smoothing: 0.9, logY: true, interval: 500, panels: ['console'], grid: {columns: 3, rows: 2}, palette: 'okabe-ito', mouse: false, keys: {pause: ['Space'], pageDown: ['PgDn']}});
		expect(actionFor(' ', {}, parsed.keymap)).toBe('pause');
		expect(actionFor('p', {}, parsed.keymap)).toBe(null);
		// The help screen and the footer show the keys as remapped.
		expect(helpLines(parsed.keymap).some(line => /^\s+Space\s+pause/.test(line))).toBe(true);
		expect(footerHints({runs: false}, parsed.keymap)).toContain('Space pause');
	});

	const bad: Array<[string, unknown, RegExp]> = [
		['smoothing', 'high', /"smoothing": expected a number 0\.\.0\.99, got "high"; using the default$/],
		['smoothing', 1.5, /"smoothing": expected a number 0\.\.0\.99, got 1\.5/],
		['logY', 'yes', /"logY": expected true or false, got "yes"/],
		['interval', 50, /"interval": expected milliseconds from 100 to 600000, got 50/],
		['interval', null, /"interval": expected milliseconds .* got null/],
		['panels', 'console', /"panels": expected a list of panels to show/],
		['panels', ['console', 'gpus'], /"panels": expected a list .* got \["console","gpus"\]/],
		['grid', '0x2', /"grid": expected "COLUMNSxROWS"/],
		['grid', '9x9', /"grid": expected "COLUMNSxROWS"/],
		['grid', {columns: 2}, /"grid": expected/],
		['palette', 'rainbow', /"palette": expected one of "default", "okabe-ito", "mono", got "rainbow"/],
		['mouse', 1, /"mouse": expected true or false, got 1/],
		['xAxis', 7, /"xAxis": expected an x-axis name/],
		['colour', 'red', /"colour": unknown setting .*; ignored$/],
		['constructor', 1, /"constructor": unknown setting/],
		['keys', 'space', /"keys": expected an object of action: key/],
		['keys', {jump: 'j'}, /"keys\.jump": no such action/],
		['keys', {pause: 5}, /"keys\.pause": expected a key name or a list of them, got 5; keeping p/],
		['keys', {pause: 'F13'}, /"keys\.pause": "F13" is not a key wbtop reads/],
		['keys', {pause: 'j'}, /"keys\.pause": j is already the key of down; keeping p$/],
		['keys', {pause: 'space'}, /"keys\.pause": Space is already the key of pageDown; keeping p/],
	];
	for (const [name, value, message] of bad) {
		it(`${name}: ${JSON.stringify(value)} is one line naming the file and the entry, and the default`, () => {
			const parsed = parseSettings(JSON.stringify(name === 'palette' ? {[name]: value} : {[name]: value, palette: 'mono'}), FILE);
			expect(parsed.problems).toHaveLength(1);
			expect(parsed.problems[0].startsWith(`${FILE}: `)).toBe(true);
			expect(parsed.problems[0]).toMatch(message);
			expect(parsed.problems[0]).not.toContain('\n');
			// The bad setting is not set (its default applies); the good one next to it is.
			if (name !== 'keys') expect(Object.hasOwn(parsed.settings, name)).toBe(false);
			if (name !== 'palette') expect(parsed.settings.palette).toBe('mono');
			expect(resolveSettings(parsed.settings, {}).settings.smoothing).toBe(name === 'smoothing' ? DEFAULT_SETTINGS.smoothing : 0);
		});
	}

	it('a refused remap keeps every default key working', () => {
		const parsed = parseSettings(JSON.stringify({keys: {pause: 'j'}}), FILE);
		expect(actionFor('p', {}, parsed.keymap)).toBe('pause');
		expect(actionFor('j', {}, parsed.keymap)).toBe('down');
	});

	it('two remaps that free each other\'s keys are both taken, in either order', () => {
		for (const keys of [{pause: 'space', pageDown: 'PgDn'}, {pageDown: 'PgDn', pause: 'space'}]) {
			const parsed = parseSettings(JSON.stringify({keys}), FILE);
			expect(parsed.problems).toEqual([]);
			expect(actionFor(' ', {}, parsed.keymap)).toBe('pause');
			const all = parsed.keymap.flatMap(binding => binding.keys);
			expect(new Set(all).size).toBe(all.length);
		}
	});

	it('Ctrl-C still quits when quit is remapped', () => {
		const parsed = parseSettings(JSON.stringify({keys: {quit: 'Q'}}), FILE);
		expect(actionFor('Q', {}, parsed.keymap)).toBe('quit');
		expect(actionFor('c', {ctrl: true}, parsed.keymap)).toBe('quit');
		expect(actionFor('q', {}, parsed.keymap)).toBe(null);
	});

	it('a file that is not JSON, or not an object, is one line and every default', () => {
		for (const [text, message] of [
			['{"smoothing": 0.6,', /: not valid JSON \(.*\); using the defaults$/],
			['[1, 2]', /: expected a JSON object .* got \[1,2\]; using the defaults$/],
			['"okabe-ito"', /got "okabe-ito"; using the defaults$/],
		] as const) {
			const parsed = parseSettings(text, FILE);
			expect(parsed.problems).toHaveLength(1);
			expect(parsed.problems[0]).toMatch(new RegExp(`^~/\\.config/wbtop/config\\.json: `));
			expect(parsed.problems[0]).toMatch(message);
			expect(parsed.settings).toEqual({});
			expect(parsed.keymap).toBe(KEYMAP);
		}
		expect(parseSettings('', FILE).problems).toEqual([]);
	});
});

describe('effective settings', () => {
	it('flags win over the file, the file over the defaults, and each says where it came from', () => {
		const {settings, origin} = resolveSettings({palette: 'mono', interval: 300, logY: true}, {palette: 'okabe-ito'});
		expect(settings).toMatchObject({palette: 'okabe-ito', interval: 300, logY: true, smoothing: 0});
		expect(origin).toMatchObject({palette: 'flag', interval: 'file', logY: 'file', smoothing: 'default'});
	});

	it('saving keeps the other entries, replaces the view ones, and does not overwrite a broken file', () => {
		const text = savedSettingsText({text: '{"interval": 250, "note": "mine", "smoothing": 0.6}'}, {xAxis: '_runtime', smoothing: 0.9, logY: true, palette: 'mono'});
		expect(JSON.parse(text!)).toEqual({interval: 250, note: 'mine', smoothing: 0.9, xAxis: '_runtime', logY: true, palette: 'mono'});
		expect(savedSettingsText({text: '{"interval": 250'}, {xAxis: null, smoothing: 0, logY: false, palette: 'default'})).toBe(null);
	});
});

describe('the config file on disk', () => {
	const dir = mkdtempSync(join(tmpdir(), 'wbtop-config-'));
	afterAll(() => rmSync(dir, {recursive: true, force: true}));

	it('is found under XDG_CONFIG_HOME, else ~/.config, and named with ~', () => {
		expect(configLocation({HOME: '/home/u', XDG_CONFIG_HOME: '/x/conf'})).toEqual({file: '/x/conf/wbtop/config.json', shown: '/x/conf/wbtop/config.json'});
		expect(configLocation({HOME: '/home/u'})).toEqual({file: '/home/u/.config/wbtop/config.json', shown: '~/.config/wbtop/config.json'});
		// A relative XDG_CONFIG_HOME is ignored, as the XDG spec says.
		expect(configLocation({HOME: '/home/u', XDG_CONFIG_HOME: 'conf'}).file).toBe('/home/u/.config/wbtop/config.json');
	});

	it('save creates the folder, writes atomically (no temp file left) and reads back', () => {
		const location = configLocation({HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg')});
		const message = saveViewSettings(location, {xAxis: '_runtime', smoothing: 0.6, logY: true, palette: 'okabe-ito'});
		expect(message).toBe('saved to ~/xdg/wbtop/config.json: x-axis _runtime, smoothing 0.6, log y on, palette okabe-ito');
		expect(readdirSync(join(dir, 'xdg', 'wbtop'))).toEqual(['config.json']);
		const back = readConfig(location);
		expect(back.problems).toEqual([]);
		expect(back.settings).toEqual({xAxis: '_runtime', smoothing: 0.6, logY: true, palette: 'okabe-ito'});
	});

	it('a FIFO or an oversized file is refused in one line, never blocking, and not overwritten', () => {
		const home = join(dir, 'fifo');
		mkdirSync(join(home, '.config', 'wbtop'), {recursive: true});
		const location = configLocation({HOME: home});
		try {
			execFileSync('mkfifo', [location.file]);
		} catch {
			return; // no mkfifo here
		}
		const read = readConfig(location);
		expect(read.problems).toEqual(['~/.config/wbtop/config.json is not a regular file (a FIFO): not read; using the defaults']);
		expect(saveViewSettings(location, {xAxis: null, smoothing: 0, logY: false, palette: 'default'})).toMatch(/^not saved: .* not a regular file/);
		rmSync(location.file);
		writeFileSync(location.file, ' '.repeat(70_000));
		expect(readConfig(location).problems[0]).toBe('~/.config/wbtop/config.json is larger than 64 KiB: not read; using the defaults');
		expect(readFileSync(location.file, 'utf8').length).toBe(70_000);
	});
});
