// Ages on the run's own clock: a host clock behind the run's never makes an age negative, and a
// run opened long after it stopped shows how long ago its last row was.
import {describe, expect, it} from 'vitest';
import {loadRun} from '../../source/modes/load.js';
import {runNow, secondsSinceLastRow} from '../../source/state/run-clock.js';
import {recordedLines} from '../../source/view/panels/recorded.js';
import {formatDuration} from '../../source/view/format.js';
import {runsScreenLines} from '../../source/view/panels/runs.js';
import {headerModel} from '../../source/view/screen.js';
import {initialUiState} from '../../source/state/ui-state.js';
import {realRun} from '../helpers/fixtures.js';
import {snapshotOf} from '../helpers/snapshot.js';

// A real unfinished run (no exit record): its last row, then a system sample 1.5 s later.
const {state: run} = loadRun(realRun('anlc1q2m'));
const rowAt = run.lastRowTimestamp! * 1000;
const sampleAt = run.stats.lastTimestamp! * 1000;

const recordedAge = (now: number) => /last sample (\S+) ago/.exec(recordedLines({run, width: 80, height: 4, scroll: 0, now})[0].paint('plain'))?.[1];

describe('the run clock', () => {
	it('the fixture has a row and a later system sample (what the cases below rely on)', () => {
		expect(sampleAt).toBeGreaterThan(rowAt);
	});

	it('a host clock an hour behind the run: ages between its own records, none negative', () => {
		const behind = rowAt - 3_600_000;
		expect(runNow(run, behind)).toBe(sampleAt);
		expect(secondsSinceLastRow(run, behind)).toBeCloseTo((sampleAt - rowAt) / 1000, 3);
		expect(recordedAge(behind)).toBe('0s');
	});

	it('a host clock ahead of the run: the plain difference', () => {
		const later = sampleAt + 90_000;
		expect(runNow(run, later)).toBe(later);
		expect(secondsSinceLastRow(run, later)).toBeCloseTo((later - rowAt) / 1000, 3);
		expect(recordedAge(later)).toBe(formatDuration(90));
	});

	it('a 2024 run opened today: its last row was long ago, not when wbtop read it', () => {
		const now = Date.now();
		const since = secondsSinceLastRow(run, now)!;
		expect(since).toBeCloseTo((now - rowAt) / 1000, 0);
		expect(since).toBeGreaterThan(365 * 86400);
	});
});

describe('ages on screen', () => {
	const snap = snapshotOf(realRun('anlc1q2m'));
	const since = (now: number) => headerModel(snap, initialUiState(), now, 0).sinceLastRow;

	it("the header's 'last row N ago' counts from the row's own time, and is never negative", () => {
		// 90 s after the run's last sample: the run's last row was 91.5 s ago (wbtop read it just now).
		expect(since(sampleAt + 90_000)).toBeCloseTo((sampleAt + 90_000 - rowAt) / 1000, 3);
		// The host clock an hour behind: the time between the row and the run's latest sample.
		expect(since(rowAt - 3_600_000)).toBeCloseTo((sampleAt - rowAt) / 1000, 3);
	});

	it("the runs list's age: since the run's latest record, not since the copy that set its mtime", () => {
		const entry = {runDir: realRun('anlc1q2m'), id: 'anlc1q2m', name: 'run-20240528_042705-anlc1q2m', mtime: Date.now(), state: run};
		const age = (now: number) => {
			const line = runsScreenLines({width: 120, height: 6, runs: [entry], current: '', cursor: 0, overlay: [], now})[2].paint('plain');
			return line.trimEnd().split(/\s+/).at(-1);
		};
		expect(age(sampleAt + 3 * 3_600_000)).toBe(formatDuration(3 * 3600));
		expect(age(rowAt - 3_600_000)).toBe('0s');
		// A listed run not read yet: since its files changed, never negative.
		expect(runsScreenLines({width: 120, height: 6, runs: [{...entry, state: null, mtime: Date.now() + 60_000}], current: '', cursor: 0, overlay: [], now: Date.now()})[2].paint('plain').trimEnd()).toMatch(/ 0s$/);
	});
});
