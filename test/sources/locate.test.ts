/** PATH → run dir: wandb/ folders, latest-run, run dirs, .wandb files, symlinks, and errors. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {listRuns, locateRun, LocateError} from '../../source/sources/locate.js';
import {encodeFraming, encodeHeader} from '../../source/demo/writer.js';
import {copyDir, readManifest, tempDir} from '../helpers/run-files.js';

let tmp: {dir: string; cleanup: () => void};
beforeEach(() => {
	tmp = tempDir('wbtop-locate-');
	tmp.dir = fs.realpathSync(tmp.dir);
});
afterEach(() => tmp.cleanup());

/** Creates `<wandb>/<name>/run-<id>.wandb` (with a valid header) and returns the run dir. */
function makeRun(wandbDir: string, name: string, logId?: string): string {
	const runDir = path.join(wandbDir, name);
	fs.mkdirSync(path.join(runDir, 'files'), {recursive: true});
	const id = logId ?? name.split('-').at(-1)!;
	fs.writeFileSync(path.join(runDir, `run-${id}.wandb`), encodeFraming([encodeHeader()]));
	return runDir;
}

function expectLocateError(p: string, message: RegExp): void {
	let error: unknown;
	try {
		locateRun(p);
	} catch (e) {
		error = e;
	}
	expect(error).toBeInstanceOf(LocateError);
	expect((error as Error).message).toMatch(message);
	expect((error as Error).message).not.toContain('\n');
}

