// The machine view (--system, or no run found): the screen model on real nvidia-smi and /proc captures.
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {parseComputeApps, parseGpuLine} from '../../source/decode/nvidia-smi.js';
import {cpuUsage, parseMeminfo, parseNetDev, parseProcStat, ratePerSec} from '../../source/decode/proc.js';
import {footerHints, KEYMAP} from '../../source/keymap.js';
import {initialHostState, reduceHost, type HostState} from '../../source/state/host-state.js';
import {machineSnapshot} from '../../source/state/snapshot.js';
import {initialUiState, type UiState} from '../../source/state/ui-state.js';
import {barRows} from '../../source/view/panels/machine.js';
import {ScreenBuilder} from '../../source/view/screen.js';

const capture = (name: string) => readFileSync(new URL(`../fixtures/nvidia-smi/h100/${name}`, import.meta.url), 'utf8');
const proc = (name: string) => readFileSync(new URL(`../fixtures/proc/${name}`, import.meta.url), 'utf8');
const loadGpus = capture('query-load-lms.csv')
	.split('\n')
	.filter(Boolean)
	.map(line => parseGpuLine(line)!);
const idleGpus = capture('query-idle.csv')
	.split('\n')
	.filter(Boolean)
	.map(line => parseGpuLine(line)!);

/** The captured idle then load samples as `count` GPUs, the captured processes, and one /proc reading pair. */
function hostOf(count: number): HostState {
	let host = initialHostState();
	for (const sample of [...idleGpus, ...loadGpus]) {
		const gpus = Array.from({length: count}, (_, i) => ({...sample, index: i, uuid: i === 0 ? sample.uuid : `${sample.uuid}-${i}`}));
		host = reduceHost(host, {type: 'gpu/sample', time: 1, gpus});
	}
	host = reduceHost(host, {type: 'gpu/processes', time: 1, processes: parseComputeApps(capture('apps-load.csv'))});
	const cpu = cpuUsage(parseProcStat(proc('stat-1.txt'))!, parseProcStat(proc('stat-2.txt'))!);
	host = reduceHost(host, {type: 'cpu/sample', time: 2, ...cpu});
	host = reduceHost(host, {type: 'mem/sample', time: 2, ...parseMeminfo(proc('meminfo.txt'))});
	const [a, b] = [parseNetDev(proc('net-dev-1.txt')), parseNetDev(proc('net-dev-2.txt'))];
	return reduceHost(host, {type: 'net/sample', time: 2, rxBytesPerSec: ratePerSec(a.rxBytes, b.rxBytes, 1), txBytesPerSec: ratePerSec(a.txBytes, b.txBytes, 1)});
}

const NOTICE = 'no W&B run found in ./wandb; showing this machine';

function draw(host: HostState, columns: number, rows: number, ui: UiState = initialUiState(), notice: string | null = NOTICE) {
	const screen = new ScreenBuilder().build({snap: machineSnapshot(host, notice), ui, columns, rows, now: Date.now(), pulse: 0});
	const text = screen.lines.map(line => line.paint('plain'));
	return {screen, text, joined: text.join('\n')};
}

