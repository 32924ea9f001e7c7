/**
 * Keys as data: the dashboard's input handler, the help screen and the README key table are all
 * built from KEYMAP, so they cannot drift apart.
 */

/** What a key press asks the dashboard to do. */
export type Action =
	| 'quit'
	| 'help'
	| 'nextPanel'
	| 'prevPanel'
	| 'up'
	| 'down'
	| 'left'
	| 'right'
	| 'pageUp'
	| 'pageDown'
	| 'top'
	| 'bottom'
	| 'filter'
	| 'xAxis'
	| 'focus'
	| 'pause'
	| 'smoothing'
	| 'logScale'
	| 'nextMatch'
	| 'prevMatch'
	| 'backToRun'
	| 'runs'
	| 'overlay'
	| 'overview'
	| 'internals'
	| 'media'
	| 'gradients'
	| 'palette'
	| 'saveSettings'
	| 'cursor'
	| 'cursorLeft'
	| 'cursorRight'
	| 'cursorLeftFar'
	| 'cursorRightFar'
	| 'zoomIn'
	| 'zoomOut'
	| 'panLeft'
	| 'panRight'
	| 'zoomReset'
	| 'keepY'
	| 'hostSort'
	| 'consoleWriter'
	| 'escape';

/**
 * One binding: the keys (as shown to users), the action, its help text, and `hint`: the word the
 * footer shows after the first key (bindings without one are only in the help screen).
 */
export type Binding = {keys: string[]; action: Action; help: string; group: 'General' | 'Navigate' | 'Charts' | 'Runs' | 'Console' | 'Overview' | 'Media'; hint?: string};

