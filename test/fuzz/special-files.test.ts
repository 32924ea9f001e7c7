/**
 * Special files where a run's files belong (special-cases.ts): copies of real fixture runs whose
 * side files (files/output.log, logs/debug.log, files/config.yaml, files/wandb-summary.json,
 * files/wandb-metadata.json; legacy output.log, config.yaml, wandb-summary.json,
 * wandb-metadata.json) or log (run-<id>.wandb; legacy wandb-history.jsonl, wandb-events.jsonl)
 * are replaced by a FIFO, a /dev/zero or /dev/urandom link, a directory, a dangling symlink, a
 * sparse 1 GB file, an empty file, a mode-000 file (not as root) or a symlink loop.
 *
 * Through the built binary (`npm run build` first), in every script mode, what a user notices:
 * it finishes within seconds (no hang); exit 0/1/2 as documented (--check: 2 crashed/failed/
 * unreadable, 1 warnings; other modes: 2 is fatal, with exactly one `wbtop: …` line on stderr and
 * nothing on stdout); no stack trace or `Error:`; peak RSS under 300 MB; --once exactly 29 lines
 * of at most 100 columns; and when only side files were replaced, the rest of the run shows as
 * it does unmodified (--once --json history, export output, refusals named as `file` alerts).
 * A few cases also run in the live session (a child process): rows as unmodified, the event loop
 * never blocked for more than a second.
 *
 * Replay one case: WBTOP_SPECIAL_CASE=N [WBTOP_FUZZ_SEED=S] npx vitest run test/fuzz/special-files.test.ts
 */
import {spawn} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import stringWidth from 'string-width';
import {CLI, ROOT} from '../helpers/fixtures.js';
import {crashSigns, pool, runCliRaw, type RawRun} from './cli-run.js';
import {availableKinds, buildSpecialCase, copyFixture, DEFAULT_SEED, IS_ROOT, replace, specialCase, type SpecialCase} from './special-cases.js';
import type {LiveResult} from './special-files-live.js';

const SEED = Number(process.env.WBTOP_FUZZ_SEED ?? DEFAULT_SEED);
const ONLY = process.env.WBTOP_SPECIAL_CASE !== undefined ? Number(process.env.WBTOP_SPECIAL_CASE) : null;
const CASES = Number(process.env.WBTOP_FUZZ_CASES ?? 22);
const LIVE_CASES = 4;
/** CLI processes at a time (the box has 2 cores). */
const PARALLEL = 2;
/** Each mode must finish within this (a hang is killed at HANG_MS). */
const QUICK_MS = 6000;
const HANG_MS = 12_000;
const MAX_RSS_KB = 300 * 1024;
const WIDTH = 100;
const HEIGHT = 30;

const built = fs.existsSync(CLI);
const maybe = built ? describe : describe.skip;

type Mode = 'once' | 'json' | 'check' | 'line' | 'export';
const MODES: Array<[Mode, (dir: string) => string[]]> = [
	['once', dir => ['--once', '--no-gpu', '--width', String(WIDTH), '--height', String(HEIGHT), dir]],
	['json', dir => ['--once', '--json', '--no-gpu', dir]],
	['check', dir => ['--check', dir]],
	['line', dir => ['--line', '--no-gpu', dir]],
	['export', dir => ['export', dir]],
];

type Doc = {run: {id: string | null; name: string | null; state: string}; history: {rows: number; metrics: Record<string, unknown>}; console: {source: string | null}; alerts: Array<{kind: string; message: string}>};
type Baseline = {doc: Doc; export: string; line: string};

let tmp: string;
const baselines = new Map<string, Promise<Baseline>>();

/** The unmodified copy's --once --json, export and --line output. */
function baseline(fixtureId: string): Promise<Baseline> {
	let pending = baselines.get(fixtureId);
	if (!pending) {
		pending = (async () => {
			const dir = copyFixture(fs.mkdtempSync(path.join(tmp, `clean-${fixtureId}-`)), fixtureId);
			const [json, exported, line] = await Promise.all([runCliRaw(['--once', '--json', '--no-gpu', dir]), runCliRaw(['export', dir]), runCliRaw(['--line', '--no-gpu', dir])]);
			if (json.code !== 0 || exported.code !== 0) throw new Error(`the unmodified ${fixtureId} failed: ${json.stderr}${exported.stderr}`);
			return {doc: JSON.parse(json.stdout.toString('utf8')) as Doc, export: exported.stdout.toString('utf8'), line: line.stdout.toString('utf8')};
		})();
		baselines.set(fixtureId, pending);
	}
	return pending;
}

