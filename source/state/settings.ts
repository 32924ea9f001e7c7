/**
 * Settings that persist: the config file's JSON (`$XDG_CONFIG_HOME/wbtop/config.json`) checked
 * entry by entry, merged with the defaults and the command line (flags win), and the view's
 * settings turned back into the file's JSON for the save key. Pure: the file is read and written
 * by sources/config-file.ts.
 *
 * A bad entry never stops wbtop: it is reported in one line naming the file and the entry, and
 * that setting keeps its default (the other entries still apply).
 */
import {KEYMAP, remapKeys, type Binding} from '../keymap.js';

/** Series colours: wbtop's own, Okabe-Ito's colour-blind-safe set, or no colour and a glyph per series. */
export type PaletteName = 'default' | 'okabe-ito' | 'mono';
export const PALETTES: readonly PaletteName[] = ['default', 'okabe-ito', 'mono'];

/** Panels that can be hidden (the charts always show); ui-state's Panel less 'metrics' (not imported: ui-state imports this). */
export type OptionalPanel = 'summary' | 'console' | 'system';
export const OPTIONAL_PANELS: readonly OptionalPanel[] = ['summary', 'console', 'system'];

/** Charts per page: columns x rows; null lets wbtop fit them to the pane. */
export type GridChoice = {columns: number; rows: number};

export type Settings = {
	/** The x-axis to start on (used when the run has it), or null for the run's default. */
	xAxis: string | null;
	/** EMA smoothing weight, 0..0.99. */
	smoothing: number;
	logY: boolean;
	/** Live GPU/system sampling interval, ms. */
	interval: number;
	/** The optional panels shown (the dashboard's; the compact view has none). */
	panels: readonly OptionalPanel[];
	grid: GridChoice | null;
	palette: PaletteName;
	/** Mouse reporting in the live view (modes/dashboard.tsx; `--no-mouse` wins). */
	mouse: boolean;
	/** Action → keys, where the file remaps them (already checked for collisions). */
	keys: Readonly<Record<string, readonly string[]>>;
};

export type SettingName = keyof Settings;
export const SETTING_NAMES: readonly SettingName[] = ['xAxis', 'smoothing', 'logY', 'interval', 'panels', 'grid', 'palette', 'mouse', 'keys'];

/** Where an effective setting came from. */
export type SettingOrigin = 'default' | 'file' | 'flag';

export const DEFAULT_SETTINGS: Settings = {
	xAxis: null,
	smoothing: 0,
	logY: false,
	interval: 1000,
	panels: OPTIONAL_PANELS,
	grid: null,
	palette: 'default',
	mouse: true,
	keys: {},
};

/** Most columns or rows of charts a page takes. */
export const MAX_GRID = 8;

/** The config file, read and checked: the valid entries, one message per bad one, the remapped keymap. */
export type ParsedSettings = {
	settings: Partial<Settings>;
	/** Each `<file>: "<entry>": <what is wrong>; using the default`, for stderr (after `wbtop: `) and the header. */
	problems: string[];
	keymap: readonly Binding[];
	/** The file's top-level object, when it is one (the save key keeps its other entries). */
	raw: Record<string, unknown> | null;
};

