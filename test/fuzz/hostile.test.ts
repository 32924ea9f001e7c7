/**
 * Hostile files, through the real binary: a `.wandb` whose record chain declares 70 MiB, legacy
 * jsonl lines of 50 MB and with a million distinct keys, values nested 100,000 deep. wbtop must
 * finish, print a valid document, and its peak memory must stay within 300 MB of what the same
 * command takes on a tiny run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {BLOCK_SIZE, CHUNK_FIRST, CHUNK_FULL, CHUNK_LAST, CHUNK_MIDDLE, crc32} from '../../source/decode/log-framing.js';
import {ProtoWriter} from '../../source/decode/protobuf.js';
import {encodeHeader, encodeHistory, encodeRun, LogWriter} from '../../source/demo/writer.js';
import {CLI} from '../helpers/fixtures.js';

/** Prints the process's peak RSS (KiB) to stderr as it exits. */
const PEAK_RSS = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\nWBTOP_MAXRSS_KB='+process.resourceUsage().maxRSS+'\\n'))`;
const MAX_GROWTH_MB = 300;

let tmp: string;
let baselineKb = 0;

async function wbtopPeak(args: string[]): Promise<{exitCode: number | undefined; stdout: string; stderr: string; peakKb: number; ms: number}> {
	const started = Date.now();
	const result = await execa('node', ['--import', PEAK_RSS, CLI, ...args], {reject: false, env: {NO_COLOR: '1'}, timeout: 60_000, maxBuffer: 256 * 1024 * 1024});
	const peak = /WBTOP_MAXRSS_KB=(\d+)/.exec(result.stderr);
	return {exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr.replace(/\s*WBTOP_MAXRSS_KB=\d+\s*/, ''), peakKb: peak ? Number(peak[1]) : NaN, ms: Date.now() - started};
}

function runDir(name: string): string {
	const dir = path.join(tmp, 'wandb', name);
	fs.mkdirSync(dir, {recursive: true});
	return dir;
}

/** A chunk holding `payload` (or `length` bytes of 'A') with a valid CRC. */
function chunk(type: number, length: number, payload?: Uint8Array): Buffer {
	const out = Buffer.alloc(7 + length, 0x41);
	if (payload) out.set(payload, 7);
	out[6] = type;
	out.writeUInt16LE(length, 4);
	out.writeUInt32LE(crc32(out.subarray(6)), 0);
	return out;
}

/**
 * A normal row, then FIRST + MIDDLE chunks filling whole blocks until ~70 MiB are declared (with
 * a LAST or left open), then a normal row.
 */
function writeChainRun(name: string, withLast: boolean): string {
	const dir = runDir(name);
	const writer = new LogWriter();
	const file = path.join(dir, `run-${name.split('-').at(-1)}.wandb`);
	const fd = fs.openSync(file, 'w');
	fs.writeSync(fd, writer.header());
	fs.writeSync(fd, writer.record(encodeRun({runId: 'chain'})));
	fs.writeSync(fd, writer.record(encodeHistory({step: 0, values: {before: 1}})));
	fs.writeSync(fd, Buffer.alloc(BLOCK_SIZE - (writer.size % BLOCK_SIZE)));
	const blocks = Math.ceil((70 * 1024 * 1024) / (BLOCK_SIZE - 7));
	const middle = chunk(CHUNK_MIDDLE, BLOCK_SIZE - 7);
	for (let i = 0; i < blocks; i++) {
		fs.writeSync(fd, i === 0 ? chunk(CHUNK_FIRST, BLOCK_SIZE - 7) : i === blocks - 1 && withLast ? chunk(CHUNK_LAST, BLOCK_SIZE - 7) : middle);
	}
	// The chain ends on a block boundary: the next record is one FULL chunk at the block's start.
	const after = encodeHistory({step: 1, values: {after: 2}});
	fs.writeSync(fd, chunk(CHUNK_FULL, after.length, after));
	fs.closeSync(fd);
	return dir;
}

