/**
 * Typed events that every run source (binary `.wandb` log, legacy jsonl files, the demo writer)
 * produces. The reducer in `state/` folds them into the dashboard state; nothing here knows about
 * terminals. Strings are raw (unsanitized): the view layer sanitizes before drawing.
 */

/** A media object logged to history or summary (`{"_type": "image-file", ...}`), kept by type. */
export type MediaValue = {
	readonly kind: 'media';
	/** The `_type` field, e.g. `image-file`, `histogram`, `table-file`. */
	readonly mediaType: string;
	/** A short human description, e.g. `1500x800 png`, `32 bins`, `10x4 table`, `12.3 KB`. */
	readonly detail: string;
};

/**
 * A decoded value. Numbers include NaN and ±Infinity (written as bare tokens by both W&B writers).
 * Lists and plain objects that are not media are kept as parsed JSON.
 */
export type Value = number | string | boolean | null | MediaValue | readonly Value[] | {readonly [key: string]: Value};

/** Flat map of `.`-joined key → value; nested objects are flattened, media objects are not. */
export type FlatValues = Record<string, Value>;

/** Run identity and metadata from the RunRecord (binary) or metadata/config files (legacy). */
export type RunInfo = {
	id: string | null;
	name: string | null;
	project: string | null;
	entity: string | null;
	group: string | null;
	jobType: string | null;
	tags: string[];
	notes: string | null;
	host: string | null;
	/** Start time, ms since the epoch, or null when unknown. */
	startTime: number | null;
	/** Config values flattened with `.` (the `value` level of config.yaml removed). */
	config: FlatValues;
	/** Step the run resumed from (RunRecord.starting_step), 0 when not resumed. */
	startingStep: number;
	/** PID of the training process, where the run's metadata says it. */
	pid: number | null;
};

/** One event decoded from a run. */
export type RunEvent =
	| {type: 'header'; sdkVersion: string | null}
	| {type: 'run'; run: RunInfo}
	| {type: 'config'; update: FlatValues; remove: string[]}
	| {
			type: 'history';
			/** HistoryRecord.step, else the `_step` item, else null. */
			step: number | null;
			/** All items, flattened; includes `_step`, `_runtime`, `_timestamp` when present. */
			values: FlatValues;
			/** Keys not kept: the row had more than MAX_KEYS_PER_ROW (caps.ts). */
			droppedKeys?: number;
	  }
	| {type: 'summary'; update: FlatValues; remove: string[]}
	| {
			type: 'stats';
			/** Sample time, seconds since the epoch (float). */
			timestamp: number;
			/** System metric key (e.g. `gpu.0.gpu`, `cpu`, `memory_percent`) → number. */
			values: Record<string, number>;
	  }
	| {
			type: 'console';
			stream: 'stdout' | 'stderr';
			/** A raw chunk as the process wrote it: may hold several lines, `\r` redraws or none. */
			text: string;
			/** Seconds since the epoch, or null. */
			timestamp: number | null;
	  }
	| {
			type: 'metric';
			/** Exactly one of name/glob is set. */
			name: string | null;
			glob: string | null;
			stepMetric: string | null;
			hidden: boolean;
			/** The metric was declared as a step metric itself (`options.defined`). */
			defined: boolean;
			goal: 'minimize' | 'maximize' | null;
	  }
	| {type: 'exit'; exitCode: number; runtime: number | null}
	| {type: 'telemetry'; cliVersion: string | null}
	| {type: 'preempting'}
	/** Legacy runs only: the run state and exit code from wandb-metadata.json. */
	| {type: 'legacy-state'; state: 'running' | 'finished' | 'failed' | 'crashed'; exitCode: number | null}
	| {
			/** Console text from the run's output.log, for runs whose log has no console records. */
			type: 'console-file';
			/** `files/output.log` (binary-era runs) or `output.log` (legacy runs). */
			file: string;
			/** The file was (re)loaded from its last window: drop what came from it before. */
			reset: boolean;
			/** Starts at a line boundary; may end with an unfinished line, sent again once it grows. */
			text: string;
	  }
	/** A side file was refused (not a regular file, too large, unreadable); `message` null: fine again. */
	| {type: 'file-problem'; file: string; message: string | null}
	/** Whether the run's training process lives, as this host's OS says (sources/run-life.ts). */
	| LifeEvent
	/** How far reading the log has got: `caughtUp` once a read found nothing more on disk. */
	| {type: 'read-progress'; position: number; size: number; caughtUp: boolean; since: number};

/**
 * What probing the writer's PID found. `alive` null: it could not be checked (no PID, another
 * host, a copied run dir); `why` says which.
 */
export type LifeEvent = {
	type: 'life';
	alive: boolean | null;
	pid: number | null;
	why: 'alive' | 'gone' | 'pid-reused' | 'no-pid' | 'other-host' | 'unknown';
};

/** How the bytes of a run's log have held up so far. */
export type Integrity = {
	/** `partial` when the file ends inside a record (still being written, or cut). */
	tail: 'clean' | 'partial';
	/** Chunks (or legacy lines) skipped because they were corrupt. */
	corruptChunks: number;
	/** Records with valid framing whose protobuf could not be decoded (skipped). Binary runs only. */
	undecodableRecords?: number;
};

/** Format of the run directory. */
export type RunFormat = 'binary' | 'legacy';
