/**
 * Runs whose every user-controlled string is full of terminal control sequences, and a check for
 * control bytes in what wbtop prints.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {encodeConfig, encodeExit, encodeFraming, encodeHeader, encodeHistory, encodeMetric, encodeOutput, encodeRun, encodeStats, encodeSummary} from '../../source/demo/writer.js';

/** Each sequence a hostile training script (or a poisoned dataset string) could plant. */
export const SEQUENCES = {
	clearScreen: '\x1b[2J\x1b[H',
	red: '\x1b[31m',
	osc52: '\x1b]52;c;ZXZpbA==\x07', // write "evil" to the clipboard
	osc52st: '\x1b]52;c;ZXZpbA==\x1b\\',
	osc8: '\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\',
	title: '\x1b]0;PWNED-TITLE\x07',
	dcsTmux: '\x1bPtmux;\x1b\x1b]52;c;ZXZpbA==\x07\x1b\\', // DCS passthrough to the outer terminal
	leaveAlt: '\x1b[?1049l',
	reset: '\x1bc',
	c1Csi: '\x9b2J',
	c1Osc: '\x9d52;c;ZXZpbA==\x9c',
	c1Dcs: '\x90tmux;\x9c',
	bel: '\x07',
	backspace: '\b\b\b\b',
	c0: '\x00\x01\x05\x0b\x0c\x0e\x1a\x1c\x1f\x7f',
	cr: 'x\rOVERWRITE',
	tab: 'a\tb',
};

/** All sequences in one string, between printable markers. */
export const EVIL = Object.values(SEQUENCES).join('');

/** A binary run: name, project, entity, tags, notes, config, metric names, summary, console, stats. */
export function writeEvilBinaryRun(wandbDir: string, payload = EVIL): string {
	const evil = (label: string) => `${label}<${payload}>`;
	const name = 'run-20250301_120000-evil0001';
	const runDir = path.join(wandbDir, name);
	fs.mkdirSync(path.join(runDir, 'files'), {recursive: true});
	const records = [
		encodeHeader({producer: '0.22.3+evil'}),
		encodeRun({
			runId: 'evil0001',
			project: evil('PROJ'),
			entity: evil('ENT'),
			displayName: evil('EVILNAME'),
			notes: evil('NOTES'),
			tags: [evil('TAG'), 'plain-tag'],
			group: evil('GROUP'),
			jobType: evil('JOB'),
			host: evil('HOST'),
			startTime: Date.UTC(2025, 2, 1, 12),
			cliVersion: '0.22.3',
			config: {[evil('cfgkey')]: evil('cfgval'), lr: 0.001, nested: {[evil('inner')]: [evil('listitem'), 1]}},
		}),
		encodeConfig({update: {[evil('later_cfg')]: evil('later_val')}}),
		encodeMetric({name: evil('metric'), goal: 'minimize'}),
		// Every metric drawn against a step metric with a hostile name: the x-axis title shows it.
		encodeMetric({glob: '*', stepMetric: evil('stepm')}),
	];
	for (let step = 0; step < 40; step++) {
		records.push(
			encodeHistory({
				step,
				values: {
					[evil('loss')]: 2 / (step + 1),
					'train/acc': step / 40,
					[evil('text')]: evil('strvalue'),
					media: {_type: evil('image-file'), width: 10, height: 10, format: evil('png')},
					[evil('stepm')]: step,
					_step: step,
					_runtime: step,
					_timestamp: 1_740_830_400 + step,
				},
				encoding: step % 2 === 0 ? 'python' : 'core',
			}),
		);
		if (step % 5 === 0) records.push(encodeOutput({stream: step % 10 === 0 ? 'stdout' : 'stderr', text: `${evil(`console${step}`)}\n${payload.includes('\x1b') ? SEQUENCES.clearScreen : ''}line after clear\n`}));
	}
	records.push(
		// Keys of the shapes the recorded panel shows (disk.*usagePercent, proc.memory.rssMB*), hostile in the middle.
		encodeStats({timestamp: 1_740_830_440, values: {[evil('gpu.0.gpu')]: 50, cpu: 12, [evil('disk')]: 3, [`disk.${payload}.usagePercent`]: 40, [`proc.memory.rssMB${payload}`]: 512, [`gpu.${payload}.gpu`]: 7}}),
		encodeSummary({update: {[evil('loss')]: 0.05, [evil('summary_str')]: evil('summary_val'), best: {[evil('nested')]: evil('deep')}}}),
		encodeOutput({stream: 'stderr', text: `Traceback: ${evil('error')}\n`}),
		encodeExit({exitCode: 1, runtime: 40}),
	);
	fs.writeFileSync(path.join(runDir, 'run-evil0001.wandb'), encodeFraming(records));
	fs.writeFileSync(path.join(runDir, 'files', 'output.log'), `${evil('outputlog')}\n`);
	fs.writeFileSync(path.join(runDir, 'files', 'wandb-metadata.json'), JSON.stringify({program: evil('program'), args: [evil('arg')]}));
	return runDir;
}

