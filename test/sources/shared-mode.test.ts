/**
 * Shared-mode runs (doc §5.10): one run, one run dir per node, written here with the project's
 * writer as the SDK lays them out (labelled stats keys, shared-mode telemetry, environment records
 * from the primary only, no `_step`, `output_<label>.log`, 0.26.1 secondaries' exit records).
 * Opened as several dirs and as one folder: each node's metrics under its label, a secondary's
 * exit ending only that node, `--once --json` nodes; a single-writer real run keeps its panel.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {writeSharedRun, type SharedNodeWriter} from '../../source/demo/shared-run.js';
import {locateRun} from '../../source/sources/locate.js';
import {choosePrimary, locateWriters, withSharedNodes, type WriterProbe} from '../../source/sources/nodes.js';
import {loadRun, type LoadedRun} from '../../source/modes/load.js';
import {runReport} from '../../source/modes/report.js';
import {onceText} from '../../source/modes/once.js';
import {initialHostState} from '../../source/state/host-state.js';
import {recordedLines} from '../../source/view/panels/recorded.js';
import {onceSnapshot} from '../../source/modes/once.js';
import {navigation} from '../../source/view/screen.js';
import {initialUiState, reduceUi, type UiState} from '../../source/state/ui-state.js';
import {screenOf} from '../helpers/snapshot.js';
import {realRun} from '../helpers/fixtures.js';

const roots: string[] = [];
afterEach(() => {
	for (const root of roots.splice(0)) rmSync(root, {recursive: true, force: true});
});

/** A shared-mode run of `count` nodes in a fresh wandb/ folder; node i's GPUs at 50 + 10i + gpu %. */
function sharedRun(count: number, options: {secondariesExit?: boolean; primaryExit?: boolean; labels?: string[]} = {}): {wandbDir: string; writers: SharedNodeWriter[]} {
	const root = mkdtempSync(join(tmpdir(), 'wbtop-shared-'));
	roots.push(root);
	const wandbDir = join(root, 'wandb');
	const labels = options.labels ?? Array.from({length: count}, (_, i) => `node-${i}`);
	const writers = writeSharedRun({
		wandbDir,
		runId: 'shr4x9ab',
		nodes: labels.map((label, i) => ({label, gpus: i + 1, gpuUtil: (gpu: number) => 50 + 10 * i + gpu})),
		secondariesExit: options.secondariesExit,
		primaryExit: options.primaryExit,
	});
	return {wandbDir, writers};
}

function load(location: ReturnType<typeof locateRun>): LoadedRun {
	return loadRun(location.runDir, location.nodes);
}

/** The --once text, and the lines of it that belong to the recorded panel (from its title down). */
function panelText(loaded: LoadedRun, columns = 120, rows = 40): string[] {
	const lines = onceText(loaded, initialHostState(), columns, rows).split('\n');
	const column = lines.findIndex(line => line.includes('Recorded by W&B'));
	expect(column, 'the recorded panel is on screen').toBeGreaterThanOrEqual(0);
	const x = lines[column].indexOf('Recorded by W&B');
	return lines.slice(column).map(line => line.slice(x));
}

