/**
 * Runs one fuzz case the way wbtop reads a run: write it into a temp run dir, decode it with
 * readRunOnce, check every event's shape, fold the events into state, and (for some cases) draw
 * the dashboard and the `--json` document from that state.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {Integrity, RunEvent, Value} from '../../source/decode/run-events.js';
import {readRunOnce} from '../../source/sources/run-reader.js';
import {initialRunState, reduceRunEvents} from '../../source/state/run-state.js';
import {onceJson} from '../../source/modes/json.js';
import {onceText} from '../../source/modes/once.js';
import {initialHostState} from '../../source/state/host-state.js';
import type {FuzzCase} from './cases.js';

export type RunDirs = {binary: string; legacy: string};

/** Two run dirs under `root`: one for `.wandb` cases, one for legacy jsonl cases. */
export function makeRunDirs(root: string): RunDirs {
	const binary = path.join(root, 'run-20250301_120000-fuzzbin');
	const legacy = path.join(root, 'run-20200301_120000-fuzzleg');
	fs.mkdirSync(binary, {recursive: true});
	fs.mkdirSync(legacy, {recursive: true});
	return {binary, legacy};
}

export type CaseResult = {
	ms: number;
	events: number;
	integrity: Integrity | null;
	error: string | null;
	problems: string[];
	rendered: boolean;
};

const LEGACY_FILES = {history: 'wandb-history.jsonl', events: 'wandb-events.jsonl', summary: 'wandb-summary.json'} as const;

export function runCase(c: FuzzCase, dirs: RunDirs, render: boolean): CaseResult {
	let runDir: string;
	if (c.kind === 'binary') {
		runDir = dirs.binary;
		fs.writeFileSync(path.join(runDir, 'run-fuzzbin.wandb'), c.bytes);
	} else {
		runDir = dirs.legacy;
		for (const [kind, name] of Object.entries(LEGACY_FILES)) fs.writeFileSync(path.join(runDir, name), kind === c.kind ? c.bytes : '');
	}
	const problems: string[] = [];
	const start = performance.now();
	let result: ReturnType<typeof readRunOnce> | null = null;
	try {
		result = readRunOnce(runDir);
	} catch (error) {
		problems.push(`readRunOnce threw: ${(error as Error).stack?.split('\n').slice(0, 4).join(' | ')}`);
	}
	const ms = performance.now() - start;
	let rendered = false;
	if (result) {
		for (const event of result.events) checkEvent(event, problems);
		checkIntegrity(result.integrity, problems);
		if (c.expectCorrupt && result.integrity.corruptChunks === 0) problems.push('a flipped payload byte was not counted in integrity.corruptChunks');
		try {
			const state = reduceRunEvents(initialRunState(), result.events, Date.now());
			state.format = result.location.format;
			state.integrity = result.integrity;
			if (render) {
				const loaded = {location: result.location, state, error: result.error};
				const text = onceText(loaded, initialHostState(), 100, 30);
				if (text.split('\n').some(line => [...line].length > 100)) problems.push('--once text wider than 100 columns');
				JSON.parse(onceJson(loaded, null));
				rendered = true;
			}
		} catch (error) {
			problems.push(`state/render threw: ${(error as Error).stack?.split('\n').slice(0, 4).join(' | ')}`);
		}
	}
	// Nothing a run holds may end up on Object.prototype.
	for (const key in {}) {
		problems.push(`Object.prototype polluted with ${JSON.stringify(key)}`);
		delete (Object.prototype as Record<string, unknown>)[key]; // so later cases start clean
	}
	return {ms, events: result?.events.length ?? 0, integrity: result?.integrity ?? null, error: result?.error ?? null, problems, rendered};
}

// ---------------------------------------------------------------------------------------------
// Shape checks: what the RunEvent type declares, at run time.

const isStr = (v: unknown) => typeof v === 'string';
const isStrOrNull = (v: unknown) => v === null || typeof v === 'string';
const isNum = (v: unknown) => typeof v === 'number';
const isNumOrNull = (v: unknown) => v === null || typeof v === 'number';

function checkValue(value: unknown, where: string, problems: string[], depth = 0): void {
	if (depth > 200) {
		problems.push(`${where}: value nested deeper than 200`);
		return;
	}
	if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return;
	if (Array.isArray(value)) {
		for (let i = 0; i < value.length; i++) checkValue(value[i], where, problems, depth + 1);
		return;
	}
	if (typeof value === 'object') {
		const o = value as Record<string, unknown>;
		if (o.kind === 'media') {
			if (!isStr(o.mediaType) || !isStr(o.detail)) problems.push(`${where}: malformed media value ${JSON.stringify(o).slice(0, 80)}`);
			return;
		}
		for (const key of Object.keys(o)) checkValue(o[key], where, problems, depth + 1);
		return;
	}
	problems.push(`${where}: value of type ${typeof value}`);
}

function checkFlat(values: unknown, where: string, problems: string[]): void {
	if (values === null || typeof values !== 'object' || Array.isArray(values)) {
		problems.push(`${where}: not an object`);
		return;
	}
	for (const [key, value] of Object.entries(values as Record<string, Value>)) checkValue(value, `${where}[${JSON.stringify(key.slice(0, 20))}]`, problems);
}

function checkStrings(list: unknown, where: string, problems: string[]): void {
	if (!Array.isArray(list) || !list.every(isStr)) problems.push(`${where}: not a string[]`);
}