/** Kinds a side file is refused for (reported as a `file` alert when the run reads that file). */
function refusedKind(kind: string, file: string): boolean {
	if (['fifo', 'dev-zero', 'dev-urandom', 'directory', 'unreadable', 'loop'].includes(kind)) return true;
	// Over the 16 MiB cap of JSON/YAML side files (output.log reads its last 4 MiB; debug.log its head).
	return kind === 'sparse-1g' && /\.(json|yaml)$/.test(file);
}

/** Side files this run reads for sure: every legacy side file; output.log when the log has no console records. */
function readsFile(c: SpecialCase, file: string, base: Baseline): boolean {
	if (c.fixture.format === 'legacy') return true;
	return file === 'files/output.log' && base.doc.console.source !== 'console records';
}

function checkCase(c: SpecialCase, runs: Record<Mode, RawRun>, base: Baseline): string[] {
	const problems: string[] = [];
	const codes: Partial<Record<Mode, number | null>> = {};
	for (const [mode] of MODES) {
		const run = runs[mode];
		const stdout = run.stdout.toString('utf8');
		const stderr = run.stderr.toString('utf8');
		codes[mode] = run.code;
		if (run.timedOut) {
			problems.push(`${mode}: hung (killed after ${run.ms} ms)`);
			continue;
		}
		if (run.ms > QUICK_MS) problems.push(`${mode}: took ${run.ms} ms (limit ${QUICK_MS})`);
		if (run.maxRssKb !== null && run.maxRssKb > MAX_RSS_KB) problems.push(`${mode}: peak RSS ${(run.maxRssKb / 1024).toFixed(0)} MB (limit 300)`);
		for (const sign of crashSigns(stderr)) problems.push(`${mode}: ${sign}: ${JSON.stringify(stderr.slice(0, 300))}`);
		if (mode === 'check') {
			if (![0, 1, 2].includes(run.code ?? -1)) problems.push(`check: exit ${run.code ?? run.signal}`);
			if (stdout.trim() === '') problems.push('check: no output');
			if (stderr !== '') problems.push(`check: stderr ${JSON.stringify(stderr.slice(0, 200))}`);
			if (/^unreadable: /m.test(stdout) && run.code !== 2) problems.push(`check: an unreadable line but exit ${run.code}`);
			continue;
		}
		if (run.code === 2) {
			if (stdout !== '') problems.push(`${mode}: exit 2 with stdout ${JSON.stringify(stdout.slice(0, 100))}`);
			if (!/^wbtop: [^\n]+\n$/.test(stderr)) problems.push(`${mode}: exit 2 without exactly one "wbtop: …" line on stderr: ${JSON.stringify(stderr.slice(0, 300))}`);
			continue;
		}
		if (run.code !== 0) {
			problems.push(`${mode}: exit ${run.code ?? run.signal} (0, or 2 for a fatal error)`);
			continue;
		}
		if (stderr !== '') problems.push(`${mode}: exit 0 with stderr ${JSON.stringify(stderr.slice(0, 200))}`);
		if (mode === 'once') {
			const lines = stdout.replace(/\n$/, '').split('\n');
			if (lines.length !== HEIGHT - 1) problems.push(`once: ${lines.length} lines, expected ${HEIGHT - 1}`);
			const wide = lines.findIndex(line => stringWidth(line) > WIDTH);
			if (wide >= 0) problems.push(`once: line ${wide} is ${stringWidth(lines[wide])} columns wide`);
		}
		if (mode === 'line' && stdout.split('\n').length !== 2) problems.push(`line: not one line: ${JSON.stringify(stdout.slice(0, 200))}`);
	}
	let doc: Doc | null = null;
	if (runs.json.code === 0) {
		try {
			doc = JSON.parse(runs.json.stdout.toString('utf8')) as Doc;
		} catch (error) {
			problems.push(`json: not JSON: ${(error as Error).message}`);
		}
	}
	// The one-shot modes that read the whole log agree on whether it could be read.
	if (new Set([codes.once, codes.json, codes.export]).size > 1) problems.push(`exit codes differ: once ${codes.once}, json ${codes.json}, export ${codes.export}`);
	if ((codes.json === 2) !== /^unreadable: /m.test(runs.check.stdout.toString('utf8'))) problems.push(`json exit ${codes.json} but --check ${JSON.stringify(runs.check.stdout.toString('utf8').slice(0, 200))}`);

	if (c.sideOnly) {
		// Only side files replaced: the rest of the run shows as it does unmodified.
		for (const [mode] of MODES) if (mode !== 'check' && runs[mode].code !== 0) problems.push(`${mode}: exit ${runs[mode].code} with only side files replaced`);
		if (doc) {
			if (doc.history.rows !== base.doc.history.rows) problems.push(`json: history.rows ${doc.history.rows}, unmodified ${base.doc.history.rows}`);
			if (JSON.stringify(doc.history.metrics) !== JSON.stringify(base.doc.history.metrics)) problems.push('json: history.metrics differ from the unmodified copy');
			if (c.fixture.format === 'binary' && (doc.run.id !== base.doc.run.id || doc.run.name !== base.doc.run.name || doc.run.state !== base.doc.run.state)) problems.push(`json: run ${JSON.stringify(doc.run)} differs from the unmodified ${JSON.stringify(base.doc.run)}`);
			const fileAlerts = doc.alerts.filter(alert => alert.kind === 'file');
			for (const rep of c.replacements) {
				if (refusedKind(rep.kind, rep.place.file) && readsFile(c, rep.place.file, base) && !fileAlerts.some(alert => alert.message.includes(rep.place.file))) {
					problems.push(`json: ${rep.place.file} (${rep.kind}) refused but not named in a file alert: ${JSON.stringify(fileAlerts)}`);
				}
			}
			for (const alert of fileAlerts) if (!c.replacements.some(rep => alert.message.includes(rep.place.file))) problems.push(`json: a file alert for a file not replaced: ${alert.message}`);
		}
		if (runs.export.code === 0 && runs.export.stdout.toString('utf8') !== base.export) problems.push('export: output differs from the unmodified copy');
	}
	return problems;
}

