/**
 * Every real run in test/fixtures/real-runs, read end to end and checked against what MANIFEST.tsv
 * says about it and against the run's own wandb-summary.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {describe, expect, it} from 'vitest';
import type {FlatValues, RunEvent} from '../../source/decode/run-events.js';
import {deriveRunState, readRunOnce, type RunStatus} from '../../source/sources/run-reader.js';
import {flattenInto, isMediaValue, parseValueJson} from '../../source/decode/values.js';
import {foldSummary, historyOf, isMetricKey, lastNumericValues, readManifest, sameNumber, type ManifestRun} from '../helpers/run-files.js';

const manifest = readManifest();

/** What the dashboard should call each MANIFEST state (see deriveRunState's rule). */
function expectedState(run: ManifestRun): RunStatus {
	switch (run.manifestState) {
		case 'finished':
			return 'finished';
		case 'unfinished':
		case 'running':
			return 'running';
		// MANIFEST says "crashed" for any non-zero exit; wbtop tells a script error (failed) from a
		// process that went away without reporting (wandb's 255, legacy `killed`).
		case 'crashed':
			return run.exitCode === 255 ? 'crashed' : 'failed';
		case 'killed':
			return 'crashed';
		case 'failed':
			return 'failed';
		default:
			throw new Error(`unknown MANIFEST state ${run.manifestState}`);
	}
}

function stateOf(events: RunEvent[]): {state: RunStatus; exitCode: number | null} {
	let exitCode: number | null = null;
	let legacyState: RunStatus | null = null;
	for (const e of events) {
		if (e.type === 'exit') exitCode = e.exitCode;
		if (e.type === 'legacy-state') {
			legacyState = e.state;
			exitCode = e.exitCode;
		}
	}
	return {state: deriveRunState({exitCode, legacyState}), exitCode};
}

function summaryFile(run: ManifestRun): FlatValues | null {
	const file = run.format === 'binary' ? path.join(run.path, 'files', 'wandb-summary.json') : path.join(run.path, 'wandb-summary.json');
	if (!fs.existsSync(file)) return null;
	const flat: FlatValues = {};
	flattenInto(flat, '', parseValueJson(fs.readFileSync(file, 'utf8')));
	return flat;
}

describe('MANIFEST', () => {
	it('lists every fixture dir, with both formats present', () => {
		const dirs = fs.readdirSync(path.dirname(manifest[0].path)).filter(name => fs.statSync(path.join(path.dirname(manifest[0].path), name)).isDirectory());
		expect(manifest.map(r => r.dir).sort()).toEqual(dirs.sort());
		expect(manifest.filter(r => r.format === 'legacy').length).toBe(3);
	});
});

describe.each(manifest.map(run => [run.dir, run] as const))('%s', (_name, run) => {
	const {location, events, integrity, sdkVersion, error} = readRunOnce(run.path);
	const rows = historyOf(events);

	it('decodes without damage, in the MANIFEST format', () => {
		expect(error).toBeNull();
		expect(location.format).toBe(run.format);
		expect(integrity.corruptChunks).toBe(0);
		expect(integrity.undecodableRecords ?? 0).toBe(0);
		expect(integrity.tail).toBe(run.tail);
	});

	it('reports the wandb version that wrote it', () => {
		expect(sdkVersion).toBe(run.version);
	});

	it('has the MANIFEST number of history rows and metrics', () => {
		expect(rows.length).toBe(run.rows);
		expect(lastNumericValues(events).size).toBe(run.metrics);
		const nonFinite = new Set<string>();
		const media = new Set<string>();
		for (const row of rows) {
			for (const [key, value] of Object.entries(row.values)) {
				if (isMetricKey(key, value) && !Number.isFinite(value)) nonFinite.add(key);
				if (isMediaValue(value)) media.add(key);
			}
		}
		expect(nonFinite.size).toBe(run.nonfiniteKeys);
		expect([...media].sort().slice(0, run.media.length)).toEqual(run.media);
		if (run.media.length === 0) expect(media.size).toBe(0);
	});

	it('has the MANIFEST number of system-metric samples and metric records', () => {
		expect(events.filter(e => e.type === 'stats').length).toBe(run.systemMetrics);
		expect(events.filter(e => e.type === 'metric').length).toBe(run.metricRecords);
		for (const e of events) {
			if (e.type !== 'stats') continue;
			expect(Number.isFinite(e.timestamp)).toBe(true);
			for (const [key, value] of Object.entries(e.values)) {
				expect(typeof value).toBe('number');
				expect(key.startsWith('system.') || key.startsWith('_')).toBe(false);
			}
		}
	});

	it('has steps that start at the run start, follow _step and never go back', () => {
		if (rows.length === 0) return;
		const runInfo = events.findLast(e => e.type === 'run');
		expect(rows[0].step).toBe(runInfo?.type === 'run' ? runInfo.run.startingStep : 0);
		let previous = -Infinity;
		for (const row of rows) {
			expect(row.step).not.toBeNull();
			if (typeof row.values._step === 'number') expect(row.step).toBe(row.values._step);
			expect(row.step!).toBeGreaterThanOrEqual(previous);
			previous = row.step!;
		}
	});

	it('has the MANIFEST exit code and run state', () => {
		const {state, exitCode} = stateOf(events);
		expect(exitCode).toBe(run.exitCode);
		expect(state).toBe(expectedState(run));
	});

	// Doc §7: in a run that ended, each numeric history key's last value is its summary value.
	const ended = run.exitCode !== null;
	const file = summaryFile(run);
	if (ended && file !== null) it("agrees with its wandb-summary.json: last history values and last step", () => {
		const last = lastNumericValues(events);
		for (const [key, value] of last) expect(sameNumber(file![key], value), `${key}: summary ${file![key]} vs history ${value}`).toBe(true);
		if (rows.length > 0) expect(rows.at(-1)!.step).toBe(file!._step);
	});

	if (ended && run.format === 'binary') it('agrees with the summary records in its own log', () => {
		const summary = foldSummary(events);
		for (const [key, value] of lastNumericValues(events)) expect(sameNumber(summary[key], value), key).toBe(true);
	});
});

describe('fixture coverage', () => {
	// Guards against the per-run checks above passing vacuously.
	it('checks the summary invariant on enough runs with metrics', () => {
		const checked = manifest.filter(run => run.exitCode !== null && run.metrics > 0 && summaryFile(run) !== null);
		expect(checked.length).toBeGreaterThanOrEqual(8);
	});

	it('an unfinished Python run has a summary file that lags its history (so the invariant is not trivially true)', () => {
		const lagging = manifest.filter(run => run.exitCode === null && run.format === 'binary' && run.metrics > 0).some(run => {
			const file = summaryFile(run);
			if (file === null) return false;
			const last = lastNumericValues(readRunOnce(run.path).events);
			return [...last].some(([key, value]) => !sameNumber(file[key], value));
		});
		expect(lagging).toBe(true);
	});
});