function got(value: unknown): string {
	if (value === undefined) return 'nothing';
	const text = JSON.stringify(value) ?? String(value);
	return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

type Check = (value: unknown) => {ok: true; value: unknown} | {ok: false; expected: string};

const CHECKS: Record<Exclude<SettingName, 'keys'>, Check> = {
	xAxis: value => (value === null || (typeof value === 'string' && value.length > 0 && value.length <= 200) ? {ok: true, value} : {ok: false, expected: 'an x-axis name (_step, _runtime, _timestamp or a metric) or null'}),
	smoothing: value => (typeof value === 'number' && value >= 0 && value <= 0.99 ? {ok: true, value} : {ok: false, expected: 'a number 0..0.99'}),
	logY: value => (typeof value === 'boolean' ? {ok: true, value} : {ok: false, expected: 'true or false'}),
	interval: value => (typeof value === 'number' && Number.isFinite(value) && value >= 100 && value <= 600_000 ? {ok: true, value: Math.round(value)} : {ok: false, expected: 'milliseconds from 100 to 600000'}),
	panels: value => {
		const expected = `a list of panels to show, from ${OPTIONAL_PANELS.map(p => JSON.stringify(p)).join(', ')}`;
		if (!Array.isArray(value) || !value.every(item => OPTIONAL_PANELS.includes(item as OptionalPanel))) return {ok: false, expected};
		return {ok: true, value: OPTIONAL_PANELS.filter(panel => value.includes(panel))};
	},
	grid: value => {
		if (value === null || value === 'auto') return {ok: true, value: null};
		const match = typeof value === 'string' ? /^\s*(\d+)\s*x\s*(\d+)\s*$/i.exec(value) : null;
		const columns = match ? Number(match[1]) : 0;
		const rows = match ? Number(match[2]) : 0;
		if (columns >= 1 && rows >= 1 && columns <= MAX_GRID && rows <= MAX_GRID) return {ok: true, value: {columns, rows}};
		return {ok: false, expected: `"COLUMNSxROWS" (1x1 to ${MAX_GRID}x${MAX_GRID}, e.g. "3x2") or "auto"`};
	},
	palette: value => (typeof value === 'string' && PALETTES.includes(value as PaletteName) ? {ok: true, value} : {ok: false, expected: `one of ${PALETTES.map(p => JSON.stringify(p)).join(', ')}`}),
	mouse: value => (typeof value === 'boolean' ? {ok: true, value} : {ok: false, expected: 'true or false'}),
};

/**
 * Check the config file's text (`file`: its name as the user would write it, for messages).
 * Not JSON, or not an object: one problem, every default. Unknown entries and ill-typed ones: one
 * problem each, that setting's default.
 */
export function parseSettings(text: string, file: string): ParsedSettings {
	const none: ParsedSettings = {settings: {}, problems: [], keymap: KEYMAP, raw: null};
	if (text.trim() === '') return none;
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch (error) {
		return {...none, problems: [`${file}: not valid JSON (${(error as Error).message.split('\n')[0]}); using the defaults`]};
	}
	if (json === null || typeof json !== 'object' || Array.isArray(json)) return {...none, problems: [`${file}: expected a JSON object ({"palette": "okabe-ito", …}), got ${got(json)}; using the defaults`]};
	const raw = json as Record<string, unknown>;
	const settings: Partial<Settings> = {};
	const problems: string[] = [];
	let keymap: readonly Binding[] = KEYMAP;
	for (const [name, value] of Object.entries(raw)) {
		if (name === 'keys') {
			if (value === null || typeof value !== 'object' || Array.isArray(value)) {
				problems.push(`${file}: "keys": expected an object of action: key ({"pause": "space"}), got ${got(value)}; using the default keys`);
				continue;
			}
			const remapped = remapKeys(value as Record<string, unknown>);
			for (const problem of remapped.problems) problems.push(`${file}: ${problem}`);
			keymap = remapped.keymap;
			const keys: Record<string, readonly string[]> = {};
			for (const binding of remapped.keymap) {
				const original = KEYMAP.find(b => b.action === binding.action);
				if (original && original.keys !== binding.keys) keys[binding.action] = binding.keys;
			}
			if (Object.keys(keys).length > 0) settings.keys = keys;
			continue;
		}
		// Own entries only: `"constructor"` or `"__proto__"` in the file is not a setting.
		const check = Object.hasOwn(CHECKS, name) ? CHECKS[name as Exclude<SettingName, 'keys'>] : undefined;
		if (!check) {
			problems.push(`${file}: ${JSON.stringify(name)}: unknown setting (known: ${SETTING_NAMES.join(', ')}); ignored`);
			continue;
		}
		const result = check(value);
		if (result.ok) (settings as Record<string, unknown>)[name] = result.value;
		else problems.push(`${file}: ${JSON.stringify(name)}: expected ${result.expected}, got ${got(value)}; using the default`);
	}
	return {settings, problems, keymap, raw};
}

/** The effective settings and where each came from: the defaults, then the file, then the flags. */
export type EffectiveSettings = {settings: Settings; origin: Record<SettingName, SettingOrigin>};

export function resolveSettings(file: Partial<Settings>, flags: Partial<Settings>): EffectiveSettings {
	const settings = {...DEFAULT_SETTINGS} as Record<SettingName, unknown>;
	const origin = {} as Record<SettingName, SettingOrigin>;
	for (const name of SETTING_NAMES) {
		origin[name] = 'default';
		if (file[name] !== undefined) {
			settings[name] = file[name];
			origin[name] = 'file';
		}
		if (flags[name] !== undefined) {
			settings[name] = flags[name];
			origin[name] = 'flag';
		}
	}
	return {settings: settings as Settings, origin};
}

/** `--print-config`: every setting's value and origin, the file, and its problems. */
export function settingsReport(effective: EffectiveSettings, file: string, problems: readonly string[]): Record<string, unknown> {
	const out: Record<string, {value: unknown; from: SettingOrigin}> = {};
	for (const name of SETTING_NAMES) out[name] = {value: fileValue(name, effective.settings[name]), from: effective.origin[name]};
	return {file, settings: out, problems};
}

/** A setting as the config file writes it (the grid as "3x2"). */
function fileValue(name: SettingName, value: unknown): unknown {
	if (name === 'grid') return value === null ? 'auto' : `${(value as GridChoice).columns}x${(value as GridChoice).rows}`;
	return value;
}

/** What the live view starts from: the effective settings, the keymap, and the config problem for the header. */
export type SettingsInUse = {
	settings: Settings;
	keymap: readonly Binding[];
	/** The first problem (and how many more), shown as a notice in the header; null when none. */
	notice: string | null;
	/** The config file: its path, and as the user writes it. */
	file: string;
	shown: string;
};

/**
 * The header's notice for the file's problems: the one, or how many and the first (all of them
 * are on stderr, seen when wbtop quits). The count comes first: a long path cuts the line's end.
 */
export function problemsNotice(problems: readonly string[], file: string): string | null {
	if (problems.length <= 1) return problems[0] ?? null;
	const first = problems[0].startsWith(`${file}: `) ? problems[0].slice(file.length + 2) : problems[0];
	return `${file}: ${problems.length} problems (all on stderr), the first: ${first}`;
}

/** What the save key writes: the view as it is now. */
export type ViewSettings = Pick<Settings, 'xAxis' | 'smoothing' | 'logY' | 'palette'>;

/**
 * The file's new JSON text: its other entries kept as they were (unknown ones too: the file is the
 * user's), the view's settings replaced. Null when the old file is there but not a JSON object
 * (it is not overwritten: that would lose what the user wrote).
 */
export function savedSettingsText(old: {text: string | null}, view: ViewSettings): string | null {
	let base: Record<string, unknown> = {};
	if (old.text !== null && old.text.trim() !== '') {
		try {
			const json = JSON.parse(old.text) as unknown;
			if (json === null || typeof json !== 'object' || Array.isArray(json)) return null;
			base = json as Record<string, unknown>;
		} catch {
			return null;
		}
	}
	return JSON.stringify({...base, xAxis: view.xAxis, smoothing: view.smoothing, logY: view.logY, palette: view.palette}, null, '\t') + '\n';
}
