/**
 * Opening a run dir's files safely. A run dir is input, and anything can sit where a file is
 * expected: a FIFO (a plain `open` blocks the event loop until a writer comes, for good), a
 * symlink to `/dev/zero` or `/dev/urandom` (a plain read never ends), a file of many GB. So every
 * file is opened with O_NONBLOCK, checked to be a regular file on the opened descriptor (`fstat`,
 * not a separate `stat`: no race), and read with a size limit. Refusals are one-line messages
 * naming the file; nothing here throws for them. Read-only: nothing is ever written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Most bytes of a JSON/YAML side file (`config.yaml`, `wandb-summary.json`, `wandb-metadata.json`)
 * wbtop parses: real ones are KBs (a summary with a graph object a few 100 KB); parsing a bigger
 * one would cost seconds and GBs.
 */
export const MAX_SIDE_FILE_BYTES = 16 * 1024 * 1024;

/** The head of `logs/debug.log` that is searched for the training PID: its first lines carry it. */
export const DEBUG_LOG_HEAD_BYTES = 4096;

/**
 * The tail of `output.log` read when it is (re)loaded whole: the console keeps 5000 lines, and
 * 4 MiB holds that many at ~800 bytes a line; a 1 GB file costs one 4 MiB read, not 1 GB.
 */
export const OUTPUT_LOG_WINDOW_BYTES = 4 * 1024 * 1024;

/** Why a file was not read. `missing` is normal (not written yet) and usually not reported. */
export type RefusalReason = 'missing' | 'not-regular' | 'too-large' | 'unreadable';

export type SideFileRefusal = {
	ok: false;
	reason: RefusalReason;
	/** One line naming the file and the reason, e.g. `output.log is not a regular file (a FIFO)`. */
	message: string;
};

export type OpenedFile = {ok: true; fd: number; stats: fs.Stats};

export type SideFileBytes = {
	ok: true;
	bytes: Buffer;
	/** The file's size when it was opened. */
	size: number;
	/** File offset of `bytes[0]`. */
	start: number;
	/** Fewer bytes than the file holds were read (`ifLarger: 'truncate'`). */
	truncated: boolean;
	ino: number;
	mtimeMs: number;
};

export type SideFileText = Omit<SideFileBytes, 'bytes'> & {text: string};

export type ReadSideOptions = {
	/** Most bytes read. */
	maxBytes: number;
	/** Read the first `maxBytes` (default) or the last `maxBytes`. */
	from?: 'start' | 'end';
	/** A bigger file is refused (`too-large`, the default: a cut JSON/YAML file is useless) or read in part. */
	ifLarger?: 'refuse' | 'truncate';
	/** The file's name in messages (default its base name), e.g. `files/config.yaml`. */
	name?: string;
};

const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0);

/** `16 MiB`, `4 KiB`, `100 bytes`. */
export function formatLimit(bytes: number): string {
	if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
	if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
	return `${bytes} bytes`;
}

function kindOf(stats: fs.Stats): string {
	if (stats.isFIFO()) return 'a FIFO';
	if (stats.isCharacterDevice()) return 'a character device';
	if (stats.isBlockDevice()) return 'a block device';
	if (stats.isDirectory()) return 'a directory';
	if (stats.isSocket()) return 'a socket';
	return 'not a file';
}

function refusal(reason: RefusalReason, message: string): SideFileRefusal {
	return {ok: false, reason, message};
}

function notRegular(name: string, stats: fs.Stats): SideFileRefusal {
	return refusal('not-regular', `${name} is not a regular file (${kindOf(stats)}): not read`);
}

function fromError(name: string, error: unknown): SideFileRefusal {
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'ENOENT' || code === 'ENOTDIR') return refusal('missing', `${name} is missing`);
	// open() of a socket, or of a device node without its device.
	if (code === 'ENXIO' || code === 'ENODEV') return refusal('not-regular', `${name} is not a regular file (a socket or device): not read`);
	return refusal('unreadable', `${name} is unreadable (${code ?? (error as Error).message})`);
}

/**
 * Opens `file` read-only and non-blocking, and returns its descriptor only when it is a regular
 * file (the caller closes it). A path that `stat`s as something else is not even opened (opening
 * a device can have effects of its own); the `fstat` of the opened descriptor is what decides.
 */
export function openRegularFile(file: string, name = path.basename(file)): OpenedFile | SideFileRefusal {
	try {
		const before = fs.statSync(file);
		if (!before.isFile()) return notRegular(name, before);
	} catch (error) {
		return fromError(name, error);
	}
	let fd: number;
	try {
		fd = fs.openSync(file, OPEN_FLAGS);
	} catch (error) {
		return fromError(name, error);
	}
	try {
		const stats = fs.fstatSync(fd);
		if (stats.isFile()) return {ok: true, fd, stats};
		fs.closeSync(fd);
		return notRegular(name, stats);
	} catch (error) {
		fs.closeSync(fd);
		return fromError(name, error);
	}
}

/** Reads up to `length` bytes at `position` (fewer at EOF). */
export function readAt(fd: number, length: number, position: number): Buffer {
	const buffer = Buffer.allocUnsafe(length);
	let n = 0;
	while (n < length) {
		const got = fs.readSync(fd, buffer, n, length - n, position + n);
		if (got === 0) break;
		n += got;
	}
	return n === length ? buffer : buffer.subarray(0, n);
}

/** Reads a side file: non-blocking open, regular files only, at most `maxBytes`, always closed. */
export function readSideFile(file: string, options: ReadSideOptions): SideFileBytes | SideFileRefusal {
	const name = options.name ?? path.basename(file);
	const opened = openRegularFile(file, name);
	if (!opened.ok) return opened;
	const {fd, stats} = opened;
	try {
		const size = stats.size;
		if (size > options.maxBytes && (options.ifLarger ?? 'refuse') === 'refuse') {
			return refusal('too-large', `${name} is larger than ${formatLimit(options.maxBytes)}: not read`);
		}
		const length = Math.min(size, options.maxBytes);
		const start = options.from === 'end' ? size - length : 0;
		const bytes = readAt(fd, length, start);
		return {ok: true, bytes, size, start, truncated: length < size, ino: stats.ino, mtimeMs: stats.mtimeMs};
	} catch (error) {
		return fromError(name, error);
	} finally {
		fs.closeSync(fd);
	}
}

/** {@link readSideFile} as UTF-8 text. */
export function readSideText(file: string, options: ReadSideOptions): SideFileText | SideFileRefusal {
	const read = readSideFile(file, options);
	if (!read.ok) return read;
	const {bytes, ...rest} = read;
	return {...rest, text: bytes.toString('utf8')};
}

/** A `*.wandb` in the run dir that is not a regular file (findLogFile skips those), as a message. */
export function strayLogProblem(runDir: string): string | null {
	let names: string[];
	try {
		names = fs.readdirSync(runDir).filter(name => name.endsWith('.wandb'));
	} catch {
		return null;
	}
	for (const name of names) {
		const file = path.join(runDir, name);
		try {
			const st = fs.statSync(file);
			if (st.isFile() || st.isDirectory()) continue; // a log after all (just written), or a folder
		} catch {
			continue;
		}
		const opened = openRegularFile(file, name);
		if (opened.ok) fs.closeSync(opened.fd);
		else if (opened.reason !== 'missing') return opened.message;
	}
	return null;
}
