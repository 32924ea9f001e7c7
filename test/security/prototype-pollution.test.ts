/**
 * A crafted run must not reach Object.prototype. Before the fix, a core-encoded media item with
 * the nested_key path `img.__proto__.shell` made the record decoder write `Object.prototype.shell`,
 * and execa then spawned nvidia-smi through that "shell": `wbtop --line RUN` ran a program the
 * run chose. Checked in-process (every reader path) and through the binary with a fake nvidia-smi.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ProtoWriter} from '../../source/decode/protobuf.js';
import {readRunOnce} from '../../source/sources/run-reader.js';
import {encodeFraming, encodeHeader, encodeRun, encodeStats} from '../../source/demo/writer.js';
import {initialRunState, reduceRunEvents} from '../../source/state/run-state.js';
import {CLI, ROOT} from '../helpers/fixtures.js';

let tmp: string;
let marker: string;
let evilShell: string;

/** One history item: core `nested_key` path, or Python top-level `key`. */
function item(parts: string[], json: string, python = false): ProtoWriter {
	const w = new ProtoWriter();
	if (python) w.stringField(1, parts.join('.'));
	else for (const part of parts) w.stringField(2, part);
	return w.stringField(16, json);
}

function historyRecord(items: ProtoWriter[], step: number): Uint8Array {
	const body = new ProtoWriter();
	for (const it of items) body.messageField(1, it);
	body.messageField(2, new ProtoWriter().varintField(1, step));
	return new ProtoWriter().messageField(2, body).finish();
}

/** Every carrier of a `__proto__` path we know of, aimed at `shell` (and a harmless marker key). */
function writePoisonedBinaryRun(): string {
	const dir = path.join(tmp, 'wandb', 'run-20250301_120000-proto001');
	fs.mkdirSync(dir, {recursive: true});
	const shell = JSON.stringify(evilShell);
	const records = [
		encodeHeader({producer: '0.22.3'}),
		// JSON.parse makes `__proto__` an own key (an object literal would set the prototype instead).
		encodeRun({runId: 'proto001', displayName: 'poisoned', config: JSON.parse(`{"__proto__": {"shell": ${shell}}, "lr": 0.1}`)}),
		// The media rebuild path (core encoding, a `_type` leaf makes `img` a media object).
		historyRecord([item(['img', '_type'], '"image-file"'), item(['img', '__proto__', 'shell'], shell), item(['img', '__proto__', 'wbtopPolluted'], '1'), item(['loss'], '0.5')], 0),
		historyRecord([item(['img', '_type'], '"image-file"'), item(['img', 'width'], '{"__proto__": {"wbtopPolluted": 2}}'), item(['img', 'width', '__proto__', 'wbtopPolluted'], '3'), item(['loss'], '0.4')], 1),
		// Plain items and Python whole-value JSON.
		historyRecord([item(['__proto__', 'shell'], shell), item(['__proto__'], `{"shell": ${shell}, "wbtopPolluted": 4}`, true), item(['loss'], '0.3')], 2),
		encodeStats({timestamp: 1.7e9, values: JSON.parse('{"__proto__": {"wbtopPolluted": 5}, "cpu": 1}')}),
	];
	fs.writeFileSync(path.join(dir, 'run-proto001.wandb'), encodeFraming(records));
	return dir;
}

function writePoisonedLegacyRun(): string {
	const dir = path.join(tmp, 'wandb', 'run-20200301_120000-proto002');
	fs.mkdirSync(dir, {recursive: true});
	const poison = `{"__proto__": {"shell": ${JSON.stringify(evilShell)}, "wbtopPolluted": 6}, "constructor": {"prototype": {"wbtopPolluted": 7}}`;
	fs.writeFileSync(path.join(dir, 'wandb-history.jsonl'), `${poison}, "_step": 0, "loss": 1}\n{"_step": 1, "loss": 0.5}\n`);
	fs.writeFileSync(path.join(dir, 'wandb-events.jsonl'), `${poison}, "_timestamp": 1583064000, "system.cpu": 3}\n`);
	fs.writeFileSync(path.join(dir, 'wandb-summary.json'), `${poison}, "loss": 0.5}`);
	fs.writeFileSync(path.join(dir, 'wandb-metadata.json'), `${poison}, "name": "poisoned-legacy", "state": "finished", "exitcode": 0}`);
	fs.writeFileSync(path.join(dir, 'config.yaml'), `__proto__:\n  value:\n    shell: ${evilShell}\nlr:\n  value: 0.1\n`);
	return dir;
}

beforeAll(() => {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-proto-'));
	marker = path.join(tmp, 'PWNED');
	// What a run could point `shell` at; it records that it ran.
	evilShell = path.join(tmp, 'evil-shell');
	fs.writeFileSync(evilShell, `#!/bin/sh\necho "ran with: $*" >> '${marker}'\n`, {mode: 0o755});
	const bin = path.join(tmp, 'bin');
	fs.mkdirSync(bin);
	fs.symlinkSync(path.join(ROOT, 'test', 'fixtures', 'fake-nvidia-smi', 'nvidia-smi'), path.join(bin, 'nvidia-smi'));
});
afterAll(() => {
	fs.rmSync(tmp, {recursive: true, force: true});
});

function pollution(): string[] {
	const keys: string[] = [];
	for (const key in {}) keys.push(key);
	return keys;
}

describe('a run cannot write to Object.prototype', () => {
	it.each([
		['binary', writePoisonedBinaryRun],
		['legacy', writePoisonedLegacyRun],
	])('%s run: decoding and folding it leaves Object.prototype untouched', (_kind, write) => {
		const dir = write();
		try {
			const {events} = readRunOnce(dir);
			const state = reduceRunEvents(initialRunState(), events, Date.now());
			expect(pollution()).toEqual([]);
			expect(Object.hasOwn(Object.prototype, 'shell')).toBe(false);
			// The rest of the run still reads.
			expect(state.metrics.get('loss')?.series.count).toBeGreaterThanOrEqual(2);
		} finally {
			for (const key of pollution()) delete (Object.prototype as Record<string, unknown>)[key];
			delete (Object.prototype as Record<string, unknown>).shell;
		}
	});

	it('wbtop --line / --once on the poisoned runs spawns only nvidia-smi, never the run-chosen "shell"', async () => {
		const env = {NO_COLOR: '1', PATH: `${path.join(tmp, 'bin')}${path.delimiter}${process.env.PATH}`};
		for (const dir of [writePoisonedBinaryRun(), writePoisonedLegacyRun()]) {
			for (const args of [['--line'], ['--once', '--width', '120', '--height', '40']]) {
				const result = await execa('node', [CLI, ...args, dir], {reject: false, env, timeout: 30_000});
				expect(result.exitCode, result.stderr).toBe(0);
				expect(result.stdout).toMatch(/GPU0|H100/); // the fake nvidia-smi answered
			}
		}
		expect(fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8') : '').toBe('');
	}, 60_000);
});
