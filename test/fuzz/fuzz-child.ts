/**
 * Runs fuzz cases [from, to) in its own process, so the test can kill it if a case hangs (a
 * synchronous infinite loop cannot be interrupted from inside). Protocol on stdout, one JSON
 * object per line: `{"at": i}` before case i, then `{"summary": …}` at the end.
 *
 *   node --import tsx test/fuzz/fuzz-child.ts FROM TO [SEED]
 *   node --import tsx test/fuzz/fuzz-child.ts --case I [SEED]     (replay one case, verbose)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {caseAt} from './cases.js';
import {makeRunDirs, runCase} from './run-case.js';

export type ChildSummary = {
	from: number;
	to: number;
	cases: number;
	failures: Array<{index: number; source: string; mutation: string; problems: string[]}>;
	maxMs: number;
	maxMsCase: string;
	totalMs: number;
	/** Cases where a single payload byte was flipped (CRC must catch it). */
	payloadFlips: number;
	payloadFlipsDetected: number;
	withCorruption: number;
	withHeaderError: number;
	rendered: number;
	events: number;
	byKind: Record<string, number>;
	peakRssBytes: number;
};

const args = process.argv.slice(2);
const replay = args[0] === '--case';
const from = replay ? Number(args[1]) : Number(args[0]);
const to = replay ? from + 1 : Number(args[1]);
const seed = args[2] !== undefined ? Number(args[2]) : undefined;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-fuzz-'));
const dirs = makeRunDirs(root);
const summary: ChildSummary = {
	from,
	to,
	cases: 0,
	failures: [],
	maxMs: 0,
	maxMsCase: '',
	totalMs: 0,
	payloadFlips: 0,
	payloadFlipsDetected: 0,
	withCorruption: 0,
	withHeaderError: 0,
	rendered: 0,
	events: 0,
	byKind: {},
	peakRssBytes: 0,
};
const started = performance.now();
try {
	for (let i = from; i < to; i++) {
		process.stdout.write(`{"at":${i}}\n`);
		const c = caseAt(i, seed);
		const result = runCase(c, dirs, replay || i % 50 === 0);
		summary.cases++;
		summary.events += result.events;
		summary.byKind[c.kind] = (summary.byKind[c.kind] ?? 0) + 1;
		if (result.rendered) summary.rendered++;
		if (result.integrity && result.integrity.corruptChunks > 0) summary.withCorruption++;
		if (result.error) summary.withHeaderError++;
		if (c.expectCorrupt) {
			summary.payloadFlips++;
			if (result.integrity && result.integrity.corruptChunks > 0) summary.payloadFlipsDetected++;
		}
		if (result.ms > summary.maxMs) {
			summary.maxMs = result.ms;
			summary.maxMsCase = `#${i} ${c.source}: ${c.mutation}`;
		}
		if (result.ms > 2000) result.problems.push(`decode took ${result.ms.toFixed(0)} ms (limit 2000)`);
		if (result.problems.length > 0 && summary.failures.length < 50) summary.failures.push({index: i, source: c.source, mutation: c.mutation, problems: result.problems.slice(0, 5)});
		if (replay) console.error(JSON.stringify({case: c.index, source: c.source, mutation: c.mutation, bytes: c.bytes.length, ...result}, null, 2));
		const rss = process.memoryUsage.rss();
		if (rss > summary.peakRssBytes) summary.peakRssBytes = rss;
	}
} finally {
	fs.rmSync(root, {recursive: true, force: true});
}
summary.totalMs = performance.now() - started;
summary.peakRssBytes = Math.max(summary.peakRssBytes, process.resourceUsage().maxRSS * 1024);
process.stdout.write(JSON.stringify({summary}) + '\n');
