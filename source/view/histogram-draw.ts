/**
 * Histograms as terminal cells: the latest distribution as vertical bars (x = value, height =
 * count, in eighths of a cell), and the distribution over steps as a heat strip (each column a
 * step, each row a value range, the shade its density), as TensorBoard's histogram view shows them.
 */
import type {HistogramSample} from '../state/media.js';
import {formatNumber} from './format.js';
import {fitLine, type Line, type Style} from './line.js';
import {SHADES} from './image-cells.js';

const EIGHTHS = ['', '▁', '▂', '▃', '▄', '▅', '▆', '▇'] as const;
const BAR: Style = {color: 'cyan'};
const STRIP: Style = {color: 'yellow'};
const DIM: Style = {dim: true};

/**
 * The counts of `sample` spread over `cells` equal value ranges between `lo` and `hi` (each bin's
 * count shared by overlap, as if spread evenly over its range; a bin of no width goes to the range
 * holding its value).
 */
export function rebin(sample: HistogramSample, cells: number, lo: number, hi: number): Float64Array {
	const out = new Float64Array(Math.max(1, cells));
	const span = hi - lo;
	const cellOf = (v: number) => (span > 0 ? Math.min(cells - 1, Math.max(0, Math.floor(((v - lo) / span) * cells))) : 0);
	const {counts, edges} = sample;
	for (let i = 0; i < counts.length; i++) {
		const a = edges[i];
		const b = edges[i + 1];
		const count = counts[i];
		if (count === 0) continue;
		if (!(b > a) || span <= 0) {
			out[cellOf(a)] += count;
			continue;
		}
		const first = cellOf(a);
		const last = cellOf(b - (b - a) * 1e-9);
		for (let c = first; c <= last; c++) {
			const c0 = lo + (c / cells) * span;
			const c1 = lo + ((c + 1) / cells) * span;
			const overlap = Math.min(b, c1) - Math.max(a, c0);
			if (overlap > 0) out[c] += (count * overlap) / (b - a);
		}
	}
	return out;
}

/**
 * The latest distribution as bars `width` columns wide and `height` rows tall (columns are equal
 * value ranges from the first edge to the last), then one line with the range's ends.
 */
export function histogramBars(sample: HistogramSample, width: number, height: number): Line[] {
	const lo = sample.edges[0];
	const hi = sample.edges[sample.edges.length - 1];
	const columns = Math.max(1, width);
	const density = rebin(sample, columns, lo, hi);
	let max = 0;
	for (const v of density) max = Math.max(max, v);
	const rows = Math.max(1, height - 1);
	const eighths = Array.from(density, v => (max > 0 ? Math.round((v / max) * rows * 8) : 0));
	const lines: Line[] = [];
	for (let row = 0; row < rows; row++) {
		// Row 0 is the top: it is filled by the eighths above (rows - 1 - row) full cells.
		const below = (rows - 1 - row) * 8;
		let text = '';
		for (const e of eighths) {
			const left = e - below;
			text += left >= 8 ? '█' : left > 0 ? EIGHTHS[left] : ' ';
		}
		lines.push(fitLine([{text, style: BAR}], width));
	}
	const left = formatNumber(lo);
	const right = formatNumber(hi);
	lines.push(fitLine([{text: `${left}${' '.repeat(Math.max(1, width - left.length - right.length))}${right}`, style: DIM}], width));
	return lines;
}

/**
 * The distribution over the kept steps: one column per step (the latest at the right, as many as
 * fit), `height` rows over the value range all of them cover (high values on top), each cell
 * shaded by its share of that step's largest cell (a step is up to 6 columns wide when few fit). A
 * label column of `labelWidth` at the left.
 */
export function heatStrip(samples: readonly HistogramSample[], width: number, height: number, labelWidth = 10): Line[] {
	const room = Math.max(1, width - labelWidth - 1);
	const shown = samples.slice(-room);
	if (shown.length === 0 || height < 1) return [];
	let lo = Infinity;
	let hi = -Infinity;
	for (const s of shown) {
		lo = Math.min(lo, s.edges[0]);
		hi = Math.max(hi, s.edges[s.edges.length - 1]);
	}
	const columns = shown.map(s => {
		const cells = rebin(s, height, lo, hi);
		let max = 0;
		for (const v of cells) max = Math.max(max, v);
		return {cells, max};
	});
	// Few steps: each is a few columns wide (at most 6), so a short run still reads as a strip.
	const repeat = Math.max(1, Math.min(6, Math.floor(room / shown.length)));
	const lines: Line[] = [];
	for (let row = 0; row < height; row++) {
		const cell = height - 1 - row;
		let text = '';
		for (const {cells, max} of columns) {
			const share = max > 0 ? cells[cell] / max : 0;
			text += (share <= 0 ? ' ' : SHADES[Math.max(1, Math.min(SHADES.length - 1, Math.ceil(share * (SHADES.length - 1))))]).repeat(repeat);
		}
		const label = row === 0 ? formatNumber(hi) : row === height - 1 ? formatNumber(lo) : '';
		lines.push(fitLine([{text: label.padStart(labelWidth).slice(-labelWidth) + ' ', style: DIM}, {text, style: STRIP}], width));
	}
	return lines;
}

/** A histogram in `width` columns of one line (▁ to █): for the all-gradients list. */
export function histogramSparkline(sample: HistogramSample, width: number): string {
	const density = rebin(sample, Math.max(1, width), sample.edges[0], sample.edges[sample.edges.length - 1]);
	let max = 0;
	for (const v of density) max = Math.max(max, v);
	return Array.from(density, v => (v <= 0 || max <= 0 ? ' ' : ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'][Math.min(7, Math.floor((v / max) * 8))])).join('');
}
