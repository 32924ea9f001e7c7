/** value_json parsing: numbers, NaN/Infinity tokens, media objects, flattening. */
import {describe, expect, it} from 'vitest';
import type {FlatValues} from '../../source/decode/run-events.js';
import {flattenInto, formatBytes, parseJsonLoose, parseValueJson, UNPARSABLE} from '../../source/decode/values.js';

describe('parseValueJson', () => {
	it('reads the number spellings both writers use', () => {
		expect(parseValueJson('3')).toBe(3);
		expect(parseValueJson('-0.001')).toBe(-0.001);
		expect(parseValueJson('1708324801.6138086')).toBe(1708324801.6138086);
		expect(parseValueJson('1.7519167715815237e+09')).toBe(1751916771.5815237); // Go 'g' format
		expect(parseValueJson('1e+06')).toBe(1e6);
		expect(parseValueJson('1.0e-06')).toBe(1e-6);
	});

	it('reads bare NaN and ±Infinity, alone and inside structures', () => {
		expect(parseValueJson('NaN')).toBeNaN();
		expect(parseValueJson('Infinity')).toBe(Infinity);
		expect(parseValueJson('-Infinity')).toBe(-Infinity);
		expect(parseValueJson('{"a": NaN, "b": [1, -Infinity, Infinity]}')).toEqual({a: NaN, b: [1, -Infinity, Infinity]});
	});

	it('leaves the tokens alone inside strings', () => {
		expect(parseValueJson('"NaN"')).toBe('NaN');
		expect(parseValueJson('{"k": "x NaN \\" Infinity", "v": NaN}')).toEqual({k: 'x NaN " Infinity', v: NaN});
		expect(parseValueJson('["NaNa", "-Infinity"]')).toEqual(['NaNa', '-Infinity']);
	});

	it('reads strings, booleans, null and lists', () => {
		expect(parseValueJson('"\\"png\\""')).toBe('"png"');
		expect(parseValueJson('"png"')).toBe('png');
		expect(parseValueJson('true')).toBe(true);
		expect(parseValueJson('null')).toBeNull();
		expect(parseValueJson('["a", 1]')).toEqual(['a', 1]);
	});

	it('does not throw on text that is not JSON: it comes back as a string', () => {
		expect(parseValueJson('{"a": ')).toBe('{"a": ');
		expect(parseValueJson('')).toBe('');
		expect(parseJsonLoose('nope')).toBe(UNPARSABLE);
	});

	it('reads integers beyond 2^53 without crashing (nearest double)', () => {
		expect(parseValueJson('9007199254740993')).toBe(9007199254740992);
		expect(parseValueJson('{"n": 123456789012345678901234567890}')).toEqual({n: 1.2345678901234568e29});
	});

	it('turns media objects into short descriptions', () => {
		const media = (json: string) => parseValueJson(json);
		expect(media('{"_type": "image-file", "width": 1500, "height": 800, "format": "png", "path": "x.png", "size": 5}')).toEqual({kind: 'media', mediaType: 'image-file', detail: '1500x800 png', path: 'x.png'});
		// A histogram keeps its counts and edges (the media panel draws them).
		expect(media('{"_type": "histogram", "values": [1, 2, 3], "bins": [0, 1, 2, 3]}')).toEqual({kind: 'media', mediaType: 'histogram', detail: '3 bins', path: null, histogram: {counts: [1, 2, 3], edges: [0, 1, 2, 3]}});
		expect(media('{"_type": "histogram", "packedBins": {"min": -1, "size": 0.5, "count": 4}, "values": [0, 3, 1, 0]}')).toMatchObject({histogram: {counts: [0, 3, 1, 0], edges: [-1, -0.5, 0, 0.5, 1]}});
		// Edges that do not match the counts are not a histogram to draw; the description stays.
		expect(media('{"_type": "histogram", "values": [1, 2], "bins": [0, 1]}')).toEqual({kind: 'media', mediaType: 'histogram', detail: '2 bins', path: null});
		expect(media('{"_type": "histogram", "packedBins": {"min": 0, "size": 1, "count": 64}, "values": null}')).toMatchObject({detail: '64 bins'});
		expect(media('{"_type": "table-file", "nrows": 10, "ncols": 4, "path": "t.json"}')).toEqual({kind: 'media', mediaType: 'table-file', detail: '10x4 table', path: 't.json'});
		expect(media('{"_type": "graph-file", "path": "g.json", "size": 12345}')).toEqual({kind: 'media', mediaType: 'graph-file', detail: '12.3 KB', path: 'g.json'});
		expect(media('{"_type": "images/separated", "width": 28, "height": 28, "format": "png", "count": 3}')).toMatchObject({detail: '3 × 28x28 png'});
		expect(media('{"_type": "audio-file"}')).toEqual({kind: 'media', mediaType: 'audio-file', detail: '', path: null});
		// Nested inside a plain object, media is still recognised.
		expect(media('{"examples": {"_type": "image-file", "width": 1, "height": 2}}')).toEqual({examples: {kind: 'media', mediaType: 'image-file', detail: '1x2', path: null}});
		// A list of images names its files: the last one is the path.
		expect(media('{"_type": "images/separated", "count": 2, "filenames": ["media/images/a_0_1.png", "media/images/a_0_2.png"]}')).toMatchObject({path: 'media/images/a_0_2.png'});
		expect(media('{"_type": "videos", "count": 1, "videos": [{"_type": "video-file", "path": "media/videos/v_3_ab.gif"}]}')).toMatchObject({path: 'media/videos/v_3_ab.gif'});
	});

	it('formats sizes', () => {
		expect(formatBytes(999)).toBe('999 B');
		expect(formatBytes(1500)).toBe('1.5 KB');
		expect(formatBytes(2_500_000)).toBe('2.5 MB');
	});
});

describe('flattenInto', () => {
	it('joins nested keys with "." and stops at media, lists and scalars', () => {
		const out: FlatValues = {};
		flattenInto(out, 'train', parseValueJson('{"loss": 1, "sub": {"a": NaN}, "img": {"_type": "image-file", "width": 2, "height": 3}, "list": [1, 2], "empty": {}}'));
		expect(out).toEqual({
			'train.loss': 1,
			'train.sub.a': NaN,
			'train.img': {kind: 'media', mediaType: 'image-file', detail: '2x3', path: null},
			'train.list': [1, 2],
			'train.empty': {},
		});
	});

	it('with an empty prefix flattens a whole object (as a summary file)', () => {
		const out: FlatValues = {};
		flattenInto(out, '', parseValueJson('{"a": {"b": 1}, "_wandb": {"runtime": 3}}'));
		expect(out).toEqual({'a.b': 1, '_wandb.runtime': 3});
	});
});
