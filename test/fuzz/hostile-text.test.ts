/**
 * Hostile text everywhere wbtop draws run, host or session strings (hostile-cases.ts): metric and
 * step-metric names, recorded system-stats keys, summary and config keys and values, console
 * output (and the alerts it raises), run name / project / tags / notes, run dir names (the runs
 * list, the "following new run" notice), GPU and GPU-process names, nvidia-smi error messages,
 * typed filters and searches; at random sizes from 1x2 to 250x70 and random UI states.
 *
 * In-process (two child processes, so a hang is killed and named): every line of every screen,
 * painted in colour, mono and plain, holds printable text and (colour/mono) SGR only, is exactly
 * `columns` wide as a terminal counts it (string-width, after the UTF-8 round trip stdout makes),
 * and the screen has exactly max(1, rows-1) lines.
 *
 * Through the built binary (`npm run build` first): --once, --once --json, --check, --line,
 * export --csv / --jsonl on run dirs written with hostile strings (the run dir's name too); their
 * stdout and stderr bytes are checked the same way (JSON must parse and hold no raw control, C1
 * or bidi character).
 *
 * Replay one in-process case: node --import tsx test/fuzz/hostile-text-child.ts --case N [SEED]
 * Other seed / count: WBTOP_FUZZ_SEED=… WBTOP_FUZZ_CASES=… npx vitest run test/fuzz/hostile-text.test.ts
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {encodeFraming, encodeHeader, encodeHistory, encodeRun, encodeSummary} from '../../source/demo/writer.js';
import {initialHostState} from '../../source/state/host-state.js';
import {initialUiState, reduceUiInput} from '../../source/state/ui-state.js';
import {ScreenBuilder} from '../../source/view/screen.js';
import {CLI} from '../helpers/fixtures.js';
import {runCaseChild} from '../helpers/case-child.js';
import {hasMkfifo, makeFifo} from '../helpers/hostile-files.js';
import {caseRand, DEFAULT_SEED, hostileRun, runStateOf, writeHostileRunDir, type HostileSummary} from './hostile-cases.js';
import {crashSigns, pool, runCliRaw, type RawRun} from './cli-run.js';
import {displayWidth, terminalProblems} from './hostile-strings.js';

const SEED = Number(process.env.WBTOP_FUZZ_SEED ?? DEFAULT_SEED);
const CASES = Number(process.env.WBTOP_FUZZ_CASES ?? 600);
const WORKERS = 2;
const HANG_MS = 20_000;
const CLI_CASES = Number(process.env.WBTOP_FUZZ_CLI_CASES ?? 8);
const built = fs.existsSync(CLI);

function runChild(from: number, to: number): Promise<HostileSummary> {
	return runCaseChild<HostileSummary>({
		script: 'test/fuzz/hostile-text-child.ts',
		args: [String(from), String(to), String(SEED)],
		from,
		name: `hostile-text (seed ${SEED})`,
		hangMs: HANG_MS,
		replay: at => `replay: node --import tsx test/fuzz/hostile-text-child.ts --case ${at} ${SEED}`,
	});
}

describe('hostile text on every screen (in-process)', () => {
	it(`${CASES} cases: only printable text and SGR, every line exactly as wide as the screen, max(1, rows-1) lines`, async () => {
		const started = Date.now();
		const per = Math.ceil(CASES / WORKERS);
		const parts = await Promise.all(Array.from({length: WORKERS}, (_, w) => runChild(w * per, Math.min(CASES, (w + 1) * per))));
		const merge = (key: 'byRange' | 'byView') => {
			const out: Record<string, number> = {};
			for (const part of parts) for (const [k, n] of Object.entries(part[key])) out[k] = (out[k] ?? 0) + n;
			return out;
		};
		const failures = parts.flatMap(part => part.failures);
		const cases = parts.reduce((n, part) => n + part.cases, 0);
		const lines = parts.reduce((n, part) => n + part.lines, 0);
		console.log(
			`hostile text: ${cases} cases (seed ${SEED}; sizes ${JSON.stringify(merge('byRange'))}; views ${JSON.stringify(merge('byView'))}), ${lines} lines x 3 paint modes, ` +
				`${((Date.now() - started) / 1000).toFixed(1)} s wall on ${WORKERS} processes, slowest case ${Math.max(...parts.map(p => p.maxMs)).toFixed(0)} ms`,
		);
		expect(cases).toBe(CASES);
		const message = failures
			.slice(0, 5)
			.map(f => `case ${f.index} seed ${f.seed} (${f.label}); replay: node --import tsx test/fuzz/hostile-text-child.ts --case ${f.index} ${f.seed}\n    ${f.problems.slice(0, 3).join('\n    ')}`)
			.join('\n');
		expect(failures.length, `${failures.length} failing cases:\n${message}`).toBe(0);
		const views = merge('byView');
		for (const view of ['dashboard', 'compact', 'tiny', 'help', 'runs']) expect(views[view] ?? 0, `view ${view} drawn`).toBeGreaterThan(CASES / 50);
	}, 120_000);
});

// ---------------------------------------------------------------------------------------------
// Bugs the fuzz found, each kept as one small case (a new one starts as `it.fails`, with its class
// in KNOWN_BUG_CLASSES in hostile-cases.ts, until it is fixed).

describe('fixed bugs (hostile text)', () => {
	it('a lone surrogate (Backspace after an emoji at the / prompt, or a JSON-escaped "\\ud83d" value) is drawn one column wide, as wide as it is counted', () => {
		// The user types "😀" at the / prompt and presses Backspace: reduceUiInput drops one UTF-16 unit.
		let ui = reduceUiInput({...initialUiState(), input: {target: 'filter', text: ''}}, '😀', {});
		ui = reduceUiInput(reduceUiInput(ui, '', {backspace: true}), '', {return: true});
		// And a summary string value written as JSON "a\ud83d" (Python's json.dumps of a surrogate-escaped path).
		const state = runStateOf({id: 'sur1', records: [encodeHeader(), encodeRun({runId: 'sur1', displayName: 'r'}), encodeHistory({step: 1, values: {loss: 1}}), encodeSummary({update: {note: 'a\ud83d'}})], outputLog: null, stepMetric: null}, Date.now());
		const snap = {version: 1, run: state, host: initialHostState(), runDir: '/tmp/wandb/run-20250301_120000-sur1', notice: null, runError: null, runGone: false, alerts: [], runs: null, paused: null};
		const screen = new ScreenBuilder().build({snap, ui, columns: 100, rows: 30, now: Date.now(), pulse: 0});
		const problems = screen.lines.flatMap((line, y) => [...terminalProblems(line.paint('plain'), {allowSgr: false}), ...(displayWidth(line.paint('plain')) === 100 ? [] : [`line ${y}: ${displayWidth(line.paint('plain'))} columns`])]);
		expect(problems).toEqual([]);
	});

	const maybeFifo = built && hasMkfifo ? it : it.skip;
	maybeFifo('a run dir named with escape sequences whose log cannot be read: the one-line error (stderr, and --check stdout) carries none of them', async () => {
		const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-hostile-err-'));
		try {
			const wandbDir = path.join(tmp, 'wandb');
			const runDir = path.join(wandbDir, 'run-20250301_120000-x\x1b]0;PWNED-TITLE\x07\x1b[2Jy');
			fs.mkdirSync(runDir, {recursive: true});
			makeFifo(path.join(runDir, 'run-xy.wandb'));
			const problems: string[] = [];
			for (const args of [['--once', '--no-gpu', wandbDir], ['--check', wandbDir], ['--line', '--no-gpu', wandbDir]]) {
				const result = await runCliRaw(args);
				for (const [stream, bytes] of [['stdout', result.stdout], ['stderr', result.stderr]] as const) {
					for (const line of bytes.toString('utf8').split('\n')) for (const problem of terminalProblems(line, {allowSgr: false})) problems.push(`${args[0]} ${stream}: ${problem}`);
				}
			}
			expect(problems).toEqual([]);
		} finally {
			fs.rmSync(tmp, {recursive: true, force: true});
		}
	}, 30_000);

	const maybeBuilt = built ? it : it.skip;
	maybeBuilt('--line (a tmux status bar) and export --csv print no bidi overrides or zero-width characters of run and metric names', async () => {
		const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-hostile-bidi-'));
		try {
			const runDir = path.join(tmp, 'wandb', 'run-20250301_120000-bidi0001');
			fs.mkdirSync(runDir, {recursive: true});
			fs.writeFileSync(path.join(runDir, 'run-bidi0001.wandb'), encodeFraming([encodeHeader({producer: '0.22.3'}), encodeRun({runId: 'bidi0001', displayName: 'name\u202egpj.exe\u200b'}), encodeHistory({step: 1, values: {'loss\u2066x': 1, _step: 1}})]));
			const problems: string[] = [];
			for (const args of [['--line', '--no-gpu', runDir], ['export', runDir, '--csv']]) {
				const result = await runCliRaw(args);
				for (const line of result.stdout.toString('utf8').split('\n')) for (const problem of terminalProblems(line, {allowSgr: false})) problems.push(`${args[0]}: ${problem}`);
			}
			expect(problems).toEqual([]);
		} finally {
			fs.rmSync(tmp, {recursive: true, force: true});
		}
	}, 30_000);
});

// ---------------------------------------------------------------------------------------------
// Through the built binary.

type Mode = 'once' | 'json' | 'check' | 'line' | 'csv' | 'jsonl';

/** Problems a mode is allowed for a known bug (tested above with it.fails): none now. */
const KNOWN_CLI: Partial<Record<Mode, RegExp>> = {};

