/**
 * The runs list's query on real runs: their configs (flat and nested keys), states, tags and
 * groups as the runs list reads them; AND by default, OR, `-`; what a bad query says, and that
 * the rest of it still filters.
 */
import {describe, expect, it} from 'vitest';
import {loadRun} from '../../source/modes/load.js';
import {parseRunQuery} from '../../source/state/run-query.js';
import type {RunListEntry} from '../../source/state/snapshot.js';
import {initialUiState, reduceUi, reduceUiInput, type UiState} from '../../source/state/ui-state.js';
import {filterRuns, runsScreenLines} from '../../source/view/panels/runs.js';
import {navigation} from '../../source/view/screen.js';
import {realRun} from '../helpers/fixtures.js';
import {snapshotOf} from '../helpers/snapshot.js';

// Real runs: batch_size 64 (stale, learning_rate 1e-3, adamw), 50 (two failed legacy runs, lr_ac 1e-4 and
// 0.375), 128 (finished, Adam), 8 (crashed, learning_rate 1e-3, adamw), a finished run tagged
// "iforest", a Hydra run with a group and nested data.batch_size / model.lr, one with Adam at 3e-4.
const IDS = ['7exzgvj1', 'zp6vyhqw', '29wa70cs', 'tlc2uulp', 'lpl8zlhs', 'dxb2lfrb', '2owu8boc', 'qg90oury'];
const NOW = Date.now();
const entries: RunListEntry[] = IDS.map(id => {
	const dir = realRun(id);
	return {runDir: dir, id, name: dir.split('__').at(-1)!, mtime: NOW, state: loadRun(dir).state};
});
// A run listed but not read (beyond the newest few the list reads): only its name and id are known.
const unread: RunListEntry = {runDir: '/x/run-20200101_000000-unread00', id: 'unread00', name: 'run-20200101_000000-unread00', mtime: NOW, state: null};
const all = [...entries, unread];

const ids = (query: string) => filterRuns(all, parseRunQuery(query), NOW).map(entry => entry.id);

describe('the fixtures are what the cases below rely on', () => {
	it('configs, states, tags and groups', () => {
		const config = (id: string) => entries.find(entry => entry.id === id)!.state!.config;
		expect(config('7exzgvj1').batch_size).toBe(64);
		expect(config('zp6vyhqw').batch_size).toBe(50);
		expect(config('zp6vyhqw').lr_ac).toBe(0.0001);
		expect(config('lpl8zlhs').learning_rate).toBe(0.001);
		expect(config('2owu8boc')['model.lr']).toBe(0.001);
		expect(entries.find(entry => entry.id === 'dxb2lfrb')!.state!.info!.tags).toEqual(['iforest']);
		expect(entries.find(entry => entry.id === '2owu8boc')!.state!.info!.group).toMatch(/^swin_tiny/);
	});
});

