/**
 * One-shot modes that share the dashboard's reading and state code, without a live UI:
 * `--once` (the dashboard as plain text), `--once --json`, and the helpers `--check`, `--line`
 * and `export` build on.
 */
import React from 'react';
import {renderToString} from 'ink';
import {stripVTControlCharacters} from 'node:util';
import {RunReader, STREAMING_READ_BYTES, type ReadResult} from '../sources/run-reader.js';
import {locateRun, type RunLocation} from '../sources/locate.js';
import {initialRunState, reduceRunEvents, type RunState} from '../state/run-state.js';
import {hostStateFromOnce, hostJson, type HostState} from '../state/host-state.js';
import {initialUiState} from '../state/ui-state.js';
import {computeAlerts, initialAlertMemory, type Alert} from '../state/alerts.js';
import {sampleGpusOnce} from '../sources/nvidia-smi.js';
import {createSystemSampler} from '../sources/system.js';
import {loadOutputLogFallback} from '../state/console-fallback.js';
import {Dashboard} from '../ui/Dashboard.js';
import {runReport, terminalSafeJson} from './report.js';
import type {LiveSnapshot} from './session.js';

/** A run read whole, folded into state. */
export type LoadedRun = {location: RunLocation; state: RunState; /** Why the log could not be read (e.g. not a wandb log). */ error: string | null};

/**
 * Read a run (already located) to its current end. Never writes into the run dir.
 *
 * Each read's events are folded into the state before the next read, so memory stays bounded by
 * the state (fixed-size series) and one read, not by the run's length.
 */
export function loadRun(path: string): LoadedRun {
	const location = locateRun(path);
	const reader = new RunReader(location, {maxBytesPerRead: STREAMING_READ_BYTES});
	let state = initialRunState();
	let last: ReadResult;
	try {
		do {
			last = reader.read();
			// The log was replaced while being read: what was folded so far is from the old file.
			if (last.reset) state = initialRunState();
			reduceRunEvents(state, last.events, Date.now());
		} while (reader.hasMore && last.error === null);
	} finally {
		reader.close();
	}
	state.format = location.format;
	state.integrity = last.integrity;
	loadOutputLogFallback(state, location.runDir);
	return {location, state, error: last.error};
}

export type HostSampleOptions = {
	gpu: boolean;
	gpuWaitMs: number;
	nvidiaSmi?: string;
	runPid?: number | null;
	/** Also sample CPU/memory/network (default true; `--line` shows only the GPUs and skips it). */
	system?: boolean;
};

/**
 * Start sampling the host once, bounded in time (a hung nvidia-smi must not hang `--once`).
 * CPU and network rates need two readings 250 ms apart: `firstReading` settles after the first,
 * so a caller can decode the run during the interval instead of after it.
 */
export function startHostSample(options: HostSampleOptions): {firstReading: Promise<unknown>; host: Promise<HostState>} {
	const sample = createSystemSampler();
	const firstReading = options.system === false ? Promise.resolve(null) : sample().catch(() => null);
	const system = firstReading.then(async first => {
		if (first === null) return null;
		await new Promise(resolve => setTimeout(resolve, 250));
		return sample().catch(() => null);
	});
	const gpu = options.gpu
		? sampleGpusOnce({timeoutMs: options.gpuWaitMs, command: options.nvidiaSmi, runPid: options.runPid ?? null})
		: Promise.resolve({status: 'unavailable' as const, message: 'live GPU view off (--no-gpu)', gpus: [], processes: []});
	return {firstReading, host: Promise.all([gpu, system]).then(([g, s]) => hostStateFromOnce(g, s))};
}

/** Alerts for a run read once (no live GPU history, so no idle alert). */
export function alertsFor(state: RunState, host: HostState | null): Alert[] {
	return computeAlerts(state, host, Date.now(), initialAlertMemory()).alerts;
}

/** The `--once --json` document as text. */
export function onceJson(loaded: LoadedRun, host: HostState | null): string {
	return terminalSafeJson(runReport(loaded.state, loaded.location, host ? hostJson(host) : null, alertsFor(loaded.state, host), loaded.error), 2);
}

/** The dashboard as plain text at the given size: no escape codes, never wider than `columns`. */
export function onceText(loaded: LoadedRun, host: HostState, columns: number, rows: number): string {
	const now = Date.now();
	const snap: LiveSnapshot = {
		version: 0,
		run: loaded.state,
		host,
		location: loaded.location,
		notice: null,
		runError: loaded.error,
		runGone: false,
		alerts: alertsFor(loaded.state, host),
		previous: null,
		runs: null,
	};
	const text = renderToString(<Dashboard snap={snap} ui={initialUiState()} columns={columns} rows={rows} color={false} now={now} pulse={0} />, {columns});
	// Plain text: strip any styling Ink added, and trailing spaces.
	return stripVTControlCharacters(text)
		.split('\n')
		.map(line => line.replace(/\s+$/, ''))
		.join('\n');
}

