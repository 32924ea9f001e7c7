/**
 * The runs list of a big wandb/ folder (5,000 runs written with wbtop's own writer) must cost
 * almost nothing while the folder is idle: node:fs is wrapped to count what RunCatalog and
 * locateRun really do (directory listings, stats, logs opened), independent of their own counters.
 */
import * as realFs from 'node:fs';
import * as path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from 'vitest';

/** What the code under test did to paths under `probe.root`. */
const probe = {
	root: '',
	readdirs: [] as string[],
	stats: 0,
	opened: [] as string[],
	/** Paths whose stat is answered from the first answer (a filesystem whose dir mtimes never move). */
	frozen: new Map<string, realFs.Stats | null>(),
	reset() {
		this.readdirs = [];
		this.stats = 0;
		this.opened = [];
	},
};

vi.mock('node:fs', async importOriginal => {
	const actual = await importOriginal<typeof import('node:fs')>();
	const mine = (p: unknown) => probe.root !== '' && typeof p === 'string' && p.startsWith(probe.root);
	const countStat =
		<F extends (...a: never[]) => unknown>(fn: F) =>
		(...args: Parameters<F>) => {
			const p = args[0] as unknown;
			if (mine(p)) probe.stats++;
			if (typeof p === 'string' && probe.frozen.has(p)) {
				if (probe.frozen.get(p) === null) probe.frozen.set(p, fn(...args) as realFs.Stats);
				return probe.frozen.get(p);
			}
			return fn(...args);
		};
	const wrapped = {
		...actual,
		readdirSync: ((p: realFs.PathLike, ...rest: unknown[]) => {
			if (mine(p)) probe.readdirs.push(String(p));
			return (actual.readdirSync as (...a: unknown[]) => unknown)(p, ...rest);
		}) as typeof actual.readdirSync,
		statSync: countStat(actual.statSync) as typeof actual.statSync,
		lstatSync: countStat(actual.lstatSync) as typeof actual.lstatSync,
		openSync: ((p: realFs.PathLike, ...rest: unknown[]) => {
			if (mine(p)) probe.opened.push(String(p));
			return (actual.openSync as (...a: unknown[]) => number)(p, ...rest);
		}) as typeof actual.openSync,
	};
	return {...wrapped, default: wrapped};
});

const {RunCatalog, MAX_RUNS} = await import('../../source/modes/run-catalog.js');
const {listRuns, locateRun, RunLister} = await import('../../source/sources/locate.js');
const {encodeExit, encodeFraming, encodeHeader, encodeHistory, encodeRun} = await import('../../source/demo/writer.js');

const RUNS = 5000;
let root: string;
let wandb: string;

/** `run-YYYYMMDD_HHMMSS-<id>` for run number i: one hour apart from 2024-01-01. */
function runName(i: number): string {
	const stamp = new Date(Date.UTC(2024, 0, 1) + i * 3600_000).toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
	return `run-${stamp}-r${String(i).padStart(7, '0')}`;
}

/** A finished run with a few rows, as wandb writes it; returns its dir. */
function writeRun(i: number, options: {log?: boolean} = {}): string {
	const name = runName(i);
	const id = name.split('-').at(-1)!;
	const dir = path.join(wandb, name);
	realFs.mkdirSync(path.join(dir, 'files'), {recursive: true});
	if (options.log !== false) writeLog(dir, id, i);
	return dir;
}

function writeLog(dir: string, id: string, i: number): void {
	const records = [encodeHeader({producer: '0.22.3'}), encodeRun({runId: id, project: 'p', displayName: `run ${i}`, startTime: Date.UTC(2024, 0, 1) + i * 3600_000})];
	for (let step = 0; step < 3; step++) records.push(encodeHistory({step, values: {loss: (i + 1) / (step + 1), _step: step}}));
	records.push(encodeExit({exitCode: 0, runtime: 3}));
	realFs.writeFileSync(path.join(dir, `run-${id}.wandb`), encodeFraming(records));
}

/** The folder as if nobody had touched it for an hour. */
function settle(dir = wandb): void {
	const old = new Date(Date.now() - 3600_000);
	realFs.utimesSync(dir, old, old);
}

const folderListings = () => probe.readdirs.filter(p => p === wandb).length;
const runDirListings = () => probe.readdirs.filter(p => p !== wandb).length;