/** Every key the dashboard understands. */
export const KEYMAP: readonly Binding[] = [
	{keys: ['q', 'Ctrl-C'], action: 'quit', help: 'quit', hint: 'quit', group: 'General'},
	{keys: ['?'], action: 'help', help: 'show or hide this help', hint: 'help', group: 'General'},
	{keys: ['p'], action: 'pause', help: 'pause: the view holds still while reading goes on (again: catch up)', hint: 'pause', group: 'General'},
	{keys: ['b'], action: 'backToRun', help: 'after wbtop followed a new run: go back to the previous one (again: forward)', group: 'General'},
	{keys: ['W'], action: 'saveSettings', help: 'save the view (x-axis, smoothing, log y, palette) to the config file', group: 'General'},
	{keys: ['Esc'], action: 'escape', help: 'close help, clear filter / search, leave focus', group: 'General'},
	{keys: ['Tab'], action: 'nextPanel', help: 'next panel (metrics, summary, console, system)', hint: 'panel', group: 'Navigate'},
	{keys: ['Shift-Tab'], action: 'prevPanel', help: 'previous panel', group: 'Navigate'},
	{keys: ['↑', 'k'], action: 'up', help: 'scroll up / previous chart', group: 'Navigate'},
	{keys: ['↓', 'j'], action: 'down', help: 'scroll down / next chart', group: 'Navigate'},
	{keys: ['←', 'h'], action: 'left', help: 'previous chart / page', group: 'Navigate'},
	{keys: ['→', 'l'], action: 'right', help: 'next chart / page', group: 'Navigate'},
	{keys: ['PgUp'], action: 'pageUp', help: 'page up (charts: previous page)', group: 'Navigate'},
	{keys: ['PgDn', 'Space'], action: 'pageDown', help: 'page down (charts: next page)', group: 'Navigate'},
	{keys: ['g', 'Home'], action: 'top', help: 'go to the top / first page', group: 'Navigate'},
	{keys: ['G', 'End'], action: 'bottom', help: 'go to the end (console: follow the tail)', group: 'Navigate'},
	{keys: ['/'], action: 'filter', help: 'filter metrics or summary (substring or /regex/); in the console: search; in the runs list: a query (state:running tag:x lr<1e-3)', hint: 'filter', group: 'Charts'},
	{keys: ['x'], action: 'xAxis', help: 'cycle the x-axis: _step, _runtime, _timestamp, step metrics, monotonic keys', hint: 'x-axis', group: 'Charts'},
	{keys: ['f', 'Enter'], action: 'focus', help: 'focus the selected chart full-size (again: back to the grid)', hint: 'focus', group: 'Charts'},
	{keys: ['s'], action: 'smoothing', help: 'cycle EMA smoothing: 0, 0.6, 0.9, 0.99', hint: 'smooth', group: 'Charts'},
	{keys: ['L'], action: 'logScale', help: 'toggle a log-scale y-axis', group: 'Charts'},
	{keys: ['c'], action: 'cursor', help: 'cursor on / off: one x on every chart, with the exact value of each series there (raw, smoothed, min/max of the column, each overlaid run)', hint: 'cursor', group: 'Charts'},
	{keys: [','], action: 'cursorLeft', help: 'cursor one column left', group: 'Charts'},
	{keys: ['.'], action: 'cursorRight', help: 'cursor one column right', group: 'Charts'},
	{keys: ['<'], action: 'cursorLeftFar', help: 'cursor 10 columns left', group: 'Charts'},
	{keys: ['>'], action: 'cursorRightFar', help: 'cursor 10 columns right', group: 'Charts'},
	{keys: ['+', '='], action: 'zoomIn', help: 'zoom in 2x around the cursor (else the middle), every chart: the range is read again at full resolution', hint: 'zoom', group: 'Charts'},
	{keys: ['-'], action: 'zoomOut', help: 'zoom out 2x', group: 'Charts'},
	{keys: ['['], action: 'panLeft', help: 'while zoomed: move the range a quarter left', group: 'Charts'},
	{keys: [']'], action: 'panRight', help: 'while zoomed: move the range a quarter right', group: 'Charts'},
	{keys: ['0'], action: 'zoomReset', help: 'zoom out to the whole run', group: 'Charts'},
	{keys: ['S'], action: 'hostSort', help: 'with --hosts, one line per host: order by lowest utilization, highest memory, hottest (cycles)', group: 'General'},
	{keys: ['Y'], action: 'keepY', help: 'while zoomed: keep the y range of the whole run (again: fit y to what is visible)', group: 'Charts'},
	{keys: ['C'], action: 'palette', help: 'cycle the series colours: default, okabe-ito (colour-blind safe), mono (a glyph per series)', group: 'Charts'},
	{keys: ['r'], action: 'runs', help: 'runs of the wandb/ folder: list (name, id, state, steps, age); Enter opens one', hint: 'runs', group: 'Runs'},
	{keys: ['o'], action: 'overlay', help: 'in the runs list: add / remove the run from the chart overlay (one metric across runs)', group: 'Runs'},
	{keys: ['i'], action: 'overview', help: 'overview: the run (name, id, tags, notes, resume, fork), environment (host, GPUs, CUDA, Python, program, git) and config; again: close', hint: 'overview', group: 'Overview'},
	{keys: ['_'], action: 'internals', help: "in the overview: show or hide the config's _wandb internals (Enter: unfold long values, Tab: other column)", group: 'Overview'},
	{keys: ['m'], action: 'media', help: 'media: every image, histogram and table key (kind, count, last step); Enter views one, ← → step through its steps (a table: ↑ ↓ rows, Tab columns); again: close', hint: 'media', group: 'Media'},
	{keys: ['H'], action: 'gradients', help: "all gradient histograms (wandb.watch's gradients/*), smallest first: vanishing gradients on top", group: 'Media'},
	{keys: ['n'], action: 'nextMatch', help: 'next console search match', group: 'Console'},
	{keys: ['N'], action: 'prevMatch', help: 'previous console search match', group: 'Console'},
	{keys: ['w'], action: 'consoleWriter', help: "a shared-mode run's console: the next writer's (the primary, then each node by label)", group: 'Console'},
];

/** The subset of Ink's `Key` that the matcher reads. */
export type KeyFlags = {
	upArrow?: boolean;
	downArrow?: boolean;
	leftArrow?: boolean;
	rightArrow?: boolean;
	pageUp?: boolean;
	pageDown?: boolean;
	home?: boolean;
	end?: boolean;
	return?: boolean;
	escape?: boolean;
	ctrl?: boolean;
	shift?: boolean;
	tab?: boolean;
};

/** The key name a press is written as in KEYMAP, or null for keys the dashboard ignores. */
export function keyName(input: string, key: KeyFlags): string | null {
	if (key.ctrl && input === 'c') return 'Ctrl-C';
	if (key.upArrow) return '↑';
	if (key.downArrow) return '↓';
	if (key.leftArrow) return '←';
	if (key.rightArrow) return '→';
	if (key.pageUp) return 'PgUp';
	if (key.pageDown) return 'PgDn';
	if (key.home) return 'Home';
	if (key.end) return 'End';
	if (key.return) return 'Enter';
	if (key.escape) return 'Esc';
	if (key.tab) return key.shift ? 'Shift-Tab' : 'Tab';
	if (input === ' ') return 'Space';
	if (input.length === 1) return input;
	return null;
}

const byKeyOf = new WeakMap<readonly Binding[], Map<string, Action>>();

