/**
 * Shared-mode runs (doc §5.10): one run written by several processes, often on several machines,
 * each with its own run dir and a label (`x_label`). Core appends `/l:<label>` to every stats key
 * (doc §5.4). The primary writer's dir is the run (history, summary, config); the others are
 * nodes (`RunState.nodes`), each folding only what is its own: system metrics, console, its exit
 * (which ends that node, never the run) and its life. Pure: no I/O, no clock.
 */
import type {RunEvent} from '../decode/run-events.js';
import {initialRunState, reduceRun, type NodeState, type RecordedStats, type RunState} from './run-state.js';
import {runLife} from './run-life.js';
import {recordedKeyScore} from './selectors.js';

const LABEL_MARK = '/l:';

/** `gpu.0.gpu/l:node-1` → base `gpu.0.gpu`, label `node-1` (cut at the first `/l:`); unlabelled: label null. */
export function splitLabel(key: string): {base: string; label: string | null} {
	const at = key.indexOf(LABEL_MARK);
	return at < 0 ? {base: key, label: null} : {base: key.slice(0, at), label: key.slice(at + LABEL_MARK.length)};
}

/** The first label among a stats sample's keys, or null. */
function labelOf(values: Record<string, number>): string | null {
	for (const key in values) {
		const {label} = splitLabel(key);
		if (label !== null && label !== '') return label;
	}
	return null;
}

/**
 * What a secondary writer contributes. Its history rows (no `_step` in shared mode), summary and
 * config belong to the one server-side run, which the primary's log already carries.
 */
const NODE_EVENTS = new Set<RunEvent['type']>(['header', 'telemetry', 'run', 'run-dir', 'stats', 'console', 'console-file', 'exit', 'file-problem', 'life', 'read-progress']);

/** The node for `dir`, added (empty) when new. */
export function nodeFor(run: RunState, dir: string): NodeState {
	let node = run.nodes.find(candidate => candidate.dir === dir);
	if (node === undefined) {
		node = {dir, label: null, state: initialRunState()};
		run.nodes.push(node);
		run.version++;
	}
	return node;
}

/** Fold one read of a secondary writer's dir into its node (the run's `version` moves, so views redraw). */
export function foldNodeEvents(run: RunState, dir: string, events: readonly RunEvent[], now: number): RunState {
	const node = nodeFor(run, dir);
	for (const event of events) {
		if (!NODE_EVENTS.has(event.type)) continue;
		reduceRun(node.state, event, now);
		if (node.label === null && event.type === 'stats') node.label = labelOf(event.values);
	}
	run.version++;
	return run;
}

/** A node's log was replaced or truncated: what it wrote is read again from the start. */
export function resetNode(run: RunState, dir: string): void {
	const node = nodeFor(run, dir);
	node.state = initialRunState();
	node.label = null;
	run.version++;
}

/** Changes whenever any node changed: what a view of the nodes is memoized on. */
export function nodesVersion(run: RunState): number {
	let version = run.nodes.length;
	for (const node of run.nodes) version += node.state.version;
	return version;
}

/** A node's state: its exit record ends it (whatever the record says of the run), else its life. */
export type NodeStatus = 'running' | 'finished' | 'failed' | 'crashed' | 'stale';

/** How a writer stands at `now`: ended by its own exit (detached or not), else as its log and process say. */
export function writerStatus(state: RunState, now: number): {status: NodeStatus; exitCode: number | null} {
	const exit = state.exit ?? state.detached;
	if (exit !== null) return {status: exit.code === 0 ? 'finished' : 'failed', exitCode: exit.code};
	const {status} = runLife(state, now);
	return {status, exitCode: null};
}

/** One block of the recorded-system panel: a writer's metrics under one label (null: unlabelled). */
export type RecordedGroup = {
	label: string | null;
	/** The node's dir; null for the run's own (primary) dir. */
	dir: string | null;
	primary: boolean;
	/** The writer's state (for its status word). */
	state: RunState;
	stats: RecordedStats;
	/** Its keys worth a small chart, in display order: the key as recorded and without its label. */
	keys: Array<{key: string; base: string}>;
};

/**
 * The recorded system metrics by node: one group per label, in label order (`node-2` before
 * `node-10`), the primary's first among equals, then the unlabelled keys. A single unlabelled
 * writer gives one group with label null (the panel as it always was).
 */
export function recordedGroups(run: RunState): RecordedGroup[] {
	const groups: RecordedGroup[] = [];
	const add = (state: RunState, dir: string | null, fallback: string | null) => {
		const byLabel = new Map<string | null, Array<{key: string; base: string}>>();
		for (const key of state.stats.series.keys()) {
			const {base, label} = splitLabel(key);
			if (recordedKeyScore(base) >= 99) continue;
			// A node whose keys carry no label (an SDK that sets none) is still that node.
			const group = label ?? fallback;
			let keys = byLabel.get(group);
			if (keys === undefined) byLabel.set(group, (keys = []));
			keys.push({key, base});
		}
		for (const [label, keys] of byLabel) {
			keys.sort((a, b) => recordedKeyScore(a.base) - recordedKeyScore(b.base) || a.base.localeCompare(b.base, undefined, {numeric: true}));
			groups.push({label, dir, primary: dir === null, state, stats: state.stats, keys});
		}
	};
	add(run, null, null);
	for (const node of run.nodes) add(node.state, node.dir, node.label ?? baseName(node.dir));
	const labelled = groups.filter(group => group.label !== null);
	labelled.sort((a, b) => a.label!.localeCompare(b.label!, undefined, {numeric: true}) || Number(b.primary) - Number(a.primary));
	return [...labelled, ...groups.filter(group => group.label === null)];
}

/** Whether the run has more than one writer, or labelled system metrics: the panel and the JSON show nodes. */
export function hasNodes(run: RunState): boolean {
	return run.nodes.length > 0 || [...run.stats.series.keys()].some(key => splitLabel(key).label !== null);
}

/** The label of the run's own (primary) writer: from its stats keys, else null. */
export function primaryLabel(run: RunState): string | null {
	for (const key of run.stats.series.keys()) {
		const {label} = splitLabel(key);
		if (label !== null && label !== '') return label;
	}
	return null;
}

/** The mean of the latest finite values of the group's keys matching `pattern` (by base key); null where none has one. */
export function groupMean(group: RecordedGroup, pattern: RegExp): number | null {
	let sum = 0;
	let count = 0;
	for (const {key, base} of group.keys) {
		if (!pattern.test(base)) continue;
		const value = group.stats.series.get(key)?.lastFinite ?? null;
		if (value === null) continue;
		sum += value;
		count++;
	}
	return count === 0 ? null : sum / count;
}

function baseName(dir: string): string {
	const trimmed = dir.replace(/\/+$/, '');
	return trimmed.slice(trimmed.lastIndexOf('/') + 1) || dir;
}
