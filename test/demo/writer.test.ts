/** The writer: re-framing real files byte for byte, and record encoders read back by the decoder. */
import * as fs from 'node:fs';
import {describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/decode/run-events.js';
import {decodeLog} from '../../source/decode/log-framing.js';
import {
	encodeConfig,
	encodeExit,
	encodeFraming,
	encodeHeader,
	encodeHistory,
	encodeMetric,
	encodeOutput,
	encodeRun,
	encodeStats,
	encodeSummary,
	encodeTelemetry,
	formatValueJson,
	LogWriter,
} from '../../source/demo/writer.js';
import {parseValueJson} from '../../source/decode/values.js';
import {decodeEvents, logFileOf, readManifest} from '../helpers/run-files.js';

const binaryRuns = readManifest().filter(run => run.format === 'binary');

describe('re-framing real files', () => {
	const results = binaryRuns.map(run => {
		const original = new Uint8Array(fs.readFileSync(logFileOf(run.path)));
		const decoded = decodeLog(original);
		const reframed = encodeFraming(decoded.records);
		const header = decodeEvents(original).find(e => e.type === 'header');
		const writer = header?.type === 'header' && header.sdkVersion !== null ? 'core' : 'python';
		return {run, original, decoded, reframed, writer};
	});

	it.each(results.map(r => [r.run.dir, r] as const))('%s: the writer reproduces the file byte for byte', (_name, r) => {
		// A torn tail is not a record: compare up to where the complete records end.
		const expected = r.original.subarray(0, r.decoded.nextOffset);
		expect(r.reframed.length).toBe(expected.length);
		expect(Buffer.compare(Buffer.from(r.reframed), Buffer.from(expected))).toBe(0);
	});

	it('covers both writers, and files with padding and split records', () => {
		const identical = results.filter(r => r.run.tail === 'clean' && Buffer.compare(Buffer.from(r.reframed), Buffer.from(r.original)) === 0);
		expect(new Set(identical.map(r => r.writer))).toEqual(new Set(['python', 'core']));
		// Some of them exercise zero padding (a chunk ending < 7 bytes before a block end).
		const padded = identical.filter(r => r.decoded.records.length > 0 && r.original.length > 32768 && hasPadding(r.original));
		expect(new Set(padded.map(r => r.writer))).toEqual(new Set(['python', 'core']));
	});

	it('appending record by record gives the same bytes as framing all at once', () => {
		const r = results.find(x => x.writer === 'core' && x.original.length > 100_000)!;
		const writer = new LogWriter();
		const parts = [writer.header(), ...r.decoded.records.map(p => writer.record(p))];
		expect(Buffer.compare(Buffer.concat(parts), Buffer.from(r.reframed))).toBe(0);
		expect(writer.size).toBe(r.reframed.length);
	});
});

function hasPadding(bytes: Uint8Array): boolean {
	let pos = 7;
	while (pos + 7 <= bytes.length) {
		const left = 32768 - (pos % 32768);
		if (left < 7) return true;
		pos += 7 + (bytes[pos + 4] | (bytes[pos + 5] << 8));
	}
	return false;
}

describe('record encoders', () => {
	const decode = (...payloads: Uint8Array[]): RunEvent[] => decodeEvents(encodeFraming(payloads));

	it('header, run, telemetry, exit', () => {
		const events = decode(
			encodeHeader({producer: '0.22.3+abcdef0123'}),
			encodeRun({runId: 'abc123', project: 'p', entity: 'e', displayName: 'name', tags: ['a', 'b'], notes: 'n', host: 'h', startTime: 1_700_000_000_250, config: {lr: 0.1, opt: {name: 'adam'}}, cliVersion: '0.22.3'}),
			encodeTelemetry({cliVersion: '0.22.3'}),
			encodeExit({exitCode: -1, runtime: 42}),
		);
		expect(events[0]).toEqual({type: 'header', sdkVersion: '0.22.3'});
		expect(events[1]).toMatchObject({
			type: 'run',
			run: {id: 'abc123', project: 'p', entity: 'e', name: 'name', tags: ['a', 'b'], notes: 'n', host: 'h', startTime: 1_700_000_000_250, config: {lr: 0.1, 'opt.name': 'adam'}},
		});
		expect(events.filter(e => e.type === 'telemetry')).toHaveLength(2);
		expect(events.at(-1)).toEqual({type: 'exit', exitCode: -1, runtime: 42});
	});

	it('history in both key encodings decodes to the same row, media included', () => {
		const values = {
			loss: 0.5,
			bad: NaN,
			big: Infinity,
			train: {acc: 0.9, nested: {deep: -Infinity}},
			image: {_type: 'image-file', path: 'media/images/a.png', width: 64, height: 32, format: 'png', size: 1234},
			label: 'cat',
			_step: 7,
		};
		const [python] = decode(encodeHistory({step: 7, values, encoding: 'python'}));
		const [core] = decode(encodeHistory({step: 7, values, encoding: 'core'}));
		expect(core).toEqual(python);
		expect(python).toEqual({
			type: 'history',
			step: 7,
			values: {
				loss: 0.5,
				bad: NaN,
				big: Infinity,
				'train.acc': 0.9,
				'train.nested.deep': -Infinity,
				image: {kind: 'media', mediaType: 'image-file', detail: '64x32 png', path: 'media/images/a.png'},
				label: 'cat',
				_step: 7,
			},
		});
	});

	it('summary, config, stats, output, metric', () => {
		const events = decode(
			encodeSummary({update: {loss: 0.25, best: {acc: 1}}, remove: ['old']}),
			encodeConfig({update: {batch: 32, _wandb: {cli_version: '0.15.0'}}, remove: ['gone']}),
			encodeStats({timestamp: 1_700_000_000.5, values: {cpu: 12.5, 'gpu.0.gpu': 99, network: {sent: 1, recv: 2}, '_gpu.0.name': 'H100'}}),
			encodeOutput({stream: 'stdout', text: 'hello\n', timestamp: 1_700_000_001}),
			encodeOutput({stream: 'stderr', text: '\r 50%', legacy: true}),
			encodeMetric({glob: 'val/*', stepMetric: 'epoch', hidden: true, goal: 'maximize'}),
		);
		expect(events).toEqual([
			{type: 'summary', update: {loss: 0.25, 'best.acc': 1}, remove: ['old']},
			{type: 'config', update: {batch: 32}, remove: ['gone']},
			// The SDK's own keys, kept apart from the user's config (the overview shows them on request).
			{type: 'sdk-config', update: {'_wandb.cli_version': '0.15.0'}},
			{type: 'telemetry', cliVersion: '0.15.0'},
			{type: 'stats', timestamp: 1_700_000_000.5, values: {cpu: 12.5, 'gpu.0.gpu': 99, 'network.sent': 1, 'network.recv': 2}},
			{type: 'console', stream: 'stdout', text: 'hello\n', timestamp: 1_700_000_001},
			{type: 'console', stream: 'stderr', text: '\r 50%', timestamp: null},
			{type: 'metric', name: null, glob: 'val/*', stepMetric: 'epoch', hidden: true, defined: false, goal: 'maximize'},
		]);
	});
});

describe('formatValueJson', () => {
	it('writes NaN and ±Infinity as bare tokens that parseValueJson reads back', () => {
		const value = {a: NaN, b: [Infinity, -Infinity, 1.5], c: 'NaN', d: null, e: true};
		const text = formatValueJson(value);
		expect(text).toBe('{"a":NaN,"b":[Infinity,-Infinity,1.5],"c":"NaN","d":null,"e":true}');
		expect(parseValueJson(text)).toEqual(value);
	});
});