/** Map a key press (Ink's `useInput` arguments) to an action, or null; `keymap`: KEYMAP, or one remapped by the config file. */
export function actionFor(input: string, key: KeyFlags, keymap: readonly Binding[] = KEYMAP): Action | null {
	const name = keyName(input, key);
	if (name === null) return null;
	let byKey = byKeyOf.get(keymap);
	if (!byKey) {
		byKey = new Map();
		for (const binding of keymap) for (const k of binding.keys) byKey.set(k, binding.action);
		byKeyOf.set(keymap, byKey);
	}
	return byKey.get(name) ?? null;
}

/** Key names as a config file may write them (lower case) → the name keyName gives. */
const NAMED_KEYS: Record<string, string> = {
	space: 'Space',
	enter: 'Enter',
	return: 'Enter',
	esc: 'Esc',
	escape: 'Esc',
	tab: 'Tab',
	'shift-tab': 'Shift-Tab',
	up: '↑',
	down: '↓',
	left: '←',
	right: '→',
	pgup: 'PgUp',
	pageup: 'PgUp',
	pgdn: 'PgDn',
	pagedown: 'PgDn',
	home: 'Home',
	end: 'End',
	'ctrl-c': 'Ctrl-C',
};

/** A key as written in a config file (`"space"`, `"PgDn"`, `"x"`, `"↑"`) → its keymap name, or null. */
export function normalizeKeyName(text: string): string | null {
	if ([...text].length === 1) return /^[\u0021-\u007E\u00A1-\uFFFF]$/u.test(text) || /^[↑↓←→]$/.test(text) ? text : null;
	return NAMED_KEYS[text.toLowerCase()] ?? null;
}

/**
 * The keymap with some actions bound to other keys (the config file's `"keys": {"pause": "space"}`):
 * each entry's keys replace the action's. An unknown action, a key wbtop cannot read, or a key
 * that another action keeps is refused (that action keeps its default keys) and reported, one
 * message per entry, naming it as `"keys.pause"`. Ctrl-C always quits.
 */
export function remapKeys(remap: Readonly<Record<string, unknown>>): {keymap: readonly Binding[]; problems: string[]} {
	const problems: string[] = [];
	const wanted = new Map<Action, string[]>();
	const actions = new Set<string>(KEYMAP.map(binding => binding.action));
	for (const [action, value] of Object.entries(remap)) {
		const entry = `"keys.${action}"`;
		if (!actions.has(action)) {
			problems.push(`${entry}: no such action (the actions: ${[...actions].join(', ')})`);
			continue;
		}
		const list = typeof value === 'string' ? [value] : Array.isArray(value) && value.length > 0 && value.every(item => typeof item === 'string') ? (value as string[]) : null;
		if (list === null) {
			problems.push(`${entry}: expected a key name or a list of them, got ${JSON.stringify(value) ?? String(value)}; keeping ${keysOf(KEYMAP, action as Action)}`);
			continue;
		}
		const names = list.map(normalizeKeyName);
		const bad = list.find((_, i) => names[i] === null);
		if (bad !== undefined) {
			problems.push(`${entry}: ${JSON.stringify(bad)} is not a key wbtop reads (one character, or space, enter, esc, tab, shift-tab, up, down, left, right, pgup, pgdn, home, end); keeping ${keysOf(KEYMAP, action as Action)}`);
			continue;
		}
		const keys = [...new Set(names as string[])];
		if (action === 'quit' && !keys.includes('Ctrl-C')) keys.push('Ctrl-C');
		wanted.set(action as Action, keys);
	}
	// Refuse a remap whose key another action holds, until none collide (each round reverts one).
	const build = () => KEYMAP.map(binding => (wanted.has(binding.action) ? {...binding, keys: wanted.get(binding.action)!} : binding));
	for (;;) {
		const keymap = build();
		const owner = new Map<string, Action>();
		let clash: {action: Action; key: string; other: Action} | null = null;
		for (const binding of keymap) {
			for (const key of binding.keys) {
				const other = owner.get(key);
				if (other !== undefined && other !== binding.action) {
					// Revert the remapped one of the two (the later one when both were remapped).
					const action = wanted.has(binding.action) ? binding.action : other;
					clash = {action, key, other: action === binding.action ? other : binding.action};
					break;
				}
				owner.set(key, binding.action);
			}
			if (clash) break;
		}
		if (!clash) return {keymap, problems};
		wanted.delete(clash.action);
		problems.push(`"keys.${clash.action}": ${clash.key} is already the key of ${clash.other}; keeping ${keysOf(KEYMAP, clash.action)}`);
	}
}

function keysOf(keymap: readonly Binding[], action: Action): string {
	return keymap.find(binding => binding.action === action)?.keys.join(' ') ?? '';
}

/** What the machine view (no run) does with keys: the rest are about a run. */
export const MACHINE_ACTIONS: ReadonlySet<Action> = new Set(['quit', 'help', 'escape']);

