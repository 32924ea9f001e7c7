/**
 * wbtop only reads. Real runs copied into a temp dir, every mode run on them (and the live
 * dashboard driven with keys in tmux), then the whole tree must be byte-identical: same files,
 * sizes, mtimes (ns), modes and sha256, no new files (no `.wandb.synced`, lock, cache or temp file),
 * not even in the working directory.
 */
import {createHash} from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CLI, realRun} from '../helpers/fixtures.js';
import {hasTmux, startPane} from '../helpers/tmux.js';

/** A binary core run, a Python-written one, a partial tail, an offline run, a legacy jsonl run. */
const RUNS = ['f230dm6e', 'h0sbxufh', '7exzgvj1', '3u88hzql', 'jsr4s3y6', 'gkmcq7i0'];

type Entry = {path: string; type: string; mode: number; size: bigint; mtimeNs: bigint; sha256?: string; target?: string};

/** Every entry under `root` (symlinks not followed), sorted by path. */
function treeListing(root: string): Entry[] {
	const entries: Entry[] = [];
	const walk = (dir: string) => {
		for (const name of fs.readdirSync(dir).sort()) {
			const full = path.join(dir, name);
			const st = fs.lstatSync(full, {bigint: true});
			const entry: Entry = {path: path.relative(root, full), type: st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other', mode: Number(st.mode), size: st.size, mtimeNs: st.mtimeNs};
			if (st.isFile()) entry.sha256 = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
			if (st.isSymbolicLink()) entry.target = fs.readlinkSync(full);
			entries.push(entry);
			if (st.isDirectory()) walk(full);
		}
	};
	const st = fs.lstatSync(root, {bigint: true});
	entries.push({path: '.', type: 'dir', mode: Number(st.mode), size: st.size, mtimeNs: st.mtimeNs});
	walk(root);
	return entries;
}

let tmp: string;
let wandbDir: string;
let runDirs: string[];
let before: Entry[];

beforeAll(() => {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-readonly-'));
	wandbDir = path.join(tmp, 'project', 'wandb');
	fs.mkdirSync(wandbDir, {recursive: true});
	runDirs = RUNS.map(id => {
		const source = realRun(id);
		const target = path.join(wandbDir, path.basename(source).split('__').at(-1)!);
		fs.cpSync(source, target, {recursive: true, preserveTimestamps: true});
		return target;
	});
	fs.symlinkSync(path.basename(runDirs[0]), path.join(wandbDir, 'latest-run'));
	before = treeListing(tmp);
});
afterAll(() => {
	fs.rmSync(tmp, {recursive: true, force: true});
});

const wbtop = (args: string[]) => execa('node', [CLI, ...args], {reject: false, cwd: tmp, env: {NO_COLOR: '1'}, timeout: 30_000});

function expectUntouched(): void {
	const after = treeListing(tmp);
	const key = (e: Entry) => e.path;
	const added = after.filter(e => !before.some(b => key(b) === key(e))).map(key);
	const removed = before.filter(b => !after.some(e => key(e) === key(b))).map(key);
	expect({added, removed}).toEqual({added: [], removed: []});
	const changed = after.filter(e => {
		const b = before.find(x => key(x) === key(e))!;
		return JSON.stringify(b, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) !== JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
	});
	expect(changed.map(e => e.path)).toEqual([]);
}

describe('wbtop never writes into the runs it reads', () => {
	it('every print mode, on each run and on the wandb/ folder', async () => {
		expect(before.filter(e => e.type === 'file').length).toBeGreaterThan(20);
		const modes = [['--once', '--no-gpu'], ['--once', '--json', '--no-gpu'], ['--check'], ['--line', '--no-gpu'], ['export', '--csv'], ['export', '--jsonl']];
		// Every mode on the folder forms and on the legacy and partial-tail runs; one mode on the others.
		const calls: string[][] = [];
		for (const target of [wandbDir, path.join(wandbDir, 'latest-run'), path.join(tmp, 'project'), runDirs[2], runDirs[4]]) for (const args of modes) calls.push([...args, target]);
		for (const target of runDirs) calls.push(['--once', '--json', '--no-gpu', target]);
		calls.push(['--once', '--no-gpu', path.join(runDirs[0], path.basename(fs.readdirSync(runDirs[0]).find(name => name.endsWith('.wandb'))!))]);
		const queue = [...calls];
		const worker = async () => {
			for (let args = queue.shift(); args; args = queue.shift()) {
				const result = await wbtop(args);
				expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBeLessThanOrEqual(2);
				expect(result.stderr, args.join(' ')).not.toMatch(/crashed|Error/);
			}
		};
		await Promise.all([worker(), worker(), worker()]);
		expectUntouched();
	}, 120_000);

	(hasTmux ? it : it.skip)('the live dashboard, driven with keys for a few seconds', async () => {
		for (const target of [wandbDir, runDirs[4]]) {
			const pane = startPane(`cd ${tmp} && node ${CLI} --no-gpu ${target}`, 120, 40);
			try {
				await pane.waitFor(s => s.includes('Summary') && s.includes('Console'), 15_000);
				// Panels, scrolling, axes, smoothing, log scale, focus, help, the runs list (opening another run), filter, pause.
				const keys = ['Tab', 'j', 'j', 'k', 'Tab', 'G', 'g', 'Tab', 'x', 'x', 's', 'L', 'f', 'f', '?', 'Escape', 'r', 'j', 'Enter', 'b', '/', 'l', 'o', 's', 's', 'Enter', 'Escape', 'p', 'p', 'PageDown', 'PageUp'];
				for (const key of keys) {
					pane.keys(key);
					await new Promise(resolve => setTimeout(resolve, 80));
				}
				await new Promise(resolve => setTimeout(resolve, 1500));
				expect(pane.alive()).toBe(true);
				pane.keys('q');
				await pane.waitFor(() => !pane.alive(), 5000);
			} finally {
				pane.kill();
			}
		}
		expectUntouched();
	}, 60_000);
});
