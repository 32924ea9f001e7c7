/** side-file.ts: non-blocking opens, regular files only, bounded reads, one-line refusals. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {formatLimit, MAX_SIDE_FILE_BYTES, openRegularFile, readSideFile, readSideText} from '../../source/sources/side-file.js';
import {hasDevZero, hasMkfifo, linkTo, makeFifo} from '../helpers/hostile-files.js';
import {tempDir} from '../helpers/run-files.js';

let tmp: {dir: string; cleanup: () => void};
beforeEach(() => {
	tmp = tempDir('wbtop-side-');
});
afterEach(() => tmp.cleanup());

describe('readSideFile', () => {
	it('reads a regular file whole, or its first or last maxBytes', () => {
		const file = path.join(tmp.dir, 'a.txt');
		fs.writeFileSync(file, '0123456789');
		expect(readSideText(file, {maxBytes: 100})).toMatchObject({ok: true, text: '0123456789', size: 10, start: 0, truncated: false});
		expect(readSideText(file, {maxBytes: 4, ifLarger: 'truncate'})).toMatchObject({ok: true, text: '0123', truncated: true});
		expect(readSideText(file, {maxBytes: 4, ifLarger: 'truncate', from: 'end'})).toMatchObject({ok: true, text: '6789', start: 6, truncated: true});
	});

	it('refuses a file over the limit without reading it, naming the file and the limit', () => {
		const file = path.join(tmp.dir, 'config.yaml');
		fs.writeFileSync(file, '');
		fs.truncateSync(file, MAX_SIDE_FILE_BYTES + 1); // sparse: no disk used
		const read = readSideFile(file, {maxBytes: MAX_SIDE_FILE_BYTES});
		expect(read).toEqual({ok: false, reason: 'too-large', message: 'config.yaml is larger than 16 MiB: not read'});
	});

	it('a missing file, a directory', () => {
		expect(readSideFile(path.join(tmp.dir, 'nope.json'), {maxBytes: 10})).toMatchObject({ok: false, reason: 'missing'});
		expect(readSideFile(path.join(tmp.dir, 'nope', 'x.json'), {maxBytes: 10})).toMatchObject({ok: false, reason: 'missing'});
		fs.mkdirSync(path.join(tmp.dir, 'd.json'));
		expect(readSideFile(path.join(tmp.dir, 'd.json'), {maxBytes: 10})).toEqual({ok: false, reason: 'not-regular', message: 'd.json is not a regular file (a directory): not read'});
	});

	it.skipIf(!hasMkfifo)('a FIFO is refused at once (no writer needed, nothing blocks)', () => {
		const fifo = path.join(tmp.dir, 'output.log');
		makeFifo(fifo);
		const started = Date.now();
		expect(readSideFile(fifo, {maxBytes: 10, name: 'files/output.log'})).toEqual({ok: false, reason: 'not-regular', message: 'files/output.log is not a regular file (a FIFO): not read'});
		expect(openRegularFile(fifo)).toMatchObject({ok: false, reason: 'not-regular'});
		expect(Date.now() - started).toBeLessThan(1000);
	});

	it.skipIf(!hasDevZero)('symlinks to /dev/zero and /dev/urandom are refused, not read', () => {
		for (const device of ['/dev/zero', '/dev/urandom']) {
			const link = path.join(tmp.dir, 'config.yaml');
			linkTo(link, device);
			expect(readSideFile(link, {maxBytes: MAX_SIDE_FILE_BYTES})).toEqual({ok: false, reason: 'not-regular', message: 'config.yaml is not a regular file (a character device): not read'});
		}
	});

	it('openRegularFile hands back an open descriptor of a regular file', () => {
		const file = path.join(tmp.dir, 'run-x.wandb');
		fs.writeFileSync(file, 'abc');
		const opened = openRegularFile(file);
		expect(opened.ok).toBe(true);
		if (opened.ok) {
			expect(opened.stats.size).toBe(3);
			fs.closeSync(opened.fd);
		}
	});

	it('formats limits', () => {
		expect(formatLimit(16 * 1024 * 1024)).toBe('16 MiB');
		expect(formatLimit(4096)).toBe('4 KiB');
		expect(formatLimit(1000)).toBe('1000 bytes');
	});
});
