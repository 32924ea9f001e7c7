/** The console fallback for runs without console records: the emulated `output.log` file. */
import {existsSync, readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';
import type {RunState} from './run-state.js';
import {consoleFromOutputLog} from './console.js';

/**
 * Runs with no console records (console capture off, or older SDKs that wrote only the file) fall
 * back to `files/output.log` (or `output.log` in legacy dirs). The file is rewritten in place, so
 * it is read whole each time.
 */
export function loadOutputLogFallback(state: RunState, runDir: string, lastMtime?: {value: number}): boolean {
	if (state.consoleSource === 'console records') return false;
	for (const candidate of [join(runDir, 'files', 'output.log'), join(runDir, 'output.log')]) {
		if (!existsSync(candidate)) continue;
		try {
			if (lastMtime) {
				// Live: re-read only when the file was rewritten.
				const mtime = statSync(candidate).mtimeMs;
				if (mtime === lastMtime.value) return false;
				lastMtime.value = mtime;
			}
			const text = readFileSync(candidate, 'utf8');
			state.console = consoleFromOutputLog(text);
			state.consoleSource = candidate.includes(`${join('files', 'output.log')}`) ? 'files/output.log' : 'output.log';
			state.version++;
			return true;
		} catch {
			return false;
		}
	}
	return false;
}

