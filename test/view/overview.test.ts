/**
 * The overview page on the real runs: what it shows of each run's host, GPU, program and git
 * commit is what the run's own files hold, read here independently of wbtop's decoders (the
 * fixture's wandb-metadata.json parsed with JSON.parse; its environment records walked with a
 * few lines of protobuf below). The key opens it, the filter and the `_wandb` key work, and it
 * fits 120x40, 80x24 and 60x15.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import {describe, expect, it} from 'vitest';
import {decodeLog} from '../../source/decode/log-framing.js';
import {actionFor} from '../../source/keymap.js';
import {loadRun} from '../../source/modes/load.js';
import {onceSnapshot, onceText} from '../../source/modes/once.js';
import {runReport} from '../../source/modes/report.js';
import {initialHostState} from '../../source/state/host-state.js';
import {reduceRun} from '../../source/state/run-state.js';
import type {Snapshot} from '../../source/state/snapshot.js';
import {initialUiState, reduceUi, reduceUiInput, type UiState} from '../../source/state/ui-state.js';
import {navigation, ScreenBuilder, type Screen} from '../../source/view/screen.js';
import {overviewLayout} from '../../source/view/panels/overview.js';
import {manifest, realRun, REAL_RUNS} from '../helpers/fixtures.js';

// ---- an independent reading of the run's files ----

type Expected = {host: string | null; gpu: string | null; program: string | null; commit: string | null};

/** Reads one varint at `p`: [value, next position]. */
function varint(buf: Uint8Array, p: number): [number, number] {
	let value = 0;
	let scale = 1;
	for (;;) {
		const b = buf[p++];
		value += (b & 0x7f) * scale;
		scale *= 128;
		if (b < 0x80) return [value, p];
	}
}

/** The fields of one protobuf message: field number → raw values (bytes for length-delimited). */
function fields(buf: Uint8Array): Map<number, Array<Uint8Array | number>> {
	const out = new Map<number, Array<Uint8Array | number>>();
	let p = 0;
	while (p < buf.length) {
		const [tag, q] = varint(buf, p);
		p = q;
		const wire = tag & 7;
		let value: Uint8Array | number;
		if (wire === 0) [value, p] = varint(buf, p);
		else if (wire === 2) {
			const [length, r] = varint(buf, p);
			value = buf.subarray(r, r + length);
			p = r + length;
		} else if (wire === 1) (value = 0), (p += 8);
		else if (wire === 5) (value = 0), (p += 4);
		else throw new Error(`wire type ${wire}`);
		const list = out.get(tag >>> 3) ?? [];
		list.push(value);
		out.set(tag >>> 3, list);
	}
	return out;
}

const text = (value: Uint8Array | number | undefined) => (value instanceof Uint8Array ? new TextDecoder().decode(value) : null);

/** What the log's environment records (Record field 26) say, first record with each field winning like a merge. */
function fromRecords(runDir: string): Expected | null {
	const log = fs.readdirSync(runDir).find(name => name.endsWith('.wandb'));
	if (!log) return null;
	const expected: Expected = {host: null, gpu: null, program: null, commit: null};
	let seen = false;
	for (const record of decodeLog(new Uint8Array(fs.readFileSync(path.join(runDir, log)))).records) {
		const env = fields(record).get(26)?.[0];
		if (!(env instanceof Uint8Array)) continue;
		seen = true;
		const f = fields(env);
		expected.host = text(f.get(12)?.at(-1)) ?? expected.host;
		expected.program = text(f.get(6)?.at(-1)) ?? expected.program;
		const git = f.get(9)?.at(-1);
		if (git instanceof Uint8Array) expected.commit = text(fields(git).get(2)?.[0]) ?? expected.commit;
		const gpu = f.get(24)?.[0];
		if (gpu instanceof Uint8Array) expected.gpu ??= text(fields(gpu).get(1)?.[0]);
		expected.gpu ??= text(f.get(18)?.[0]);
		const apple = f.get(23)?.[0];
		if (apple instanceof Uint8Array) expected.gpu ??= text(fields(apple).get(1)?.[0]);
	}
	return seen ? expected : null;
}

