import stringWidth from 'string-width';
import {describe, expect, it} from 'vitest';
import {computeLayout} from '../../source/view/layout.js';
import type {UiState} from '../../source/state/ui-state.js';
import type {Snapshot} from '../../source/state/snapshot.js';
import {realRun} from '../helpers/fixtures.js';
import {drawPlain, h100Host, screenOf, snapshotOf} from '../helpers/snapshot.js';
import {footerHints, KEYMAP} from '../../source/keymap.js';

function draw(snap: Snapshot, columns: number, rows: number, ui: Partial<UiState> = {}): string[] {
	return drawPlain(snap, columns, rows, ui).map(line => line.trimEnd());
}

const sizes: Array<[number, number]> = [
	[200, 50],
	[120, 40],
	[80, 24],
	[60, 15],
	[40, 10],
	// Under 20x6: the tiny view (state and step), never wrapping.
	[19, 5],
	[10, 3],
	[1, 2],
	[300, 2],
];

describe('dashboard frame', () => {
	const snap = snapshotOf(realRun('f230dm6e'), h100Host());

	it.each(sizes)('at %ix%i is exactly the terminal minus one row tall, every line exactly as wide', (columns, rows) => {
		const screen = screenOf(snap, columns, rows);
		expect(screen.lines).toHaveLength(Math.max(1, rows - 1));
		for (const line of screen.lines) {
			expect(line.width).toBe(columns);
			expect(stringWidth(line.text), line.text).toBe(columns);
		}
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

describe('footer', () => {
	const snap = snapshotOf(realRun('f230dm6e'), h100Host());

	it.each([
		[200, 50],
		[120, 40],
		[80, 24],
		[60, 15],
	])('at %ix%i the key hints are the keymap\'s, in its order, as many as fit', (columns, rows) => {
		const screen = screenOf(snap, columns, rows);
		const expected = footerHints({runs: false});
		expect(screen.hints).toEqual(expected);
		const footer = screen.lines.at(-1)!.text;
		const shown = footer.split(/\s{2,}/)[0].split(' · ');
		expect(shown.length).toBeGreaterThanOrEqual(columns >= 120 ? 6 : 2);
		expect(shown).toEqual(expected.slice(0, shown.length));
		for (const hint of shown) expect(KEYMAP.some(binding => `${binding.keys[0]} ${binding.hint}` === hint)).toBe(true);
	});

	it('offers the runs list only where there is one', () => {
		expect(footerHints({runs: true})).toContain('r runs');
		expect(footerHints({runs: false})).not.toContain('r runs');
	});
});
