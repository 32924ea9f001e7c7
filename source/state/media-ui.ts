/**
 * What the media panel shows: which key is selected, whether its view (the detail) has the keys,
 * which step of it, where a table is scrolled, and the all-gradients view. Folded from key actions
 * by a pure reducer, given what the screen model drew ({@link MediaNav}).
 */
import type {Action} from '../keymap.js';

export type MediaUi = {
	open: boolean;
	/** The selected key, an index into the panel's list. */
	cursor: number;
	/** Where the arrows act: the key list, or the selected key's view. */
	pane: 'list' | 'detail';
	/** The step shown, an index into the key's steps; null follows the latest. */
	step: number | null;
	/** A table's first row and column shown. */
	tableRow: number;
	tableColumn: number;
	/** The all-gradients view (every `gradients/*` histogram, smallest first) is open, and its cursor. */
	gradients: boolean;
	gradientCursor: number;
};

/** What the reducer needs from the media page as drawn. */
export type MediaNav = {
	/** Keys in the list, in list order. */
	keys: readonly string[];
	/** Steps the selected key has. */
	steps: number;
	/** What the selected key is drawn as. */
	detail: 'image' | 'histogram' | 'table' | 'other' | null;
	/** Table rows and columns the preview holds. */
	tableRows: number;
	tableColumns: number;
	/** Rows one page of the list (or table) shows. */
	pageRows: number;
	/** The gradient keys in the all-gradients view's order. */
	gradientKeys: readonly string[];
};

export function initialMediaUi(): MediaUi {
	return {open: false, cursor: 0, pane: 'list', step: null, tableRow: 0, tableColumn: 0, gradients: false, gradientCursor: 0};
}

const clamp = (n: number, max: number) => Math.max(0, Math.min(Math.max(0, max), n));

/** Apply one key action while the media panel is open (`help` is the caller's). */
export function reduceMediaUi(m: MediaUi, action: Action, nav: MediaNav): MediaUi {
	const page = Math.max(1, nav.pageRows);
	const select = (cursor: number): MediaUi => ({...m, cursor: clamp(cursor, nav.keys.length - 1), step: null, tableRow: 0, tableColumn: 0});
	if (action === 'media') return {...m, open: false};
	if (m.gradients) {
		const move = (to: number): MediaUi => ({...m, gradientCursor: clamp(to, nav.gradientKeys.length - 1)});
		switch (action) {
			case 'up':
				return move(m.gradientCursor - 1);
			case 'down':
				return move(m.gradientCursor + 1);
			case 'pageUp':
				return move(m.gradientCursor - page);
			case 'pageDown':
				return move(m.gradientCursor + page);
			case 'top':
				return move(0);
			case 'bottom':
				return move(Number.MAX_SAFE_INTEGER);
			case 'focus':
			case 'right': {
				const at = nav.keys.indexOf(nav.gradientKeys[m.gradientCursor] ?? '');
				return at < 0 ? m : {...select(at), gradients: false, pane: 'detail'};
			}
			case 'gradients':
			case 'escape':
			case 'left':
				return {...m, gradients: false};
			default:
				return m;
		}
	}
	if (action === 'gradients') return {...m, gradients: true};
	if (m.pane === 'list') {
		switch (action) {
			case 'up':
				return select(m.cursor - 1);
			case 'down':
				return select(m.cursor + 1);
			case 'pageUp':
				return select(m.cursor - page);
			case 'pageDown':
				return select(m.cursor + page);
			case 'top':
				return select(0);
			case 'bottom':
				return select(Number.MAX_SAFE_INTEGER);
			case 'focus':
			case 'right':
				return nav.keys.length > 0 ? {...m, pane: 'detail'} : m;
			case 'escape':
				return {...m, open: false};
			default:
				return m;
		}
	}
	// The selected key's view.
	const steps = nav.steps;
	const at = m.step ?? steps - 1;
	const toStep = (index: number): MediaUi => {
		const next = clamp(index, steps - 1);
		return {...m, step: next >= steps - 1 ? null : next};
	};
	const table = nav.detail === 'table';
	const row = (to: number): MediaUi => ({...m, tableRow: clamp(to, nav.tableRows - 1)});
	switch (action) {
		case 'left':
			return {...toStep(at - 1), tableRow: 0};
		case 'right':
			return {...toStep(at + 1), tableRow: 0};
		// A table's columns scroll with Tab (the arrows step and scroll rows).
		case 'prevPanel':
			return table ? {...m, tableColumn: clamp(m.tableColumn - 1, nav.tableColumns - 1)} : m;
		case 'nextPanel':
			return table ? {...m, tableColumn: clamp(m.tableColumn + 1, nav.tableColumns - 1)} : m;
		case 'up':
			return table ? row(m.tableRow - 1) : {...select(m.cursor - 1), pane: 'detail'};
		case 'down':
			return table ? row(m.tableRow + 1) : {...select(m.cursor + 1), pane: 'detail'};
		case 'pageUp':
			return table ? row(m.tableRow - page) : toStep(at - 10);
		case 'pageDown':
			return table ? row(m.tableRow + page) : toStep(at + 10);
		case 'top':
			return table ? {...m, tableRow: 0, tableColumn: 0} : toStep(0);
		case 'bottom':
			return table ? row(Number.MAX_SAFE_INTEGER) : toStep(Number.MAX_SAFE_INTEGER);
		case 'focus':
		case 'escape':
			return {...m, pane: 'list'};
		default:
			return m;
	}
}
