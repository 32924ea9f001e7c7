/** The help screen, generated from the keymap. */
import {helpLines, KEYMAP, type Binding} from '../../keymap.js';
import {fitLine, type Line} from '../line.js';

/** Exactly `height` lines of `width` columns. */
export function helpScreenLines(width: number, height: number, keymap: readonly Binding[] = KEYMAP): Line[] {
	let text = ['wbtop keys (? or Esc closes this)', '', ...helpLines(keymap)];
	if (text.length > height && width >= 80) {
		// Too long for the pane: two columns (each line cut to its half), so every key is on screen.
		const body = text.slice(2);
		const half = Math.ceil(body.length / 2);
		const column = Math.floor(width / 2);
		text = [...text.slice(0, 2), ...body.slice(0, half).map((line, i) => fitLine([line], column - 1).text + ' ' + (body[half + i] ?? ''))];
	}
	const out = text.slice(0, height).map((line, i) => fitLine([{text: line, style: i === 0 ? {bold: true} : undefined}], width));
	while (out.length < height) out.push(fitLine([], width));
	return out;
}