function writeLegacy(name: string, lines: string[]): string {
	const dir = runDir(name);
	const fd = fs.openSync(path.join(dir, 'wandb-history.jsonl'), 'w');
	for (const line of lines) fs.writeSync(fd, line + '\n');
	fs.closeSync(fd);
	return dir;
}

function manyKeys(n: number, keyLength: number): string {
	const parts: string[] = ['"_step":1'];
	for (let i = 0; i < n; i++) parts.push(`"${`k${i}`.padEnd(keyLength, '_')}":${i}`);
	return `{${parts.join(',')}}`;
}

beforeAll(async () => {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-hostile-'));
	const tiny = writeLegacy('run-20200101_000000-tiny0001', ['{"_step":0,"loss":1}', '{"_step":1,"loss":0.5}']);
	baselineKb = (await wbtopPeak(['--once', '--json', '--no-gpu', tiny])).peakKb;
	expect(baselineKb).toBeGreaterThan(10_000);
}, 60_000);
afterAll(() => {
	fs.rmSync(tmp, {recursive: true, force: true});
});

type Case = {name: string; build: () => string; check: (doc: any) => void};

const CASES: Case[] = [
	{
		name: '.wandb: a FIRST/MIDDLE… chain declaring 70 MiB, never closed',
		build: () => writeChainRun('run-20250301_120000-chain001', false),
		check: doc => {
			expect(doc.integrity.corruptChunks).toBeGreaterThanOrEqual(1);
			expect(Object.keys(doc.history.metrics).sort()).toEqual(['after', 'before']);
		},
	},
	{
		name: '.wandb: a FIRST/MIDDLE…/LAST record of 70 MiB (over the 64 MiB record cap)',
		build: () => writeChainRun('run-20250301_120000-chain002', true),
		check: doc => {
			expect(doc.integrity.corruptChunks).toBeGreaterThanOrEqual(1);
			expect(Object.keys(doc.history.metrics).sort()).toEqual(['after', 'before']);
		},
	},
	{
		name: 'legacy: a 50 MB single line (one string value) between normal rows',
		build: () => writeLegacy('run-20200101_000000-line0001', ['{"_step":0,"loss":1}', `{"_step":1,"loss":0.9,"blob":"${'A'.repeat(50_000_000)}"}`, '{"_step":2,"loss":0.8}']),
		check: doc => {
			expect(doc.history.rows).toBe(3);
			expect(doc.history.metrics.loss.count).toBe(3);
		},
	},
	{
		name: 'legacy: a 50 MB line without its newline at EOF (a write in progress)',
		build: () => {
			const dir = writeLegacy('run-20200101_000000-line0002', ['{"_step":0,"loss":1}']);
			fs.appendFileSync(path.join(dir, 'wandb-history.jsonl'), `{"_step":1,"blob":"${'B'.repeat(50_000_000)}`);
			return dir;
		},
		check: doc => {
			expect(doc.history.rows).toBe(1);
			expect(doc.integrity.tail).toBe('partial');
		},
	},
	{
		name: 'legacy: one line with 1,000,000 distinct keys (12 MB)',
		build: () => writeLegacy('run-20200101_000000-keys0001', ['{"_step":0,"loss":1}', manyKeys(1_000_000, 0), '{"_step":2,"loss":0.8}']),
		check: doc => {
			expect(doc.history.metrics.loss.count).toBe(2);
			expect(Object.keys(doc.history.metrics).length).toBeLessThanOrEqual(10_001);
		},
	},
	{
		name: 'legacy: one 50 MB line with 1,000,000 distinct 40-character keys',
		build: () => writeLegacy('run-20200101_000000-keys0002', ['{"_step":0,"loss":1}', manyKeys(1_000_000, 40), '{"_step":2,"loss":0.8}']),
		check: doc => {
			expect(doc.history.metrics.loss.count).toBe(2);
			expect(Object.keys(doc.history.metrics).length).toBeLessThanOrEqual(10_001);
		},
	},
	{
		name: 'legacy: one line with 60,000 keys (kept, capped at 10,000 per row)',
		build: () => writeLegacy('run-20200101_000000-keys0003', [manyKeys(60_000, 0)]),
		check: doc => {
			expect(doc.history.rows).toBe(1);
			const metrics = Object.keys(doc.history.metrics).length;
			expect(metrics).toBeGreaterThan(9000);
			expect(metrics).toBeLessThanOrEqual(10_000);
		},
	},
	{
		// Each row is under the per-row cap; the damage comes from distinct keys piling up across
		// rows (a per-run cap is needed where metrics are created: state/run-state.ts).
		name: 'legacy: 40 rows of 1,000 new keys each (40,000 distinct metrics from a 660 KB file)',
		build: () => writeLegacy('run-20200101_000000-keys0004', Array.from({length: 40}, (_, row) => JSON.stringify({_step: row, ...Object.fromEntries(Array.from({length: 1000}, (_, i) => [`r${row}_k${i}`, i]))}))),
		check: doc => {
			expect(doc.history.rows).toBe(40);
		},
	},
	{
		name: 'values nested 100,000 deep (.wandb item and legacy line)',
		build: () => {
			const deep = '['.repeat(100_000) + ']'.repeat(100_000);
			const dir = runDir('run-20250301_120000-deep0001');
			const writer = new LogWriter();
			const item = new ProtoWriter().stringField(1, 'deep').stringField(16, `{"a":${deep}}`);
			const history = new ProtoWriter().messageField(2, new ProtoWriter().messageField(1, item).messageField(1, new ProtoWriter().stringField(1, 'loss').stringField(16, '0.5')).messageField(2, new ProtoWriter().varintField(1, 3))).finish();
			const parts = [writer.header(), writer.record(encodeHeader()), writer.record(history), writer.record(encodeHistory({step: 4, values: {loss: 0.4}}))];
			fs.writeFileSync(path.join(dir, 'run-deep0001.wandb'), Buffer.concat(parts));
			return dir;
		},
		check: doc => {
			expect(doc.history.metrics.loss.count).toBe(2);
		},
	},
];

