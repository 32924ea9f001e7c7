/** The help screen, generated from the keymap. */
import {helpLines, KEYMAP, type Binding} from '../../keymap.js';
import {fitLine, type Line} from '../line.js';

/** Exactly `height` lines of `width` columns. */
export function helpScreenLines(width: number, height: number, keymap: readonly Binding[] = KEYMAP): Line[] {
	const text = ['wbtop keys (? or Esc closes this)', '', ...helpLines(keymap)];
	const out = text.slice(0, height).map((line, i) => fitLine([{text: line, style: i === 0 ? {bold: true} : undefined}], width));
	while (out.length < height) out.push(fitLine([], width));
	return out;
}