/** A legacy (jsonl) run: metadata, config.yaml, history/events jsonl, summary and output.log. */
export function writeEvilLegacyRun(wandbDir: string, payload = EVIL): string {
	const evil = (label: string) => `${label}<${payload}>`;
	const runDir = path.join(wandbDir, 'run-20200301_120000-evil0002');
	fs.mkdirSync(runDir, {recursive: true});
	const history: string[] = [];
	for (let step = 0; step < 30; step++) history.push(JSON.stringify({_step: step, _runtime: step, _timestamp: 1_583_064_000 + step, [evil('loss')]: 1 / (step + 1), [evil('s')]: evil('v')}));
	fs.writeFileSync(path.join(runDir, 'wandb-history.jsonl'), history.join('\n') + '\n');
	fs.writeFileSync(path.join(runDir, 'wandb-events.jsonl'), JSON.stringify({_runtime: 5, _timestamp: 1_583_064_005, [`system.${evil('gpu')}`]: 3, 'system.cpu': 20}) + '\n');
	fs.writeFileSync(path.join(runDir, 'wandb-summary.json'), JSON.stringify({[evil('loss')]: 0.1, [evil('k')]: evil('v')}));
	fs.writeFileSync(
		path.join(runDir, 'wandb-metadata.json'),
		JSON.stringify({name: evil('LEGACYNAME'), project: evil('P'), notes: evil('N'), tags: [evil('T')], host: evil('H'), state: 'failed', exitcode: 1, startedAt: '2020-03-01T12:00:00'}),
	);
	fs.writeFileSync(path.join(runDir, 'config.yaml'), `wandb_version: 1\n${JSON.stringify(evil('cfg'))}:\n  desc: null\n  value: ${JSON.stringify(evil('val'))}\n`);
	fs.writeFileSync(path.join(runDir, 'output.log'), `${evil('legacy-console')}\nplain line\n`);
	return runDir;
}

export type ControlHit = {at: number; code: string; context: string};

/**
 * Control characters in output that reaches a terminal: ESC, BEL and every other C0 except `\n`
 * (and `\t` when `allowTab`), DEL, and C1 U+0080–U+009F (which a UTF-8 terminal may obey as
 * CSI/OSC/DCS). Bytes are decoded as UTF-8 first, so C1 is caught in its encoded form.
 */
export function controlChars(output: Buffer | string, options: {allowTab?: boolean} = {}): ControlHit[] {
	const text = typeof output === 'string' ? output : output.toString('utf8');
	const hits: ControlHit[] = [];
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		const bad = (c < 0x20 && c !== 0x0a && !(c === 0x09 && options.allowTab)) || (c >= 0x7f && c <= 0x9f);
		if (bad) hits.push({at: i, code: `U+${c.toString(16).toUpperCase().padStart(4, '0')}`, context: JSON.stringify(text.slice(Math.max(0, i - 20), i + 20))});
	}
	return hits;
}

/** Raw ESC / BEL bytes in a buffer (before any decoding). */
export function rawEscapeBytes(output: Buffer): number {
	let n = 0;
	for (const byte of output) if (byte === 0x1b || byte === 0x07) n++;
	return n;
}
