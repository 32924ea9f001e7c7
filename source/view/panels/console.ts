/** The run's console, following the tail; stderr lines marked, search matches highlighted. */
import type {ConsoleLine} from '../../state/console.js';
import type {RunState} from '../../state/run-state.js';
import {fitLine, type Line, type Style} from '../line.js';
import {sanitizeLine} from '../sanitize.js';

const TITLE: Style = {bold: true};
const TITLE_ACTIVE: Style = {bold: true, inverse: true, color: 'cyan'};
const DIM: Style = {dim: true};
const MARK: Style = {color: 'red', dim: true};
const MATCH: Style = {color: 'yellow'};
const CURRENT: Style = {color: 'yellow', inverse: true};

// The text of a line as drawn, per line object: search matches what the user sees.
const shownText = new WeakMap<ConsoleLine, string>();
function textOf(line: ConsoleLine): string {
	let text = shownText.get(line);
	if (text === undefined) {
		text = sanitizeLine(line.text);
		shownText.set(line, text);
	}
	return text;
}

/** The lines, the current search match and how far the panel scrolls to show it. */
export type ConsoleView = {lines: readonly ConsoleLine[]; matchIndex: number | null; matchCount: number; scroll: number};

/** Console lines and the current search match (`searchMatch` counts from the newest). */
export function consoleView(run: RunState, search: string, searchMatch: number, consoleScroll: number): ConsoleView {
	const lines = run.console.lines();
	if (!search) return {lines, matchIndex: null, matchCount: 0, scroll: consoleScroll};
	const needle = search.toLowerCase();
	const matches: number[] = [];
	for (let i = lines.length - 1; i >= 0; i--) if (textOf(lines[i]).toLowerCase().includes(needle)) matches.push(i);
	if (matches.length === 0) return {lines, matchIndex: null, matchCount: 0, scroll: consoleScroll};
	const matchIndex = matches[Math.min(searchMatch, matches.length - 1)];
	// Scroll so the current match is on screen (a few lines above the bottom edge).
	const scroll = Math.max(0, lines.length - 1 - matchIndex - 2);
	return {lines, matchIndex, matchCount: matches.length, scroll};
}

/** The panel's lines: exactly `height` lines of `width` columns. */
export function consoleLines(options: {view: ConsoleView; width: number; height: number; active: boolean; search: string; sourceNote: string}): Line[] {
	const {view, width, height, active, search} = options;
	if (height <= 0) return [];
	const lines = view.lines;
	const body = Math.max(0, height - 1);
	const scroll = Math.min(view.scroll, Math.max(0, lines.length - body));
	const end = Math.max(0, lines.length - scroll);
	const start = Math.max(0, end - body);
	const position = scroll > 0 ? ` ↑${scroll}` : ' (following)';
	const searchNote = search ? `  /${search}: ${view.matchCount} match${view.matchCount === 1 ? '' : 'es'}` : '';
	const out: Line[] = [fitLine([{text: `Console ${lines.length} lines${position}${searchNote}  ${options.sourceNote}`, style: active ? TITLE_ACTIVE : TITLE}], width, active ? TITLE_ACTIVE : undefined)];
	if (lines.length === 0) out.push(fitLine([{text: 'no console output yet', style: DIM}], width));
	const needle = search.toLowerCase();
	for (let index = start; index < end; index++) {
		const line = lines[index];
		const text = textOf(line);
		const current = index === view.matchIndex;
		const isMatch = needle !== '' && text.toLowerCase().includes(needle);
		// stderr is marked, not painted red: tqdm and most loggers write there too.
		out.push(fitLine([{text: line.stream === 'stderr' ? '! ' : '  ', style: MARK}, {text, style: current ? CURRENT : isMatch ? MATCH : undefined}], width));
	}
	while (out.length < height) out.push(fitLine([], width));
	return out.slice(0, height);
}