describe('shared-mode runs opened as one', () => {
	it('several dirs, given in any order: the primary (the writer of environment records) is the run, the others its nodes', () => {
		const {writers} = sharedRun(3);
		const location = locateWriters([writers[2].runDir, writers[0].runDir, writers[1].runDir]);
		expect(location.runDir).toBe(writers[0].runDir);
		expect((location.nodes ?? []).map(node => node.runDir).sort()).toEqual([writers[1].runDir, writers[2].runDir].sort());
	});

	it('a wandb/ folder: its newest dir is a secondary, and the run opens from the primary with every node', () => {
		const {wandbDir, writers} = sharedRun(4);
		const plain = locateRun(wandbDir);
		expect(plain.runDir).toBe(writers[3].runDir); // the newest start: node-3, a secondary
		const location = withSharedNodes(plain);
		expect(location.runDir).toBe(writers[0].runDir);
		expect(location.followDir).toBe(plain.followDir);
		expect((location.nodes ?? []).map(node => node.runDir).sort()).toEqual(writers.slice(1).map(writer => writer.runDir).sort());
	});

	it('the recorded panel shows each node under its label, with its own values, then its metrics', () => {
		const {wandbDir} = sharedRun(3);
		const panel = panelText(load(withSharedNodes(locateRun(wandbDir))), 200, 50);
		expect(panel[0]).toMatch(/^Recorded by W&B: 3 nodes \(24 samples/);
		const at = (label: string) => panel.findIndex(line => line.startsWith(label));
		for (let i = 0; i < 3; i++) {
			const line = panel[at(`node-${i}`)];
			// Node i has i + 1 GPUs at 50 + 10i + gpu %: their mean, and its own CPU figure.
			const mean = Math.round(50 + 10 * i + i / 2);
			expect(line).toContain(`gpu ${mean}%`);
			expect(line).toContain(`cpu ${21 + i}%`);
			// Its GPUs' metrics follow, indented, before the next node.
			const block = panel.slice(at(`node-${i}`) + 1, i < 2 ? at(`node-${i + 1}`) : undefined);
			for (let gpu = 0; gpu <= i; gpu++) expect(block.find(row => row.startsWith(`  gpu.${gpu}.gpu `))).toMatch(new RegExp(`${50 + 10 * i + gpu}%$`));
			expect(block.some(row => row.startsWith(`  gpu.${i + 1}.gpu `))).toBe(false);
		}
		expect(at('node-0')).toBeLessThan(at('node-1'));
		expect(at('node-1')).toBeLessThan(at('node-2'));
	});

	it('every node keeps its line at small panes, and labels sort as numbers (node-2 before node-10)', () => {
		const {writers} = sharedRun(4, {labels: ['node-10', 'node-2', 'node-1', 'gpu-host-7-k2x9a1bz']});
		const loaded = load(locateWriters(writers.map(writer => writer.runDir)));
		for (const [width, height] of [
			[30, 6],
			[36, 12],
			[60, 30],
		]) {
			const lines = recordedLines({run: loaded.state, width, height, scroll: 0, now: Date.now()}).map(line => line.paint('plain'));
			expect(lines).toHaveLength(height);
			for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
			// A line per node (its metrics, indented, where rows are left), in label order; a label the column cuts ends in `…`.
			const labels = lines.slice(1).filter(line => /^\S/.test(line)).map(line => /^(\S+)/.exec(line)![1]);
			const expected = ['gpu-host-7-k2x9a1bz', 'node-1', 'node-2', 'node-10'];
			for (const [i, label] of expected.entries()) expect(label.startsWith(labels[i].replace(/…$/, '')) && labels[i].length > 1, `${width}x${height}: ${labels[i]}`).toBe(true);
		}
	});

	it("a secondary's exit ends that node only; the run ends with the primary's", () => {
		const {writers} = sharedRun(3, {secondariesExit: true});
		const now = Date.now();
		let loaded = load(locateWriters(writers.map(writer => writer.runDir)));
		let report = runReport(loaded.state, loaded.location, null, [], null, now);
		expect(report.run.state).toBe('running');
		expect(report.nodes.map(node => [node.label, node.state, node.exitCode])).toEqual([
			['node-0', 'running', null],
			['node-1', 'finished', 0],
			['node-2', 'finished', 0],
		]);
		expect(panelText(loaded).find(line => line.startsWith('node-1'))).toMatch(/^node-1 +ended 0 /);

		writers[0].exit(0, now / 1000);
		loaded = load(locateWriters(writers.map(writer => writer.runDir)));
		report = runReport(loaded.state, loaded.location, null, [], null, now);
		expect(report.run.state).toBe('finished');
		expect(report.nodes[0].state).toBe('finished');
	});

	it('--once --json: nodes with label, dir, state and the system metrics by key without the label; history from the primary', () => {
		const {writers} = sharedRun(2, {secondariesExit: true});
		const loaded = load(locateWriters([writers[1].runDir, writers[0].runDir]));
		const report = runReport(loaded.state, loaded.location, null);
		expect(report.nodes.map(node => ({label: node.label, dir: node.dir, primary: node.primary}))).toEqual([
			{label: 'node-0', dir: writers[0].runDir, primary: true},
			{label: 'node-1', dir: writers[1].runDir, primary: false},
		]);
		const secondary = report.nodes[1];
		expect(secondary.system.records).toBe(8); // 4 ticks, two records each
		expect(secondary.system.metrics['gpu.1.gpu']).toEqual({count: 4, last: 61, min: 61, max: 61});
		expect(secondary.system.metrics['gpu.2.gpu']).toBeUndefined();
		expect(Object.keys(secondary.system.metrics).some(key => key.includes('/l:'))).toBe(false);
		expect(secondary.console.lines).toBe(4);
		// The run's own fields stay the primary's: its history (not the secondary's rows), its labelled keys.
		expect(Object.keys(report.history.metrics)).toEqual(['train/loss']);
		expect(report.system.metrics).toContain('gpu.0.gpu/l:node-0');
		expect(JSON.parse(JSON.stringify(report)).nodes).toHaveLength(2);
	});

	it("a node's console comes from its output_<label>.log when its log has none", () => {
		const {writers} = sharedRun(2);
		writeFileSync(join(writers[1].runDir, 'files', 'output_node-1.log'), 'only in the file\n');
		// A secondary whose log holds no console records: only its file says anything.
		rmSync(writers[1].logFile);
		const loaded = loadRun(writers[0].runDir, [{runDir: writers[1].runDir, logFile: null, format: 'binary', followDir: null}]);
		const node = runReport(loaded.state, loaded.location, null).nodes[1];
		expect(node.console).toEqual({lines: 1, source: 'files/output_node-1.log'});
	});

	it('a folder holding a resumed run (same id, no shared mode) opens the newest dir alone', () => {
		const root = mkdtempSync(join(tmpdir(), 'wbtop-resumed-'));
		roots.push(root);
		const writers = writeSharedRun({wandbDir: join(root, 'wandb'), runId: 'resumed1', nodes: [{label: 'a'}, {label: 'b'}]});
		// The same layout without shared-mode telemetry: what a resume leaves.
		for (const writer of writers) {
			rmSync(writer.logFile);
			writeFileSync(writer.logFile, readFileSync(locateRun(realRun('tlc2uulp')).logFile!));
		}
		const plain = locateRun(join(root, 'wandb'));
		const location = withSharedNodes(plain);
		expect(location.runDir).toBe(plain.runDir);
		expect(location.nodes ?? []).toEqual([]);
	});
});

describe('single-writer runs are unchanged', () => {
	it('a real run: no nodes in the JSON, the panel lists its metrics as before', () => {
		const loaded = loadRun(realRun('tlc2uulp'));
		expect(withSharedNodes(locateRun(realRun('tlc2uulp'))).nodes ?? []).toEqual([]);
		const report = runReport(loaded.state, loaded.location, null);
		expect(report.nodes).toEqual([]);
		const lines = recordedLines({run: loaded.state, width: 40, height: 10, scroll: 0, now: Date.now()}).map(line => line.paint('plain'));
		expect(lines[0]).toMatch(/^Recorded by W&B \(48 samples/);
		expect(lines[1]).toMatch(/^gpu\.0\.gpu /);
	});
});

describe('which writer is the primary', () => {
	const probe = (fields: Partial<WriterProbe>): WriterProbe => ({runDir: '', id: 'x', sharedMode: true, environment: false, metadata: false, unlabelledConsole: false, ...fields});
	it('environment records, then wandb-metadata.json, then an unlabelled output.log, then the first given', () => {
		expect(choosePrimary([probe({metadata: true}), probe({environment: true})])).toBe(1);
		expect(choosePrimary([probe({unlabelledConsole: true}), probe({metadata: true})])).toBe(1);
		expect(choosePrimary([probe({}), probe({unlabelledConsole: true})])).toBe(1);
		expect(choosePrimary([probe({}), probe({})])).toBe(0);
	});
});

describe("each writer's console on screen", () => {
	it('w steps the console panel through the writers: the primary, then each node by label, then back', () => {
		const {writers} = sharedRun(3);
		const loaded = load(locateWriters(writers.map(writer => writer.runDir)));
		const snap = {...onceSnapshot(loaded, initialHostState()), version: 1};
		const consoleOf = (ui: UiState) => {
			const lines = screenOf(snap, 120, 40, ui).lines.map(line => line.paint('plain'));
			const title = lines.find(line => line.includes('Console '))!;
			return {title, body: lines.filter(line => / step \d+/.test(line)).join('\n')};
		};
		let ui = initialUiState();
		const seen: string[] = [];
		for (let press = 0; press <= 3; press++) {
			const {title, body} = consoleOf(ui);
			const label = press % 3 === 0 ? 'node-0' : `node-${press}`;
			// The panel names whose console it is, and shows that writer's lines only.
			expect(title, `after ${press} presses`).toContain(press % 3 === 0 ? 'primary' : label);
			expect(body).toContain(`${label} step `);
			for (const other of ['node-0', 'node-1', 'node-2'].filter(name => name !== label)) expect(body).not.toContain(`${other} step `);
			seen.push(label);
			ui = reduceUi(ui, 'consoleWriter', navigation({snap, ui, columns: 120, rows: 40, now: Date.now(), pulse: 0}));
		}
		expect(seen).toEqual(['node-0', 'node-1', 'node-2', 'node-0']);
	});

	it('a run with one writer: w does nothing and the title names no writer', () => {
		const loaded = loadRun(realRun('tlc2uulp'));
		const snap = {...onceSnapshot(loaded, initialHostState()), version: 1};
		const ui = reduceUi(initialUiState(), 'consoleWriter', navigation({snap, ui: initialUiState(), columns: 120, rows: 40, now: Date.now(), pulse: 0}));
		expect(ui.consoleWriter).toBe(0);
		const title = screenOf(snap, 120, 40, ui).lines.map(line => line.paint('plain')).find(line => line.includes('Console '))!;
		expect(title).not.toContain('primary');
	});
});
