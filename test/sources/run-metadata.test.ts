/**
 * The environment's two sources: wandb-metadata.json as the metadata source reads it (refusals,
 * rewrites, diff.patch), and the log's environment records as the decoder reads them (two per
 * writer, several writers, field 26 before 0.21), plus the run record's resume and fork fields.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/decode/run-events.js';
import {RecordDecoder} from '../../source/decode/records.js';
import {encodeConfig, encodeEnvironment, encodeHeader, encodeRun, encodeTelemetry} from '../../source/demo/writer.js';
import {runReport} from '../../source/modes/report.js';
import {MetadataSource} from '../../source/sources/run-metadata.js';
import {MAX_SIDE_FILE_BYTES} from '../../source/sources/side-file.js';
import {runOverview} from '../../source/state/overview.js';
import {infoRows} from '../../source/view/panels/overview.js';
import {initialRunState, reduceRunEvents} from '../../source/state/run-state.js';
import {hasMkfifo, makeFifo} from '../helpers/hostile-files.js';
import {realRun} from '../helpers/fixtures.js';
import {tempDir} from '../helpers/run-files.js';

let tmp: {dir: string; cleanup: () => void};
beforeEach(() => {
	tmp = tempDir('wbtop-meta-');
	fs.mkdirSync(path.join(tmp.dir, 'files'));
});
afterEach(() => tmp.cleanup());

const metaFile = () => path.join(tmp.dir, 'files', 'wandb-metadata.json');
const metadataOf = (events: RunEvent[]) => events.find((e): e is Extract<RunEvent, {type: 'metadata'}> => e.type === 'metadata');

describe('MetadataSource', () => {
	it('reads the real 0.27 camelCase protojson and says nothing more until the file changes', () => {
		fs.copyFileSync(path.join(realRun('c6aeeg9b'), 'files', 'wandb-metadata.json'), metaFile());
		const raw = JSON.parse(fs.readFileSync(metaFile(), 'utf8'));
		const source = new MetadataSource(tmp.dir);
		const first = metadataOf(source.poll())!;
		expect(first.environment).toMatchObject({host: raw.host, program: raw.program, gitCommit: raw.git.commit, memoryBytes: Number(raw.memory.total), cpuCount: raw.cpu_count});
		expect(first.environment!.apple).toMatchObject({name: raw.apple.name, model: raw.apple.macModel, gpuCores: raw.apple.gpuCores});
		expect(first.diffPatch).toBe(false);
		expect(source.poll()).toEqual([]);
		// Rewritten (core does on each environment record) and a diff.patch saved: both seen.
		fs.writeFileSync(metaFile(), JSON.stringify({...raw, host: 'other-host'}));
		fs.writeFileSync(path.join(tmp.dir, 'files', 'diff.patch'), 'diff --git a/x b/x\n');
		const second = metadataOf(source.poll())!;
		expect(second.environment!.host).toBe('other-host');
		expect(second.diffPatch).toBe(true);
	});

	it('a half-written file is tried again on the next look, not taken as empty', () => {
		fs.writeFileSync(metaFile(), '{"host": "box", "gpu": "A1');
		const source = new MetadataSource(tmp.dir);
		expect(source.poll()).toEqual([]);
		fs.writeFileSync(metaFile(), '{"host": "box", "gpu": "A100", "gpu_count": 8}');
		expect(metadataOf(source.poll())!.environment).toMatchObject({host: 'box', gpuType: 'A100', gpuCount: 8});
	});

	it('no file: one event that says so (the overview then falls back to the run record)', () => {
		const events = new MetadataSource(tmp.dir).poll();
		expect(events).toEqual([{type: 'metadata', environment: null, diffPatch: false}]);
	});

	it('a file over the side-file limit is refused with a file problem, not read', () => {
		fs.writeFileSync(metaFile(), '');
		fs.truncateSync(metaFile(), MAX_SIDE_FILE_BYTES + 1);
		const events = new MetadataSource(tmp.dir).poll();
		expect(events).toContainEqual({type: 'file-problem', file: 'files/wandb-metadata.json', message: 'files/wandb-metadata.json is larger than 16 MiB: not read'});
		expect(metadataOf(events)!.environment).toBeNull();
	});

	it.skipIf(!hasMkfifo)('a FIFO in its place is refused at once (nothing blocks), and cleared when a file replaces it', () => {
		makeFifo(metaFile());
		const source = new MetadataSource(tmp.dir);
		const started = Date.now();
		const events = source.poll();
		expect(Date.now() - started).toBeLessThan(1000);
		expect(events).toContainEqual({type: 'file-problem', file: 'files/wandb-metadata.json', message: 'files/wandb-metadata.json is not a regular file (a FIFO): not read'});
		fs.rmSync(metaFile());
		fs.writeFileSync(metaFile(), '{"host": "box"}');
		const after = source.poll();
		expect(after).toContainEqual({type: 'file-problem', file: 'files/wandb-metadata.json', message: null});
		expect(metadataOf(after)!.environment!.host).toBe('box');
	});

	it('a legacy run keeps it at the run dir root', () => {
		const legacy = realRun('jsr4s3y6');
		const raw = JSON.parse(fs.readFileSync(path.join(legacy, 'wandb-metadata.json'), 'utf8'));
		const env = metadataOf(new MetadataSource(legacy).poll())!.environment!;
		expect(env).toMatchObject({host: raw.host, gpuType: raw.gpu, gpuCount: raw.gpu_count, cudaVersion: raw.cuda, gitCommit: raw.git.commit, cpuCount: raw.cpu_count});
		expect(runOverview(fold(new MetadataSource(legacy).poll())).environment.gpus).toEqual([{name: raw.gpu, count: raw.gpu_count, memoryBytes: null}]);
	});
});

function decode(payloads: Uint8Array[]): RunEvent[] {
	const decoder = new RecordDecoder();
	const events: RunEvent[] = [];
	for (const payload of payloads) decoder.decode(payload, events);
	return events;
}

function fold(events: RunEvent[]) {
	return reduceRunEvents(initialRunState(), events, 0);
}

describe('environment records and the run record', () => {
	it("one writer's software and hardware records merge; a second writer is counted, its host named", () => {
		const events = decode([
			encodeHeader({producer: '0.23.0+abc'}),
			encodeRun({runId: 'abc123', host: 'node-1', git: {remote: 'git@x:y.git', commit: 'aaaa'}}),
			encodeEnvironment({writerId: 'w1', os: 'Linux', python: 'CPython 3.12.1', host: 'node-1', program: 'train.py', args: ['--lr', '3e-4'], git: {commit: 'bbbb'}}),
			encodeEnvironment({writerId: 'w1', cpuCount: 64, gpus: Array.from({length: 8}, () => ({name: 'NVIDIA H100 80GB HBM3', memoryTotal: 85_520_809_984})), memoryTotal: 2_000_000_000_000, cudaVersion: '12.4', slurm: {job_id: '42', partition: 'gpu'}}),
			encodeEnvironment({writerId: 'w2', host: 'node-2', program: 'train.py'}),
		]);
		const {environment} = runOverview(fold(events));
		expect(environment).toMatchObject({
			sources: ['environment records', 'run record'],
			writers: 2,
			otherHosts: ['node-2'],
			host: 'node-1',
			python: 'CPython 3.12.1',
			program: 'train.py',
			args: ['--lr', '3e-4'],
			// The records win over the run record's git.
			gitCommit: 'bbbb',
			gitRemote: 'git@x:y.git',
			cpuCount: 64,
			memoryBytes: 2_000_000_000_000,
			cudaVersion: '12.4',
			slurm: {job_id: '42', partition: 'gpu'},
		});
		expect(environment.gpus).toEqual([{name: 'NVIDIA H100 80GB HBM3', count: 8, memoryBytes: 85_520_809_984}]);
	});

	it('field 26 of a 0.16.5 log (Launch config parameters then) is not read as an environment', () => {
		const events = decode([encodeRun({runId: 'abc123', cliVersion: '0.16.5'}), encodeEnvironment({host: 'not-a-host'})]);
		expect(events.some(e => e.type === 'environment')).toBe(false);
		const modern = decode([encodeRun({runId: 'abc123', cliVersion: '0.21.0'}), encodeEnvironment({host: 'a-host'})]);
		expect(modern.filter(e => e.type === 'environment')).toHaveLength(1);
	});

	it('resume, fork, sweep and git from the run records, merged over two records', () => {
		const events = decode([
			encodeRun({runId: 'abc123', project: 'p', startTime: Date.UTC(2026, 0, 2, 3, 4, 5), branchPoint: {run: 'parent1', value: 1200, metric: '_step'}, git: {commit: 'cafe'}}),
			encodeRun({runId: 'abc123', entity: 'me', sweepId: 'sw33p', resumed: true, runtime: 3600, startingStep: 500, forked: true, tags: ['a', 'b']}),
		]);
		const state = fold(events);
		const report = runReport(state, {runDir: '/x', format: 'binary'} as never, null);
		expect(report.overview.run).toMatchObject({
			id: 'abc123',
			project: 'p',
			entity: 'me',
			sweepId: 'sw33p',
			tags: ['a', 'b'],
			resumed: true,
			resumedRuntime: 3600,
			startingStep: 500,
			branchPoint: {run: 'parent1', value: 1200, metric: '_step', forked: true},
			startTime: '2026-01-02T03:04:05.000Z',
		});
		expect(report.overview.environment.gitCommit).toBe('cafe');
		const rows = infoRows(runOverview(state), {state: null, filter: ''});
		expect(rows).toContainEqual({kind: 'entry', key: 'resumed', value: 'yes, after 1h00m at step 500'});
		expect(rows).toContainEqual({kind: 'entry', key: 'forked from', value: 'parent1@1,200'});
		// resume_from= a step of the run itself is a rewind.
		const rewound = fold(decode([encodeRun({runId: 'abc123', branchPoint: {run: 'abc123', value: 0.5, metric: 'train/epoch'}})]));
		expect(infoRows(runOverview(rewound), {state: null, filter: ''})).toContainEqual({kind: 'entry', key: 'rewound to', value: 'abc123@train/epoch=0.5'});
	});

	it("the SDK's _wandb config keys are kept apart: not in config, in the overview on request", () => {
		const state = fold(decode([encodeConfig({update: {lr: 0.1, _wandb: {cli_version: '0.19.1', t: {1: [1, 5]}}}})]));
		expect(Object.keys(state.config)).toEqual(['lr']);
		expect(state.sdkConfig['_wandb.cli_version']).toBe('0.19.1');
		expect(state.sdkVersion).toBe('0.19.1');
	});
});
