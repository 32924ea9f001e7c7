/**
 * PATH → the run to show (doc §1, §6.1). PATH may be a `wandb/` folder (or a project folder that
 * holds one), its `latest-run` link, a run directory, a `.wandb` file, or a symlink to any of them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {RunFormat} from '../decode/run-events.js';
import {LEGACY_EVENTS, LEGACY_HISTORY, LEGACY_METADATA, runIdFromDirName} from './legacy-reader.js';

export type RunLocation = {
	/** The run directory, symlinks resolved. */
	runDir: string;
	/** The `.wandb` log (binary runs), or null when it does not exist yet or the run is legacy. */
	logFile: string | null;
	format: RunFormat;
	/** The `wandb/` folder to watch for newer runs, when PATH was that folder or its `latest-run`. */
	followDir: string | null;
};

/** PATH is not something wbtop can show; the message is one line naming what was expected. */
export class LocateError extends Error {
	override name = 'LocateError';
}

const EXPECTED = 'expected a wandb/ folder, a run directory (run-*, offline-run-*) or a .wandb file';
/** Run directory names: `run-`, `offline-run-` (0.10+) and `dryrun-` (legacy offline). */
const RUN_DIR_NAME = /^(?:run|offline-run|dryrun)-(\d{8})_(\d{6})-.+$/;

function statOrNull(p: string, follow = true): fs.Stats | null {
	try {
		return follow ? fs.statSync(p) : fs.lstatSync(p);
	} catch {
		return null;
	}
}

function listDir(dir: string): string[] {
	try {
		return fs.readdirSync(dir);
	} catch {
		return [];
	}
}

