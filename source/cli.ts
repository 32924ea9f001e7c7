/**
 * wbtop's entry point. It only prepares the environment, then loads the real program: Ink decides
 * at import time whether it is "in CI" (any CI variable, even empty, turns live rendering off),
 * so a live dashboard must drop CI before Ink is loaded.
 */
import {fileURLToPath} from 'node:url';
import {isMainThread, workerData} from 'node:worker_threads';
import {setWorkerEntry} from './sources/worker-entry.js';

// Worker threads (the media decoder) start from this same file.
setWorkerEntry(fileURLToPath(import.meta.url));

if (!isMainThread && (workerData as {wbtopWorker?: string} | null)?.wbtopWorker === 'media') {
	// The media panel's decoder thread (sources/media-worker.ts), started from this same file.
	const {serveMediaWorker} = await import('./sources/media-worker.js');
	serveMediaWorker();
} else {
	const wantsLiveUi = !process.argv.some(arg => ['--once', '--check', '--line', 'export', '--help', '--version'].includes(arg));
	if (wantsLiveUi && process.stdout.isTTY) {
		delete process.env.CI;
		delete process.env.CONTINUOUS_INTEGRATION;
	}
	const {main} = await import('./main.js');
	process.exitCode = await main(process.argv.slice(2));
}
