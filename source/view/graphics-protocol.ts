/**
 * Full-resolution images in the terminal: which graphics protocol the terminal speaks (kitty's,
 * or sixel) and pure encoders for both. The escapes are built here from decoded pixels only, never
 * from run text, so they do not pass the screen model's sanitizer: the screen model leaves the
 * image's cells blank and names the rectangle (Screen.graphic), and ui/graphics.ts writes the
 * escape there after Ink's frame.
 */
import {PNG} from 'pngjs';
import type {Pixels} from '../decode/media-file.js';

/** The protocol images are drawn with; `none`: half blocks. */
export type GraphicsKind = 'kitty' | 'sixel' | 'none';

/** How images go out: the protocol, and whether each escape is wrapped for tmux's passthrough. */
export type GraphicsMode = {kind: GraphicsKind; tmux: boolean};

/** Where the screen model leaves room for an image: its pixels, and its cell rectangle (0-based). */
export type Graphic = {path: string; pixels: Pixels; x: number; y: number; columns: number; rows: number};

const ESC = '\u001B';
/** String terminator. */
const ST = `${ESC}\\`;

/**
 * The graphics protocol from the environment. `color`: false for --no-color / NO_COLOR.
 * `tmuxPassthrough`: tmux's `allow-passthrough` is on (asked once at start; only where TMUX is
 * set). Kitty's protocol where the terminal is kitty (TERM=xterm-kitty, KITTY_WINDOW_ID) or
 * speaks it (TERM_PROGRAM WezTerm, ghostty); sixel where TERM names it (`*sixel*`, foot, mlterm)
 * or the terminal's device attributes (`deviceAttributes`, the `CSI ? … c` reply) list 4;
 * WBTOP_GRAPHICS=kitty|sixel|none overrides what the terminal looks like.
 */
export function detectGraphics(env: NodeJS.ProcessEnv, options: {color: boolean; tmuxPassthrough: boolean; deviceAttributes?: readonly number[] | null}): GraphicsMode {
	const none: GraphicsMode = {kind: 'none', tmux: false};
	const term = env.TERM ?? '';
	if (!options.color || (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || term === 'dumb') return none;
	const tmux = Boolean(env.TMUX);
	if (tmux && !options.tmuxPassthrough) return none;
	const forced = env.WBTOP_GRAPHICS;
	if (forced === 'none') return none;
	if (forced === 'kitty' || forced === 'sixel') return {kind: forced, tmux};
	const program = (env.TERM_PROGRAM ?? '').toLowerCase();
	if (term === 'xterm-kitty' || env.KITTY_WINDOW_ID || program === 'wezterm' || program === 'ghostty' || term === 'xterm-ghostty') return {kind: 'kitty', tmux};
	if (/sixel/i.test(term) || /^(foot|mlterm)/.test(term) || options.deviceAttributes?.includes(4)) return {kind: 'sixel', tmux};
	return none;
}

/**
 * Whether the device-attributes query is worth its wait: graphics could be on (colour, not dumb,
 * no override) and the environment does not already say (in tmux the reply would be tmux's own).
 */
export function shouldAskDeviceAttributes(env: NodeJS.ProcessEnv, color: boolean): boolean {
	if (env.TMUX || env.WBTOP_GRAPHICS !== undefined) return false;
	return detectGraphics(env, {color, tmuxPassthrough: false}).kind === 'none' && detectGraphics(env, {color, tmuxPassthrough: false, deviceAttributes: [4]}).kind === 'sixel';
}

/** `sequence` for tmux to hand to the outer terminal: `ESC P tmux; …  ESC \`, each ESC inside doubled. */
export function tmuxWrap(sequence: string): string {
	return `${ESC}Ptmux;${sequence.replaceAll(ESC, ESC + ESC)}${ST}`;
}

/** `image` drawn with the cursor at cell (x, y) (0-based), the cursor saved and restored around it. */
export function placeAt(x: number, y: number, image: string): string {
	return `${ESC}7${ESC}[${y + 1};${x + 1}H${image}${ESC}8`;
}

/** Bytes of base64 in one kitty graphics escape (the protocol's limit). */
export const KITTY_CHUNK = 4096;

/**
 * A PNG shown through kitty's protocol at the cursor, scaled to `columns` x `rows` cells: `a=T`
 * (transmit and display), `f=100` (PNG), image id `id` and placement 1, `q=2` (no replies: they
 * would arrive on stdin as keys), `C=1` (the cursor stays), base64 in KITTY_CHUNK-byte chunks
 * (`m=1` on all but the last, `m=0`). Each escape is wrapped for tmux when `tmux`.
 */
export function kittyImage(png: Uint8Array, id: number, columns: number, rows: number, tmux = false): string {
	const data = Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64');
	const parts: string[] = [];
	for (let at = 0; at < data.length || at === 0; at += KITTY_CHUNK) {
		const chunk = data.slice(at, at + KITTY_CHUNK);
		const more = at + KITTY_CHUNK < data.length ? 1 : 0;
		const keys = at === 0 ? `a=T,f=100,i=${id},p=1,c=${columns},r=${rows},q=2,C=1,m=${more}` : `m=${more}`;
		const escape = `${ESC}_G${keys};${chunk}${ST}`;
		parts.push(tmux ? tmuxWrap(escape) : escape);
	}
	return parts.join('');
}

/** Image `id` (already transmitted) placed again at the cursor at `columns` x `rows`: replaces its placement 1. */
export function kittyPlace(id: number, columns: number, rows: number, tmux = false): string {
	const escape = `${ESC}_Ga=p,i=${id},p=1,c=${columns},r=${rows},q=2,C=1${ST}`;
	return tmux ? tmuxWrap(escape) : escape;
}

/** Deletes image `id` and its data from the terminal (`a=d,d=I`). */
export function kittyDelete(id: number, tmux = false): string {
	const escape = `${ESC}_Ga=d,d=I,i=${id},q=2${ST}`;
	return tmux ? tmuxWrap(escape) : escape;
}

/** Pixels as a PNG (RGB, opaque). */
export function encodePng(pixels: Pixels): Uint8Array {
	const png = new PNG({width: pixels.width, height: pixels.height, colorType: 2, inputColorType: 2, inputHasAlpha: false});
	png.data = Buffer.from(pixels.rgb.buffer, pixels.rgb.byteOffset, pixels.rgb.byteLength);
	return PNG.sync.write(png, {colorType: 2, inputColorType: 2, inputHasAlpha: false});
}

/** `pixels` resampled to `width` x `height` (each output pixel the mean of the source area it covers). */
export function resample(pixels: Pixels, width: number, height: number): Pixels {
	const rgb = new Uint8Array(width * height * 3);
	for (let y = 0; y < height; y++) {
		const y0 = Math.floor((y * pixels.height) / height);
		const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * pixels.height) / height));
		for (let x = 0; x < width; x++) {
			const x0 = Math.floor((x * pixels.width) / width);
			const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * pixels.width) / width));
			let r = 0;
			let g = 0;
			let b = 0;
			let n = 0;
			for (let yy = y0; yy < Math.min(y1, pixels.height); yy++) {
				for (let xx = x0; xx < Math.min(x1, pixels.width); xx++) {
					const at = (yy * pixels.width + xx) * 3;
					r += pixels.rgb[at];
					g += pixels.rgb[at + 1];
					b += pixels.rgb[at + 2];
					n++;
				}
			}
			const out = (y * width + x) * 3;
			rgb[out] = Math.round(r / n);
			rgb[out + 1] = Math.round(g / n);
			rgb[out + 2] = Math.round(b / n);
		}
	}
	return {width, height, rgb};
}

