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
	| 'escape';

/**
 * One binding: the keys (as shown to users), the action, its help text, and `hint`: the word the
 * footer shows after the first key (bindings without one are only in the help screen).
 */
export type Binding = {keys: string[]; action: Action; help: string; group: 'General' | 'Navigate' | 'Charts' | 'Runs' | 'Console'; hint?: string};

/** Every key the dashboard understands. */
export const KEYMAP: readonly Binding[] = [
	{keys: ['q', 'Ctrl-C'], action: 'quit', help: 'quit', hint: 'quit', group: 'General'},
	{keys: ['?'], action: 'help', help: 'show or hide this help', hint: 'help', group: 'General'},
	{keys: ['p'], action: 'pause', help: 'pause: the view holds still while reading goes on (again: catch up)', hint: 'pause', group: 'General'},
	{keys: ['b'], action: 'backToRun', help: 'after wbtop followed a new run: go back to the previous one (again: forward)', group: 'General'},
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
	{keys: ['/'], action: 'filter', help: 'filter metrics or summary (substring or /regex/); in the console: search', hint: 'filter', group: 'Charts'},
	{keys: ['x'], action: 'xAxis', help: 'cycle the x-axis: _step, _runtime, _timestamp, step metrics, monotonic keys', hint: 'x-axis', group: 'Charts'},
	{keys: ['f', 'Enter'], action: 'focus', help: 'focus the selected chart full-size (again: back to the grid)', hint: 'focus', group: 'Charts'},
	{keys: ['s'], action: 'smoothing', help: 'cycle EMA smoothing: 0, 0.6, 0.9, 0.99', hint: 'smooth', group: 'Charts'},
	{keys: ['L'], action: 'logScale', help: 'toggle a log-scale y-axis', group: 'Charts'},
	{keys: ['r'], action: 'runs', help: 'runs of the wandb/ folder: list (name, id, state, steps, age); Enter opens one', hint: 'runs', group: 'Runs'},
	{keys: ['o'], action: 'overlay', help: 'in the runs list: add / remove the run from the chart overlay (one metric across runs)', group: 'Runs'},
	{keys: ['n'], action: 'nextMatch', help: 'next console search match', group: 'Console'},
	{keys: ['N'], action: 'prevMatch', help: 'previous console search match', group: 'Console'},
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

const byKey = new Map<string, Action>();
for (const binding of KEYMAP) for (const key of binding.keys) byKey.set(key, binding.action);

/** Map a key press (Ink's `useInput` arguments) to an action, or null. */
export function actionFor(input: string, key: KeyFlags): Action | null {
	const name = keyName(input, key);
	return name === null ? null : byKey.get(name) ?? null;
}

/** What the machine view (no run) does with keys: the rest are about a run. */
export const MACHINE_ACTIONS: ReadonlySet<Action> = new Set(['quit', 'help', 'escape']);

/**
 * The footer's key hints (`q quit`, `? help`, …), in keymap order; `runs` only where a runs list
 * exists, and in the machine view (`machine`: no run) only the keys it acts on.
 */
export function footerHints(options: {runs: boolean; machine?: boolean}): string[] {
	return KEYMAP.filter(binding => binding.hint && (binding.action !== 'runs' || options.runs) && (!options.machine || MACHINE_ACTIONS.has(binding.action))).map(
		binding => `${binding.keys[0]} ${binding.hint}`,
	);
}

/** The help screen's lines, grouped, from KEYMAP. */
export function helpLines(): string[] {
	const lines: string[] = [];
	const width = Math.max(...KEYMAP.map(binding => binding.keys.join(' ').length));
	for (const group of ['General', 'Navigate', 'Charts', 'Runs', 'Console'] as const) {
		lines.push(group);
		for (const binding of KEYMAP.filter(b => b.group === group)) lines.push(`  ${binding.keys.join(' ').padEnd(width)}  ${binding.help}`);
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
