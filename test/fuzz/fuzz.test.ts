/**
 * 10,000 fuzz cases from the real fixtures (see cases.ts): byte flips, truncations, splices of two
 * files, duplicated/removed blocks, huge declared lengths, zeroed blocks, protobuf garbage behind
 * valid CRCs, relabelled chunk chains, hostile keys and values, for `.wandb` logs and legacy
 * jsonl/json files. Each is decoded the way wbtop reads a run. The cases run in two child
 * processes, so a case that hangs can be killed and named.
 */
import {describe, expect, it} from 'vitest';
import {runCaseChild} from '../helpers/case-child.js';
import type {ChildSummary} from './fuzz-child.js';

const CASES = 10_000;
const WORKERS = 2;
/** A child that prints nothing for this long is stuck in a case. */
const HANG_MS = 15_000;

function runChild(from: number, to: number): Promise<ChildSummary> {
	return runCaseChild<ChildSummary>({
		script: 'test/fuzz/fuzz-child.ts',
		args: [String(from), String(to)],
		from,
		name: 'fuzz',
		hangMs: HANG_MS,
		replay: at => `replay: node --import tsx test/fuzz/fuzz-child.ts --case ${at}`,
	});
}

describe('fuzzing the run readers with damaged real runs', () => {
	it(`${CASES} cases: no throw, no hang, each decode < 2 s, corrupt chunks counted, events well-formed`, async () => {
		const started = Date.now();
		const per = Math.ceil(CASES / WORKERS);
		const parts = await Promise.all(Array.from({length: WORKERS}, (_, w) => runChild(w * per, Math.min(CASES, (w + 1) * per))));
		const wallMs = Date.now() - started;
		const sum = (key: keyof ChildSummary) => parts.reduce((total, part) => total + (part[key] as number), 0);
		const slowest = parts.reduce((a, b) => (a.maxMs >= b.maxMs ? a : b));
		const failures = parts.flatMap(part => part.failures);
		const byKind: Record<string, number> = {};
		for (const part of parts) for (const [kind, n] of Object.entries(part.byKind)) byKind[kind] = (byKind[kind] ?? 0) + n;
		console.log(
			`fuzz: ${sum('cases')} cases (${Object.entries(byKind).map(([k, n]) => `${k} ${n}`).join(', ')}) in ${(wallMs / 1000).toFixed(1)} s wall on ${WORKERS} processes; ` +
				`${sum('events')} events; ${sum('withCorruption')} cases with corrupt chunks counted; payload flips caught ${sum('payloadFlipsDetected')}/${sum('payloadFlips')}; ` +
				`${sum('withHeaderError')} rejected as not a wandb log; ${sum('rendered')} drawn as --once text and --json; ` +
				`slowest decode ${slowest.maxMs.toFixed(0)} ms (${slowest.maxMsCase.slice(0, 120)}); peak RSS ${(Math.max(...parts.map(p => p.peakRssBytes)) / 1e6).toFixed(0)} MB`,
		);
		expect(sum('cases')).toBe(CASES);
		expect(failures.slice(0, 10), `${failures.length}+ failing cases; replay one with: node --import tsx test/fuzz/fuzz-child.ts --case N`).toEqual([]);
		expect(sum('payloadFlips')).toBeGreaterThan(500);
		expect(sum('payloadFlipsDetected')).toBe(sum('payloadFlips'));
		expect(sum('withCorruption')).toBeGreaterThan(CASES / 10);
		expect(slowest.maxMs).toBeLessThan(2000);
		expect(sum('rendered')).toBeGreaterThanOrEqual(CASES / 50);
	}, 240_000);
});
