/**
 * Palettes in the screen model, on two real runs of one project overlaid: the SGR colours the
 * series are painted with are the palette's; mono paints no colour and tells the runs apart by
 * glyph; NO_COLOR (mono painting) drops the colours of any palette.
 */
import {describe, expect, it} from 'vitest';
import {loadRun} from '../../source/modes/load.js';
import {initialUiState, reduceUi, type UiState} from '../../source/state/ui-state.js';
import type {Snapshot} from '../../source/state/snapshot.js';
import {OKABE_ITO} from '../../source/view/palette.js';
import {navigation, ScreenBuilder} from '../../source/view/screen.js';
import {realRun} from '../helpers/fixtures.js';
import {snapshotOf} from '../helpers/snapshot.js';

const watched = realRun('h0sbxufh');
const other = realRun('anlc1q2m');
const base = snapshotOf(watched);
const snap: Snapshot = {
	...base,
	runDir: watched,
	runs: [
		{runDir: watched, id: 'h0sbxufh', name: 'run-20240529_073551-h0sbxufh', mtime: 0, state: base.run},
		{runDir: other, id: 'anlc1q2m', name: 'run-20240528_042705-anlc1q2m', mtime: 0, state: loadRun(other).state},
	],
};

/** SGR foreground codes painted on the plot's line cells (─╭╮╰╯) and glyphs (●▲) of the charts, legends left out. */
function plotColours(ui: Partial<UiState>, paint: 'color' | 'mono' = 'color'): {line: Set<string>; glyphs: Set<string>} {
	const screen = new ScreenBuilder().build({snap, ui: {...initialUiState(), overlay: [other], ...ui}, columns: 120, rows: 40, now: Date.now(), pulse: 0});
	const area = screen.panels.metrics!;
	const line = new Set<string>();
	const glyphs = new Set<string>();
	for (const row of screen.lines.slice(area.y, area.y + area.height)) {
		if (/[●▲] \w/.test(row.text)) continue; // a legend
		let fg = '';
		for (const match of row.paint(paint).matchAll(/\u001B\[([\d;]*)m|([^\u001B])/gu)) {
			if (match[2] === undefined) {
				const codes = match[1];
				const colour = /(?:^|;)(38;5;\d+|3[0-7]|9[0-7])(?:;|$)/.exec(codes);
				if (colour) fg = colour[1];
				else if (/(^|;)(0|39)(;|$)/.test(codes) || codes === '') fg = '';
				continue;
			}
			if ('─╭╮╰╯'.includes(match[2])) line.add(fg);
			if ('●▲'.includes(match[2])) glyphs.add(match[2] + fg);
		}
	}
	return {line, glyphs};
}

describe('palettes', () => {
	it('default: cyan and yellow series', () => {
		expect(plotColours({palette: 'default'}).line).toEqual(new Set(['36', '33']));
	});

	it('okabe-ito: orange and sky blue (256-colour), none of the default colours', () => {
		const sgr = (color: string) => `38;5;${color.slice(4)}`;
		expect(plotColours({palette: 'okabe-ito'}).line).toEqual(new Set([sgr(OKABE_ITO[0]), sgr(OKABE_ITO[1])]));
	});

	it('mono: no colour on any series, and each run a glyph of its own in the plot', () => {
		const {line, glyphs} = plotColours({palette: 'mono'});
		expect([...line].filter(Boolean)).toEqual([]);
		expect(glyphs).toEqual(new Set(['●', '▲']));
	});

	it('NO_COLOR (mono painting) drops the palette colours too', () => {
		expect(plotColours({palette: 'okabe-ito'}, 'mono').line).toEqual(new Set(['']));
	});

	it('C cycles default → okabe-ito → mono → default', () => {
		let ui = initialUiState();
		const seen: string[] = [];
		for (let i = 0; i < 3; i++) {
			ui = reduceUi(ui, 'palette', navigation({snap, ui, columns: 120, rows: 40, now: 0, pulse: 0}));
			seen.push(ui.palette);
		}
		expect(seen).toEqual(['okabe-ito', 'mono', 'default']);
	});
});
