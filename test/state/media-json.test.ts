/**
 * `--once --json` `media`: every media key of the history (and the summary's own), with its kind,
 * how many were logged, the last step and the last file, checked against the files real runs hold
 * and against logs written with the project's writer. Only counts are kept, never the values.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {encodeExit, encodeHeader, encodeHistory, encodeRun, encodeSummary, LogWriter} from '../../source/demo/writer.js';
import {loadRun} from '../../source/modes/load.js';
import {runReport} from '../../source/modes/report.js';
import {realRun} from '../helpers/fixtures.js';

const made: string[] = [];
afterEach(() => {
	for (const dir of made.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

function media(runDir: string) {
	const loaded = loadRun(runDir);
	return runReport(loaded.state, loaded.location, null).media;
}

describe('media in --once --json, on real runs', () => {
	it('core 0.21 offline tables: each key counted once per row, its last step and file as the files on disk say', () => {
		const runDir = realRun('lpl8zlhs');
		// What the run dir holds, read independently: files/media/table/plots/<key>_<step>_<sha20>.table.json.
		const expected: Record<string, {kind: string; count: number; lastStep: number; lastPath: string}> = {};
		for (const name of fs.readdirSync(path.join(runDir, 'files', 'media', 'table', 'plots')).sort()) {
			const match = /^(.+)_(\d+)_[0-9a-f]{20}\.table\.json$/.exec(name)!;
			const key = `plots/${match[1]}`;
			const step = Number(match[2]);
			const entry = (expected[key] ??= {kind: 'table-file', count: 0, lastStep: -1, lastPath: ''});
			entry.count++;
			if (step > entry.lastStep) Object.assign(entry, {lastStep: step, lastPath: `media/table/plots/${name}`});
		}
		expect(Object.keys(expected)).toHaveLength(3);
		expect(media(runDir)).toEqual(expected);
	});

	it('core 0.25 image and table leaves: the last path is the one wandb-summary.json names', () => {
		const runDir = realRun('i1darie0');
		const summary = JSON.parse(fs.readFileSync(path.join(runDir, 'files', 'wandb-summary.json'), 'utf8')) as Record<string, {_type?: string; path?: string}>;
		const found = media(runDir);
		const mediaKeys = Object.keys(summary).filter(key => typeof summary[key] === 'object' && summary[key]?._type);
		expect(Object.keys(found).sort()).toEqual(mediaKeys.sort());
		for (const key of mediaKeys) expect(found[key]).toMatchObject({kind: summary[key]._type, count: 1, lastPath: summary[key].path});
	});

	it('a run with no media has an empty media object', () => {
		expect(media(realRun('f230dm6e'))).toEqual({});
	});
});

describe('media in --once --json, on generated logs', () => {
	function writeRun(records: Uint8Array[]): string {
		const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-media-'));
		made.push(tmp);
		const runDir = path.join(tmp, 'run-20260101_120000-media001');
		fs.mkdirSync(runDir);
		const writer = new LogWriter();
		fs.writeFileSync(path.join(runDir, 'run-media001.wandb'), Buffer.concat([writer.header(), ...records.map(record => writer.record(record))]));
		return runDir;
	}
	const image = (key: string, step: number) => ({_type: 'image-file', path: `media/images/${key}_${step}_0123456789abcdef0123.png`, sha256: '0123456789abcdef0123', size: 1234, format: 'png', width: 32, height: 32});

	it('an image every step for 20,000 steps: one entry, counted, its latest path; memory per key, not per image', () => {
		const records = [encodeHeader({producer: '0.22.3+abc'}), encodeRun({runId: 'media001'})];
		for (let step = 0; step < 20_000; step++) {
			records.push(
				encodeHistory({
					step,
					values: {_step: step, loss: 1 / (step + 1), samples: image('samples', step), ...(step % 1000 === 0 ? {grads: {_type: 'histogram', values: [1, 2, 3], bins: [0, 1, 2, 3]}} : {})},
					encoding: step % 2 === 0 ? 'core' : 'python',
				}),
			);
		}
		records.push(encodeSummary({update: {graph_0: {_type: 'graph-file', path: 'media/graph/graph_0_summary_ab.graph.json', size: 99}}}), encodeExit({exitCode: 0}));
		const loaded = loadRun(writeRun(records));
		expect(runReport(loaded.state, loaded.location, null).media).toEqual({
			// Only the summary holds it: counted once, no step.
			graph_0: {kind: 'graph-file', count: 1, lastStep: null, lastPath: 'media/graph/graph_0_summary_ab.graph.json'},
			grads: {kind: 'histogram', count: 20, lastStep: 19_000, lastPath: null},
			samples: {kind: 'image-file', count: 20_000, lastStep: 19_999, lastPath: 'media/images/samples_19999_0123456789abcdef0123.png'},
		});
		expect(loaded.state.media.size).toBe(2);
		// The metric next to it is charted as before; media fields are not metrics.
		expect([...loaded.state.metrics.keys()]).toEqual(['loss']);
	});
});
