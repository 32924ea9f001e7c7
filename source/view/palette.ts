/**
 * Series colours (issue 14's palettes): the colour of a chart's line and of each run in an
 * overlay, and the glyph each overlaid run is drawn with where colour is not the way to tell them
 * apart.
 *
 * - `default`: wbtop's named terminal colours.
 * - `okabe-ito`: Okabe & Ito's colour-blind-safe set (orange, sky blue, bluish green, yellow,
 *   blue, vermillion, reddish purple), as the nearest colours of the 256-colour palette: every
 *   256-colour terminal and tmux show them, where 24-bit colour is not everywhere.
 * - `mono`: no colour; each overlaid run is drawn with its own glyph (● ▲ ■ …), so the series
 *   stay apart on a monochrome terminal, in a screenshot or for any colour vision.
 *
 * `NO_COLOR` / `--no-color` drop every colour whatever the palette (painting in mono mode).
 */
import type {PaletteName} from '../state/settings.js';
import type {Color, Style} from './line.js';

/** Okabe-Ito, as 256-colour indexes: #E69F00→178, #56B4E9→74, #009E73→36, #F0E442→221, #0072B2→25, #D55E00→166, #CC79A7→175. */
export const OKABE_ITO: readonly Color[] = ['256:178', '256:74', '256:36', '256:221', '256:25', '256:166', '256:175'];

const DEFAULT_SERIES: readonly Color[] = ['cyan', 'yellow', 'magenta', 'green', 'red', 'blue', 'white'];

/** One glyph per overlaid run: the legend's marks, and in `mono` the plot's. */
export const SERIES_MARKS: readonly string[] = ['●', '▲', '■', '◆', '+', '*', '○'];

/** Colours for the runs of an overlay, in order (empty for mono: no colour). */
export function seriesColors(palette: PaletteName): readonly Color[] {
	return palette === 'okabe-ito' ? OKABE_ITO : palette === 'mono' ? [] : DEFAULT_SERIES;
}

/** The colour of overlay series `index` (the legend and the runs list repeat it), or undefined in mono. */
export function seriesColor(palette: PaletteName, index: number): Color | undefined {
	const colors = seriesColors(palette);
	return colors.length === 0 ? undefined : colors[index % colors.length];
}

/** The line of a single-run chart: cyan, Okabe-Ito's sky blue, or no colour (null). */
export function chartLineColor(palette: PaletteName): Color | null {
	return palette === 'okabe-ito' ? OKABE_ITO[1] : palette === 'mono' ? null : 'cyan';
}

const styles = new Map<string, Style>();

/** One shared Style object per colour (painting caches per style object). */
export function colorStyle(color: Color | null | undefined): Style | undefined {
	if (!color) return undefined;
	let style = styles.get(color);
	if (!style) {
		style = {color};
		styles.set(color, style);
	}
	return style;
}
