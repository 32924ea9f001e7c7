/**
 * Typed events that every run source (binary `.wandb` log, legacy jsonl files, the demo writer)
 * produces. The reducer in `state/` folds them into the dashboard state; nothing here knows about
 * terminals. Strings are raw (unsanitized): the view layer sanitizes before drawing.
 */
import type {Environment} from './environment.js';
import type {MediaFile} from './media-file.js';

/** A media object logged to history or summary (`{"_type": "image-file", ...}`), kept by type. */
export type MediaValue = {
	readonly kind: 'media';
	/** The `_type` field, e.g. `image-file`, `histogram`, `table-file`. */
	readonly mediaType: string;
	/** A short human description, e.g. `1500x800 png`, `32 bins`, `10x4 table`, `12.3 KB`. */
	readonly detail: string;
	/**
	 * The file it names, relative to `files/` (`media/images/x_3_ab12.png`; a list's last
	 * `filenames` entry), or null: histograms have none, nor do objects without a string `path`.
	 */
	readonly path: string | null;
	/**
	 * A histogram's counts and bin edges (`values`, `bins`: one more edge than counts; or
	 * `packedBins` {min, size, count}), when they are finite numbers of matching lengths.
	 */
	readonly histogram?: {readonly counts: readonly number[]; readonly edges: readonly number[]};
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
	/** The sweep the run belongs to (RunRecord.sweep_id), or null. */
	sweepId?: string | null;
	/** The server said this session resumes an earlier run (RunRecord.resumed). */
	resumed?: boolean;
	/** Seconds of runtime earlier sessions used (RunRecord.runtime, set on a resume), or null. */
	resumedRuntime?: number | null;
	/** Forked or rewound (RunRecord.forked, server-confirmed). */
	forked?: boolean;
	/** Where a fork or rewind branches off: `run` at `metric` = `value` (RunRecord.branch_point). */
	branchPoint?: {run: string; value: number; metric: string} | null;
	/** The git remote and commit the SDK saw at init (RunRecord.git). */
	gitRemote?: string | null;
	gitCommit?: string | null;
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
			/**
			 * Whole lines (`run.write_logs`, `capture_loggers`: OutputLoggerRecord, 0.27+): each is a
			 * line of its own, never joined to a captured chunk's unfinished line.
			 */
			whole?: boolean;
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
	| {
			type: 'exit';
			exitCode: number;
			runtime: number | null;
			/**
			 * This writer is done but the run is not (doc §5.6, §5.10): `not-complete` (the exit record
			 * says so, 0.26.1+), or `secondary` (a shared-mode writer that is not the primary, whose
			 * ordinary exit record does not end the run). Absent for an exit that ends the run.
			 */
			detached?: 'not-complete' | 'secondary';
	  }
	/** `wandb.alert()` / `run.alert()` (AlertRecord, doc §4.5): raw text, sanitized by the view. */
	| {type: 'wandb-alert'; title: string; text: string; level: string; waitMs: number | null}
	/** The run id from the log's or the run dir's name, for logs that have no run record yet. */
	| {type: 'run-dir'; id: string}
	/** `sharedMode`: the writer is one of several of a shared-mode run (feature 67, doc §5.10). */
	| {type: 'telemetry'; cliVersion: string | null; sharedMode?: true}
	/** One EnvironmentRecord (Record field 26, core 0.21+): a writer's software or hardware part. */
	| {type: 'environment'; environment: Environment}
	/**
	 * `wandb-metadata.json` as read (sources/run-metadata.ts): null when there is none or it did not
	 * parse; `diffPatch`: whether `files/diff.patch` (the uncommitted changes) is there.
	 */
	| {type: 'metadata'; environment: Environment | null; diffPatch: boolean}
	/** The SDK's own `_wandb.*` config keys (telemetry, versions, environment), kept apart from the user's config. */
	| {type: 'sdk-config'; update: FlatValues}
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
	/** A media file read for the media panel (sources/media-reader.ts): a thumbnail, a table preview, or why not. */
	| {type: 'media-file'; path: string; file: MediaFile}
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