maybe('special files in place of run files (built binary, every script mode)', () => {
	beforeAll(() => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-special-'));
	});
	afterAll(() => {
		if (tmp) fs.rmSync(tmp, {recursive: true, force: true});
	});

	const indexes = ONLY !== null ? [ONLY] : Array.from({length: CASES}, (_, i) => i);

	it(`${indexes.length} cases (kinds: ${availableKinds().join(', ')}${IS_ROOT ? '; no mode-000 files as root' : ''}): no hang, documented exit codes, one-line errors, small, the run shown`, async () => {
		const started = Date.now();
		const failures: string[] = [];
		const stats = {runs: 0, slowestMs: 0, slowest: '', peakKb: 0, fatal: 0, kinds: {} as Record<string, number>};
		const jobs = indexes.map(index => async () => {
			const c = specialCase(index, SEED);
			for (const rep of c.replacements) stats.kinds[`${rep.place.role}:${rep.kind}`] = (stats.kinds[`${rep.place.role}:${rep.kind}`] ?? 0) + 1;
			const caseRoot = fs.mkdtempSync(path.join(tmp, `case-${index}-`));
			try {
				const runDir = buildSpecialCase(caseRoot, c);
				const base = await baseline(c.fixture.id);
				const runs = {} as Record<Mode, RawRun>;
				for (const [mode, args] of MODES) {
					runs[mode] = await runCliRaw(args(runDir), {timeoutMs: HANG_MS});
					stats.runs++;
					if (runs[mode].ms > stats.slowestMs) {
						stats.slowestMs = runs[mode].ms;
						stats.slowest = `case ${index} ${mode} (${c.label})`;
					}
					stats.peakKb = Math.max(stats.peakKb, runs[mode].maxRssKb ?? 0);
				}
				if (runs.json.code === 2) stats.fatal++;
				const problems = checkCase(c, runs, base);
				if (problems.length > 0) failures.push(`case ${index} seed ${SEED} [${c.label}] (replay: WBTOP_SPECIAL_CASE=${index} WBTOP_FUZZ_SEED=${SEED} npx vitest run test/fuzz/special-files.test.ts)\n    ${problems.slice(0, 6).join('\n    ')}`);
			} finally {
				fs.rmSync(caseRoot, {recursive: true, force: true});
			}
		});
		await pool(PARALLEL, jobs);
		console.log(
			`special files: ${indexes.length} cases, ${stats.runs} CLI runs in ${((Date.now() - started) / 1000).toFixed(1)} s (${PARALLEL} at a time); ${stats.fatal} cases fatal (log refused); ` +
				`slowest ${stats.slowestMs} ms (${stats.slowest}); peak RSS ${(stats.peakKb / 1024).toFixed(0)} MB; replaced ${JSON.stringify(stats.kinds)}`,
		);
		expect(failures.length, `${failures.length} failing cases (seed ${SEED}):\n${failures.slice(0, 8).join('\n')}`).toBe(0);
	}, 240_000);

	it(`${LIVE_CASES} cases in the live session: the rows of the unmodified copy, the event loop never blocked`, async () => {
		// Side-file cases of runs with history rows, one per fixture; the child is killed if it blocks.
		const LIVE_FIXTURES = ['tlc2uulp', 'h0sbxufh', '31f67q0f', '29wa70cs', 'zp6vyhqw'];
		const live: number[] = [];
		for (let i = 0; live.length < LIVE_CASES && i < 500; i++) {
			const c = specialCase(i, SEED);
			const interesting = c.replacements.some(rep => ['fifo', 'dev-zero', 'dev-urandom', 'sparse-1g'].includes(rep.kind));
			if (c.sideOnly && interesting && LIVE_FIXTURES.includes(c.fixture.id) && !live.some(j => specialCase(j, SEED).fixture.id === c.fixture.id)) live.push(i);
		}
		if (ONLY !== null) live.splice(0, live.length, ONLY);
		const results = await runLiveChild(live);
		const problems: string[] = [];
		for (const result of results) {
			const where = `case ${result.index} seed ${result.seed} [${result.label}] (replay: node --import tsx test/fuzz/special-files-live.ts ${result.seed} ${result.index})`;
			if (result.error) problems.push(`${where}: threw ${result.error}`);
			if (result.maxGapMs > 1000) problems.push(`${where}: the event loop was blocked for ${result.maxGapMs.toFixed(0)} ms`);
			if (result.sideOnly && result.rows !== result.cleanRows) problems.push(`${where}: ${result.rows} rows after 1 s, the unmodified copy has ${result.cleanRows}`);
			if (result.sideOnly && result.runError !== null) problems.push(`${where}: run error ${result.runError}`);
		}
		console.log(`special files, live session: ${results.map(r => `#${r.index} ${r.label}: ${r.rows}/${r.cleanRows} rows, start ${r.startMs.toFixed(0)} ms, longest gap ${r.maxGapMs.toFixed(0)} ms`).join('; ')}`);
		expect(results.length).toBe(live.length);
		expect(problems).toEqual([]);
	}, 60_000);
});