/** Raw characters JSON text must not carry (it may escape them): C0 but newline, DEL, C1, bidi, line separators. */
const JSON_RAW = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

function textLines(bytes: Buffer): string[] {
	const text = bytes.toString('utf8');
	return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

function checkCliRun(mode: Mode, result: RawRun, size: {width: number; height: number}, expected: {name: string | null}): string[] {
	const problems: string[] = [];
	if (result.timedOut) return [`${mode}: timed out after ${result.ms} ms`];
	const stderr = result.stderr.toString('utf8');
	for (const sign of crashSigns(stderr)) problems.push(`${mode}: ${sign}`);
	if (stderr !== '') problems.push(`${mode}: stderr not empty: ${JSON.stringify(stderr.slice(0, 200))}`);
	if (mode === 'check' ? ![0, 1, 2].includes(result.code ?? -1) : result.code !== 0) problems.push(`${mode}: exit ${result.code ?? result.signal}`);
	if (result.maxRssKb !== null && result.maxRssKb > 300 * 1024) problems.push(`${mode}: peak RSS ${(result.maxRssKb / 1024).toFixed(0)} MB`);
	const known = KNOWN_CLI[mode];
	const lines = textLines(result.stdout);
	if (mode === 'json' || mode === 'jsonl') {
		const raw = JSON_RAW.exec(result.stdout.toString('utf8'));
		if (raw) problems.push(`${mode}: raw U+${raw[0].charCodeAt(0).toString(16).padStart(4, '0')} in the JSON text`);
		for (const line of mode === 'jsonl' ? lines : [result.stdout.toString('utf8')]) {
			try {
				const doc = JSON.parse(line) as {run?: {name: string | null}};
				if (mode === 'json' && doc.run?.name !== expected.name) problems.push(`json: run.name ${JSON.stringify(doc.run?.name)} is not the run's name ${JSON.stringify(expected.name)} (the data must stay exact)`);
			} catch (error) {
				problems.push(`${mode}: not JSON: ${(error as Error).message}`);
				break;
			}
		}
		return problems;
	}
	if (mode === 'once' && lines.length !== size.height - 1) problems.push(`once: ${lines.length} lines, expected ${size.height - 1}`);
	if (mode === 'line' && lines.length !== 1) problems.push(`line: ${lines.length} lines, expected 1`);
	lines.forEach((line, y) => {
		for (const problem of terminalProblems(line, {allowSgr: false, allowTab: mode === 'csv', allowEmojiParts: mode === 'csv'})) if (!known?.test(problem)) problems.push(`${mode} line ${y}: ${problem}`);
		if (mode === 'once' && displayWidth(line) > size.width) problems.push(`once line ${y}: ${displayWidth(line)} columns, more than ${size.width}`);
	});
	return problems;
}

const maybeCli = built ? describe : describe.skip;

maybeCli('hostile text through the built binary', () => {
	let tmp: string;
	beforeAll(() => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-hostile-text-'));
	});
	afterAll(() => fs.rmSync(tmp, {recursive: true, force: true}));

	it(`${CLI_CASES} hostile runs: --once, --once --json, --check, --line, export --csv/--jsonl print only what a terminal shows as text`, async () => {
		const started = Date.now();
		const jobs: Array<() => Promise<string[]>> = [];
		for (let i = 0; i < CLI_CASES; i++) {
			const r = caseRand(i, SEED, 1);
			const run = hostileRun(r);
			const wandbDir = path.join(tmp, `wandb-${i}`);
			writeHostileRunDir(wandbDir, r, run);
			const name = runStateOf(run, Date.now()).info?.name ?? null;
			const size = {width: r.int(20, 250), height: r.int(5, 70)};
			const modes: Array<[Mode, string[]]> = [
				['once', ['--once', '--no-gpu', '--width', String(size.width), '--height', String(size.height), wandbDir]],
				['json', ['--once', '--json', '--no-gpu', wandbDir]],
				['check', ['--check', wandbDir]],
				['line', ['--line', '--no-gpu', wandbDir]],
				['csv', ['export', wandbDir, '--csv']],
				['jsonl', ['export', wandbDir, '--jsonl']],
			];
			for (const [mode, args] of modes) {
				jobs.push(async () => {
					const result = await runCliRaw(args, {timeoutMs: 15_000});
					return checkCliRun(mode, result, size, {name}).map(problem => `case ${i} seed ${SEED} (${size.width}x${size.height}): ${problem}`);
				});
			}
		}
		const problems = (await pool(WORKERS, jobs)).flat();
		console.log(`hostile text, built binary: ${CLI_CASES} runs x 6 modes in ${((Date.now() - started) / 1000).toFixed(1)} s`);
		expect(problems.slice(0, 12), `${problems.length} problems (rebuild the case with caseRand(i, seed, 1) in hostile-cases.ts)`).toEqual([]);
	}, 120_000);
});
