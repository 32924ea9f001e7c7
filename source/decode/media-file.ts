/**
 * Media files decoded for the media panel (pure: bytes in, small results out): a PNG or JPEG
 * becomes a downscaled RGB thumbnail (the full image is never kept), a `.table.json` its first
 * rows and columns as text. Size limits are checked before any pixel is decoded.
 */
import {PNG} from 'pngjs';
import jpeg from 'jpeg-js';

/** Widest or tallest image decoded (a bigger one is refused with a message). */
export const MAX_IMAGE_SIDE = 8192;
/** Longest side of a cached thumbnail, in pixels: enough for a 1000-column pane's half-blocks at 2 px a row. */
export const THUMB_SIDE = 256;
/** Longest side of the larger copy kept for full-resolution terminal graphics (kitty, sixel): most W&B images are at most this. */
export const FULL_SIDE = 1024;
/** Table rows and columns kept in a preview. */
export const TABLE_ROWS = 200;
export const TABLE_COLUMNS = 50;

/** RGB pixels, 3 bytes a pixel, row by row. */
export type Pixels = {width: number; height: number; rgb: Uint8Array};

/**
 * An image as the panel draws it: downscaled RGB (3 bytes a pixel), and the source's size.
 * `full`: the image at up to FULL_SIDE a side for terminal graphics (the thumbnail's own pixels
 * when the source is that small); null where state dropped it to bound memory (read again on need).
 */
export type Thumbnail = {width: number; height: number; sourceWidth: number; sourceHeight: number; format: string; rgb: Uint8Array; full?: Pixels | null};

/** A table file's first rows and columns, as text cells (unsanitized: the view sanitizes). */
export type TablePreview = {columns: string[]; rows: string[][]; totalRows: number; totalColumns: number};

/** What reading a media file gave. */
export type MediaFile = {kind: 'image'; thumb: Thumbnail} | {kind: 'table'; table: TablePreview} | {kind: 'error'; message: string};

/** Width and height from a PNG's IHDR or a JPEG's SOF marker, without decoding; null if neither. */
export function imageSize(bytes: Uint8Array): {format: 'png' | 'jpeg'; width: number; height: number} | null {
	if (bytes.length >= 24 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
		const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
		return {format: 'png', width: view.getUint32(16), height: view.getUint32(20)};
	}
	if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
		let at = 2;
		while (at + 9 < bytes.length) {
			if (bytes[at] !== 0xff) return null;
			const marker = bytes[at + 1];
			const length = (bytes[at + 2] << 8) | bytes[at + 3];
			// SOF0..SOF15 carry the size, except DHT (C4), JPG (C8) and DAC (CC).
			if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
				return {format: 'jpeg', height: (bytes[at + 5] << 8) | bytes[at + 6], width: (bytes[at + 7] << 8) | bytes[at + 8]};
			}
			at += 2 + length;
		}
	}
	return null;
}

/**
 * Decodes a PNG or JPEG and box-filters it down to at most THUMB_SIDE pixels a side (each thumbnail
 * pixel the average of the source pixels it covers; transparent pixels over black). `name` is
 * the file as messages call it.
 */
export function decodeThumbnail(bytes: Uint8Array, name: string, maxSide = THUMB_SIDE): MediaFile {
	const size = imageSize(bytes);
	if (size === null) return {kind: 'error', message: `${name}: not a PNG or JPEG image`};
	if (size.width > MAX_IMAGE_SIDE || size.height > MAX_IMAGE_SIDE) return {kind: 'error', message: `${name}: ${size.width}x${size.height} is larger than ${MAX_IMAGE_SIDE}x${MAX_IMAGE_SIDE}: not decoded`};
	if (size.width === 0 || size.height === 0) return {kind: 'error', message: `${name}: an empty image`};
	let rgba: Uint8Array;
	let width: number;
	let height: number;
	try {
		if (size.format === 'png') {
			const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
			({width, height} = png);
			rgba = png.data;
		} else {
			const image = jpeg.decode(bytes, {useTArray: true, formatAsRGBA: true, maxResolutionInMP: (MAX_IMAGE_SIDE * MAX_IMAGE_SIDE) / 1e6, maxMemoryUsageInMB: 512});
			({width, height} = image);
			rgba = image.data;
		}
	} catch (error) {
		return {kind: 'error', message: `${name}: cannot be decoded (${String((error as Error).message ?? error).split('\n')[0]})`};
	}
	const thumb = boxDownscale(rgba, width, height, maxSide, size.format);
	const large = Math.max(width, height) <= maxSide ? thumb : boxDownscale(rgba, width, height, FULL_SIDE, size.format);
	return {kind: 'image', thumb: {...thumb, full: {width: large.width, height: large.height, rgb: large.rgb}}};
}

/** RGBA → RGB at most `maxSide` a side, each output pixel the mean of the source area it covers. */
export function boxDownscale(rgba: Uint8Array, width: number, height: number, maxSide: number, format: string): Thumbnail {
	const scale = Math.min(1, maxSide / Math.max(width, height));
	const w = Math.max(1, Math.round(width * scale));
	const h = Math.max(1, Math.round(height * scale));
	const sums = new Float64Array(w * h * 3);
	const counts = new Float64Array(w * h);
	for (let y = 0; y < height; y++) {
		const ty = Math.min(h - 1, Math.floor((y * h) / height));
		for (let x = 0; x < width; x++) {
			const tx = Math.min(w - 1, Math.floor((x * w) / width));
			const s = (y * width + x) * 4;
			const alpha = rgba[s + 3] / 255;
			const t = ty * w + tx;
			sums[t * 3] += rgba[s] * alpha;
			sums[t * 3 + 1] += rgba[s + 1] * alpha;
			sums[t * 3 + 2] += rgba[s + 2] * alpha;
			counts[t]++;
		}
	}
	const rgb = new Uint8Array(w * h * 3);
	for (let t = 0; t < w * h; t++) for (let c = 0; c < 3; c++) rgb[t * 3 + c] = Math.round(sums[t * 3 + c] / Math.max(1, counts[t]));
	return {width: w, height: h, sourceWidth: width, sourceHeight: height, format, rgb};
}

/** A cell of a table as one line of text (objects, lists and media as compact JSON). */
function cellText(value: unknown): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	if (typeof value === 'object' && typeof (value as {_type?: unknown})._type === 'string') return `[${String((value as {_type: string})._type).replace(/-file$/, '')}]`;
	const text = JSON.stringify(value);
	return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** A `.table.json` (`{"columns": [...], "data": [[...], ...]}`) as its first rows and columns. */
export function decodeTable(text: string, name: string): MediaFile {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return {kind: 'error', message: `${name}: not JSON`};
	}
	const object = parsed as {columns?: unknown; data?: unknown};
	if (parsed === null || typeof parsed !== 'object' || !Array.isArray(object.columns) || !Array.isArray(object.data)) return {kind: 'error', message: `${name}: not a table (no columns and data)`};
	const columns = object.columns.slice(0, TABLE_COLUMNS).map(cellText);
	const rows = object.data.slice(0, TABLE_ROWS).map(row => (Array.isArray(row) ? row.slice(0, TABLE_COLUMNS).map(cellText) : [cellText(row)]));
	return {kind: 'table', table: {columns, rows, totalRows: object.data.length, totalColumns: object.columns.length}};
}
