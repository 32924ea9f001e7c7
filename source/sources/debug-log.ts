/**
 * What the run's `logs/debug.log` says of the SDK: its first line, written by the training process
 * at `wandb.init`, is `… [wandb_setup.py:_flush():81] Current SDK version is 0.22.3` (every fixture
 * from 0.15.9 to 0.27.2). The fallback for a log that says nothing yet (a 7-byte header-only file:
 * the Python writer's header holds no version). Read through side-file.ts: the head only,
 * non-blocking, regular files only.
 */
import {join} from 'node:path';
import {DEBUG_LOG_HEAD_BYTES, readSideFile} from './side-file.js';

/**
 * The SDK version from the run's debug log: `version` null when it has no version line (it will
 * not get one: the line comes first); `read` false when there is no file to read (yet), or it was
 * refused (not a regular file).
 */
export function readDebugLogVersion(runDir: string): {read: boolean; version: string | null} {
	const read = readSideFile(join(runDir, 'logs', 'debug.log'), {maxBytes: DEBUG_LOG_HEAD_BYTES, ifLarger: 'truncate', name: 'logs/debug.log'});
	if (!read.ok) return {read: false, version: null};
	const text = read.bytes.toString('utf8');
	const match = /\] Current SDK version is (\d+\.\d+\.\d+[\w.+-]{0,40})\s*$/m.exec(text);
	// An empty file (just created) may get its first line yet.
	return {read: text.includes('\n'), version: match ? match[1] : null};
}