/** The sixel palette index of a colour: the 6x6x6 cube (216 colours, levels 0, 51, … 255). */
export function sixelIndex(r: number, g: number, b: number): number {
	return Math.round(r / 51) * 36 + Math.round(g / 51) * 6 + Math.round(b / 51);
}

/**
 * Pixels as sixel: `ESC P q`, raster attributes `"1;1;W;H` (square pixels), the palette (only the
 * cube colours used, `#i;2;r;g;b` in percent), then bands of six pixel rows (`#i` and the
 * band's characters for each colour, run-length coded with `!n`, `$` back to the band's start,
 * `-` to the next band), `ESC \`. Colours are quantized to the 216-colour cube (at most 25 off a channel).
 */
export function sixelImage(pixels: Pixels, tmux = false): string {
	const {width, height, rgb} = pixels;
	const index = new Uint8Array(width * height);
	const used = new Set<number>();
	for (let p = 0; p < width * height; p++) {
		index[p] = sixelIndex(rgb[p * 3], rgb[p * 3 + 1], rgb[p * 3 + 2]);
		used.add(index[p]);
	}
	const out: string[] = [`${ESC}Pq"1;1;${width};${height}`];
	for (const i of [...used].sort((a, b) => a - b)) {
		const level = (n: number) => n * 20; // 51/255 = 20 %
		out.push(`#${i};2;${level(Math.floor(i / 36))};${level(Math.floor(i / 6) % 6)};${level(i % 6)}`);
	}
	for (let top = 0; top < height; top += 6) {
		const bands = new Map<number, Uint8Array>();
		for (let dy = 0; dy < 6 && top + dy < height; dy++) {
			for (let x = 0; x < width; x++) {
				const c = index[(top + dy) * width + x];
				let bits = bands.get(c);
				if (bits === undefined) bands.set(c, (bits = new Uint8Array(width)));
				bits[x] |= 1 << dy;
			}
		}
		const rows: string[] = [];
		for (const [c, bits] of bands) {
			let line = `#${c}`;
			for (let x = 0; x < width; ) {
				let run = 1;
				while (x + run < width && bits[x + run] === bits[x]) run++;
				const char = String.fromCharCode(63 + bits[x]);
				line += run > 3 ? `!${run}${char}` : char.repeat(run);
				x += run;
			}
			rows.push(line);
		}
		out.push(rows.join('$'), '-');
	}
	out.push(ST);
	const text = out.join('');
	return tmux ? tmuxWrap(text) : text;
}
