/**
 * Pre-0.10 run directories (doc §1.4), the parts that are pure: file names, the run id in a dir
 * name, and what `wandb-metadata.json` says about the run (identity, state). The reading is in
 * sources/legacy-reader.ts (the dashboard) and sources/log-end.ts (`--line`).
 */
import type {FlatValues, RunEvent, RunInfo} from './run-events.js';
import {emptyRunInfo, type RunStatus} from './records.js';
import {MAX_KEYS_PER_ROW} from './caps.js';
import {MAX_RECORD_SIZE} from './log-framing.js';
import {flattenCapped, keyBudget, parseJsonLoose, UNPARSABLE} from './values.js';

/**
 * Longest jsonl line read (legacy-reader.ts, and log-end.ts for `--line`); a longer one is skipped and counted as corrupt. A line is a history
 * row or a stats sample, the jsonl era's record, so it gets the binary log's record cap
 * (MAX_RECORD_SIZE, 64 MiB): a row one format shows, the other does too (a 50 MB row is read,
 * test/fuzz/hostile.test.ts). Without a cap the window doubled until it held a newline, so a
 * hole of zeros (a preallocated or crash-damaged file) was read whole: 1 GB of it took 1.9 GB of
 * RSS and ended in ERR_STRING_TOO_LONG; now it costs ~200 MB (windows up to the cap).
 */
export const MAX_LINE_BYTES = MAX_RECORD_SIZE;

export const LEGACY_HISTORY = 'wandb-history.jsonl';
export const LEGACY_EVENTS = 'wandb-events.jsonl';
export const LEGACY_SUMMARY = 'wandb-summary.json';
export const LEGACY_METADATA = 'wandb-metadata.json';
export const LEGACY_CONFIG = 'config.yaml';

/** The run id from a run dir name: `run-20191205_192624-jsr4s3y6` → `jsr4s3y6`. */
export function runIdFromDirName(name: string): string | null {
	const match = /(?:^|[-_])(?:run|offline-run|dryrun)-\d{8}_\d{6}-(.+)$/.exec(name);
	return match ? match[1] : null;
}

/** Parses the JSON object in `text`, or null. */
export function parseObject(text: string): Record<string, unknown> | null {
	const raw = parseJsonLoose(text);
	return raw !== UNPARSABLE && raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
}

/** `2019-12-05T19:26:25.055853` (UTC, no zone in legacy metadata) → ms since the epoch. */
function parseStartedAt(value: unknown): number | null {
	if (typeof value !== 'string') return null;
	const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
	return Number.isNaN(ms) ? null : ms;
}

const LEGACY_STATES: Record<string, Exclude<RunStatus, 'stale'>> = {running: 'running', finished: 'finished', failed: 'failed', killed: 'crashed'};

/** The run as `wandb-metadata.json` describes it (the id from the dir name when it has none). */
export function legacyRunInfo(metadata: Record<string, unknown>, runDirName: string, config: FlatValues = {}): RunInfo {
	const run = emptyRunInfo();
	const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
	run.id = str(metadata.id) ?? runIdFromDirName(runDirName);
	run.name = str(metadata.name);
	run.project = str(metadata.project);
	run.entity = str(metadata.entity);
	run.group = str(metadata.group);
	run.jobType = str(metadata.jobType);
	run.notes = str(metadata.notes);
	run.host = str(metadata.host);
	run.tags = Array.isArray(metadata.tags) ? metadata.tags.filter((t): t is string => typeof t === 'string') : [];
	run.startTime = parseStartedAt(metadata.startedAt);
	run.pid = typeof metadata.pid === 'number' ? metadata.pid : null;
	run.config = {...config};
	return run;
}

/** The run's state as the metadata records it (`killed` is crashed), or null when it has none. */
export function legacyStateEvent(metadata: Record<string, unknown>): Extract<RunEvent, {type: 'legacy-state'}> | null {
	if (typeof metadata.state !== 'string') return null;
	return {type: 'legacy-state', state: LEGACY_STATES[metadata.state] ?? 'running', exitCode: typeof metadata.exitcode === 'number' ? metadata.exitcode : null};
}

/**
 * One line of `wandb-history.jsonl` as a history event (at most MAX_KEYS_PER_ROW keys, the rest
 * counted as dropped); null for a blank line, `corrupt` when it is not a JSON object.
 */
export function legacyHistoryEvent(line: string): Extract<RunEvent, {type: 'history'}> | null | 'corrupt' {
	if (line.trim() === '') return null;
	const row = parseObject(line);
	if (row === null) return 'corrupt';
	const budget = keyBudget();
	const values = flattenCapped(row, MAX_KEYS_PER_ROW, undefined, budget);
	const step = typeof values._step === 'number' && Number.isFinite(values._step) ? values._step : null;
	return budget.dropped > 0 ? {type: 'history', step, values, droppedKeys: budget.dropped} : {type: 'history', step, values};
}
