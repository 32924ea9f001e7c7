/**
 * The training process's PID, so the GPU panel can mark the run's own processes. wandb's
 * metadata does not record it, but every line of the run's `logs/debug.log` does, written by the
 * user process itself: `2022-04-29 20:18:47,598 INFO    MainThread:26066 [wandb_setup.py…`.
 */
import {closeSync, openSync, readSync} from 'node:fs';
import {join} from 'node:path';

/** The PID from the run's debug log, or null when there is none (yet). Reads 4 KiB, read-only. */
export function readRunPid(runDir: string): number | null {
	let fd: number | null = null;
	try {
		fd = openSync(join(runDir, 'logs', 'debug.log'), 'r');
		const buffer = Buffer.alloc(4096);
		const length = readSync(fd, buffer, 0, buffer.length, 0);
		const match = /^\S+ \S+ +[A-Z]+ +MainThread:(\d+) \[/m.exec(buffer.toString('utf8', 0, length));
		return match ? Number(match[1]) : null;
	} catch {
		return null;
	} finally {
		if (fd !== null) closeSync(fd);
	}
}
