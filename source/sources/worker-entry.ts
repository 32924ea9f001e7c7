/**
 * The file wbtop runs from (`dist/cli.js`, or `source/cli.ts` under tsx), set by the CLI entry,
 * so a worker thread can be started from the same file (the bundle has no separate worker file).
 * Null in processes that are not wbtop's CLI (tests): workers are then not used.
 */
let entry: string | null = null;

/** Called once by cli.ts with its own path. */
export function setWorkerEntry(file: string): void {
	entry = file;
}

export function workerEntry(): string | null {
	return entry;
}
