/**
 * PATH → the run to show (doc §1, §6.1). PATH may be a `wandb/` folder (or a project folder that
 * holds one), its `latest-run` link, a run directory, a `.wandb` file, or a symlink to any of them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {RunFormat} from '../decode/run-events.js';
import {LEGACY_EVENTS, LEGACY_HISTORY, LEGACY_METADATA, runIdFromDirName} from '../decode/legacy.js';

export type RunLocation = {
	/** The run directory, symlinks resolved. */
	runDir: string;
	/** The `.wandb` log (binary runs), or null when it does not exist yet or the run is legacy. */
	logFile: string | null;
	format: RunFormat;
	/** The `wandb/` folder to watch for newer runs, when PATH was that folder or its `latest-run`. */
	followDir: string | null;
	/** A shared-mode run's other writers (one run dir per node, sources/nodes.ts); absent or empty: one writer. */
	nodes?: readonly RunLocation[];
};

/** PATH is not something wbtop can show; the message is one line naming what was expected. */
export class LocateError extends Error {
	override name = 'LocateError';
}

/**
 * PATH is a `wandb/` folder (or a project folder holding one) with no run in it yet: the live view
 * shows this machine and waits for the first run there; the script modes report it as an error.
 */
export class NoRunYetError extends LocateError {
	override name = 'NoRunYetError';
	constructor(
		message: string,
		/** The folder a run will appear in. */
		readonly wandbDir: string,
	) {
		super(message);
	}
}

/**
 * Where wbtop looks when no PATH is given, first to last: `./wandb`, then `$WANDB_DIR/wandb`
 * (W&B writes its runs to `wandb/` under `WANDB_DIR`, else under the working directory).
 */