beforeAll(() => {
	root = realFs.realpathSync(realFs.mkdtempSync(path.join(realFs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'wbtop-catalog-')));
	wandb = path.join(root, 'wandb');
	realFs.mkdirSync(wandb);
	for (let i = 0; i < RUNS; i++) writeRun(i);
	settle();
	probe.root = root;
});
afterAll(() => {
	probe.root = '';
	realFs.rmSync(root, {recursive: true, force: true});
});
afterEach(() => {
	probe.frozen.clear();
	vi.useRealTimers();
});

describe('RunCatalog on a folder of 5,000 runs', () => {
	it('lists the folder and each run once; later refreshes of the idle folder list nothing and read at most MAX_RUNS logs', () => {
		const catalog = new RunCatalog(wandb);
		try {
			probe.reset();
			catalog.refresh();
			expect(catalog.entries()).toHaveLength(RUNS);
			expect(folderListings()).toBe(1);
			expect(runDirListings()).toBe(RUNS);
			expect(new Set(probe.opened).size).toBe(MAX_RUNS);

			probe.reset();
			const version = catalog.version;
			for (let i = 0; i < 20; i++) catalog.refresh();
			expect(folderListings()).toBe(0);
			expect(runDirListings()).toBe(0);
			expect(probe.opened).toEqual([]); // the logs stay open; nothing else is opened
			// One stat of the folder, and a few per read run (its log, by the lister and the reader).
			expect(probe.stats / 20).toBeLessThanOrEqual(1 + 3 * MAX_RUNS);
			expect(catalog.version).toBe(version); // nothing changed, nothing to redraw

			const entries = catalog.entries();
			expect(entries[0]!.listing.name).toBe(runName(RUNS - 1));
			expect(entries.filter(e => e.state !== null)).toHaveLength(MAX_RUNS);
			expect(entries.slice(0, MAX_RUNS).every(e => e.state?.lastStep === 2)).toBe(true);
			expect(catalog.counts).toMatchObject({folderListings: 1, dirListings: RUNS, runsRead: MAX_RUNS});
		} finally {
			catalog.close();
		}
	});

	it('a new run shows as the newest at the next refresh, read; a deleted one (new or old) disappears', () => {
		const catalog = new RunCatalog(wandb);
		try {
			catalog.refresh();
			const tenth = catalog.entries()[MAX_RUNS - 1]!.listing.runDir;
			probe.reset();
			const fresh = writeRun(RUNS);
			catalog.refresh();
			expect(folderListings()).toBe(1);
			expect(runDirListings()).toBe(1); // only the new run is read, not the 5,000 others
			let entries = catalog.entries();
			expect(entries).toHaveLength(RUNS + 1);
			expect(entries[0]!.listing.runDir).toBe(fresh);
			expect(entries[0]!.state?.lastStep).toBe(2);
			// Still MAX_RUNS read: the one pushed out is dropped.
			expect(entries.filter(e => e.state !== null)).toHaveLength(MAX_RUNS);
			expect(catalog.stateOf(tenth)).toBeNull();

			const old = path.join(wandb, runName(7));
			realFs.rmSync(old, {recursive: true});
			realFs.rmSync(fresh, {recursive: true});
			catalog.refresh();
			entries = catalog.entries();
			expect(entries).toHaveLength(RUNS - 1);
			expect(entries.some(e => e.listing.runDir === old || e.listing.runDir === fresh)).toBe(false);
			expect(entries[0]!.listing.name).toBe(runName(RUNS - 1));
			expect(catalog.stateOf(tenth)).not.toBeNull();
			writeRun(7);
		} finally {
			catalog.close();
			settle();
		}
	});

	it('a run dir created before its log: listed at once, read once the log is there', () => {
		const catalog = new RunCatalog(wandb);
		let dir: string | undefined;
		try {
			catalog.refresh();
			dir = writeRun(RUNS + 1, {log: false});
			catalog.refresh();
			expect(catalog.entries()[0]).toMatchObject({listing: {runDir: dir, format: 'binary'}, state: null});
			settle();
			catalog.refresh();
			probe.reset();
			for (let i = 0; i < 5; i++) catalog.refresh();
			// That dir may be looked at again (it just changed), none of the 5,000 others.
			expect(probe.readdirs.filter(p => p !== dir)).toEqual([]);
			writeLog(dir, runName(RUNS + 1).split('-').at(-1)!, RUNS + 1);
			catalog.refresh();
			expect(catalog.entries()[0]!.listing.id).toBe(`r${String(RUNS + 1).padStart(7, '0')}`);
			expect(catalog.entries()[0]!.state?.lastStep).toBe(2);
			realFs.rmSync(dir, {recursive: true});
			catalog.refresh();
			expect(catalog.entries()).toHaveLength(RUNS);
		} finally {
			catalog.close();
			if (dir) realFs.rmSync(dir, {recursive: true, force: true});
			settle();
		}
	});

	it('a log written to (its mtime moves) moves the listing at the next refresh', () => {
		const catalog = new RunCatalog(wandb);
		try {
			catalog.refresh();
			const newest = catalog.entries()[0]!;
			const before = catalog.version;
			const log = path.join(newest.listing.runDir, `run-${newest.listing.id}.wandb`);
			const later = new Date(Date.now() + 5000);
			realFs.utimesSync(log, later, later);
			catalog.refresh();
			expect(Math.abs(catalog.entries()[0]!.listing.mtime - later.getTime())).toBeLessThan(1);
			expect(catalog.version).toBeGreaterThan(before);
		} finally {
			catalog.close();
		}
	});

	it('a filesystem whose folder mtime never moves (FUSE object stores): new runs still show within 10 s', () => {
		const catalog = new RunCatalog(wandb);
		try {
			catalog.refresh();
			probe.frozen.set(wandb, null);
			catalog.refresh(); // freezes the folder's stat as it is now
			const fresh = writeRun(RUNS + 2);
			catalog.refresh();
			expect(catalog.entries()[0]!.listing.runDir).not.toBe(fresh);
			vi.useFakeTimers({toFake: ['Date'], now: Date.now() + 11_000});
			catalog.refresh();
			expect(catalog.entries()[0]!.listing.runDir).toBe(fresh);
			realFs.rmSync(fresh, {recursive: true});
		} finally {
			catalog.close();
			settle();
		}
	});

	it('the cached listing stays what listRuns reads afresh (order: start time in the name, then mtime)', () => {
		const lister = new RunLister(wandb);
		lister.list(MAX_RUNS);
		// Same start second for two runs: the later mtime goes first.
		const a = path.join(wandb, `${runName(RUNS + 3)}`);
		const b = path.join(wandb, `${runName(RUNS + 3).replace(/-r\d+$/, '-zzzzzzzz')}`);
		for (const dir of [a, b]) realFs.mkdirSync(dir);
		const past = new Date(Date.now() - 60_000);
		realFs.utimesSync(b, past, past);
		try {
			const cached = lister.list(MAX_RUNS);
			const fresh = listRuns(wandb);
			expect(cached.map(r => r.runDir)).toEqual(fresh.map(r => r.runDir));
			expect(cached.slice(0, MAX_RUNS)).toEqual(fresh.slice(0, MAX_RUNS));
			expect(fresh.slice(0, 2).map(r => r.runDir)).toEqual([a, b]);
		} finally {
			for (const dir of [a, b]) realFs.rmSync(dir, {recursive: true});
			settle();
		}
	});
});