describe('hostile files through wbtop --once --json', () => {
	it.each(CASES)('$name: finishes, valid JSON, peak RSS within 300 MB of a tiny run', async ({build, check}) => {
		const dir = build();
		const result = await wbtopPeak(['--once', '--json', '--no-gpu', dir]);
		const growthMb = (result.peakKb - baselineKb) / 1024;
		console.log(`hostile ${path.basename(dir)}: exit ${result.exitCode} in ${result.ms} ms, peak RSS ${(result.peakKb / 1024).toFixed(0)} MB (tiny run ${(baselineKb / 1024).toFixed(0)} MB, growth ${growthMb.toFixed(0)} MB)`);
		expect(result.exitCode, result.stderr).toBe(0);
		expect(result.stderr).toBe('');
		check(JSON.parse(result.stdout));
		expect(growthMb).toBeLessThan(MAX_GROWTH_MB);
		fs.rmSync(dir, {recursive: true, force: true});
	}, 90_000);

	it('the dashboard text (--once) on the legacy 1M-key line and the deep values draws within its width', async () => {
		for (const build of [CASES[4].build, CASES[8].build]) {
			const dir = build();
			const result = await wbtopPeak(['--once', '--no-gpu', '--width', '100', '--height', '30', dir]);
			expect(result.exitCode, result.stderr).toBe(0);
			for (const line of result.stdout.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
			expect((result.peakKb - baselineKb) / 1024).toBeLessThan(MAX_GROWTH_MB);
			fs.rmSync(dir, {recursive: true, force: true});
		}
	}, 90_000);
});
