/**
 * The patched caches are module-level (they outlive a frame) and must stay bounded: ever-new text
 * (a clock, a log) must not grow the heap. bounded-child.tsx draws 3,000 frames of new text
 * (through one live Ink instance for the whole pipeline) in a child with --expose-gc and React in production mode, and
 * reports the heap after GC and the largest size of every BoundedCache.
 */
import {spawn} from 'node:child_process';
import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {ROOT} from '../helpers/fixtures.js';

type Report = {start: number; peak: number; end: number; samples: number[]; overBound: string; caches: Array<{bound: number; max: number}>};

const MB = 1024 * 1024;

function child(mode: string, frames: number): Promise<Report> {
	return new Promise((resolve, reject) => {
		const run = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(ROOT, 'test', 'ink-patch', 'bounded-child.tsx'), mode, String(frames)], {
			cwd: ROOT,
			env: {...process.env, NODE_ENV: 'production'},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		run.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
		run.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
		run.on('error', reject);
		run.on('close', code => (code === 0 ? resolve(JSON.parse(stdout) as Report) : reject(new Error(`bounded-child ${mode} exited ${code}:\n${stderr}`))));
	});
}

const reports: Record<string, Report> = {};
beforeAll(async () => {
	const [plain, cells, render] = await Promise.all([child('plain', 3000), child('cells', 3000), child('render', 3000)]);
	Object.assign(reports, {plain, cells, render});
}, 60_000);

const growth = (report: Report) => `${((report.peak - report.start) / MB).toFixed(1)} MB (heap after GC: ${[report.start, ...report.samples].map(bytes => (bytes / MB).toFixed(0)).join(' → ')} MB)`;

describe('the patched caches stay bounded', () => {
	it('no BoundedCache ever holds more than its bound, and the row and styled-chars caches reach theirs', () => {
		for (const [mode, report] of Object.entries(reports)) {
			expect(report.overBound, mode).toBe('');
			for (const cache of report.caches) expect(cache.max, `${mode}: a cache bounded at ${cache.bound}`).toBeLessThanOrEqual(cache.bound);
		}
		// The caches of whole rows and of styled lines filled up to (nearly) their bounds and were cleared.
		const reached = reports.cells.caches.filter(cache => cache.max >= cache.bound * 0.9).map(cache => cache.bound);
		expect(reached).toContain(200_000);
		expect(reached).toContain(10_000);
	});

	it('3,000 frames of new narrow rows (the fast path): the heap grows by less than 4 MB', () => {
		expect(reports.plain.peak - reports.plain.start, growth(reports.plain)).toBeLessThan(4 * MB);
	});

	// The styled-chars cache is bounded by characters (a cached line costs ~300 bytes per character).
	it('3,000 frames of new rows with wide characters and emoji (the cell path): the heap grows by less than 8 MB', () => {
		expect(reports.cells.peak - reports.cells.start, growth(reports.cells)).toBeLessThan(8 * MB);
	});

	it('3,000 frames of a small bordered dashboard re-rendered by one Ink instance: the heap grows by less than 8 MB', () => {
		expect(reports.render.peak - reports.render.start, growth(reports.render)).toBeLessThan(8 * MB);
	});
});
