/**
 * The runs of a `wandb/` folder, for the runs list and the multi-run chart overlay (sweeps,
 * restarts). Each listed run is read incrementally, like the watched one, and folded into its own
 * RunState; only the newest MAX_RUNS are kept, so memory stays bounded on folders with many runs.
 * The folder is listed again only when it changed, and only the newest MAX_RUNS runs are looked
 * at on each refresh (RunLister): an idle folder of thousands of runs costs a few stats.
 */
import {RunLister, type RunListing} from '../sources/locate.js';
import {RunReader} from '../sources/run-reader.js';
import {initialRunState, reduceRunEvents, type RunState} from '../state/run-state.js';
import {lifeTargetOf, probeRunLife, sameLife} from '../sources/run-life.js';
import {readRunPid} from '../sources/run-pid.js';

/** Runs read at most; older ones are listed by name only. */
export const MAX_RUNS = 12;
/** Bytes read per run per refresh, so a huge old run cannot stall the UI. */
const BYTES_PER_REFRESH = 4 * 1024 * 1024;

/** One run of the folder, as the runs list shows it. */
export type CatalogEntry = {
	listing: RunListing;
	/** Null for runs beyond MAX_RUNS (not read). */
	state: RunState | null;
};

export class RunCatalog {
	private readonly readers = new Map<string, {reader: RunReader; state: RunState; since: number; pid: number | null | undefined}>();
	private readonly lister: RunLister;
	private listing: RunListing[] = [];
	private cached: {version: number; entries: CatalogEntry[]} | null = null;
	version = 0;

	constructor(readonly wandbDir: string) {
		this.lister = new RunLister(wandbDir);
	}

	/** Work done so far (for tests and benchmarks): directory listings, and runs whose log is read. */
	get counts(): {folderListings: number; dirListings: number; runsRead: number} {
		return {...this.lister.counts, runsRead: this.readers.size};
	}

	/** Look at the folder again (cheaply, see RunLister) and read what each recent run appended. */
	refresh(now = Date.now()): void {
		let runs: RunListing[];
		try {
			runs = this.lister.list(MAX_RUNS);
		} catch {
			return;
		}
		const newest = runs.slice(0, MAX_RUNS);
		const keep = new Set(newest.map(run => run.runDir));
		for (const [dir, entry] of this.readers) {
			if (!keep.has(dir)) {
				entry.reader.close();
				this.readers.delete(dir);
			}
		}
		for (const run of newest) {
			let entry = this.readers.get(run.runDir);
			if (!entry) {
				const logFile = this.lister.logFileOf(run.runDir);
				// A binary run without its log yet: wait until the lister sees one (the reader would
				// list the dir on each read to look for it).
				if (run.format === 'binary' && logFile === null) continue;
				const state = initialRunState();
				state.format = run.format;
				entry = {reader: new RunReader({runDir: run.runDir, logFile, format: run.format, followDir: null}, {maxBytesPerRead: BYTES_PER_REFRESH}), state, since: now, pid: undefined};
				this.readers.set(run.runDir, entry);
				this.version++;
			}
			try {
				const result = entry.reader.read();
				if (result.reset) {
					entry.state = initialRunState();
					entry.state.format = run.format;
					this.version++;
				}
				if (result.events.length > 0) {
					reduceRunEvents(entry.state, result.events, now);
					this.version++;
				}
				// A big run is read 4 MiB a refresh: until its end it is "catching up", not running.
				const caughtUp = !result.hasMore;
				const reading = entry.state.reading;
				if (reading === null || reading.caughtUp !== caughtUp || (!caughtUp && reading.position !== result.position)) {
					reduceRunEvents(entry.state, [{type: 'read-progress', position: result.position, size: result.size, caughtUp, since: entry.since}], now);
					this.version++;
				}
				if (caughtUp && entry.state.exit === null) this.probe(entry, run.runDir, now);
				entry.state.integrity = result.integrity;
			} catch {
				// A run that cannot be read right now is listed without details.
			}
		}
		const same = (a: RunListing, b: RunListing | undefined) => b !== undefined && a.runDir === b.runDir && a.mtime === b.mtime && a.id === b.id && a.format === b.format;
		if (runs.length !== this.listing.length || runs.some((run, i) => !same(run, this.listing[i]))) this.version++;
		this.listing = runs;
	}

	/** Alive or dead, for a listed run that recorded no end: folded only when the answer changes. */
	private probe(entry: {state: RunState; pid: number | null | undefined}, runDir: string, now: number): void {
		const {state} = entry;
		// debug.log is written at wandb.init, before the log: looked at once per listed run.
		if (entry.pid === undefined) entry.pid = readRunPid(runDir);
		const event = probeRunLife(lifeTargetOf(state.info, entry.pid));
		const last = state.life;
		if (sameLife(last, event)) return;
		reduceRunEvents(state, [event], now);
		this.version++;
	}

	/** The folder's runs, newest first. */
	entries(): CatalogEntry[] {
		if (this.cached?.version !== this.version) {
			this.cached = {version: this.version, entries: this.listing.map(listing => ({listing, state: this.readers.get(listing.runDir)?.state ?? null}))};
		}
		return this.cached.entries;
	}

	/** The state of one listed run, if it is read. */
	stateOf(runDir: string): RunState | null {
		return this.readers.get(runDir)?.state ?? null;
	}

	close(): void {
		for (const entry of this.readers.values()) entry.reader.close();
		this.readers.clear();
		this.cached = null;
	}
}