describe('the machine view', () => {
	it('fills every size exactly, from 1x2 to 300x90', () => {
		for (const count of [1, 8]) {
			for (const [columns, rows] of [[1, 2], [16, 5], [19, 6], [20, 6], [40, 10], [60, 15], [79, 23], [80, 24], [120, 40], [200, 50], [300, 90]]) {
				const {screen} = draw(hostOf(count), columns, rows);
				expect(screen.view, `${columns}x${rows}`).toBe('machine');
				expect(screen.lines, `${columns}x${rows}`).toHaveLength(Math.max(1, rows - 1));
				for (const line of screen.lines) expect(line.width, `${columns}x${rows}`).toBe(columns);
			}
		}
	});

	it('at 120x40: the GPU line, its utilization, memory and power charts, the processes, CPU, memory and network', () => {
		const host = hostOf(1);
		const last = loadGpus.at(-1)!;
		const {text, joined} = draw(host, 120, 40);
		expect(text[0]).toMatch(/^wbtop {2}this machine {2}1 GPU · \d+ cores · [\d.]+G memory/);
		expect(text[1]).toContain(NOTICE);
		expect(joined).toMatch(new RegExp(`0 H100 80GB +${Math.round(last.util!)}% .* ${last.tempC}°C ${Math.round(last.powerW!)}/700W`));
		expect(joined).toMatch(/GPU 0 H100 80GB util 100% +memory 25% /);
		// Power gets its own chart where the GPU column is wide enough.
		expect(joined).not.toMatch(/power \d+\/700W/);
		expect(draw(host, 160, 40).joined).toMatch(new RegExp(`GPU 0 H100 80GB util 100% +memory 25% +power ${Math.round(last.powerW!)}/700W`));
		// The history chart: the load samples as full columns, right-aligned.
		const chartRow = text.find(line => line.includes('█'.repeat(loadGpus.length)) && !line.includes('H100'));
		expect(chartRow).toBeDefined();
		expect(joined).toMatch(/GPU processes {2}1/);
		expect(joined).toMatch(/605 +0 +19\.7G python3/);
		for (const label of ['CPU ', 'MEM ', 'SWP ', 'NET ↓', 'network ↓', 'network ↑']) expect(joined).toContain(label);
	});

	it('with 8 GPUs at 120x40 every GPU has its line; charts give way to the process list', () => {
		const {text} = draw(hostOf(8), 120, 40);
		for (let i = 0; i < 8; i++) expect(text.some(line => line.startsWith(`${i} H100 80GB 100%`))).toBe(true);
		expect(text.some(line => line.includes('GPU processes'))).toBe(true);
	});

	it('compact (60x15) and tiny (16x5) views keep the GPUs and CPU', () => {
		const compact = draw(hostOf(8), 60, 15);
		expect(compact.text[0]).toBe('this machine'.padEnd(60));
		expect(compact.text[1]).toContain(NOTICE);
		expect(compact.text.filter(line => /^\d H100 80GB 100%/.test(line)).length).toBeGreaterThanOrEqual(4);
		expect(compact.joined).toMatch(/\+\d more GPUs/);
		expect(compact.joined).toContain('CPU ');
		expect(compact.text.at(-1)).toMatch(/^q quit · \? help +this machine$/);
		const tiny = draw(hostOf(1), 16, 5);
		expect(tiny.text[0].trim()).toBe('this machine');
		expect(tiny.text[1]).toMatch(/^0:100%/);
	});

	it('the footer offers only the keys that act without a run; help still works', () => {
		const {screen} = draw(hostOf(1), 120, 40);
		expect(screen.hints).toEqual(['q quit', '? help']);
		expect(footerHints({runs: false})).toContain('p pause');
		const runKeys = KEYMAP.filter(binding => binding.hint && !['quit', 'help'].includes(binding.action)).map(binding => `${binding.keys[0]} ${binding.hint}`);
		for (const hint of runKeys) expect(screen.lines.at(-1)!.paint('plain')).not.toContain(hint);
		const help = draw(hostOf(1), 120, 40, {...initialUiState(), help: true});
		expect(help.screen.view).toBe('help');
		expect(help.joined).toContain('wbtop keys');
	});

	it('--system says nothing about a missing run', () => {
		const {text} = draw(hostOf(1), 120, 40, initialUiState(), null);
		expect(text[1].trim()).toBe('');
	});

	it('says why the GPUs are missing, and still shows CPU, memory and network', () => {
		let host = hostOf(1);
		host = reduceHost(initialHostState(), {type: 'gpu/status', status: 'unavailable', message: 'nvidia-smi not found — GPU panel disabled'});
		const {joined} = draw(host, 120, 40);
		expect(joined).toContain('GPU: nvidia-smi not found');
		expect(joined).toContain('CPU ');
	});
});

describe('barRows', () => {
	it('draws the captured utilization history: 100 % as full columns, 0 % as the lowest bar, unknown as a gap', () => {
		const util = hostOf(1).gpuHistory[0].util;
		const rows = barRows(util, util.length + 3, 4, 100);
		expect(rows).toHaveLength(4);
		const columns = (col: number) => rows.map(row => [...row][col]).join('');
		// Left: no history yet (gaps); then the idle samples; then the load samples (100 %).
		expect(columns(0)).toBe('    ');
		expect(idleGpus.at(-1)!.util).toBe(0);
		expect(columns(3 + idleGpus.length - 1)).toBe('   ▁');
		expect(columns(util.length + 2)).toBe('████');
		const withGap = barRows([50, null, 50], 3, 2, 100);
		expect(withGap.map(row => [...row][1]).join('')).toBe('  ');
		expect(withGap.map(row => [...row][0]).join('')).toBe(' █');
	});
});
