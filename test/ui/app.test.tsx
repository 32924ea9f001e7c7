import React from 'react';
import {describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {App} from '../../source/ui/App.js';
import {realRun} from '../helpers/fixtures.js';
import {h100Host, snapshotOf} from '../helpers/snapshot.js';
import {KEYMAP, keyTableMarkdown} from '../../source/keymap.js';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {ROOT} from '../helpers/fixtures.js';
import {stripVTControlCharacters} from 'node:util';
import type {SessionCommand} from '../../source/state/snapshot.js';

const tick = (ms = 0) => new Promise(resolve => setTimeout(resolve, ms));

// ink-testing-library's stdout is 100 columns wide.
async function start(part = 'f230dm6e', size = {columns: 100, rows: 40}) {
	const snap = snapshotOf(realRun(part), h100Host());
	const commands: SessionCommand[] = [];
	const app = render(<App snapshot={() => snap} onCommand={command => commands.push(command)} paint="mono" size={size} tickMs={20} />);
	await tick(30);
	const press = async (keys: string) => {
		app.stdin.write(keys);
		await tick(30);
	};
	return {app, press, frame: () => stripVTControlCharacters(app.lastFrame() ?? ''), commands};
}

describe('dashboard keys', () => {
	it('x cycles the x-axis and the header always names it', async () => {
		const {press, frame, app} = await start();
		expect(frame()).toContain('x: _step');
		await press('x');
		expect(frame()).toContain('x: _runtime');
		await press('x');
		expect(frame()).toContain('x: _timestamp');
		await press('x');
		expect(frame()).toContain('x: epoch');
		await press('x');
		expect(frame()).toContain('x: _step');
		app.unmount();
	});

	it('/ filters the charts (typed, applied with Enter, cleared with Esc)', async () => {
		const {press, frame, app} = await start();
		expect(frame()).toContain('18 metrics');
		await press('/');
		for (const ch of 'acha') await press(ch);
		expect(frame()).toContain('/acha');
		await press('\r');
		expect(frame()).toContain('filter: acha');
		expect(frame()).toMatch(/\(\d metrics\)/);
		expect(frame()).not.toContain('aca_0001*asa_0001');
		await press('\u001B');
		await tick(60); // Ink waits briefly to tell a lone Esc from an escape sequence
		expect(frame()).not.toContain('filter: acha');
		app.unmount();
	});

	it('? opens the help built from the keymap, and Esc closes it', async () => {
		const {press, frame, app} = await start();
		await press('?');
		for (const binding of KEYMAP) expect(frame()).toContain(binding.help.slice(0, 30));
		await press('?');
		expect(frame()).toContain('Console');
		app.unmount();
	});

	it('Tab moves between panels and arrows page through charts', async () => {
		const {press, frame, app} = await start();
		expect(frame()).toContain('charts 1/');
		await press('\u001B[6~'); // PgDn
		expect(frame()).toContain('charts 2/');
		await press('\t');
		expect(frame()).toContain('[summary]');
		await press('\t');
		expect(frame()).toContain('[console]');
		app.unmount();
	});

	it('f focuses the selected chart and f again returns to the grid', async () => {
		const {press, frame, app} = await start();
		await press('l');
		await press('f');
		expect(frame()).toMatch(/charts 2\/18/);
		await press('f');
		expect(frame()).toMatch(/charts 1\/\d \(18 metrics\)/);
		app.unmount();
	});

	it('s cycles smoothing and L toggles a log y-axis, both shown in the header', async () => {
		const {press, frame, app} = await start();
		await press('s');
		expect(frame()).toContain('smooth 0.6');
		await press('L');
		expect(frame()).toContain('log y');
		app.unmount();
	});

	it('b, p and q reach the session as commands', async () => {
		const {press, commands, app} = await start();
		await press('b');
		await press('p');
		await press('q');
		expect(commands).toEqual([{type: 'back'}, {type: 'pause'}, {type: 'quit'}]);
		app.unmount();
	});
});

describe('keymap', () => {
	it('binds each key once', () => {
		const keys = KEYMAP.flatMap(binding => binding.keys);
		expect(new Set(keys).size).toBe(keys.length);
	});

	it('is the README key table', () => {
		const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
		expect(readme).toContain(keyTableMarkdown());
	});
});

describe('console search', () => {
	it('/ in the console finds matches; n and N move between them', async () => {
		const {press, frame, app} = await start();
		await press('\t');
		await press('\t');
		expect(frame()).toContain('[console]');
		await press('/');
		for (const ch of 'Validation') await press(ch);
		await press('\r');
		const matches = Number(/\/Validation: (\d+) match/.exec(frame())?.[1]);
		expect(matches).toBeGreaterThan(5);
		const lineOf = () => frame().split('\n').findIndex(line => line.includes('Console')) ;
		expect(lineOf()).toBeGreaterThan(0);
		const before = frame();
		await press('N'); // an older match
		await press('N');
		await press('N');
		expect(frame()).not.toBe(before);
		expect(frame()).toMatch(/Console \d+ lines ↑\d+/); // scrolled up to show it
		await press('n');
		await press('n');
		await press('n');
		expect(frame()).toContain('(following)');
		app.unmount();
	});
});