export function defaultWandbDirs(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string[] {
	const dirs = [path.resolve(cwd, 'wandb')];
	if (env.WANDB_DIR) dirs.push(path.resolve(cwd, env.WANDB_DIR, 'wandb'));
	return [...new Set(dirs)];
}

/**
 * The newest run of the first of `dirs` that holds one (as {@link locateRun} finds it), or null
 * when none does yet. Folders that do not exist, or hold no run, are passed over.
 */
export function locateFirstRun(dirs: readonly string[]): RunLocation | null {
	for (const dir of dirs) {
		if (statOrNull(dir) === null) continue;
		try {
			return locateRun(dir);
		} catch (error) {
			if (!(error instanceof LocateError)) throw error;
		}
	}
	return null;
}

/** A run whose log cannot be read at all (permission, a FIFO); the message names the file and the reason. */
export class UnreadableRunError extends Error {
	override name = 'UnreadableRunError';
}

const NO_RUNS_YET = 'the wandb folder has no runs yet (expected run-* or offline-run-* directories)';
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

/**
 * A listing is reused at most this long even when the directory looks unchanged: some
 * filesystems (FUSE mounts of object stores) never move a directory's mtime.
 */
const LISTING_MAX_AGE_MS = 10_000;
/** Recent folder listings, for {@link listDirCached}; a few folders at most. */
const folderListings = new Map<string, {key: string; names: string[]; at: number; racy: boolean}>();

/**
 * `listDir`, reused while the directory is unchanged (same inode, mtime and ctime): the session
 * locates its wandb/ folder every second, and that folder may hold thousands of runs.
 * The names must not be modified.
 */
function listDirCached(dir: string): string[] {
	const st = statOrNull(dir);
	if (st === null || !st.isDirectory()) {
		folderListings.delete(dir);
		return [];
	}
	const key = dirKeyOf(st);
	const now = Date.now();
	const hit = folderListings.get(dir);
	if (hit && hit.key === key && !hit.racy && now - hit.at < LISTING_MAX_AGE_MS) return hit.names;
	const names = listDir(dir);
	folderListings.delete(dir);
	folderListings.set(dir, {key, names, at: now, racy: isRacy(st, now)});
	if (folderListings.size > 8) folderListings.delete(folderListings.keys().next().value!);
	return names;
}

/** The `.wandb` log in a run dir: `run-<id>.wandb` when the dir name gives the id, else the newest. */
export function findLogFile(runDir: string): string | null {
	return pickLogFile(runDir, logFilesIn(runDir, listDir(runDir)));
}

/** The `.wandb` *files* among a dir's entries (a project's `.wandb/` folder, doc §1.1, is not one). */
function logFilesIn(dir: string, names: string[]): string[] {
	return names.filter(name => name.endsWith('.wandb') && statOrNull(path.join(dir, name))?.isFile());
}

/**
 * The run id from names alone, for a log that has no run record yet (a header-only file): the log's
 * `run-<id>.wandb` (exact), else the dir's `run-<date>-<id>` (which may carry a `-N` suffix, doc §1.1).
 */
export function runIdFromNames(logFile: string | null, runDir: string): string | null {
	const fromLog = logFile === null ? undefined : /^run-(.+)\.wandb$/.exec(path.basename(logFile))?.[1];
	return fromLog ?? runIdFromDirName(path.basename(runDir));
}

function pickLogFile(runDir: string, logs: string[]): string | null {
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

/** What kind of run dir `dir` is (and its log), or null when it is not one; `names` are its entries. */
function inspectRunDir(dir: string, names: string[] = listDir(dir)): {format: RunFormat; logFile: string | null} | null {
	const logs = logFilesIn(dir, names);
	if (logs.length > 0) return {format: 'binary', logFile: pickLogFile(dir, logs)};
	if (isLegacyRunDir(dir, names)) return {format: 'legacy', logFile: null};
	const base = path.basename(dir);
	if (RUN_DIR_NAME.test(base)) return {format: base.startsWith('dryrun-') ? 'legacy' : 'binary', logFile: null}; // log not written yet
	return null;
}

/** What kind of run dir `dir` is, or null when it is not one. */
function runDirFormat(dir: string, names?: string[]): RunFormat | null {
	return inspectRunDir(dir, names)?.format ?? null;
}

function isWandbFolder(dir: string, names: string[] = listDir(dir)): boolean {
	return names.includes('latest-run') || names.some(name => RUN_DIR_NAME.test(name) && statOrNull(path.join(dir, name))?.isDirectory());
}

function locationOf(runDir: string, format: RunFormat, followDir: string | null): RunLocation {
	return {runDir, logFile: format === 'binary' ? findLogFile(runDir) : null, format, followDir};
}

/**
 * The newest run in a `wandb/` folder: its `latest-run` link, else the first of {@link listRuns}.
 * Only the runs with the newest start time in their name are looked at, not the whole folder
 * (the session asks every second; a folder may hold thousands of runs).
 */
export function newestRunDir(wandbDir: string, names: string[] = listDir(wandbDir)): string | null {
	const latest = path.join(wandbDir, 'latest-run');
	if (statOrNull(latest)?.isDirectory()) return fs.realpathSync(latest);
	let left = names.filter(name => RUN_DIR_NAME.test(name)).map(name => ({name, start: startOf(name)}));
	while (left.length > 0) {
		let newest = '';
		for (const {start} of left) if (start > newest) newest = start;
		const runs = left.flatMap(({name, start}) => (start === newest ? (listingOf(wandbDir, name) ?? []) : []));
		if (runs.length > 0) return runs.sort(newestFirst)[0].runDir;
		left = left.filter(({start}) => start !== newest); // not directories: the next start time
	}
	return null;
}

/** Resolves PATH to a run. Throws {@link LocateError} when it is not one. */
export function locateRun(inputPath: string): RunLocation {
	const link = statOrNull(inputPath, false);
	const target = statOrNull(inputPath);
	if (link === null) {
		try {
			fs.lstatSync(inputPath);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'EACCES') throw new LocateError(`${inputPath}: permission denied (a folder on the way cannot be searched)`);
		}
		throw new LocateError(`${inputPath}: no such file or directory (${EXPECTED})`);
	}
	if (target === null) throw new LocateError(`${inputPath}: broken symlink (${EXPECTED})`);
	const real = fs.realpathSync(inputPath);

	if (target.isFile()) {
		if (!real.endsWith('.wandb')) throw new LocateError(`${inputPath}: not a .wandb file (${EXPECTED})`);
		return {runDir: path.dirname(real), logFile: real, format: 'binary', followDir: null};
	}
	if (!target.isDirectory()) throw new LocateError(`${inputPath}: not a file or directory (${EXPECTED})`);
	// A directory wbtop may not list would read as an empty, forever-running run: say so instead.
	// Opening it is the same check as listing it, without reading every entry (the session
	// locates its wandb/ folder every second, and it may hold thousands of runs).
	try {
		fs.opendirSync(real).closeSync();
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
		throw new LocateError(`${inputPath}: cannot read this directory (${code === 'EACCES' ? 'permission denied' : code})`);
	}

	// `wandb/latest-run`: show that run, and follow the folder for newer ones.
	if (link.isSymbolicLink() && path.basename(path.resolve(inputPath)) === 'latest-run') {
		const format = runDirFormat(real) ?? 'binary';
		return locationOf(real, format, fs.realpathSync(path.dirname(path.resolve(inputPath))));
	}

	// One listing of PATH serves both questions (the session asks every second).
	const names = listDirCached(real);
	const format = runDirFormat(real, names);
	if (format !== null) return locationOf(real, format, null);

	// A wandb/ folder, or a project folder holding `wandb/` or `.wandb/` (doc §1.1).
	const candidates = [real, path.join(real, 'wandb'), path.join(real, '.wandb')];
	for (const dir of candidates) {
		const dirNames = dir === real ? names : listDirCached(dir);
		if (!statOrNull(dir)?.isDirectory() || !isWandbFolder(dir, dirNames)) continue;
		const runDir = newestRunDir(dir, dirNames);
		if (runDir === null) throw new NoRunYetError(`${inputPath}: ${NO_RUNS_YET}`, dir);
		return locationOf(runDir, runDirFormat(runDir) ?? 'binary', dir);
	}
	// A folder named wandb, or a project's wandb/ folder, that holds no run yet.
	const wandbDir = ['wandb', '.wandb'].includes(path.basename(real)) ? real : statOrNull(path.join(real, 'wandb'))?.isDirectory() ? path.join(real, 'wandb') : null;
	if (wandbDir !== null) throw new NoRunYetError(`${inputPath}: ${NO_RUNS_YET}`, wandbDir);
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
	return new RunLister(wandbDir).list();
}

/** `20240219_153504` from a run dir name; '' when it has none. */
function startOf(name: string): string {
	const match = RUN_DIR_NAME.exec(name);
	return match ? `${match[1]}_${match[2]}` : '';
}

/** Later starts first. */
function compareStarts(a: string, b: string): number {
	return a === b ? 0 : a < b ? 1 : -1;
}

function newestFirst(a: RunListing, b: RunListing): number {
	return compareStarts(startOf(a.name), startOf(b.name)) || b.mtime - a.mtime;
}

/** One run dir's listing, read from disk; null when `name` is not a run directory. */
function listingOf(wandbDir: string, name: string): RunListing | null {
	return inspectRunEntry(wandbDir, name)?.listing ?? null;
}

/** What {@link RunLister} keeps of one run dir. */
type RunEntry = {
	listing: RunListing;
	start: string;
	logFile: string | null;
	/** The dir's identity when its entries were read: a change means read them again. */
	dirKey: string;
	dirMtimeMs: number;
	/** Its entries were read within RACY_MS of its last change: a change may not show in its mtime. */
	racy: boolean;
};

/**
 * A timestamp this close to the moment it was read may hide a second change within the
 * filesystem's timestamp granularity (up to 2 s on FAT, 1 s on HFS+): look again next time.
 */
const RACY_MS = 2000;

function dirKeyOf(st: fs.Stats): string {
	return `${st.ino}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** Changed so recently that a further change might keep the same mtime. */
function isRacy(st: fs.Stats, now: number): boolean {
	return Math.abs(now - st.mtimeMs) < RACY_MS;
}

/** Reads one entry of a wandb/ folder: null unless it is a run directory (not a symlink). */
function inspectRunEntry(wandbDir: string, name: string, counts?: RunLister['counts']): RunEntry | null {
	if (!RUN_DIR_NAME.test(name)) return null;
	const runDir = path.join(wandbDir, name);
	const st = statOrNull(runDir, false);
	if (st === null || !st.isDirectory()) return null;
	if (counts) counts.dirListings++;
	const {format, logFile} = inspectRunDir(runDir) ?? {format: 'binary' as const, logFile: null};
	const logStat = logFile === null ? null : statOrNull(logFile);
	const idFromLog = logFile === null ? null : /^run-(.+)\.wandb$/.exec(path.basename(logFile))?.[1];
	return {
		listing: {id: idFromLog ?? runIdFromDirName(name) ?? name, runDir, name, mtime: Math.max(st.mtimeMs, logStat?.mtimeMs ?? 0), format},
		start: startOf(name),
		logFile,
		dirKey: dirKeyOf(st),
		dirMtimeMs: st.mtimeMs,
		racy: isRacy(st, Date.now()),
	};
}

/**
 * The runs of one `wandb/` folder, kept between calls so that watching a folder of thousands of
 * runs costs little: the folder is listed again only when it changed (its inode, mtime or ctime;
 * and every LISTING_MAX_AGE_MS), a run dir is read only when it is new, and {@link list}
 * refreshes only the newest runs.
 */
export class RunLister {
	/** Work done so far (for tests and benchmarks): listings of the folder, and of run dirs. */
	readonly counts = {folderListings: 0, dirListings: 0};
	private folderKey: string | null = null;
	private folderIno = -1;
	private folderRacy = false;
	private listedAt = 0;
	private readonly runs = new Map<string, RunEntry>();
	private sorted: RunEntry[] = [];

	constructor(readonly wandbDir: string) {}

	/**
	 * The folder's runs, newest first (as {@link listRuns}). The `fresh` newest are brought up to
	 * date (their log's mtime: one stat each; their entries when the dir changed); older ones keep
	 * what was read when they were first seen.
	 */
	list(fresh = Infinity): RunListing[] {
		const st = statOrNull(this.wandbDir);
		if (st === null || !st.isDirectory()) {
			this.folderKey = null;
			this.runs.clear();
			this.sorted = [];
			return [];
		}
		const key = dirKeyOf(st);
		const now = Date.now();
		let changed = false;
		if (key !== this.folderKey || this.folderRacy || now - this.listedAt >= LISTING_MAX_AGE_MS) {
			if (st.ino !== this.folderIno) this.runs.clear(); // another folder now: nothing known holds
			this.folderKey = key;
			this.folderIno = st.ino;
			this.folderRacy = isRacy(st, now);
			this.listedAt = now;
			changed = this.relist();
		}
		for (let i = 0; i < Math.min(fresh, this.sorted.length); i++) {
			const entry = this.sorted[i];
			const next = this.refreshed(entry);
			if (next === entry) continue;
			changed = true;
			if (next === null) this.runs.delete(entry.listing.name);
			else this.runs.set(entry.listing.name, next);
		}
		if (changed) this.sorted = [...this.runs.values()].sort((a, b) => compareStarts(a.start, b.start) || b.listing.mtime - a.listing.mtime);
		return this.sorted.map(entry => entry.listing);
	}

	/** The log file of a listed run, as last read (null: legacy, or not written yet). */
	logFileOf(runDir: string): string | null {
		const entry = this.runs.get(path.basename(runDir));
		return entry && entry.listing.runDir === runDir ? entry.logFile : null;
	}

	/**
	 * Lists the folder: new run dirs are read, gone ones dropped; the others are kept as they are.
	 * True when a run came or went.
	 */
	private relist(): boolean {
		this.counts.folderListings++;
		const names = new Set(listDir(this.wandbDir));
		const before = this.runs.size;
		let added = false;
		for (const name of this.runs.keys()) if (!names.has(name)) this.runs.delete(name);
		for (const name of names) {
			if (this.runs.has(name) || !RUN_DIR_NAME.test(name)) continue;
			const entry = inspectRunEntry(this.wandbDir, name, this.counts);
			if (entry !== null) {
				this.runs.set(name, entry);
				added = true;
			}
		}
		return added || this.runs.size !== before || this.sorted.length !== this.runs.size;
	}

	/** One run brought up to date: the same object when nothing changed, null when it is gone. */
	private refreshed(entry: RunEntry): RunEntry | null {
		const {listing} = entry;
		if (entry.logFile !== null) {
			// The usual case, a run with its log: the log's mtime is all that moves.
			const logStat = statOrNull(entry.logFile);
			if (logStat !== null) {
				const mtime = Math.max(entry.dirMtimeMs, logStat.mtimeMs);
				return mtime === listing.mtime ? entry : {...entry, listing: {...listing, mtime}};
			}
		}
		// No log (yet), or it went away: read the dir again if it changed.
		const st = statOrNull(listing.runDir, false);
		if (st === null || !st.isDirectory()) return null;
		if (dirKeyOf(st) === entry.dirKey && !entry.racy && entry.logFile === null) return entry;
		return inspectRunEntry(this.wandbDir, listing.name, this.counts);
	}
}
