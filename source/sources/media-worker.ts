/**
 * The media decoder's worker thread: a big PNG or JPEG takes seconds to decode in JavaScript
 * (4096x4096: 1.7 s PNG, 3.4 s JPEG on the development box), which on the main thread would hold
 * every key and frame. The worker reads and decodes one file per message and sends back the small
 * result (a thumbnail's pixels are transferred, not copied). Started from the CLI's own entry
 * with `workerData.wbtopWorker === 'media'` (see cli.ts), so the bundled build needs no extra file.
 */
import {parentPort} from 'node:worker_threads';
import {readMediaFile, type MediaJob} from './media-reader.js';

/** Serve decode jobs on the parent port until the thread is ended. */
export function serveMediaWorker(): void {
	const port = parentPort;
	if (port === null) return;
	port.on('message', (job: MediaJob) => {
		const file = readMediaFile(job.runDir, job.path, job.kind);
		port.postMessage({id: job.id, file}, file.kind === 'image' ? [file.thumb.rgb.buffer as ArrayBuffer] : []);
	});
}