describe('locateRun on a folder of 5,000 runs (the session asks every second)', () => {
	it('without latest-run: the newest run, looking only at it, and the folder listing reused while unchanged', () => {
		probe.reset();
		expect(locateRun(wandb).runDir).toBe(path.join(wandb, runName(RUNS - 1)));
		expect(folderListings()).toBeLessThanOrEqual(1);
		expect(runDirListings()).toBeLessThanOrEqual(3); // the newest run dir only
		probe.reset();
		for (let i = 0; i < 10; i++) locateRun(wandb);
		expect(folderListings()).toBe(0);
		expect(runDirListings()).toBeLessThanOrEqual(30);
		expect(probe.stats / 10).toBeLessThan(20);
		// A newer run is found at the next call.
		const fresh = writeRun(RUNS + 4);
		try {
			expect(locateRun(wandb).runDir).toBe(fresh);
		} finally {
			realFs.rmSync(fresh, {recursive: true});
			settle();
		}
		expect(locateRun(wandb).runDir).toBe(path.join(wandb, runName(RUNS - 1)));
	});

	it('with latest-run: the link, without listing any run dir', () => {
		const link = path.join(wandb, 'latest-run');
		realFs.symlinkSync(runName(42), link);
		settle();
		try {
			locateRun(wandb);
			probe.reset();
			expect(locateRun(wandb).runDir).toBe(path.join(wandb, runName(42)));
			expect(folderListings()).toBe(0);
			expect(runDirListings()).toBeLessThanOrEqual(2); // the linked run's own dir
		} finally {
			realFs.rmSync(link);
			settle();
		}
	});
});
