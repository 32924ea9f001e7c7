/**
 * What must happen however wbtop ends: the terminal restored, a demo's temporary run removed.
 * On a normal exit and on SIGTERM, SIGHUP, SIGINT and SIGQUIT the cleanups run (newest first),
 * then the process exits with 128 + the signal's number, as a shell expects.
 */
import {constants} from 'node:os';

const cleanups: Array<() => void> = [];
let installed = false;

function runCleanups(): void {
	while (cleanups.length > 0) {
		const cleanup = cleanups.pop()!;
		try {
			cleanup();
		} catch {
			// Each cleanup is best effort; the others still run.
		}
	}
}

const SIGNALS = ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT'] as const;

/** Run `cleanup` when wbtop ends, whatever the way; returns a function that runs it now instead. */
export function atExit(cleanup: () => void): () => void {
	if (!installed) {
		installed = true;
		process.on('exit', runCleanups);
		for (const signal of SIGNALS) {
			process.on(signal, () => {
				runCleanups();
				process.exit(128 + (constants.signals[signal] ?? 0));
			});
		}
	}
	let done = false;
	const once = () => {
		if (done) return;
		done = true;
		cleanup();
	};
	cleanups.push(once);
	return () => {
		const at = cleanups.indexOf(once);
		if (at >= 0) cleanups.splice(at, 1);
		once();
	};
}