// ---------------------------------------------------------------------------------------------
// Bugs this fuzz found, each kept as one small case. A new one starts as `it.fails` (it passes
// while the bug is there, with the case left out of the fuzz); once fixed, `.fails` goes.

maybe('bugs found by the fuzz (special files)', () => {
	let root: string;
	beforeAll(() => {
		root = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-special-known-'));
	});
	afterAll(() => fs.rmSync(root, {recursive: true, force: true}));

	// Found as case 70, seed 6230501 (29wa70cs: wandb-events.jsonl=sparse-1g(tail)). The legacy
	// reader's JsonlTail widened its window (doubling, no cap) until it held a newline, so a hole of
	// zeros (a preallocated or crash-damaged file) was read whole: 1.9 GB RSS and exit 2 with
	// "unreadable (ERR_STRING_TOO_LONG)" when the real lines follow the hole, 1.6 GB when they come
	// first. Now a line over MAX_LINE_BYTES is skipped and counted as corrupt.
	it.each(['wandb-history.jsonl', 'wandb-events.jsonl'])('a legacy %s followed by a 320 MiB hole: --once --json within 6 s and 300 MB of RSS, the hole one corrupt line', async file => {
		const clean = await runCliRaw(['--once', '--json', '--no-gpu', copyFixture(fs.mkdtempSync(path.join(root, 'clean-')), '29wa70cs')]);
		const cleanRows = (JSON.parse(clean.stdout.toString('utf8')) as Doc).history.rows;
		const runDir = copyFixture(fs.mkdtempSync(path.join(root, 'hole-')), '29wa70cs');
		const jsonl = path.join(runDir, file);
		fs.truncateSync(jsonl, fs.statSync(jsonl).size + 320 * 1024 * 1024);
		const result = await runCliRaw(['--once', '--json', '--no-gpu', runDir], {timeoutMs: HANG_MS});
		expect(result.code, result.stderr.toString()).toBe(0);
		expect(result.ms).toBeLessThan(QUICK_MS);
		if (result.maxRssKb !== null) expect(result.maxRssKb).toBeLessThan(MAX_RSS_KB);
		const doc = JSON.parse(result.stdout.toString('utf8')) as Doc & {integrity: {corruptChunks: number}};
		expect(doc.integrity.corruptChunks).toBe(1);
		expect(doc.history.rows).toBe(cleanRows);
	}, 30_000);

	// Found with the fix above: `--line` reads the end of a legacy wandb-history.jsonl through its
	// own loop (log-end.ts readJsonlRange), whose piece doubled with no cap, so a hole after the
	// last line was read whole when no window near the end held a row: 1.9 GB RSS, 5 s for 1 GB.
	it('a legacy wandb-history.jsonl followed by a 320 MiB hole: --line within 6 s and 300 MB of RSS', async () => {
		const runDir = copyFixture(fs.mkdtempSync(path.join(root, 'hole-line-')), '29wa70cs');
		const file = path.join(runDir, 'wandb-history.jsonl');
		fs.truncateSync(file, fs.statSync(file).size + 320 * 1024 * 1024);
		const result = await runCliRaw(['--line', '--no-gpu', runDir], {timeoutMs: HANG_MS});
		expect(result.code, result.stderr.toString()).toBe(0);
		expect(result.ms).toBeLessThan(QUICK_MS);
		if (result.maxRssKb !== null) expect(result.maxRssKb).toBeLessThan(MAX_RSS_KB);
	}, 30_000);

	// Found as case 92, seed 6230501 (tlc2uulp: run-tlc2uulp.wandb=sparse-1g(tail)): a log whose
	// header is zeros is read (not refused), and --once --json exits 0 with integrity.error, but
	// --check called it `unreadable:`, the word for the logs every mode refuses with exit 2.
	it('a .wandb log whose header is zeros: --check says corrupt (exit 2), --once --json gives the reason (exit 0)', async () => {
		const runDir = copyFixture(fs.mkdtempSync(path.join(root, 'zero-head-')), 'tlc2uulp');
		const log = path.join(runDir, fs.readdirSync(runDir).find(name => name.endsWith('.wandb'))!);
		fs.writeFileSync(log, Buffer.concat([Buffer.alloc(32 * 1024), fs.readFileSync(log)]));
		const check = await runCliRaw(['--check', runDir], {timeoutMs: HANG_MS});
		expect(check.code).toBe(2);
		expect(check.stdout.toString('utf8')).toMatch(/^corrupt: not a W&B run log: expected the header ":W&B"/);
		const json = await runCliRaw(['--once', '--json', '--no-gpu', runDir], {timeoutMs: HANG_MS});
		expect(json.code).toBe(0);
		expect((JSON.parse(json.stdout.toString('utf8')) as {integrity: {error: string}}).integrity.error).toMatch(/^not a W&B run log/);
	}, 30_000);

	// Found as case 86, seed 6230501 (29wa70cs: config.yaml=loop). legacy-reader.ts stats side
	// files first (signatureOf) and took any stat error for "missing": an ELOOP (or EACCES)
	// config.yaml, wandb-summary.json or wandb-metadata.json went unreported, where a FIFO, a
	// device or a directory there is a `file` alert (and output.log's loop is "unreadable (ELOOP)").
	it.each(['config.yaml', 'wandb-summary.json', 'wandb-metadata.json'])('legacy %s as a symlink loop is named in a file alert', async file => {
		const runDir = copyFixture(fs.mkdtempSync(path.join(root, 'loop-')), '29wa70cs');
		replace(path.join(runDir, file), 'loop', false);
		const result = await runCliRaw(['--once', '--json', '--no-gpu', runDir]);
		const doc = JSON.parse(result.stdout.toString('utf8')) as Doc;
		expect(doc.alerts.filter(alert => alert.kind === 'file').map(alert => alert.message)).toContainEqual(expect.stringContaining(file));
	});
});

function runLiveChild(indexes: number[]): Promise<LiveResult[]> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'fuzz', 'special-files-live.ts'), String(SEED), ...indexes.map(String)], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']});
		const results: LiveResult[] = [];
		let at = -1;
		let buffered = '';
		let stderr = '';
		let timer = setTimeout(onHang, 8000);
		function onHang() {
			child.kill('SIGKILL');
			reject(new Error(`live case ${at} (seed ${SEED}) blocked: no answer for 8 s (replay: node --import tsx test/fuzz/special-files-live.ts ${SEED} ${at})`));
		}
		child.stdout.setEncoding('utf8');
		child.stdout.on('data', (data: string) => {
			clearTimeout(timer);
			timer = setTimeout(onHang, 8000);
			buffered += data;
			const lines = buffered.split('\n');
			buffered = lines.pop()!;
			for (const line of lines) {
				const message = JSON.parse(line) as {at?: number; result?: LiveResult};
				if (message.at !== undefined) at = message.at;
				if (message.result) results.push(message.result);
			}
		});
		child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
		child.on('exit', code => {
			clearTimeout(timer);
			if (code === 0) resolve(results);
			else reject(new Error(`live child exited ${code} at case ${at}: ${stderr.slice(-2000)}`));
		});
	});
}
