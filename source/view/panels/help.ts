/** The help screen, generated from the keymap. */
import {helpLines} from '../../keymap.js';
import {fitLine, type Line} from '../line.js';

/** Exactly `height` lines of `width` columns. */
export function helpScreenLines(width: number, height: number): Line[] {
	const text = ['wbtop keys (? or Esc closes this)', '', ...helpLines()];
	const out = text.slice(0, height).map((line, i) => fitLine([{text: line, style: i === 0 ? {bold: true} : undefined}], width));
	while (out.length < height) out.push(fitLine([], width));
	return out;
}
