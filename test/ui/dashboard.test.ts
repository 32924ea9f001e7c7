import {describe, expect, it} from 'vitest';
import {computeLayout} from '../../source/view/layout.js';
import type {UiState} from '../../source/state/ui-state.js';
import type {Snapshot} from '../../source/state/snapshot.js';
import {realRun} from '../helpers/fixtures.js';
import {drawPlain, h100Host, snapshotOf} from '../helpers/snapshot.js';

function draw(snap: Snapshot, columns: number, rows: number, ui: Partial<UiState> = {}): string[] {
	return drawPlain(snap, columns, rows, ui).map(line => line.trimEnd());
}

const sizes: Array<[number, number]> = [
	[200, 50],
	[120, 40],
	[80, 24],
	[60, 15],
	[40, 10],
];

describe('dashboard frame', () => {
	const snap = snapshotOf(realRun('f230dm6e'), h100Host());

	it.each(sizes)('at %ix%i is never taller than the terminal minus one row, nor wider than it', (columns, rows) => {
		const lines = draw(snap, columns, rows);
		expect(lines.length).toBeLessThanOrEqual(rows - 1);
		for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(columns);
	});

	it('shows every panel at 80x24: header with step and x-axis, charts, GPU, console, summary', () => {
		const text = draw(snap, 80, 24).join('\n');
		expect(text).toContain('BS32_LR1E4_F16_CL_1');
		expect(text).toContain('step 1714');
		expect(text).toContain('x: _step');
		expect(text).toMatch(/┤/); // an asciichart axis
		expect(text).toMatch(/H100.*100%/); // live GPU, name and utilization
		expect(text).toContain('Console');
		expect(text).toContain('Summary');
		expect(text).toContain('Recorded by W&B');
	});

	it('at 60x15 shows the compact view: state, step, GPU and one sparkline line per metric', () => {
		const lines = draw(snap, 60, 15);
		const text = lines.join('\n');
		expect(text).toContain('finished');
		expect(text).toContain('step 1714');
		expect(text).toMatch(/GPU 0:100%/);
		expect(lines.filter(line => /[▁▂▃▄▅▆▇█]/.test(line)).length).toBeGreaterThanOrEqual(5);
	});

	it('names the chosen x-axis and labels the chart ends in its units', () => {
		const runtime = draw(snap, 120, 40, {xAxis: '_runtime'}).join('\n');
		expect(runtime).toContain('x: _runtime');
		expect(runtime).toMatch(/\d+m\d*s?|\d+s/);
		const clock = draw(snap, 120, 40, {xAxis: '_timestamp'}).join('\n');
		expect(clock).toContain('x: _timestamp');
		expect(clock).toMatch(/\d\d:\d\d/);
	});

	it('focuses one chart full-size', () => {
		const grid = draw(snap, 120, 40);
		const lines = draw(snap, 120, 40, {focused: true, selected: 2});
		// One title (the third metric), and a y-axis running down most of the metrics panel.
		expect(lines.filter(line => line.startsWith('aca_') || line.startsWith('acha_')).length).toBe(1);
		expect(lines[2]).toMatch(/^aca_0001\*atsa_0001/);
		const axisRows = (frame: string[]) => frame.filter(line => /^\s*[\d.e+-]*\s*[┤│]/.test(line)).length;
		expect(axisRows(lines)).toBeGreaterThan(20);
		expect(axisRows(lines)).toBeGreaterThan(axisRows(grid));
	});

	it('shows the help screen built from the keymap', () => {
		const text = draw(snap, 100, 40, {help: true}).join('\n');
		expect(text).toContain('x');
		expect(text).toMatch(/cycle the x-axis/);
		expect(text).toMatch(/quit/);
	});

	it('says so when the filter matches nothing, and keeps the other panels', () => {
		const text = draw(snap, 120, 40, {filter: 'no-such-metric'}).join('\n');
		expect(text).toContain('no metric matches the filter');
		expect(text).toContain('Console');
	});

	it('shows a GPU failure in place of the GPU panel while the rest keeps working', () => {
		const broken = {...snap, host: {...snap.host, gpus: [], gpuStatus: 'error' as const, gpuMessage: "nvidia-smi: couldn't communicate with the NVIDIA driver"}};
		const lines = draw(broken, 120, 40);
		const text = lines.join('\n');
		// The GPU panel (top of the right column) wraps the message over its lines.
		const layout = computeLayout(120, 40);
		if (layout.mode !== 'full') throw new Error('expected the full layout');
		const right = lines.slice(2, 6).map(line => line.slice(120 - layout.system.width).trim()).join(' ');
		expect(right).toContain("couldn't communicate with the NVIDIA driver");
		expect(text).toContain('step 1714');
		expect(text).toMatch(/┤/);
	});

	it('draws a run with no history (crashed at start-up) without charts but with its console', () => {
		const crashed = snapshotOf(realRun('2zuxwf70'));
		const text = draw(crashed, 100, 30).join('\n');
		expect(text).toContain('failed');
		expect(text).toContain('no history rows yet');
		expect(text).toMatch(/Traceback|Error/);
	});
});
