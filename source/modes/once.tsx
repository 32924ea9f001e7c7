/** `wbtop --once`: the dashboard once, as plain text. */
import React from 'react';
import {renderToString} from 'ink';
import {stripVTControlCharacters} from 'node:util';
import {initialUiState} from '../state/ui-state.js';
import type {HostState} from '../state/host-state.js';
import {Dashboard} from '../ui/Dashboard.js';
import {alertsFor, type LoadedRun} from './load.js';
import type {LiveSnapshot} from './session.js';

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