describe('run queries on real runs', () => {
	it('config values: = and < > <= >= on numbers, nested keys found by their last part', () => {
		// 2owu8boc's is data.batch_size (Hydra's nested config).
		expect(ids('batch_size=64')).toEqual(['7exzgvj1', '2owu8boc']);
		expect(ids('data.batch_size=64')).toEqual(['2owu8boc']);
		expect(ids('batch_size<64')).toEqual(['zp6vyhqw', '29wa70cs', 'lpl8zlhs']);
		expect(ids('batch_size>=64')).toEqual(['7exzgvj1', 'tlc2uulp', '2owu8boc']);
		expect(ids('lr_ac<1e-3')).toEqual(['zp6vyhqw']);
		expect(ids('learning_rate<=1e-3')).toEqual(['7exzgvj1', 'lpl8zlhs', 'qg90oury']);
		expect(ids('learning_rate<1e-3')).toEqual(['qg90oury']);
		// model.lr (nested) answers lr.
		expect(ids('lr=0.001')).toEqual(['2owu8boc']);
		// Strings: equal, case-insensitive (adamw is not adam).
		expect(ids('optimizer=adam')).toEqual(['tlc2uulp', 'qg90oury']);
		// != holds for a run without the key (it is not adam), not for one not read.
		expect(ids('optimizer!=adam')).toEqual(['7exzgvj1', 'zp6vyhqw', '29wa70cs', 'lpl8zlhs', 'dxb2lfrb', '2owu8boc']);
	});

	it('state, tag, group, name; AND by default', () => {
		expect(ids('state:failed')).toEqual(['zp6vyhqw', '29wa70cs']);
		expect(ids('state:stale batch_size=64')).toEqual(['7exzgvj1']);
		expect(ids('state:fin batch_size=64')).toEqual(['2owu8boc']);
		expect(ids('tag:iforest')).toEqual(['dxb2lfrb']);
		expect(ids('group:swin')).toEqual(['2owu8boc']);
		expect(ids('name:with_schedular')).toEqual(['tlc2uulp']);
		expect(ids('id:7exz')).toEqual(['7exzgvj1']);
		// A bare word: name, id, tags, group.
		expect(ids('iforest')).toEqual(['dxb2lfrb']);
	});

	it('OR between groups, - to negate', () => {
		expect(ids('batch_size=128 OR tag:iforest')).toEqual(['tlc2uulp', 'dxb2lfrb']);
		expect(ids('state:failed -batch_size=50')).toEqual([]);
		expect(ids('-state:finished').sort()).toEqual(['7exzgvj1', 'zp6vyhqw', '29wa70cs', 'lpl8zlhs'].sort());
		expect(ids('batch_size<100 -state:crashed OR lr=0.001')).toEqual(['7exzgvj1', 'zp6vyhqw', '29wa70cs', '2owu8boc']);
	});

	it('a run not read matches on its name or id only, never on what reading tells', () => {
		expect(ids('unread')).toEqual(['unread00']);
		expect(ids('-tag:iforest')).not.toContain('unread00');
		expect(ids('-batch_size=64')).not.toContain('unread00');
		expect(ids('unread OR state:stale')).toEqual(['7exzgvj1', 'unread00']);
	});

	it('a bad query says what it did not understand, and filters by the rest', () => {
		const cases: Array<[string, RegExp, string[]]> = [
			['batch_size<64 lr<', /"lr<": no value after </, ['zp6vyhqw', '29wa70cs', 'lpl8zlhs']],
			['batch_size<abc state:failed', /"batch_size<abc": < needs a number, got "abc"/, ['zp6vyhqw', '29wa70cs']],
			['colour:red tag:iforest', /"colour:red": no field colour:/, ['dxb2lfrb']],
			['tag: batch_size=128', /"tag:": no value after tag:/, ['tlc2uulp']],
			['OR batch_size=128', /OR needs a term on each side/, ['tlc2uulp']],
			['batch_size=128 OR', /OR needs a term on each side/, ['tlc2uulp']],
			['<3 batch_size=128', /"<3": no config key before </, ['tlc2uulp']],
			['- batch_size=128', /"-": nothing to negate/, ['tlc2uulp']],
			['name:"with_sch', /a " is not closed/, ['tlc2uulp']],
		];
		for (const [text, problem, kept] of cases) {
			const query = parseRunQuery(text);
			expect(query.problems, text).toHaveLength(1);
			expect(query.problems[0], text).toMatch(problem);
			expect(ids(text), text).toEqual(kept);
		}
		// Nothing understood: nothing filtered.
		expect(ids('lr<')).toHaveLength(all.length);
	});
});

describe('the query in the runs list', () => {
	const snap = {...snapshotOf(entries[0].runDir), runs: all};
	const press = (ui: UiState, ...keys: string[]) => {
		for (const key of keys) {
			if (ui.input) ui = reduceUiInput(ui, key === '\r' ? '' : key, {return: key === '\r', escape: key === '\u001B'});
			else {
				const action = key === '/' ? 'filter' : key === 'r' ? 'runs' : key === '\u001B' ? 'escape' : key === 'j' ? 'down' : null;
				ui = reduceUi(ui, action!, navigation({snap, ui, columns: 120, rows: 30, now: NOW, pulse: 0}));
			}
		}
		return ui;
	};

	it('/ types a query; the list, its count and the cursor follow it; Esc clears it, then closes', () => {
		let ui = press(initialUiState(), 'r', '/', ...'batch_size<64', '\r');
		expect(ui.runFilter).toBe('batch_size<64');
		const nav = navigation({snap, ui, columns: 120, rows: 30, now: NOW, pulse: 0});
		expect(nav.runDirs).toEqual(['zp6vyhqw', '29wa70cs', 'lpl8zlhs'].map(realRun));
		// The cursor moves over the runs shown: the second is 29wa70cs.
		ui = press(ui, 'j');
		expect(navigation({snap, ui, columns: 120, rows: 30, now: NOW, pulse: 0}).runDirs[ui.runCursor]).toBe(realRun('29wa70cs'));
		ui = press(ui, '\u001B');
		expect(ui.runFilter).toBe('');
		expect(ui.runsOpen).toBe(true);
		expect(press(ui, '\u001B').runsOpen).toBe(false);
	});

	it('the screen says what it did not understand, in the prompt line while typing and after', () => {
		const draw = (ui: UiState, typing: boolean) => {
			const query = parseRunQuery(typing ? ui.input!.text : ui.runFilter);
			return runsScreenLines({width: 160, height: 14, runs: filterRuns(all, query, NOW), total: all.length, current: '', cursor: 0, overlay: [], now: NOW, query: {text: typing ? ui.input!.text : ui.runFilter, problems: query.problems, typing}}).map(line => line.paint('plain'));
		};
		const typing = press(initialUiState(), 'r', '/', ...'batch_size<64 lr<');
		const screen = draw(typing, true);
		expect(screen[0]).toMatch(/\(3 of 9\)/);
		expect(screen.at(-1)).toMatch(/^\/batch_size<64 lr<█  Enter apply · Esc cancel  \? did not understand: "lr<": no value after < \(filtered by the rest\)/);
		const applied = draw(press(typing, '\r'), false);
		expect(applied[0]).toMatch(/\(3 of 9\)  query: batch_size<64 lr</);
		expect(applied.at(-1)).toMatch(/did not understand: "lr<"/);
	});
});
