/**
 * Images and densities as terminal cells. An image is drawn with half blocks: each cell is `▀`
 * with the top pixel as its foreground and the bottom pixel as its background, so a cell holds two
 * square-ish pixels. In 24-bit colour where the terminal says it has it (COLORTERM truecolor /
 * 24bit), else the nearest of the 256-colour palette, and with no colour (NO_COLOR, --no-color)
 * as shade characters by brightness.
 */
import type {Thumbnail} from '../state/media.js';
import {fitLine, type Color, type Line, type Span, type Style} from './line.js';

/** What colours the terminal draws: 24-bit, the 256-colour palette, or none. */
export type ColorDepth = 'truecolor' | '256' | 'none';

/** Shades from dark to bright, for drawing without colour. */
export const SHADES = [' ', '░', '▒', '▓', '█'] as const;

/** The nearest 256-colour palette entry (the 6x6x6 cube or the grey ramp) to an RGB colour. */
export function rgbTo256(r: number, g: number, b: number): number {
	const level = (v: number) => (v < 48 ? 0 : v < 115 ? 1 : Math.min(5, Math.floor((v - 35) / 40)));
	const steps = [0, 95, 135, 175, 215, 255];
	const [cr, cg, cb] = [level(r), level(g), level(b)];
	const cube = 16 + 36 * cr + 6 * cg + cb;
	const cubeError = (steps[cr] - r) ** 2 + (steps[cg] - g) ** 2 + (steps[cb] - b) ** 2;
	const grey = Math.max(0, Math.min(23, Math.round(((r + g + b) / 3 - 8) / 10)));
	const greyValue = 8 + grey * 10;
	const greyError = (greyValue - r) ** 2 + (greyValue - g) ** 2 + (greyValue - b) ** 2;
	return greyError < cubeError ? 232 + grey : cube;
}

const hex = (v: number) => v.toString(16).padStart(2, '0');

/** An RGB colour as the line model writes it at this depth. */
export function colorOf(r: number, g: number, b: number, depth: ColorDepth): Color {
	return depth === 'truecolor' ? `#${hex(r)}${hex(g)}${hex(b)}` : `256:${rgbTo256(r, g, b)}`;
}

/** The size, in cells, an image of `width` x `height` pixels is drawn at in `columns` x `rows` (aspect kept; a cell is 1 x 2 pixels). */
export function imageCells(width: number, height: number, columns: number, rows: number): {columns: number; rows: number; pixelRows: number} {
	const scale = Math.min(columns / width, (2 * rows) / height);
	const cols = Math.max(1, Math.min(columns, Math.round(width * scale)));
	const pixelRows = Math.max(1, Math.min(2 * rows, Math.round(height * scale)));
	return {columns: cols, rows: Math.ceil(pixelRows / 2), pixelRows};
}

/** The mean RGB of the thumbnail over the part of it that output pixel (x, y) of a `w` x `h` grid covers. */
function sample(thumb: Thumbnail, x: number, y: number, w: number, h: number): [number, number, number] {
	const x0 = Math.floor((x * thumb.width) / w);
	const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * thumb.width) / w));
	const y0 = Math.floor((y * thumb.height) / h);
	const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * thumb.height) / h));
	let r = 0;
	let g = 0;
	let b = 0;
	let n = 0;
	for (let yy = y0; yy < Math.min(y1, thumb.height); yy++) {
		for (let xx = x0; xx < Math.min(x1, thumb.width); xx++) {
			const at = (yy * thumb.width + xx) * 3;
			r += thumb.rgb[at];
			g += thumb.rgb[at + 1];
			b += thumb.rgb[at + 2];
			n++;
		}
	}
	return n === 0 ? [0, 0, 0] : [Math.round(r / n), Math.round(g / n), Math.round(b / n)];
}

/** Styles are shared per colour pair (painting caches per style object). */
const styles = new Map<string, Style>();
function styleOf(fg: Color, bg: Color | undefined): Style {
	const key = `${fg}/${bg ?? ''}`;
	let style = styles.get(key);
	if (style === undefined) {
		if (styles.size > 50_000) styles.clear();
		style = bg === undefined ? {color: fg} : {color: fg, bg};
		styles.set(key, style);
	}
	return style;
}

/**
 * The thumbnail drawn to fit `columns` x `rows` cells, aspect kept: one line per cell row, each
 * exactly `columns` wide (the image at the left, blank after it).
 */
export function imageLines(thumb: Thumbnail, columns: number, rows: number, depth: ColorDepth): Line[] {
	const size = imageCells(thumb.sourceWidth, thumb.sourceHeight, columns, rows);
	const lines: Line[] = [];
	for (let row = 0; row < size.rows; row++) {
		const spans: Span[] = [];
		let text = '';
		let style: Style | undefined;
		const flush = () => {
			if (text) spans.push({text, style});
			text = '';
		};
		for (let x = 0; x < size.columns; x++) {
			const top = sample(thumb, x, 2 * row, size.columns, size.pixelRows);
			const hasBottom = 2 * row + 1 < size.pixelRows;
			const bottom = hasBottom ? sample(thumb, x, 2 * row + 1, size.columns, size.pixelRows) : null;
			let char: string;
			let next: Style | undefined;
			if (depth === 'none') {
				const light = (c: [number, number, number]) => (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255;
				const value = bottom === null ? light(top) : (light(top) + light(bottom)) / 2;
				char = SHADES[Math.min(SHADES.length - 1, Math.floor(value * SHADES.length))];
				next = undefined;
			} else {
				char = '▀';
				next = styleOf(colorOf(top[0], top[1], top[2], depth), bottom === null ? undefined : colorOf(bottom[0], bottom[1], bottom[2], depth));
			}
			if (next !== style) flush();
			style = next;
			text += char;
		}
		flush();
		lines.push(fitLine(spans, columns));
	}
	return lines;
}
