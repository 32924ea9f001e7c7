/**
 * A run is untrusted input: a training script can put any bytes in metric names, config, summary,
 * console output, run name, tags and notes. Nothing of it may reach the terminal as a control
 * sequence (OSC 52 writes the clipboard, OSC 8 hides links, DCS talks through tmux, CSI clears the
 * screen, C1 bytes do the same in 8-bit form). Checked on the bytes every mode prints, and on the
 * live dashboard in tmux.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CLI} from '../helpers/fixtures.js';
import {hasTmux, startPane} from '../helpers/tmux.js';
import {controlChars, rawEscapeBytes, writeEvilBinaryRun, writeEvilLegacyRun} from './evil-run.js';

let tmp: string;
let binaryRun: string;
let legacyRun: string;

beforeAll(() => {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wbtop-evil-'));
	const wandbDir = path.join(tmp, 'wandb');
	binaryRun = writeEvilBinaryRun(wandbDir);
	legacyRun = writeEvilLegacyRun(wandbDir);
});
afterAll(() => {
	fs.rmSync(tmp, {recursive: true, force: true});
});

/** Runs the binary; stdout and stderr as raw bytes. */
async function wbtop(args: string[]) {
	const result = await execa('node', [CLI, ...args], {reject: false, encoding: 'buffer', env: {NO_COLOR: '1'}, timeout: 20_000});
	return {exitCode: result.exitCode, stdout: Buffer.from(result.stdout as Uint8Array), stderr: Buffer.from(result.stderr as Uint8Array)};
}

/** Tabs are harmless data in CSV; anywhere laid out for a screen they break the width (a tab is 1 char to the layout, up to 8 columns to the terminal). */
const MODES: Array<{name: string; args: string[]; allowTab: boolean}> = [
	{name: '--once (text)', args: ['--once', '--no-gpu', '--width', '120', '--height', '40'], allowTab: false},
	{name: '--once --json', args: ['--once', '--json', '--no-gpu'], allowTab: false},
	{name: '--line', args: ['--line', '--no-gpu'], allowTab: false},
	{name: '--check', args: ['--check'], allowTab: false},
	{name: 'export --csv', args: ['export', '--csv'], allowTab: true},
	{name: 'export --jsonl', args: ['export', '--jsonl'], allowTab: false},
];

describe.each([
	['binary run', () => binaryRun],
	['legacy run', () => legacyRun],
])('every print mode on a %s full of control sequences', (_kind, runDir) => {
	it.each(MODES)('$name prints no ESC, BEL, other C0 (except \\n), DEL or C1', async ({args, allowTab}) => {
		const result = await wbtop([...args, runDir()]);
		expect(result.exitCode, result.stderr.toString()).toBeLessThanOrEqual(2); // --check exits 2 on a failed run
		expect(result.stdout.length).toBeGreaterThan(0);
		for (const [stream, bytes] of [['stdout', result.stdout], ['stderr', result.stderr]] as const) {
			expect(rawEscapeBytes(bytes), `${stream} has raw ESC/BEL bytes`).toBe(0);
			const hits = controlChars(bytes, {allowTab});
			expect(hits.slice(0, 5), `${stream}: ${hits.length} control characters`).toEqual([]);
		}
	});

	it('the text output still shows the run: names survive with their sequences removed', async () => {
		const result = await wbtop(['--once', '--no-gpu', '--width', '160', '--height', '50', runDir()]);
		const text = result.stdout.toString('utf8');
		expect(text).toMatch(/EVILNAME<|LEGACYNAME</);
		expect(text).toMatch(/loss</);
	});

	it('--once --json keeps the data (control characters only as JSON escapes) and parses', async () => {
		const result = await wbtop(['--once', '--json', '--no-gpu', runDir()]);
		const doc = JSON.parse(result.stdout.toString('utf8'));
		expect(doc.history.rows).toBeGreaterThan(0);
		expect(Object.keys(doc.history.metrics).some(key => key.includes('loss<'))).toBe(true);
	});
});

const maybe = hasTmux ? describe : describe.skip;

maybe('the live dashboard on a hostile run, in tmux', () => {
	it.each([
		['binary', () => binaryRun, 'EVILNAME<'],
		['legacy', () => legacyRun, 'LEGACYNAME<'],
	])('%s run: the header stays, the screen is not cleared, no clipboard write, title or alt-screen exit', async (_kind, runDir, marker) => {
		const pane = startPane(`node ${CLI} --no-gpu ${runDir()}`, 120, 40);
		// Accept OSC 52 from applications for this server, so a leaked clipboard write would land in a buffer.
		pane.tmux('set-option', '-s', 'set-clipboard', 'on');
		try {
			const screen = await pane.waitFor(s => s.includes(marker) && s.includes('Summary') && s.includes('Console'));
			// Let it redraw a few times (clock ticks) with the hostile strings on screen.
			await new Promise(resolve => setTimeout(resolve, 1500));
			pane.keys('Tab');
			pane.keys('Tab');
			await new Promise(resolve => setTimeout(resolve, 500));
			const later = pane.screen();
			for (const shot of [screen, later]) {
				const lines = shot.replace(/\n+$/, '').split('\n');
				// The header is on the first line and the key bar on the last: nothing scrolled the frame.
				expect(lines[0]).toContain(marker);
				expect(lines.at(-1)).toMatch(/^q quit/);
				expect(lines.length).toBeLessThanOrEqual(40);
			}
			const info = pane.tmux('display-message', '-p', '-t', pane.id(), '#{alternate_on} #{pane_title}');
			expect(info.startsWith('1 '), `still on the alternate screen: ${info}`).toBe(true);
			expect(info).not.toContain('PWNED');
			const buffers = pane.tmux('list-buffers', '-F', '#{buffer_sample}');
			expect(buffers).not.toContain('evil');
			expect(pane.alive()).toBe(true);
			pane.keys('q');
			await pane.waitFor(() => !pane.alive(), 5000);
		} finally {
			pane.kill();
		}
	}, 30_000);
});
