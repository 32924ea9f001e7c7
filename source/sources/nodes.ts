/**
 * Shared-mode runs on disk (doc §5.10): one run, one run dir per writer (`run-<ts>-<id>`, `-N`
 * when two start in the same second), nothing local merging them. This finds the writers of one
 * run (the paths given, or a wandb/ folder's dirs of the newest run's id that say shared mode) and
 * which of them is the primary: the one that wrote environment records (only the primary does,
 * doc §5.9), else the one with `files/wandb-metadata.json` (core 0.18-0.20 writes it for the
 * primary only), else the one with an unlabelled `files/output.log`, else the first given.
 * Only the start of each log is read (256 KiB), once it says enough.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {findLogFile, locateRun, LocateError, runIdFromNames, type RunLocation} from './locate.js';
import {RunReader} from './run-reader.js';

/** What the start of a writer's dir says about it. */
export type WriterProbe = {
	runDir: string;
	/** The run id, from the log's name (else the dir's, without a `-N` suffix). */
	id: string | null;
	/** Telemetry said shared mode (feature 67). */
	sharedMode: boolean;
	/** It wrote environment records: the primary (doc §5.9). */
	environment: boolean;
	/** `files/wandb-metadata.json` is there (the primary's, core 0.18-0.20). */
	metadata: boolean;
	/** Its console file is the unlabelled `files/output.log`. */
	unlabelledConsole: boolean;
};

const PROBE_BYTES = 256 * 1024;
const RUN_DIR_NAME = /^(?:run|offline-run)-\d{8}_\d{6}-.+$/;

/**
 * Probes by log file: `final` once its answer cannot change (a row or a sample was read: the
 * telemetry and environment records come before them, doc §5.7; or the first PROBE_BYTES were),
 * else good while the log's size is the same.
 */
const probes = new Map<string, {probe: WriterProbe; size: number; final: boolean}>();

function exists(file: string): boolean {
	try {
		return fs.statSync(file).isFile();
	} catch {
		return false;
	}
}

/** Reads the start of a writer's log (at most 256 KiB, once it is that long) and looks at its files. */
export function probeWriter(runDir: string): WriterProbe {
	const logFile = findLogFile(runDir);
	const files = (name: string) => exists(path.join(runDir, 'files', name));
	const named = runIdFromNames(logFile, runDir);
	// A dir named in the same second as another gets `-N` (doc §1.1); its log keeps the bare id.
	const id = logFile === null && named !== null ? named.replace(/-\d+$/, '') : named;
	const probe: WriterProbe = {runDir, id, sharedMode: false, environment: false, metadata: files('wandb-metadata.json'), unlabelledConsole: files('output.log')};
	if (logFile === null) return probe;
	let size = -1;
	try {
		size = fs.statSync(logFile).size;
	} catch {
		return probe;
	}
	const known = probes.get(logFile);
	if (known !== undefined && (known.final || known.size === size)) return {...known.probe, metadata: probe.metadata, unlabelledConsole: probe.unlabelledConsole};
	let settled = false;
	const reader = new RunReader({runDir, logFile, format: 'binary', followDir: null}, {maxBytesPerRead: PROBE_BYTES});
	try {
		const read = reader.read();
		for (const event of read.events) {
			// The log's telemetry (and an environment before it) precede its first row or sample (doc §5.7).
			if (event.type === 'history' || event.type === 'stats') settled = true;
			if (event.type === 'telemetry' && event.sharedMode) probe.sharedMode = true;
			else if (event.type === 'environment') probe.environment = true;
		}
	} catch {
		return probe; // unreadable: the reader proper says why
	} finally {
		reader.close();
	}
	probes.set(logFile, {probe, size, final: settled || size >= PROBE_BYTES});
	if (probes.size > 1024) probes.delete(probes.keys().next().value!);
	return probe;
}

/** The index of the primary among these writers (see the file comment). */
export function choosePrimary(probes: readonly WriterProbe[]): number {
	for (const test of [(p: WriterProbe) => p.environment, (p: WriterProbe) => p.metadata, (p: WriterProbe) => p.unlabelledConsole]) {
		const found = probes.findIndex(test);
		if (found >= 0) return found;
	}
	return 0;
}

/** The primary's location with the other writers as its nodes (`nodes` empty when there is one). */
function grouped(locations: RunLocation[], followDir: string | null): RunLocation {
	const probes = locations.map(location => probeWriter(location.runDir));
	const primary = choosePrimary(probes);
	return {...locations[primary], followDir, nodes: locations.filter((_, i) => i !== primary)};
}

/**
 * `wbtop DIR1 DIR2 …`: the writers of one run, opened as one. Each PATH is located as usual; they
 * must be binary runs of the same id (one dir given twice counts once).
 */
export function locateWriters(paths: readonly string[]): RunLocation {
	const locations: RunLocation[] = [];
	for (const input of paths) {
		const location = locateRun(input);
		if (location.format !== 'binary') throw new LocateError(`${input}: a legacy run has one writer; several PATHs are the writers of one shared-mode run`);
		if (!locations.some(known => known.runDir === location.runDir)) locations.push(location);
	}
	if (locations.length === 1) return locations[0];
	const ids = locations.map(location => probeWriter(location.runDir).id);
	const other = ids.findIndex(id => id !== ids[0]);
	if (other >= 0) throw new LocateError(`${paths[other]} is run ${ids[other] ?? '?'}, ${paths[0]} is run ${ids[0] ?? '?'}: several PATHs must be the writers (nodes) of one run`);
	return grouped(locations, null);
}

/** The dirs of `followDir` whose run id is `id` (names only: cheap enough to ask every second). */
export function dirsOfRun(followDir: string, id: string): string[] {
	let names: string[];
	try {
		names = fs.readdirSync(followDir);
	} catch {
		return [];
	}
	const suffixed = new RegExp(`-${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:-\\d+)?$`);
	return names
		.filter(name => RUN_DIR_NAME.test(name) && suffixed.test(name))
		.map(name => path.join(followDir, name))
		.filter(dir => {
			try {
				return fs.lstatSync(dir).isDirectory();
			} catch {
				return false;
			}
		})
		.sort();
}

/**
 * A run found in a wandb/ folder, with the other writers of a shared-mode run: the folder's dirs
 * of the same run id whose logs say shared mode (a resumed run has dirs of the same id too, one
 * writer at a time, without it). The primary becomes the run; unchanged when there is one writer.
 */
export function withSharedNodes(location: RunLocation): RunLocation {
	if (location.followDir === null || location.format !== 'binary') return location;
	const id = probeWriter(location.runDir).id;
	if (id === null) return location;
	const dirs = dirsOfRun(location.followDir, id);
	if (dirs.length < 2) return location;
	const shared = dirs.filter(dir => probeWriter(dir).sharedMode);
	if (shared.length < 2 || !shared.includes(location.runDir)) return location;
	return grouped(
		shared.map(runDir => ({runDir, logFile: findLogFile(runDir), format: 'binary' as const, followDir: location.followDir})),
		location.followDir,
	);
}