/** The `.wandb` log in a run dir: `run-<id>.wandb` when the dir name gives the id, else the newest. */
export function findLogFile(runDir: string): string | null {
	const logs = listDir(runDir).filter(name => name.endsWith('.wandb') && statOrNull(path.join(runDir, name))?.isFile());
	if (logs.length <= 1) return logs.length === 1 ? path.join(runDir, logs[0]) : null;
	// Several logs (rare): prefer the one named after the run id; the dir may have a `-N` suffix.
	const id = runIdFromDirName(path.basename(runDir));
	const named = logs.find(name => {
		const logId = /^run-(.+)\.wandb$/.exec(name)?.[1];
		return id !== null && logId !== undefined && (id === logId || new RegExp(`^${escapeRegExp(logId)}-\\d+$`).test(id));
	});
	if (named) return path.join(runDir, named);
	logs.sort((a, b) => (statOrNull(path.join(runDir, b))?.mtimeMs ?? 0) - (statOrNull(path.join(runDir, a))?.mtimeMs ?? 0));
	return path.join(runDir, logs[0]);
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isLegacyRunDir(dir: string, names: string[]): boolean {
	return names.includes(LEGACY_HISTORY) || names.includes(LEGACY_EVENTS) || (names.includes(LEGACY_METADATA) && !names.includes('files'));
}

/** What kind of run dir `dir` is, or null when it is not one. */
function runDirFormat(dir: string): RunFormat | null {
	const names = listDir(dir);
	// A `.wandb` *file*; a project's `.wandb/` folder (doc §1.1) must not count.
	if (names.some(name => name.endsWith('.wandb') && statOrNull(path.join(dir, name))?.isFile())) return 'binary';
	if (isLegacyRunDir(dir, names)) return 'legacy';
	const base = path.basename(dir);
	if (RUN_DIR_NAME.test(base)) return base.startsWith('dryrun-') ? 'legacy' : 'binary'; // log not written yet
	return null;
}

function isWandbFolder(dir: string): boolean {
	const names = listDir(dir);
	return names.includes('latest-run') || names.some(name => RUN_DIR_NAME.test(name) && statOrNull(path.join(dir, name))?.isDirectory());
}

function locationOf(runDir: string, format: RunFormat, followDir: string | null): RunLocation {
	return {runDir, logFile: format === 'binary' ? findLogFile(runDir) : null, format, followDir};
}

/** The newest run in a `wandb/` folder: its `latest-run` link, else the first of {@link listRuns}. */
export function newestRunDir(wandbDir: string): string | null {
	const latest = path.join(wandbDir, 'latest-run');
	if (statOrNull(latest)?.isDirectory()) return fs.realpathSync(latest);
	const runs = listRuns(wandbDir);
	return runs.length > 0 ? runs[0].runDir : null;
}

/** Resolves PATH to a run. Throws {@link LocateError} when it is not one. */
export function locateRun(inputPath: string): RunLocation {
	const link = statOrNull(inputPath, false);
	const target = statOrNull(inputPath);
	if (link === null) throw new LocateError(`${inputPath}: no such file or directory (${EXPECTED})`);
	if (target === null) throw new LocateError(`${inputPath}: broken symlink (${EXPECTED})`);
	const real = fs.realpathSync(inputPath);

	if (target.isFile()) {
		if (!real.endsWith('.wandb')) throw new LocateError(`${inputPath}: not a .wandb file (${EXPECTED})`);
		return {runDir: path.dirname(real), logFile: real, format: 'binary', followDir: null};
	}
	if (!target.isDirectory()) throw new LocateError(`${inputPath}: not a file or directory (${EXPECTED})`);

	// `wandb/latest-run`: show that run, and follow the folder for newer ones.
	if (link.isSymbolicLink() && path.basename(path.resolve(inputPath)) === 'latest-run') {
		const format = runDirFormat(real) ?? 'binary';
		return locationOf(real, format, fs.realpathSync(path.dirname(path.resolve(inputPath))));
	}

	const format = runDirFormat(real);
	if (format !== null) return locationOf(real, format, null);

	// A wandb/ folder, or a project folder holding `wandb/` or `.wandb/` (doc §1.1).
	const candidates = [real, path.join(real, 'wandb'), path.join(real, '.wandb')];
	for (const dir of candidates) {
		if (!statOrNull(dir)?.isDirectory() || !isWandbFolder(dir)) continue;
		const runDir = newestRunDir(dir);
		if (runDir === null) throw new LocateError(`${inputPath}: the wandb folder has no runs yet (expected run-* or offline-run-* directories)`);
		return locationOf(runDir, runDirFormat(runDir) ?? 'binary', dir);
	}
	throw new LocateError(`${inputPath}: not a W&B run (${EXPECTED})`);
}

export type RunListing = {
	/** Run id: from the `.wandb` file name when there is one, else from the dir name. */
	id: string;
	runDir: string;
	/** Dir name, e.g. `run-20240219_153504-gkmcq7i0`. */
	name: string;
	/** Last change, ms since the epoch: the log's mtime when there is one, else the dir's. */
	mtime: number;
	format: RunFormat;
};

/**
 * The run dirs of a `wandb/` folder, newest first: by the start timestamp in the dir name (stable
 * while runs write), then by mtime.
 */
export function listRuns(wandbDir: string): RunListing[] {
	const runs: RunListing[] = [];
	for (const name of listDir(wandbDir)) {
		if (!RUN_DIR_NAME.test(name)) continue;
		const runDir = path.join(wandbDir, name);
		const st = statOrNull(runDir, false);
		if (st === null || !st.isDirectory()) continue;
		const format = runDirFormat(runDir) ?? 'binary';
		const logFile = format === 'binary' ? findLogFile(runDir) : null;
		const logStat = logFile === null ? null : statOrNull(logFile);
		const idFromLog = logFile === null ? null : /^run-(.+)\.wandb$/.exec(path.basename(logFile))?.[1];
		runs.push({
			id: idFromLog ?? runIdFromDirName(name) ?? name,
			runDir,
			name,
			mtime: Math.max(st.mtimeMs, logStat?.mtimeMs ?? 0),
			format,
		});
	}
	const started = (name: string) => {
		const match = RUN_DIR_NAME.exec(name);
		return match ? `${match[1]}_${match[2]}` : '';
	};
	return runs.sort((a, b) => {
		const sa = started(a.name);
		const sb = started(b.name);
		return sa !== sb ? (sa < sb ? 1 : -1) : b.mtime - a.mtime;
	});
}