/**
 * The footer's key hints (`q quit`, `? help`, …), in keymap order; `runs` only where a runs list
 * exists, and in the machine view (`machine`: no run) only the keys it acts on.
 */
export function footerHints(options: {runs: boolean; machine?: boolean}, keymap: readonly Binding[] = KEYMAP): string[] {
	return keymap.filter(binding => binding.hint && (binding.action !== 'runs' || options.runs) && (!options.machine || MACHINE_ACTIONS.has(binding.action))).map(
		binding => `${binding.keys[0]} ${binding.hint}`,
	);
}

/** The first key bound to `action` (as shown to users). */
export function keyOf(action: Action): string {
	return KEYMAP.find(binding => binding.action === action)?.keys[0] ?? '?';
}

/** The footer's hints on the overview page, from KEYMAP: what acts there. */
export function overviewHints(twoColumns: boolean): string[] {
	const focus = KEYMAP.find(binding => binding.action === 'focus')?.keys.at(-1) ?? keyOf('focus');
	return [`${keyOf('overview')} close`, `${keyOf('filter')} filter`, `${keyOf('internals')} _wandb`, `${focus} unfold`, ...(twoColumns ? [`${keyOf('nextPanel')} column`] : []), `${keyOf('up')}${keyOf('down')} scroll`, `${keyOf('help')} help`];
}

/** The help screen's lines, grouped, from KEYMAP. */
export function helpLines(keymap: readonly Binding[] = KEYMAP): string[] {
	const lines: string[] = [];
	const width = Math.max(...keymap.map(binding => binding.keys.join(' ').length));
	for (const group of ['General', 'Navigate', 'Charts', 'Runs', 'Overview', 'Media', 'Console'] as const) {
		lines.push(group);
		for (const binding of keymap.filter(b => b.group === group)) lines.push(`  ${binding.keys.join(' ').padEnd(width)}  ${binding.help}`);
	}
	return lines;
}

/** The README's key table (Markdown), from KEYMAP. */
export function keyTableMarkdown(): string {
	const rows = KEYMAP.map(binding => `| ${binding.keys.map(k => '`' + (k === '|' ? '\\|' : k) + '`').join(' ')} | ${binding.help} |`);
	return ['| key | what it does |', '| --- | --- |', ...rows].join('\n');
}

const ESCAPES: Record<string, KeyFlags> = {
	'[A': {upArrow: true},
	'[B': {downArrow: true},
	'[C': {rightArrow: true},
	'[D': {leftArrow: true},
	OA: {upArrow: true},
	OB: {downArrow: true},
	OC: {rightArrow: true},
	OD: {leftArrow: true},
	'[5~': {pageUp: true},
	'[6~': {pageDown: true},
	'[H': {home: true},
	'[F': {end: true},
	'[1~': {home: true},
	'[4~': {end: true},
	'[Z': {tab: true, shift: true},
};

/**
 * Split one chunk of terminal input into key presses. Ink 6 hands a chunk holding several keys
 * (fast typing, tmux send-keys, a paste) to useInput as one string; each key must still count.
 */
export function splitKeys(chunk: string): Array<{input: string; key: KeyFlags}> {
	const keys: Array<{input: string; key: KeyFlags}> = [];
	const pattern = /\u001B(\[[0-9;]*[A-Za-z~]|O[A-Za-z])|\r|\t|\u001B|[\s\S]/gu;
	for (const match of chunk.matchAll(pattern)) {
		const token = match[0];
		if (match[1] !== undefined) keys.push({input: '', key: ESCAPES[match[1]] ?? {}});
		else if (token === '\r') keys.push({input: '', key: {return: true}});
		else if (token === '\t') keys.push({input: '', key: {tab: true}});
		else if (token === '\u001B') keys.push({input: '', key: {escape: true}});
		else keys.push({input: token, key: {}});
	}
	return keys;
}

/** The footer's hints on the media page, from KEYMAP: what acts there. */
export function mediaHints(detail: 'image' | 'histogram' | 'table' | 'other' | null): string[] {
	const focus = KEYMAP.find(binding => binding.action === 'focus')?.keys.at(-1) ?? keyOf('focus');
	const view = detail === null ? [`${focus} view`, `${keyOf('up')}${keyOf('down')} select`] : detail === 'table' ? [`${keyOf('left')}${keyOf('right')} step`, `${keyOf('up')}${keyOf('down')} rows`, `${keyOf('nextPanel')} columns`] : [`${keyOf('left')}${keyOf('right')} step`, `${keyOf('up')}${keyOf('down')} key`];
	return [`${keyOf('media')} close`, ...view, `${keyOf('gradients')} gradients`, `${keyOf('escape')} back`, `${keyOf('help')} help`];
}