describe('locateRun', () => {
	it('a wandb/ folder: follows its latest-run link, and the folder for newer runs', () => {
		const wandb = path.join(tmp.dir, 'wandb');
		const older = makeRun(wandb, 'run-20240101_000000-aaaaaaaa');
		makeRun(wandb, 'run-20240102_000000-bbbbbbbb');
		fs.symlinkSync('run-20240101_000000-aaaaaaaa', path.join(wandb, 'latest-run'));
		expect(locateRun(wandb)).toEqual({runDir: older, logFile: path.join(older, 'run-aaaaaaaa.wandb'), format: 'binary', followDir: wandb});
	});

	it('a wandb/ folder without latest-run (Windows): the newest run by the timestamp in its name', () => {
		const wandb = path.join(tmp.dir, 'wandb');
		makeRun(wandb, 'run-20240101_000000-aaaaaaaa');
		const newest = makeRun(wandb, 'offline-run-20240103_000000-cccccccc');
		const middle = makeRun(wandb, 'run-20240102_000000-bbbbbbbb');
		// The middle one was touched last; the name timestamp still decides.
		const later = new Date(Date.now() + 60_000);
		fs.utimesSync(middle, later, later);
		expect(locateRun(wandb)).toMatchObject({runDir: newest, followDir: wandb});
	});

	it('the latest-run link itself: that run, following the wandb/ folder', () => {
		const wandb = path.join(tmp.dir, 'wandb');
		const run = makeRun(wandb, 'run-20240101_000000-aaaaaaaa');
		fs.symlinkSync('run-20240101_000000-aaaaaaaa', path.join(wandb, 'latest-run'));
		expect(locateRun(path.join(wandb, 'latest-run'))).toMatchObject({runDir: run, followDir: wandb, format: 'binary'});
	});

	it('a project folder holding wandb/ or .wandb/', () => {
		const run = makeRun(path.join(tmp.dir, 'proj', 'wandb'), 'run-20240101_000000-aaaaaaaa');
		expect(locateRun(path.join(tmp.dir, 'proj'))).toMatchObject({runDir: run, followDir: path.join(tmp.dir, 'proj', 'wandb')});
		const hidden = makeRun(path.join(tmp.dir, 'proj2', '.wandb'), 'run-20240101_000000-bbbbbbbb');
		expect(locateRun(path.join(tmp.dir, 'proj2'))).toMatchObject({runDir: hidden});
	});

	it('a run dir with a -N suffix: the log is found by listing, not built from the dir name', () => {
		const run = makeRun(path.join(tmp.dir, 'wandb'), 'run-20250101_000000-abcd1234-1', 'abcd1234');
		expect(locateRun(run)).toEqual({runDir: run, logFile: path.join(run, 'run-abcd1234.wandb'), format: 'binary', followDir: null});
	});

	it('a .wandb file, and symlinks to a run dir or a log', () => {
		const run = makeRun(path.join(tmp.dir, 'wandb'), 'run-20240101_000000-aaaaaaaa');
		const log = path.join(run, 'run-aaaaaaaa.wandb');
		expect(locateRun(log)).toEqual({runDir: run, logFile: log, format: 'binary', followDir: null});
		fs.symlinkSync(run, path.join(tmp.dir, 'link-to-run'));
		expect(locateRun(path.join(tmp.dir, 'link-to-run'))).toMatchObject({runDir: run, logFile: log, followDir: null});
		fs.symlinkSync(log, path.join(tmp.dir, 'link.wandb'));
		expect(locateRun(path.join(tmp.dir, 'link.wandb'))).toMatchObject({runDir: run, logFile: log});
	});

	it('a just-created run dir without its log yet', () => {
		const run = path.join(tmp.dir, 'wandb', 'run-20240101_000000-aaaaaaaa');
		fs.mkdirSync(run, {recursive: true});
		expect(locateRun(run)).toEqual({runDir: run, logFile: null, format: 'binary', followDir: null});
	});

	it.each(readManifest().map(run => [run.dir, run] as const))('fixture %s: the MANIFEST format', (_name, run) => {
		const location = locateRun(run.path);
		expect(location.format).toBe(run.format);
		expect(location.runDir).toBe(fs.realpathSync(run.path));
		expect(location.logFile === null).toBe(run.format === 'legacy');
	});

	it('a legacy run inside a wandb/ folder', () => {
		const legacy = readManifest().find(r => r.format === 'legacy')!;
		const target = path.join(tmp.dir, 'wandb', 'run-20191205_192624-jsr4s3y6');
		copyDir(legacy.path, target);
		expect(locateRun(path.join(tmp.dir, 'wandb'))).toMatchObject({runDir: target, format: 'legacy', logFile: null});
	});

	it('one-line errors that say what was expected', () => {
		expectLocateError(path.join(tmp.dir, 'missing'), /no such file or directory.*expected a wandb\/ folder, a run directory/);
		fs.mkdirSync(path.join(tmp.dir, 'plain'));
		expectLocateError(path.join(tmp.dir, 'plain'), /not a W&B run \(expected a wandb\/ folder/);
		fs.writeFileSync(path.join(tmp.dir, 'notes.txt'), 'x');
		expectLocateError(path.join(tmp.dir, 'notes.txt'), /not a \.wandb file/);
		const wandb = path.join(tmp.dir, 'w', 'wandb');
		fs.mkdirSync(wandb, {recursive: true});
		fs.symlinkSync('run-20240101_000000-gone', path.join(wandb, 'latest-run'));
		expectLocateError(wandb, /has no runs yet/);
		fs.symlinkSync(path.join(tmp.dir, 'nowhere'), path.join(tmp.dir, 'dangling'));
		expectLocateError(path.join(tmp.dir, 'dangling'), /broken symlink/);
	});
});

describe('listRuns', () => {
	it('lists run dirs newest first with their ids, skipping latest-run and other entries', () => {
		const wandb = path.join(tmp.dir, 'wandb');
		makeRun(wandb, 'run-20240101_000000-aaaaaaaa');
		makeRun(wandb, 'run-20240103_000000-cccccccc-1', 'cccccccc');
		makeRun(wandb, 'offline-run-20240102_000000-bbbbbbbb');
		fs.symlinkSync('run-20240101_000000-aaaaaaaa', path.join(wandb, 'latest-run'));
		fs.writeFileSync(path.join(wandb, 'debug.log'), '');
		fs.mkdirSync(path.join(wandb, 'settings-dir'));
		const runs = listRuns(wandb);
		expect(runs.map(r => r.id)).toEqual(['cccccccc', 'bbbbbbbb', 'aaaaaaaa']);
		expect(runs.map(r => r.name)).toEqual(['run-20240103_000000-cccccccc-1', 'offline-run-20240102_000000-bbbbbbbb', 'run-20240101_000000-aaaaaaaa']);
		for (const run of runs) {
			expect(run.format).toBe('binary');
			expect(run.mtime).toBeGreaterThan(0);
		}
		expect(listRuns(path.join(tmp.dir, 'missing'))).toEqual([]);
	});
});