/** What wandb-metadata.json says (files/ in binary runs, the root in legacy ones). */
function fromMetadata(runDir: string): Expected | null {
	const file = [path.join(runDir, 'files', 'wandb-metadata.json'), path.join(runDir, 'wandb-metadata.json')].find(f => fs.existsSync(f));
	if (!file) return null;
	const m = JSON.parse(fs.readFileSync(file, 'utf8'));
	const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
	return {
		host: str(m.host),
		gpu: str(m.gpu_nvidia?.[0]?.name) ?? str(m.gpu) ?? str(m.apple?.name),
		program: str(m.program),
		commit: str(m.git?.commit),
	};
}

/** Records first, then the metadata file, field by field (the order the overview promises). */
function expectedOf(runDir: string): Expected | null {
	const records = fromRecords(runDir);
	const metadata = fromMetadata(runDir);
	if (records === null && metadata === null) return null;
	const pick = (key: keyof Expected) => records?.[key] ?? metadata?.[key] ?? null;
	return {host: pick('host'), gpu: pick('gpu'), program: pick('program'), commit: pick('commit')};
}

// ---- the screen ----

function press(ui: UiState, snap: Snapshot, columns: number, rows: number, key: string, flags = {}): UiState {
	const action = actionFor(key, flags);
	if (action === null) throw new Error(`no action for ${key}`);
	return reduceUi(ui, action, navigation({snap, ui, columns, rows, now: Date.now(), pulse: 0}));
}

function type(ui: UiState, chars: string): UiState {
	let next = ui;
	for (const ch of chars) next = reduceUiInput(next, ch, {});
	return reduceUiInput(next, '', {return: true});
}

function build(snap: Snapshot, ui: UiState, columns: number, rows: number): Screen {
	return new ScreenBuilder().build({snap, ui, columns, rows, now: Date.now(), pulse: 0});
}

/** Every line of the page, each column on its own (two where the page has two), scrolled to its end with PgDn. */
function wholePage(snap: Snapshot, columns: number, rows: number, start: UiState): string[] {
	const seen: string[] = [];
	const layout = overviewLayout(columns, rows - 1);
	for (const pane of ['info', 'config'] as const) {
		let ui: UiState = {...start, overview: {...start.overview, pane}};
		for (let i = 0; i < 500; i++) {
			const screen = build(snap, ui, columns, rows);
			const column = (line: string) => (layout.columns === 1 ? line : pane === 'info' ? line.slice(0, layout.left) : line.slice(layout.left + 1));
			seen.push(...screen.lines.slice(1, -1).map(line => column(line.text)));
			const next = press(ui, snap, columns, rows, '', {pageDown: true});
			if (next.overview.scroll === ui.overview.scroll && next.overview.configScroll === ui.overview.configScroll) break;
			ui = next;
		}
	}
	return seen;
}

/** The value of the line `key  value` (the part after the key column), without a trailing cut mark. */
function valueOf(lines: readonly string[], key: string): string | null {
	for (const line of lines) {
		const match = new RegExp(`^${key} +(.*?)\\s*$`).exec(line);
		if (match) return match[1].replace(/…$/, '');
	}
	return null;
}

/** A config line showing `key`: whole, or cut to its column (`training.per_device_tr…`). */
function showsKey(line: string, key: string): boolean {
	if (line.startsWith(key + ' ')) return true;
	const cut = /^(\S{12,})… /.exec(line)?.[1];
	return cut !== undefined && key.startsWith(cut);
}

const runsWithEnvironment = manifest()
	.map(row => ({dir: row.dir, path: path.join(REAL_RUNS, row.dir)}))
	.filter(run => expectedOf(run.path) !== null);