export function checkEvent(event: RunEvent, problems: string[]): void {
	const e = event as Record<string, unknown> & RunEvent;
	const bad = (what: string) => problems.push(`${event.type} event: ${what}: ${JSON.stringify(event, (_k, v) => (typeof v === 'string' && v.length > 40 ? v.slice(0, 40) + '…' : v)).slice(0, 200)}`);
	switch (event.type) {
		case 'header':
			if (!isStrOrNull(event.sdkVersion)) bad('sdkVersion');
			break;
		case 'run': {
			const r = event.run as unknown as Record<string, unknown>;
			for (const key of ['id', 'name', 'project', 'entity', 'group', 'jobType', 'notes', 'host']) if (!isStrOrNull(r[key])) bad(key);
			checkStrings(r.tags, 'run.tags', problems);
			if (!isNumOrNull(r.startTime) || !isNum(r.startingStep) || !isNumOrNull(r.pid)) bad('numbers');
			checkFlat(r.config, 'run.config', problems);
			break;
		}
		case 'config':
		case 'summary':
			checkFlat(event.update, `${event.type}.update`, problems);
			checkStrings(event.remove, `${event.type}.remove`, problems);
			break;
		case 'history':
			if (!isNumOrNull(event.step) || (event.step !== null && !Number.isFinite(event.step))) bad('step');
			checkFlat(event.values, 'history.values', problems);
			break;
		case 'stats':
			if (!isNum(event.timestamp) || !Number.isFinite(event.timestamp)) bad('timestamp');
			for (const [key, value] of Object.entries(event.values)) if (!isNum(value)) bad(`stats value ${key}`);
			break;
		case 'console':
			if (event.stream !== 'stdout' && event.stream !== 'stderr') bad('stream');
			if (!isStr(event.text) || !isNumOrNull(event.timestamp)) bad('text/timestamp');
			if (event.whole !== undefined && event.whole !== true) bad('whole');
			break;
		case 'metric':
			if (!isStrOrNull(event.name) || !isStrOrNull(event.glob) || !isStrOrNull(event.stepMetric)) bad('names');
			if (typeof event.hidden !== 'boolean' || typeof event.defined !== 'boolean') bad('flags');
			if (event.goal !== null && event.goal !== 'minimize' && event.goal !== 'maximize') bad('goal');
			break;
		case 'exit':
			if (!Number.isInteger(event.exitCode) || !isNumOrNull(event.runtime)) bad('exit fields');
			if (event.detached !== undefined && event.detached !== 'not-complete' && event.detached !== 'secondary') bad('detached');
			break;
		case 'wandb-alert':
			// A damaged AlertRecord still gives strings, and a whole number of milliseconds or none.
			if (!isStr(event.title) || !isStr(event.text) || !isStr(event.level) || event.level === '') bad('strings');
			if (event.waitMs !== null && !Number.isInteger(event.waitMs)) bad('waitMs');
			break;
		case 'telemetry':
			if (!isStrOrNull(event.cliVersion)) bad('cliVersion');
			break;
		case 'preempting':
			break;
		case 'run-dir':
			if (!isStr(event.id) || event.id === '') bad('id');
			break;
		case 'sdk-config':
			checkFlat(event.update, 'sdk-config.update', problems);
			break;
		case 'environment': {
			// A damaged record still gives each field its own kind: strings, counts, lists of them.
			const env = event.environment as unknown as Record<string, unknown>;
			for (const key of ['writerId', 'os', 'python', 'docker', 'program', 'codePath', 'gitRemote', 'gitCommit', 'gitBranch', 'root', 'host', 'username', 'executable', 'gpuType', 'cudaVersion', 'accelerator']) if (!isStrOrNull(env[key])) bad(key);
			for (const key of ['startedAt', 'cpuCount', 'cpuCountLogical', 'gpuCount', 'memoryBytes']) if (!isNumOrNull(env[key]) || (env[key] !== null && !Number.isFinite(env[key]))) bad(key);
			if (env.args !== null) checkStrings(env.args, 'environment.args', problems);
			if (!Array.isArray(env.gpus) || !env.gpus.every(gpu => isStrOrNull(gpu?.name) && isNumOrNull(gpu?.memoryBytes))) bad('gpus');
			if (env.slurm === null || typeof env.slurm !== 'object' || !Object.values(env.slurm).every(isStr)) bad('slurm');
			break;
		}
		case 'legacy-state':
			if (!['running', 'finished', 'failed', 'crashed'].includes(event.state) || !isNumOrNull(event.exitCode)) bad('state');
			break;
		default:
			problems.push(`unknown event type ${JSON.stringify(e.type)}`);
	}
}

function checkIntegrity(integrity: Integrity, problems: string[]): void {
	if (integrity.tail !== 'clean' && integrity.tail !== 'partial') problems.push(`integrity.tail ${integrity.tail}`);
	if (!Number.isInteger(integrity.corruptChunks) || integrity.corruptChunks < 0) problems.push(`integrity.corruptChunks ${integrity.corruptChunks}`);
	if (integrity.undecodableRecords !== undefined && (!Number.isInteger(integrity.undecodableRecords) || integrity.undecodableRecords < 0)) problems.push(`integrity.undecodableRecords ${integrity.undecodableRecords}`);
}
