/**
 * Special-file cases through the live session, in-process, in a child of its own (a blocking
 * open or an endless read would block its event loop for good: the test kills it and names the
 * case). For each case: LiveSession with {gpu: false, follow: false, poll: false, intervalMs: 1000},
 * ~1 s of it while a 50 ms interval measures how long the event loop went without a turn, then
 * the snapshot's rows, compared with those of the unmodified copy (read with loadRun).
 *
 *   node --import tsx test/fuzz/special-files-live.ts SEED I [I...]
 *
 * Prints one JSON line per case: `{"at": i}` before it, `{"result": …}` after it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {loadRun} from '../../source/modes/load.js';
import {LiveSession} from '../../source/modes/session.js';
import {locateRun} from '../../source/sources/locate.js';
import {buildSpecialCase, copyFixture, specialCase} from './special-cases.js';

export type LiveResult = {index: number; seed: number; label: string; sideOnly: boolean; rows: number | null; cleanRows: number; maxGapMs: number; startMs: number; error: string | null; runError: string | null; fileProblems: string[]};

const [seedText, ...indexes] = process.argv.slice(2);
const seed = Number(seedText);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-special-live-'));

async function runOne(index: number): Promise<LiveResult> {
	const c = specialCase(index, seed);
	const caseRoot = fs.mkdtempSync(path.join(root, `case-${index}-`));
	const cleanRoot = fs.mkdtempSync(path.join(root, `clean-${index}-`));
	const cleanRows = loadRun(copyFixture(cleanRoot, c.fixture.id)).state.rows;
	const runDir = buildSpecialCase(caseRoot, c);
	const result: LiveResult = {index, seed, label: c.label, sideOnly: c.sideOnly, rows: null, cleanRows, maxGapMs: 0, startMs: 0, error: null, runError: null, fileProblems: []};
	let last = performance.now();
	const ticker = setInterval(() => {
		const now = performance.now();
		result.maxGapMs = Math.max(result.maxGapMs, now - last);
		last = now;
	}, 50);
	let session: LiveSession | null = null;
	try {
		// Let the ticker start before the session's synchronous first read.
		await new Promise(resolve => setTimeout(resolve, 60));
		const started = performance.now();
		session = new LiveSession(locateRun(runDir), {gpu: false, follow: false, poll: false, intervalMs: 1000});
		session.start();
		result.startMs = performance.now() - started;
		await new Promise(resolve => setTimeout(resolve, 1000));
		const snap = session.snapshot();
		result.rows = snap.run.rows;
		result.runError = snap.runError;
		result.fileProblems = [...snap.run.fileProblems.values()];
	} catch (error) {
		result.error = (error as Error).stack?.split('\n').slice(0, 4).join(' | ') ?? String(error);
	} finally {
		session?.stop();
		const now = performance.now();
		result.maxGapMs = Math.max(result.maxGapMs, now - last);
		clearInterval(ticker);
		fs.rmSync(caseRoot, {recursive: true, force: true});
		fs.rmSync(cleanRoot, {recursive: true, force: true});
	}
	return result;
}

try {
	for (const text of indexes) {
		const index = Number(text);
		process.stdout.write(JSON.stringify({at: index}) + '\n');
		process.stdout.write(JSON.stringify({result: await runOne(index)}) + '\n');
	}
} finally {
	fs.rmSync(root, {recursive: true, force: true});
}
process.exit(0);
