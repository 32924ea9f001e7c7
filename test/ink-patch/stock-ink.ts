/**
 * Stock Ink 6.8.0, rebuilt at test time from the patched copy in node_modules: node_modules/ink is
 * copied into node_modules/.cache (so its bare imports still resolve from the project's
 * node_modules) and patches/ink+6.8.0.patch is applied in reverse to the copy. Nothing of Ink's
 * code is committed. Each caller gets its own copy (test files run in parallel); `remove()` it
 * when done.
 */
import {spawnSync} from 'node:child_process';
import {cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {ROOT} from '../helpers/fixtures.js';

export const PATCH = join(ROOT, 'patches', 'ink+6.8.0.patch');
export const PATCHED_INK = join(ROOT, 'node_modules', 'ink');
const CACHE = join(ROOT, 'node_modules', '.cache');
const PREFIX = 'wbtop-ink-stock-';

export type Transformer = (line: string, index: number) => string;
export type Clip = {x1?: number; x2?: number; y1?: number; y2?: number};
export type OutputInstance = {
	write(x: number, y: number, text: string, options: {transformers: Transformer[]}): void;
	clip(clip: Clip): void;
	unclip(): void;
	get(): {output: string; height: number};
};
export type OutputClass = new (options: {width: number; height: number}) => OutputInstance;
export type LogUpdate = {
	create(stream: {write(data: string): unknown}, options?: {incremental?: boolean; showCursor?: boolean}): ((str: string) => boolean) & {done(): void; clear(): void};
};
export type InkModule = typeof import('ink');

/** Import a module of an Ink copy (`ink` is the package folder) by its path under build/. */
export async function importBuild<T>(ink: string, file: string): Promise<T> {
	return (await import(pathToFileURL(join(ink, 'build', file)).href)) as T;
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

let counter = 0;

/** Build a stock copy; returns its package folder and a function that deletes it. */
export function makeStockInk(): {dir: string; remove(): void} {
	if (!existsSync(join(PATCHED_INK, 'build', 'frame-caches.js'))) {
		throw new Error('node_modules/ink is not patched (no build/frame-caches.js): run npm install');
	}
	mkdirSync(CACHE, {recursive: true});
	// Copies left behind by test processes that died.
	for (const name of readdirSync(CACHE)) {
		const pid = Number(name.slice(PREFIX.length).split('-')[0]);
		if (name.startsWith(PREFIX) && pid > 0 && pid !== process.pid && !alive(pid)) {
			rmSync(join(CACHE, name), {recursive: true, force: true});
		}
	}
	const dir = join(CACHE, `${PREFIX}${process.pid}-${Date.now()}-${counter++}`);
	cpSync(PATCHED_INK, dir, {recursive: true});
	const relative = dir.slice(ROOT.length).replace(/^\/+/, '');
	// The patch's paths are a/node_modules/ink/build/...: strip three parts, then aim at the copy.
	const git = spawnSync('git', ['apply', '-R', '-p3', `--directory=${relative}`, PATCH], {cwd: ROOT, encoding: 'utf8'});
	if (git.status !== 0) {
		const patch = spawnSync('patch', ['-R', '-p3', '-s', '-d', dir, '-i', PATCH], {encoding: 'utf8'});
		if (patch.status !== 0) {
			rmSync(dir, {recursive: true, force: true});
			throw new Error(`could not reverse ${PATCH}:\n${git.stderr}\n${patch.stderr ?? ''}${patch.stdout ?? ''}`);
		}
	}
	// The reverse patch deletes the file the patch created, and stock output.js has no shared caches.
	if (existsSync(join(dir, 'build', 'frame-caches.js')) || readFileSync(join(dir, 'build', 'output.js'), 'utf8').includes('BoundedCache')) {
		rmSync(dir, {recursive: true, force: true});
		throw new Error('reversing the patch did not give stock Ink');
	}
	return {dir, remove: () => rmSync(dir, {recursive: true, force: true})};
}
