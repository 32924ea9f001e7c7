/**
 * Draws the media page's image at full resolution through the terminal's graphics protocol
 * (view/graphics-protocol.ts builds the escapes). The screen model leaves the image's cells blank
 * and names its rectangle; this writes the image there after Ink's frame (Ink writes at most every
 * 100 ms, so the image goes out DRAW_DELAY_MS after the frame that needs it), only when the
 * image, its rectangle or the text on its rows changed (Ink rewrote those rows), and deletes it
 * when the page changes, closes, or wbtop exits. A sixel image is pixels in the cells, which Ink
 * does not know of: when it goes, the cells it covered that are blank in the new frame (rows Ink
 * may not rewrite) are erased.
 */
import {encodePng, kittyDelete, kittyImage, kittyPlace, placeAt, resample, sixelImage, type Graphic, type GraphicsMode} from '../view/graphics-protocol.js';
import type {Pixels} from '../decode/media-file.js';
import {textWidth} from '../view/format.js';

/** After a frame, wait this long before drawing the image (Ink's frames are throttled to 10 a second). */
export const DRAW_DELAY_MS = 120;
/** The cell size sixel images are scaled for (terminals do not tell it here): small enough to fit most fonts' cells. */
export const SIXEL_CELL = {width: 8, height: 16};

/** Keeps what is on the terminal and writes only changes. */
export class GraphicsPainter {
	private shownKey = '';
	private kittyId = 0;
	private kittyPixels: Pixels | null = null;
	private nextId = 1;
	private timer: NodeJS.Timeout | null = null;
	private pending: {graphic: Graphic | null; key: string; lines: readonly string[]} | null = null;
	/** The sixel image on screen (its rectangle), if any. */
	private sixelShown: Graphic | null = null;

	constructor(
		private readonly mode: GraphicsMode,
		private readonly write: (text: string) => void,
		private readonly delayMs = DRAW_DELAY_MS,
	) {}

	/** The image the frame just drawn wants (null: none), and the frame's painted lines (what Ink writes). */
	show(graphic: Graphic | null, lines: readonly string[]): void {
		if (this.mode.kind === 'none') return;
		const under = graphic === null ? '' : lines.slice(graphic.y, graphic.y + graphic.rows).join('\n');
		const key = graphic === null ? '' : `${graphic.path}|${graphic.x},${graphic.y},${graphic.columns}x${graphic.rows}|${under}`;
		if (key === (this.pending?.key ?? this.shownKey)) return;
		this.pending = {graphic, key, lines};
		if (this.timer) clearTimeout(this.timer);
		this.timer = setTimeout(() => this.flush(), this.delayMs);
	}

	/** The screen was cleared (a resize): draw the image again at the next frame. */
	invalidate(): void {
		this.shownKey = '\u0000';
		// A cleared screen may have lost the kitty image too: send it again.
		this.kittyPixels = null;
	}

	/** Draws what is pending now. */
	flush(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		const pending = this.pending;
		this.pending = null;
		if (pending === null) return;
		this.shownKey = pending.key;
		const {graphic} = pending;
		const tmux = this.mode.tmux;
		if (this.mode.kind === 'kitty') {
			if (graphic === null || graphic.pixels !== this.kittyPixels) this.remove();
			if (graphic === null) return;
			if (this.kittyId !== 0) {
				this.write(placeAt(graphic.x, graphic.y, kittyPlace(this.kittyId, graphic.columns, graphic.rows, tmux)));
				return;
			}
			this.kittyId = this.nextId++;
			this.kittyPixels = graphic.pixels;
			this.write(placeAt(graphic.x, graphic.y, kittyImage(encodePng(graphic.pixels), this.kittyId, graphic.columns, graphic.rows, tmux)));
			return;
		}
		// Sixel: a row Ink rewrote covers the old pixels; the others, blank in this frame, are erased.
		const old = this.sixelShown;
		this.sixelShown = graphic;
		if (old !== null) this.write(eraseBlank(old, pending.lines));
		if (graphic === null) return;
		const scale = Math.min((graphic.columns * SIXEL_CELL.width) / graphic.pixels.width, (graphic.rows * SIXEL_CELL.height) / graphic.pixels.height);
		const width = Math.max(1, Math.round(graphic.pixels.width * scale));
		const height = Math.max(1, Math.round(graphic.pixels.height * scale));
		this.write(placeAt(graphic.x, graphic.y, sixelImage(resample(graphic.pixels, width, height), tmux)));
	}

	/** Deletes the kitty image shown, if any. */
	private remove(): void {
		if (this.kittyId === 0) return;
		this.write(kittyDelete(this.kittyId, this.mode.tmux));
		this.kittyId = 0;
		this.kittyPixels = null;
	}

	/** Deletes what is shown and draws nothing more (the dashboard's exit: the alternate screen goes with a sixel). */
	close(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		this.pending = null;
		this.remove();
	}
}

/** For each row of `rect` whose cells are blank in `lines` (painted), the cursor there and ECH over them (cursor saved and restored). */
export function eraseBlank(rect: Graphic, lines: readonly string[]): string {
	let out = '';
	for (let row = rect.y; row < rect.y + rect.rows; row++) {
		const text = (lines[row] ?? '').replace(/\u001B\[[0-9;:]*m/g, '');
		const chars = [...text];
		// Columns are code points only where every character is one cell wide.
		if (textWidth(text) !== chars.length) continue;
		if (chars.slice(rect.x, rect.x + rect.columns).join('').trim() !== '') continue;
		out += `\u001B[${row + 1};${rect.x + 1}H\u001B[${rect.columns}X`;
	}
	return out === '' ? '' : `\u001B7${out}\u001B8`;
}