describe('the overview shows where each real run ran, as its files say', () => {
	it('covers runs with environment records and with each generation of wandb-metadata.json', () => {
		const withRecords = runsWithEnvironment.filter(run => fromRecords(run.path) !== null);
		const offline = withRecords.filter(run => fromMetadata(run.path) === null);
		expect(withRecords.length).toBeGreaterThanOrEqual(4);
		expect(offline.length).toBeGreaterThanOrEqual(2);
		expect(runsWithEnvironment.length).toBeGreaterThanOrEqual(20);
	});

	for (const run of runsWithEnvironment) {
		it(run.dir, () => {
			const expected = expectedOf(run.path)!;
			const loaded = loadRun(run.path);
			const snap = onceSnapshot(loaded, initialHostState());
			// The model: the same values, unformatted.
			const {environment} = runReport(loaded.state, loaded.location, null).overview;
			expect(environment.host).toBe(expected.host);
			expect(environment.program).toBe(expected.program);
			expect(environment.gitCommit).toBe(expected.commit);
			if (expected.gpu !== null) expect(environment.gpus[0]?.name ?? environment.accelerator).toContain(expected.gpu);
			else expect(environment.gpus).toEqual([]);
			// The screen, at each size, opened with its key and scrolled through.
			for (const [columns, rows] of [
				[120, 40],
				[80, 24],
				[60, 15],
			] as const) {
				const ui = press(initialUiState(), snap, columns, rows, 'i');
				const screen = build(snap, ui, columns, rows);
				expect(screen.view).toBe('overview');
				expect(screen.lines).toHaveLength(rows - 1);
				for (const line of screen.lines) expect(line.width).toBe(columns);
				const lines = wholePage(snap, columns, rows, ui);
				const at = `${run.dir} at ${columns}x${rows}`;
				const host = valueOf(lines, 'host');
				expect(host, at).not.toBeNull();
				if (expected.host !== null) expect(expected.host.startsWith(host!.replace(/ \(\+.*$/, '')), `${at}: host ${host}`).toBe(true);
				const commit = valueOf(lines, 'git commit');
				if (expected.commit !== null) expect(expected.commit.startsWith(commit!.split(' ')[0]) && commit!.length >= Math.min(12, expected.commit.length), `${at}: commit ${commit}`).toBe(true);
				else expect(commit).toBe('—');
				const command = valueOf(lines, 'command');
				if (expected.program !== null) expect(command !== null && command.length >= 8 && (command.startsWith(expected.program) || expected.program.startsWith(command)), `${at}: command ${command}`).toBe(true);
				const gpu = valueOf(lines, 'gpu');
				if (expected.gpu !== null) expect(gpu !== null && gpu.length >= 6 && (gpu.startsWith(expected.gpu) || expected.gpu.startsWith(gpu)), `${at}: gpu ${gpu}`).toBe(true);
				else expect(gpu).toBe('—');
			}
		});
	}
});

describe('the overview page: keys, filter, internals, live config', () => {
	const runDir = realRun('gkmcq7i0');
	const loaded = loadRun(runDir);
	const snap = onceSnapshot(loaded, initialHostState());
	// The config as files/config.yaml holds it, flattened to a.b.c here, `_wandb` apart.
	const yaml = YAML.parse(fs.readFileSync(path.join(runDir, 'files', 'config.yaml'), 'utf8')) as Record<string, {value: unknown}>;
	const flat: string[] = [];
	const walk = (prefix: string, value: unknown) => {
		if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) for (const [k, v] of Object.entries(value)) walk(`${prefix}.${k}`, v);
		else flat.push(prefix);
	};
	for (const [key, entry] of Object.entries(yaml)) if (key !== '_wandb' && key !== 'wandb_version') walk(key, entry.value);

	it('i opens it in every layout, and i or Esc closes it', () => {
		for (const [columns, rows] of [
			[120, 40],
			[80, 24],
			[60, 15],
		] as const) {
			const before = build(snap, initialUiState(), columns, rows);
			expect(before.view).not.toBe('overview');
			const open = press(initialUiState(), snap, columns, rows, 'i');
			expect(build(snap, open, columns, rows).lines[0].text).toMatch(/^Overview · gkmcq7i0/);
			expect(build(snap, press(open, snap, columns, rows, 'i'), columns, rows).view).toBe(before.view);
			expect(build(snap, press(open, snap, columns, rows, '', {escape: true}), columns, rows).view).toBe(before.view);
		}
		// The dashboard's footer offers it.
		expect(build(snap, initialUiState(), 200, 50).hints).toContain('i overview');
	});

	it('shows every config key of config.yaml; / filters them like the summary', () => {
		const ui = press(initialUiState(), snap, 120, 40, 'i');
		// Folded, a long key is cut (its start shown); unfolded (Enter), every key is there whole.
		const folded = wholePage(snap, 120, 40, ui);
		for (const key of flat) expect(folded.some(line => showsKey(line, key)), key).toBe(true);
		const all = wholePage(snap, 120, 40, press(ui, snap, 120, 40, '', {return: true})).join('\n');
		for (const key of flat) expect(all, key).toContain(key);
		expect(build(snap, ui, 120, 40).lines[1].text).toContain(`Config  ${flat.length} keys`);
		const needle = 'training.';
		const wanted = flat.filter(key => key.toLowerCase().includes(needle));
		expect(wanted.length).toBeGreaterThan(0);
		expect(wanted.length).toBeLessThan(flat.length);
		const filtered = type(press(ui, snap, 120, 40, '/'), needle);
		expect(filtered.overview.filter).toBe(needle);
		const lines = build(snap, filtered, 120, 40).lines.map(line => line.text);
		expect(lines[1]).toContain(`Config  ${wanted.length} ${wanted.length === 1 ? 'key' : 'keys'} (filter: ${needle})`);
		for (const key of flat) {
			const shown = lines.some(line => showsKey(line.slice(67), key));
			expect(shown, key).toBe(wanted.includes(key));
		}
		// Esc clears the filter first, then closes.
		const cleared = press(filtered, snap, 120, 40, '', {escape: true});
		expect(cleared.overview).toMatchObject({open: true, filter: ''});
	});

	it('_ shows the _wandb internals, hidden by default', () => {
		// This 0.21 run's config records carry the SDK's panel definitions under _wandb.visualize.
		const offline = onceSnapshot(loadRun(realRun('lpl8zlhs')), initialHostState());
		const ui = press(initialUiState(), offline, 120, 40, 'i');
		const hidden = wholePage(offline, 120, 40, ui).join('\n');
		expect(hidden).not.toMatch(/^_wandb/m);
		const shown = wholePage(offline, 120, 40, press(press(ui, offline, 120, 40, '_'), offline, 120, 40, '', {return: true})).join('\n');
		expect(shown).toMatch(/^_wandb\.visualize\.plots\/roc\.panel_type *\n +Vega2/m);
		expect(shown).toContain('· _wandb shown');
	});

	it('a config update during the run shows at once; Enter unfolds a long value', () => {
		const state = loadRun(runDir).state;
		const live = {...snap, run: state};
		const ui = type(press(press(initialUiState(), live, 120, 40, 'i'), live, 120, 40, '/'), 'late_');
		const long = Array.from({length: 40}, (_, i) => `layer_${i}`);
		reduceRun(state, {type: 'config', update: {'late_key.list': long}, remove: []}, Date.now());
		const folded = build(live, ui, 120, 40).lines.map(line => line.text);
		const row = folded.findIndex(line => line.includes('late_key.list'));
		expect(row).toBeGreaterThan(0);
		expect(folded[row]).toContain('["layer_0", "layer_1"');
		expect(folded[row].trimEnd()).toMatch(/…$/);
		// Unfolded, the value wraps in its column over the next lines, whole.
		const unfolded = build(live, press(ui, live, 120, 40, '', {return: true}), 120, 40).lines.map(line => line.text);
		const start = unfolded[row].indexOf('[');
		const joined = unfolded
			.slice(row, row + 30)
			.map(line => line.slice(start))
			.join('')
			.trimEnd();
		expect(joined.startsWith(`[${long.map(item => JSON.stringify(item)).join(', ')}]`)).toBe(true);
	});

	it('hostile text from the run is sanitized on the page', () => {
		const state = loadRun(runDir).state;
		reduceRun(state, {type: 'config', update: {'evil\u001b]0;pwned\u0007': 'x\u001b[2J\u202eabc'}, remove: []}, Date.now());
		const screen = build({...snap, run: state}, press(initialUiState(), snap, 120, 40, 'i'), 120, 40);
		for (const line of screen.lines) expect(line.paint('color')).not.toMatch(/\u001b\]|\u001b\[2J|\u202e|\u0007/);
	});
});

describe('--once shows the overview in brief', () => {
	it('host, GPU, command and git commit under the dashboard, within the size asked for', () => {
		const runDir = realRun('gkmcq7i0');
		const expected = expectedOf(runDir)!;
		const out = onceText(loadRun(runDir), initialHostState(), 120, 40).split('\n');
		expect(out.length).toBeLessThanOrEqual(39);
		const tail = out.slice(-4);
		expect(tail[0]).toMatch(new RegExp(`^host +${expected.host}`));
		expect(tail[1]).toMatch(/^gpu +NVIDIA TITAN RTX x 4/);
		expect(tail[2]).toContain(expected.program!);
		expect(tail[3]).toContain(expected.commit!);
	});
});
