/**
 * Draws hostile-text cases [from, to) in its own process (the test runs two, and can kill one
 * that hangs). Protocol on stdout, one JSON object per line: `{"at": i}` before case i, then
 * `{"summary": …}` at the end.
 *
 *   node --import tsx test/fuzz/hostile-text-child.ts FROM TO [SEED]
 *   node --import tsx test/fuzz/hostile-text-child.ts --case I [SEED]     (replay one case, verbose)
 */
import {checkCase, DEFAULT_SEED, hostileCase, type HostileSummary} from './hostile-cases.js';

const args = process.argv.slice(2);
const replay = args[0] === '--case';
const from = replay ? Number(args[1]) : Number(args[0]);
const to = replay ? from + 1 : Number(args[1]);
const seed = args[2] !== undefined ? Number(args[2]) : DEFAULT_SEED;
const summary: HostileSummary = {cases: 0, lines: 0, byRange: {}, byView: {}, failures: [], maxMs: 0, totalMs: 0};
const started = performance.now();
for (let i = from; i < to; i++) {
	process.stdout.write(`{"at":${i}}\n`);
	const t = performance.now();
	let problems: string[];
	let label = '';
	try {
		const c = hostileCase(i, seed);
		label = c.label;
		summary.byRange[c.size.range] = (summary.byRange[c.size.range] ?? 0) + 1;
		problems = checkCase(c, summary);
	} catch (error) {
		problems = [`case threw: ${(error as Error).stack?.split('\n').slice(0, 5).join(' | ')}`];
	}
	const ms = performance.now() - t;
	summary.maxMs = Math.max(summary.maxMs, ms);
	summary.cases++;
	if (problems.length > 0 && summary.failures.length < 50) summary.failures.push({index: i, seed, label, problems: problems.slice(0, 6)});
	if (replay) console.error(JSON.stringify({case: i, seed, label, ms, problems}, null, 2));
}
summary.totalMs = performance.now() - started;
process.stdout.write(JSON.stringify({summary}) + '\n');
