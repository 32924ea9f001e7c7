/**
 * The runs of a `wandb/` folder, for the runs list and the multi-run chart overlay (sweeps,
 * restarts). Each listed run is read incrementally, like the watched one, and folded into its own
 * RunState; only the newest MAX_RUNS are kept, so memory stays bounded on folders with many runs.
 */
import {listRuns, type RunListing} from '../sources/locate.js';
import {RunReader} from '../sources/run-reader.js';
import {initialRunState, reduceRunEvents, type RunState} from '../state/run-state.js';

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
	private readonly readers = new Map<string, {reader: RunReader; state: RunState}>();
	private listing: RunListing[] = [];
	version = 0;

	constructor(readonly wandbDir: string) {}

	/** List the folder again and read what each recent run appended. */
	refresh(now = Date.now()): void {
		let runs: RunListing[];
		try {
			runs = listRuns(this.wandbDir);
		} catch {
			return;
		}
		const keep = new Set(runs.slice(0, MAX_RUNS).map(run => run.runDir));
		for (const [dir, entry] of this.readers) {
			if (!keep.has(dir)) {
				entry.reader.close();
				this.readers.delete(dir);
			}
		}
		for (const run of runs.slice(0, MAX_RUNS)) {
			let entry = this.readers.get(run.runDir);
			if (!entry) {
				const state = initialRunState();
				state.format = run.format;
				entry = {reader: new RunReader({runDir: run.runDir, logFile: null, format: run.format, followDir: null}, {maxBytesPerRead: BYTES_PER_REFRESH}), state};
				this.readers.set(run.runDir, entry);
			}
			try {
				const result = entry.reader.read();
				if (result.reset) {
					entry.state = initialRunState();
					entry.state.format = run.format;
				}
				if (result.events.length > 0) {
					reduceRunEvents(entry.state, result.events, now);
					this.version++;
				}
				entry.state.integrity = result.integrity;
			} catch {
				// A run that cannot be read right now is listed without details.
			}
		}
		if (runs.length !== this.listing.length || runs.some((run, i) => run.runDir !== this.listing[i]?.runDir || run.mtime !== this.listing[i]?.mtime)) this.version++;
		this.listing = runs;
	}

	/** The folder's runs, newest first. */
	entries(): CatalogEntry[] {
		return this.listing.map(listing => ({listing, state: this.readers.get(listing.runDir)?.state ?? null}));
	}

	/** The state of one listed run, if it is read. */
	stateOf(runDir: string): RunState | null {
		return this.readers.get(runDir)?.state ?? null;
	}

	close(): void {
		for (const entry of this.readers.values()) entry.reader.close();
		this.readers.clear();
	}
}
