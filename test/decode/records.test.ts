/** Protobuf wire reading and Record → event decoding, on hand-built and real records. */
import * as fs from 'node:fs';
import {describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/decode/run-events.js';
import {decodeLog} from '../../source/decode/log-framing.js';
import {ProtoError, ProtoReader, ProtoWriter} from '../../source/decode/protobuf.js';
import {deriveRunState, RecordDecoder, RecordField, recordType} from '../../source/decode/records.js';
import {encodeRun, encodeStats} from '../../source/demo/writer.js';
import {logFileOf, readManifest} from '../helpers/run-files.js';

const decodeOne = (payload: Uint8Array): {events: RunEvent[]; decoder: RecordDecoder} => {
	const decoder = new RecordDecoder();
	const events: RunEvent[] = [];
	decoder.decode(payload, events);
	return {events, decoder};
};
const record = (field: number, body: ProtoWriter) => new ProtoWriter().varintField(RecordField.num, 5).messageField(field, body).finish();

describe('ProtoReader', () => {
	it('reads negative int32 written as 10-byte varints', () => {
		const bytes = new ProtoWriter().varintField(1, -1).varintField(2, -255).finish();
		expect(bytes.length).toBe(2 * 11);
		const r = new ProtoReader(bytes);
		r.tag();
		expect(r.int32()).toBe(-1);
		r.tag();
		expect(r.int32()).toBe(-255);
		expect(r.done).toBe(true);
	});

	it('reads 64-bit varints as numbers', () => {
		const bytes = new ProtoWriter().varintField(1, 1_766_420_202).varintField(2, 2 ** 40 + 3).finish();
		const r = new ProtoReader(bytes);
		r.tag();
		expect(r.int64()).toBe(1_766_420_202);
		r.tag();
		expect(r.uint64()).toBe(2 ** 40 + 3);
	});

	it('throws ProtoError on truncated input, never reads past the end', () => {
		const bytes = new ProtoWriter().stringField(1, 'hello').finish();
		const r = new ProtoReader(bytes, 0, bytes.length - 1);
		r.tag();
		expect(() => r.string()).toThrow(ProtoError);
		expect(() => new ProtoReader(Uint8Array.of(0xff)).skip(0)).toThrow(ProtoError); // varint cut short
		expect(() => new ProtoReader(Uint8Array.of(...new Array(10).fill(0xff), 0x01)).int64()).toThrow(ProtoError); // 11 bytes
		expect(() => new ProtoReader(Uint8Array.of(0x0b)).skip(3)).toThrow(ProtoError);
	});

	it('decodes UTF-8 strings of any length', () => {
		for (const text of ['', 'loss', 'über/ß', 'x'.repeat(100), '日本語'.repeat(20)]) {
			const r = new ProtoReader(new ProtoWriter().stringField(1, text).finish());
			r.tag();
			expect(r.string()).toBe(text);
		}
	});
});

describe('RecordDecoder', () => {
	it('skips unknown fields and record types; the last value of a singular field wins', () => {
		const exit = new ProtoWriter().varintField(1, 3).stringField(99, 'future').varintField(1, 7).doubleField(50, 1.5);
		const payload = new ProtoWriter().messageField(99, new ProtoWriter().stringField(1, 'new type')).messageField(RecordField.exit, exit).finish();
		expect(decodeOne(payload).events).toEqual([{type: 'exit', exitCode: 7, runtime: null}]);
		expect(decodeOne(record(RecordField.files, new ProtoWriter().stringField(1, 'x'))).events).toEqual([]);
		// Environment records (26) are read since the overview panel; a record type still unknown is skipped.
		expect(decodeOne(record(RecordField.environment, new ProtoWriter().stringField(1, 'linux'))).events).toMatchObject([{type: 'environment', environment: {os: 'linux'}}]);
		expect(decodeOne(record(28, new ProtoWriter().stringField(1, 'linux'))).events).toEqual([]);
	});

	it('counts an undecodable record and emits nothing from it', () => {
		const good = record(RecordField.exit, new ProtoWriter().varintField(1, 1));
		const broken = good.slice(0, good.length - 1);
		const {events, decoder} = decodeOne(broken);
		expect(events).toEqual([]);
		expect(decoder.undecodable).toBe(1);
		// A record with a half-decoded run (telemetry broken) leaves no partial events behind.
		const run = encodeRun({runId: 'x', cliVersion: '0.17.0'});
		const out: RunEvent[] = [];
		decoder.decode(run.slice(0, run.length - 2), out);
		expect(out).toEqual([]);
		expect(decoder.undecodable).toBe(2);
	});

	it('merges run records: a later one fills in, empty strings do not erase', () => {
		const decoder = new RecordDecoder();
		const out: RunEvent[] = [];
		decoder.decode(encodeRun({runId: 'r1', project: 'p', host: 'h', config: {a: 1}}), out);
		decoder.decode(encodeRun({runId: 'r1', entity: 'team', displayName: 'nice-name', config: {b: 2}, tags: ['t']}), out);
		const runs = out.filter(e => e.type === 'run');
		expect(runs).toHaveLength(2);
		expect(runs[1]).toMatchObject({run: {id: 'r1', project: 'p', host: 'h', entity: 'team', name: 'nice-name', tags: ['t'], config: {a: 1, b: 2}}});
		// The first event is not mutated by the merge.
		expect(runs[0]).toMatchObject({run: {entity: null, name: null, config: {a: 1}}});
	});

	it('takes the step from _step when HistoryStep is absent (pre-0.10.20)', () => {
		const item = new ProtoWriter().stringField(1, '_step').stringField(16, '12');
		const loss = new ProtoWriter().stringField(1, 'loss').stringField(16, '0.5');
		const {events} = decodeOne(record(RecordField.history, new ProtoWriter().messageField(1, item).messageField(1, loss)));
		expect(events).toEqual([{type: 'history', step: 12, values: {_step: 12, loss: 0.5}}]);
	});

	it('groups core nested_key media leaves into one media value; siblings are not metrics', () => {
		const leaf = (path: string[], json: string) => {
			const w = new ProtoWriter();
			for (const p of path) w.stringField(2, p);
			return w.stringField(16, json);
		};
		const history = new ProtoWriter()
			.messageField(1, leaf(['examples', '_type'], '"image-file"'))
			.messageField(1, leaf(['examples', 'width'], '1500'))
			.messageField(1, leaf(['examples', 'height'], '1000'))
			.messageField(1, leaf(['examples', 'format'], '"png"'))
			.messageField(1, leaf(['train', 'loss'], '0.25'))
			.messageField(1, leaf(['nested', 'table', '_type'], '"table-file"'))
			.messageField(1, leaf(['nested', 'table', 'nrows'], '20'))
			.messageField(1, leaf(['nested', 'table', 'ncols'], '4'))
			.messageField(1, leaf(['nested', 'x'], '1'));
		const {events} = decodeOne(record(RecordField.history, history));
		expect(events[0]).toEqual({
			type: 'history',
			step: null,
			values: {
				examples: {kind: 'media', mediaType: 'image-file', detail: '1500x1000 png', path: null},
				'train.loss': 0.25,
				'nested.table': {kind: 'media', mediaType: 'table-file', detail: '20x4 table', path: null},
				'nested.x': 1,
			},
		});
	});

	it('output without output_type is stderr; 1 is stdout', () => {
		const text = (w: ProtoWriter) => decodeOne(record(RecordField.outputRaw, w.stringField(3, 'x'))).events[0];
		expect(text(new ProtoWriter())).toMatchObject({stream: 'stderr'});
		expect(text(new ProtoWriter().varintField(1, 1))).toMatchObject({stream: 'stdout'});
	});

	it('stats keep numbers only and drop _gpu metadata', () => {
		const {events} = decodeOne(encodeStats({timestamp: 10.25, values: {cpu: 1, '_gpu.0.name': 'H100', note: 'x', flag: true}}));
		expect(events).toEqual([{type: 'stats', timestamp: 10.25, values: {cpu: 1}}]);
	});

	it('preempting records become events', () => {
		expect(decodeOne(record(RecordField.preempting, new ProtoWriter())).events).toEqual([{type: 'preempting'}]);
	});

	it('reports the record type of real records (two run records in 0.12.18)', () => {
		const run = readManifest().find(r => r.dir.includes('2aygi55c'))!;
		const records = decodeLog(new Uint8Array(fs.readFileSync(logFileOf(run.path)))).records;
		expect(recordType(records[0])).toBe(RecordField.header);
		expect(records.filter(r => recordType(r) === RecordField.run)).toHaveLength(2);
	});
});

describe('deriveRunState', () => {
	it('follows the documented rule', () => {
		expect(deriveRunState({exitCode: null})).toBe('running');
		expect(deriveRunState({exitCode: 0})).toBe('finished');
		expect(deriveRunState({exitCode: 1})).toBe('failed');
		expect(deriveRunState({exitCode: -1})).toBe('failed');
		expect(deriveRunState({exitCode: 255})).toBe('crashed');
		expect(deriveRunState({exitCode: null, legacyState: 'crashed'})).toBe('crashed');
	});
});
