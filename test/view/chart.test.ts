import stringWidth from 'string-width';
import {describe, expect, it} from 'vitest';
import {AxisColumn, Series} from '../../source/state/series.js';
import {columnsOf, memoChart, renderChart as renderChartLines, sparkline, tickLabels, type ChartOptions as LineChartOptions} from '../../source/view/chart.js';
import type {Line} from '../../source/view/line.js';
import {formatClock} from '../../source/view/format.js';
import {prng as random} from '../helpers/prng.js';


const ANSI = /\x1b\[[0-9;]*m/g;
const strip = (text: string) => text.replace(ANSI, '');

/** Chart options plus how to paint the lines (colour or plain text). */
type ChartOptions = LineChartOptions & {color?: boolean};

const paint = (lines: readonly Line[], color = false) => lines.map(line => line.paint(color ? 'color' : 'plain'));

/** The chart as text lines (exactly `width` columns each), coloured when `color`. */
function renderChart(opts: ChartOptions): string[] {
	return paint(renderChartLines(opts), opts.color);
}

function seriesOf(values: ArrayLike<number>, rowOf: (i: number) => number = i => i): Series {
	const s = new Series();
	for (let i = 0; i < values.length; i++) s.append(rowOf(i), values[i]);
	return s;
}

/** The plot part of a plain chart: label width (position of the axis) and the rows of cells. */
function plotArea(lines: string[]): {labelWidth: number; rows: string[]} {
	const labelWidth = lines[0].search(/[┤│]/);
	expect(labelWidth).toBeGreaterThan(0);
	return {labelWidth, rows: lines.slice(0, -1).map(line => line.slice(labelWidth + 1))};
}

function yLabels(lines: string[]): string[] {
	return lines
		.slice(0, -1)
		.filter(line => line.includes('┤'))
		.map(line => line.slice(0, line.indexOf('┤')).trim());
}

function base(series: Series, extra: Partial<ChartOptions> = {}): ChartOptions {
	return {series, axis: null, xKind: 'number', width: 80, height: 12, ...extra};
}

describe('renderChart size contract', () => {
	it('returns exactly height lines of at most width columns for random sizes and inputs', () => {
		const rand = random(42);
		const kinds = ['empty', 'single', 'flat', 'nan', 'mixed', 'tiny', 'huge', 'negative', 'sparse', 'big', 'extreme'] as const;
		const extremes = [Number.NaN, Infinity, -Infinity, 0, -0, 1e308, -1e308, 5e-324, 1e-300, 1e21, -7];
		for (let iteration = 0; iteration < 400; iteration++) {
			const kind = kinds[iteration % kinds.length];
			const n = kind === 'empty' ? 0 : kind === 'single' ? 1 : kind === 'big' ? 20_000 : 1 + Math.floor(rand() * 400);
			const s = new Series(kind === 'big' ? 256 : 2048);
			const axis = rand() < 0.5 ? new AxisColumn() : null;
			let row = 0;
			for (let i = 0; i < n; i++) {
				row += kind === 'sparse' ? 1 + Math.floor(rand() * 50) : 1;
				const r = rand();
				let v: number;
				switch (kind) {
					case 'flat':
						v = 3.25;
						break;
					case 'nan':
						v = r < 0.5 ? Number.NaN : r < 0.75 ? Infinity : -Infinity;
						break;
					case 'tiny':
						v = r * 1e-9;
						break;
					case 'huge':
						v = r * 1e300;
						break;
					case 'negative':
						v = -r * 1000;
						break;
					case 'extreme':
						v = extremes[Math.floor(r * extremes.length)];
						break;
					default:
						v = r < 0.1 ? Number.NaN : r < 0.12 ? Infinity : Math.sin(i / 10) * 100 + r;
				}
				s.append(row, v);
				axis?.append(row, rand() < 0.05 ? Number.NaN : row * 2.5 + 1000);
			}
			const width = Math.floor(rand() * 250);
			const height = Math.floor(rand() * 60);
			const opts: ChartOptions = {
				series: s,
				axis,
				xKind: (['step', 'duration', 'clock', 'number'] as const)[Math.floor(rand() * 4)],
				width,
				height,
				smoothing: rand() < 0.3 ? rand() : undefined,
				logScale: rand() < 0.2,
				color: rand() < 0.3,
				xRange: rand() < 0.15 ? [rand() * 500, 500 + rand() * 2000] : undefined,
			};
			const lines = renderChart(opts);
			const context = `${kind} ${width}x${height} ${JSON.stringify({...opts, series: undefined, axis: !!axis})}`;
			expect(lines.length, context).toBe(height);
			for (const line of lines) {
				expect(stringWidth(strip(line)), `${context}\n${line}`).toBeLessThanOrEqual(width);
				expect(line).not.toMatch(/undefined|Infinity/);
				if (!opts.color) expect(line).not.toContain('\x1b');
			}
		}
	});

	it('degrades to a sparkline and the last value in tiny panels', () => {
		const s = seriesOf([1, 5, 2, 8, 3]);
		const lines = renderChart(base(s, {width: 11, height: 2}));
		expect(lines).toHaveLength(2);
		expect(lines[0]).toMatch(/^[▁-█ ]+ 3$/);
		expect(renderChart(base(s, {width: 40, height: 0}))).toEqual([]);
		expect(renderChart(base(s, {width: 0, height: 3}))).toEqual(['', '', '']);
	});
});

describe('renderChart data fidelity', () => {
	it('keeps a one-point spike in 1M rows at its column max and on the top row', () => {
		const s = new Series();
		const spikeRow = 777_777;
		for (let i = 0; i < 1_000_000; i++) s.append(i, i === spikeRow ? 50 : Math.sin(i / 5000));
		const lines = renderChart(base(s, {width: 200, height: 20}));
		const {labelWidth, rows} = plotArea(lines);
		const plotWidth = 200 - labelWidth - 1;
		const spikeColumn = Math.floor((spikeRow / 999_999) * plotWidth);
		expect(rows[0][spikeColumn]).not.toBe(' ');
		// Nothing else reaches the top row.
		expect(rows[0].trim()).toHaveLength(1);
		expect(yLabels(lines)[0]).toBe('50');
		const columns = columnsOf(s, null, plotWidth);
		expect(columns[spikeColumn]?.max).toBe(50);
		expect(sparkline(s, null, 100)[Math.floor((spikeRow / 999_999) * 100)]).toBe('█');
	});

	it('leaves a NaN stretch blank in every row and never draws it as 0', () => {
		const values = Array.from({length: 300}, (_, i) => (i >= 100 && i < 200 ? Number.NaN : 10 + Math.sin(i / 7)));
		const lines = renderChart(base(seriesOf(values), {width: 90, height: 14}));
		const {rows} = plotArea(lines);
		const plotWidth = rows[0].length;
		const from = Math.ceil((100 / 299) * plotWidth) + 1;
		const to = Math.floor((199 / 299) * plotWidth) - 1;
		for (const row of rows) expect(row.slice(from, to).trim()).toBe('');
		// Data on both sides is drawn.
		expect(rows.some(row => row.slice(0, from - 2).trim() !== '')).toBe(true);
		expect(rows.some(row => row.slice(to + 2).trim() !== '')).toBe(true);
		// The y range is the finite data's, not widened to 0.
		for (const label of yLabels(lines)) expect(Number(label)).toBeGreaterThanOrEqual(8.9);
	});

	it('draws nothing (and says so) for a series of only NaN/Inf', () => {
		const lines = renderChart(base(seriesOf([Number.NaN, Infinity, -Infinity]), {width: 40, height: 6}));
		expect(lines).toHaveLength(6);
		expect(lines.join('\n')).toContain('no finite values');
		expect(lines.join('')).not.toMatch(/[─╭╮╰╯│┤]/);
	});

	it('draws a flat series as one line in the middle row, labelled with its value', () => {
		const lines = renderChart(base(seriesOf([7, 7, 7, 7]), {width: 40, height: 10}));
		const {rows} = plotArea(lines);
		const lineRows = rows.map((row, i) => (row.includes('─') ? i : -1)).filter(i => i >= 0);
		expect(lineRows).toEqual([4]);
		expect(yLabels(lines)).toEqual(['7']);
	});

	it('draws a single point without crashing', () => {
		const lines = renderChart(base(seriesOf([3]), {width: 30, height: 5}));
		expect(lines).toHaveLength(5);
		expect(lines.join('')).toContain('─');
	});

	it('joins sparse points into a continuous line', () => {
		const s = seriesOf(
			Array.from({length: 30}, (_, i) => i % 5),
			i => i * 100,
		);
		const {rows} = plotArea(renderChart(base(s, {width: 120, height: 10})));
		for (let c = 0; c < rows[0].length; c++) expect(rows.some(row => row[c] !== ' '), `column ${c}`).toBe(true);
	});

	it('smooths the line while the raw envelope still spans the noise', () => {
		const values = Array.from({length: 2000}, (_, i) => (i % 2 === 0 ? 0 : 10));
		const lines = renderChart(base(seriesOf(values), {width: 60, height: 21, smoothing: 0.99}));
		const {rows} = plotArea(lines);
		// The smoothed line settles near 5 (the middle rows); the envelope reaches 0 and 10.
		const lineRows = new Set<number>();
		rows.forEach((row, r) => {
			for (let c = 20; c < row.length; c++) if ('─╭╮╰╯│'.includes(row[c])) lineRows.add(r);
		});
		for (const r of lineRows) expect(Math.abs(r - 10)).toBeLessThanOrEqual(2);
		expect(rows[0].slice(20)).toContain('·');
		expect(rows[19].slice(20)).toContain('·');
	});

	it('maps columns by the axis x and honours xRange', () => {
		const s = new Series();
		const axis = new AxisColumn();
		for (let i = 0; i < 100; i++) {
			s.append(i, i);
			axis.append(i, i < 50 ? i : 50 + (i - 50) * 10); // x speeds up half way
		}
		const columns = columnsOf(s, axis, 55);
		// x spans 0..540: the first half of the rows fills only the first ~5 columns.
		expect(columns[4]?.max).toBeLessThan(50);
		expect(columns[6]?.min).toBeGreaterThan(50);
		const left = columnsOf(s, axis, 20, [-100, 0]);
		expect(left.slice(0, 19).every(column => column === null)).toBe(true);
		expect(left[19]?.last).toBe(0);
	});

	it('puts non-positive values in gaps on a log scale and labels in real units', () => {
		const values = [1e-3, 1e-2, 0, -5, 1e-1, 1, 10, 100, 1000];
		const lines = renderChart(base(seriesOf(values), {width: 60, height: 10, logScale: true}));
		const labels = yLabels(lines);
		expect(labels[0]).toBe('1k');
		expect(Number(labels.at(-1))).toBe(1e-3);
		const {rows} = plotArea(lines);
		const w = rows[0].length;
		// Rows 2 and 3 (value 0 and -5) are a gap.
		const from = Math.ceil((2 / 8) * w) + 1;
		const to = Math.floor((4 / 8) * w) - 1;
		for (const row of rows) expect(row.slice(from, to).trim()).toBe('');
	});
});

describe('labels', () => {
	it('y labels for a 1e-7 range are distinct exponents, never 0.00', () => {
		const values = Array.from({length: 100}, (_, i) => 1e-7 * (i / 99));
		const labels = yLabels(renderChart(base(seriesOf(values), {width: 60, height: 20})));
		expect(labels.length).toBeGreaterThan(3);
		expect(new Set(labels).size).toBe(labels.length);
		expect(labels[0]).toBe('1e-7');
		for (const label of labels) expect(label).not.toMatch(/^-?0\.0+$/);
		for (const label of labels) expect(label.length).toBeLessThanOrEqual(7);
	});

	it('y labels for a 1e9 range use SI suffixes and stay distinct', () => {
		const values = Array.from({length: 100}, (_, i) => 1e9 * (i / 99));
		const labels = yLabels(renderChart(base(seriesOf(values), {width: 60, height: 20})));
		expect(new Set(labels).size).toBe(labels.length);
		expect(labels[0]).toBe('1G');
		expect(labels.slice(1, -1).every(label => /^\d+(\.\d+)?M$/.test(label))).toBe(true);
		expect(labels.at(-1)).toBe('0');
	});

	it('y labels resolve a tiny range on a large offset', () => {
		const values = Array.from({length: 50}, (_, i) => 1 + 1e-6 * i);
		const labels = yLabels(renderChart(base(seriesOf(values), {width: 60, height: 12})));
		expect(new Set(labels).size).toBe(labels.length);
		expect(Number(labels[0])).toBeCloseTo(1.000049, 5);
	});

	it('labels a flat series of denormals or huge values without hanging', () => {
		for (const v of [5e-324, 1e308, -1e308, 0]) {
			const lines = renderChart(base(seriesOf([v, v, v]), {width: 40, height: 6}));
			expect(lines).toHaveLength(6);
			expect(yLabels(lines)).toHaveLength(1);
		}
		expect(tickLabels([1e-323, 5e-324, 0])).toHaveLength(3);
	});

	it('tickLabels adapts precision to the step', () => {
		expect(tickLabels([1, 0.5, 0])).toEqual(['1.0', '0.5', '0']);
		expect(tickLabels([3e-5, 2e-5, 1e-5])).toEqual(['3e-5', '2e-5', '1e-5']);
		expect(tickLabels([2.5e6, 2.4e6, 2.3e6])).toEqual(['2.5M', '2.4M', '2.3M']);
		expect(tickLabels([1e9, 7.5e8, 5e8])).toEqual(['1G', '750M', '500M']);
	});

	it('x labels show steps, durations and clock times at the ends', () => {
		const s = new Series();
		const steps = new AxisColumn();
		const runtime = new AxisColumn();
		const clock = new AxisColumn();
		const start = 1_700_000_000;
		for (let i = 0; i <= 100; i++) {
			s.append(i, Math.sqrt(i));
			steps.append(i, i * 123.45);
			runtime.append(i, i * 49.8);
			clock.append(i, start + i * 60);
		}
		const last = (xKind: ChartOptions['xKind'], axis: AxisColumn) =>
			renderChart(base(s, {axis, xKind, width: 50, height: 8})).at(-1)!.trim();
		expect(last('step', steps)).toMatch(/^0 +12\.3k$/);
		expect(last('duration', runtime)).toMatch(/^0s +1h23m$/);
		expect(last('clock', clock)).toMatch(new RegExp(`^${formatClock(start)} +${formatClock(start + 6000)}$`));
		expect(last('number', steps)).toMatch(/^0 +12345$/);
	});
});

describe('colour and memo', () => {
	it('colour output is the plain output plus SGR codes, with few escapes', () => {
		const values = Array.from({length: 500}, (_, i) => Math.sin(i / 20) + (i % 7) * 0.05);
		const plain = renderChart(base(seriesOf(values), {width: 100, height: 20}));
		const colored = renderChart(base(seriesOf(values), {width: 100, height: 20, color: true}));
		expect(colored.map(strip)).toEqual(plain);
		expect(colored.join('')).toContain('\x1b[36m');
		// Runs, not cells: far fewer escapes than drawn cells.
		const escapes = colored.join('').match(ANSI)?.length ?? 0;
		const cells = plain.join('').replace(/[ \d.\-┤│]/g, '').length;
		expect(escapes).toBeLessThan(cells);
	});

	it('memoChart returns the cached lines until data or size change', () => {
		const s = seriesOf([1, 2, 3]);
		const a = memoChart(base(s));
		expect(memoChart(base(s))).toBe(a);
		const wider = memoChart(base(s, {width: 81}));
		expect(wider).not.toBe(a);
		expect(memoChart(base(s))).toBe(a);
		s.append(3, 10);
		const b = memoChart(base(s));
		expect(b).not.toBe(a);
		expect(yLabels(paint(b))[0]).toBe('10');
	});

	it('renders 12 charts at 200x50 within a frame budget', () => {
		const charts = Array.from({length: 12}, (_, k) => {
			const s = new Series();
			for (let i = 0; i < 200_000; i++) s.append(i, Math.exp(-i / 50_000) * (1 + k) + Math.random() * 0.1);
			return s;
		});
		renderChart(base(charts[0], {width: 200, height: 50}));
		const started = performance.now();
		for (const s of charts) renderChartLines(base(s, {width: 200, height: 50, smoothing: 0.6})).forEach(line => line.paint('color'));
		// ~10 ms here; a generous bound so only a real regression fails.
		expect(performance.now() - started).toBeLessThan(200);
	});
});
