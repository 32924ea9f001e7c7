/**
 * The training process's PID, so the GPU panel can mark the run's own processes. wandb's
 * metadata does not record it, but every line of the run's `logs/debug.log` does, written by the
 * user process itself: `2022-04-29 20:18:47,598 INFO    MainThread:26066 [wandb_setup.py…`.
 */
import {join} from 'node:path';
import {DEBUG_LOG_HEAD_BYTES, readSideFile} from './side-file.js';

/** The PID from the run's debug log, or null when there is none (yet). Reads its head, read-only, non-blocking. */
export function readRunPid(runDir: string): number | null {
	const read = readSideFile(join(runDir, 'logs', 'debug.log'), {maxBytes: DEBUG_LOG_HEAD_BYTES, ifLarger: 'truncate', name: 'logs/debug.log'});
	if (!read.ok) return null; // missing, or not a regular file (a FIFO, a device): no PID
	const match = /^\S+ \S+ +[A-Z]+ +MainThread:(\d+) \[/m.exec(read.bytes.toString('utf8'));
	return match ? Number(match[1]) : null;
}
