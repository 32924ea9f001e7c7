/** Writing a mode's text to stdout, and turning I/O errors into one line each. */
import {sanitizeText} from '../view/sanitize.js';

const REASONS: Record<string, string> = {
	EACCES: 'permission denied',
	EPERM: 'operation not permitted',
	ENOENT: 'no such file or directory',
	EISDIR: 'is a directory',
	ENOTDIR: 'not a directory',
	EIO: 'input/output error',
	ENOSPC: 'no space left on device',
	EDQUOT: 'disk quota exceeded',
	EFBIG: 'file too large',
	EMFILE: 'too many open files',
	ENFILE: 'too many open files in the system',
	ELOOP: 'too many levels of symbolic links',
	ENXIO: 'no such device or address',
	ENODEV: 'no such device',
	ESTALE: 'stale file handle (NFS)',
	ETIMEDOUT: 'timed out',
	EAGAIN: 'resource temporarily unavailable',
	EPIPE: 'the reader closed the pipe',
};

/** One line for an I/O error (`path: reason (CODE)`), or null when it is not one. */
export function ioErrorMessage(error: unknown): string | null {
	const errno = error as NodeJS.ErrnoException | null;
	if (!errno || typeof errno.code !== 'string' || !/^E[A-Z0-9]+$/.test(errno.code)) return null;
	const reason = `${REASONS[errno.code] ?? errno.code.toLowerCase()} (${errno.code})`;
	return errno.path ? `${errno.path}: ${reason}` : reason;
}

/**
 * Errors on stdout: a closed pipe (`wbtop export … | head -1`) ends quietly; any other (a full
 * disk) is one line on stderr and exit 2. Without this Node prints a stack trace.
 */
export function guardStdout(): void {
	process.stdout.on('error', (error: NodeJS.ErrnoException) => {
		if (error.code === 'EPIPE') process.exit(0);
		process.stderr.write(`wbtop: cannot write the output: ${ioErrorMessage(error) ?? error.message}\n`);
		process.exit(2);
	});
}

/** Write to stdout, waiting for the pipe to drain (a huge export must not be cut off). */
export function writeOut(text: string): Promise<void> {
	return new Promise((resolve, reject) => {
		let settled = false;
		const done = (error?: Error | null) => {
			if (settled) return;
			settled = true;
			if (error) reject(error);
			else resolve();
		};
		const ok = process.stdout.write(text, error => {
			if (error) done(error);
		});
		if (ok) done();
		else process.stdout.once('drain', () => done());
	});
}

/** An error message made safe to print: it can quote a run dir's name, and those can hold anything. */
export function cleanMessage(message: string): string {
	return sanitizeText(message, {keepNewlines: true});
}

/** Print `wbtop: message` on stderr (see {@link cleanMessage}); returns the exit code to use. */
export function fail(message: string, code = 2): number {
	process.stderr.write(`wbtop: ${cleanMessage(message)}\n`);
	return code;
}
