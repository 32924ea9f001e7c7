/** Writing a mode's text to stdout. */

/** Write to stdout, waiting for the pipe to drain (a huge export must not be cut off). */
export function writeOut(text: string): Promise<void> {
	return new Promise(resolve => {
		if (process.stdout.write(text)) resolve();
		else process.stdout.once('drain', () => resolve());
	});
}

/** Print `wbtop: message` on stderr; returns the exit code to use. */
export function fail(message: string, code = 2): number {
	process.stderr.write(`wbtop: ${message}\n`);
	return code;
}
