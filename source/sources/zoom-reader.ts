/**
 * Reads a zoomed x range of a `.wandb` log again, at full resolution, without reading the log
 * from its start: blocks of 32 KiB can be entered anywhere (decode/log-framing.ts's
 * blockStartState), and the x-axis only grows, so a binary search over blocks (each probe decodes
 * up to a few blocks to find its first row's x) finds where the range starts; from a warm-up of
 * rows before it, the range is read on to its end in 1 MiB pieces, yielding to the event loop
 * between pieces so frames and keys go on. The rows are folded by state/zoom.ts's ZoomBuilder.
 * The log is opened read-only (regular files only, non-blocking, as every read of a run).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {BLOCK_SIZE, blockStartState, decodeLog, INITIAL_STATE, type DecodeState} from '../decode/log-framing.js';
import {RecordDecoder} from '../decode/records.js';
import type {RunEvent} from '../decode/run-events.js';
import {ZOOM_WARMUP, ZoomBuilder, type ZoomCache, type ZoomRequest} from '../state/zoom.js';
import {openRegularFile} from './side-file.js';

const PIECE = 1024 * 1024;
/** Bytes a probe decodes at most while looking for a row with x (a block of console output has none). */
const PROBE_BYTES = 256 * 1024;

/** A zoom being read; `cancel` stops it at its next piece (a newer zoom replaced it). */
export type ZoomJob = {promise: Promise<ZoomCache | null>; cancel: () => void};

function readAt(fd: number, offset: number, length: number): Buffer {
	const buf = Buffer.allocUnsafe(length);
	let n = 0;
	while (n < length) {
		const got = fs.readSync(fd, buf, n, length - n, offset + n);
		if (got === 0) break;
		n += got;
	}
	return buf.subarray(0, n);
}

/** x of a history event on `axis`, or null when the row has none. */
function xOf(event: RunEvent, axis: string): number | null {
	if (event.type !== 'history') return null;
	const value = axis === '_step' ? (typeof event.values._step === 'number' ? event.values._step : event.step) : event.values[axis];
	return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Decodes from `state` over `bytes`, returning the events and where decoding stopped. */
function decodeAt(bytes: Buffer, state: DecodeState, records: RecordDecoder): {events: RunEvent[]; next: DecodeState} {
	const decoded = decodeLog(bytes, state);
	const events: RunEvent[] = [];
	for (const payload of decoded.records) records.decode(payload, events);
	return {events, next: decoded.next};
}

/**
 * Reads `request`'s range from the log at `logFile`. Null when the log cannot be read (gone, not
 * a regular file, not a wandb log); the cache holds whatever rows the range has (none when the log
 * has no row there).
 */
export function readZoom(logFile: string, request: ZoomRequest, hint: {bytesPerRow?: number} = {}): ZoomJob {
	let cancelled = false;
	const promise = (async (): Promise<ZoomCache | null> => {
		const started = performance.now();
		const opened = openRegularFile(logFile, path.basename(logFile));
		if (!opened.ok) return null;
		const fd = opened.fd;
		try {
			const size = fs.fstatSync(fd).size;
			// The block layout (wandb-core before 0.17.6 counted blocks from byte 7), from the start.
			const head = decodeLog(readAt(fd, 0, Math.min(size, 4 * BLOCK_SIZE)), INITIAL_STATE);
			if (head.headerError !== undefined) return null;
			const origin = head.next.blockOrigin;
			const blocks = Math.max(1, Math.ceil((size - origin) / BLOCK_SIZE));
			const firstX = (block: number): number | null => {
				const state = blockStartState(origin + block * BLOCK_SIZE, origin);
				const decoded = decodeAt(readAt(fd, state.offset, Math.min(PROBE_BYTES, size - state.offset)), state, new RecordDecoder());
				for (const event of decoded.events) {
					const x = xOf(event, request.axis);
					if (x !== null) return x;
				}
				return null;
			};
			// The last block whose first row lies before x0 (a block with no row counts as before).
			let lo = 0;
			let hi = blocks - 1;
			while (lo < hi) {
				const mid = (lo + hi + 1) >> 1;
				const x = firstX(mid);
				if (x === null || x < request.x0) lo = mid;
				else hi = mid - 1;
			}
			// Back from there by ZOOM_WARMUP rows (of the log's bytes per row where the caller knows it, else
			// ~256 bytes: a few metrics a row); further while short.
			let bytesRead = 0;
			const rowBytes = hint.bytesPerRow !== undefined && hint.bytesPerRow > 0 && Number.isFinite(hint.bytesPerRow) ? hint.bytesPerRow : 256;
			let margin = Math.ceil((ZOOM_WARMUP * 1.2 * rowBytes) / BLOCK_SIZE);
			for (;;) {
				const startBlock = Math.max(0, lo - margin);
				let state = blockStartState(origin + startBlock * BLOCK_SIZE, origin);
				const builder = new ZoomBuilder(request);
				const records = new RecordDecoder();
				let pending = Buffer.alloc(0);
				let position = state.offset;
				while (!builder.done && position < size) {
					if (cancelled) return null;
					const piece = readAt(fd, position, Math.min(PIECE, size - position));
					if (piece.length === 0) break;
					position += piece.length;
					bytesRead += piece.length;
					const bytes = pending.length > 0 ? Buffer.concat([pending, piece]) : piece;
					const base = state.offset;
					const decoded = decodeAt(bytes, state, records);
					builder.add(decoded.events);
					state = decoded.next;
					pending = Buffer.from(bytes.subarray(state.offset - base));
					// Off the frame path: the next piece after pending I/O, timers and keys.
					await new Promise(resolve => setImmediate(resolve));
				}
				if (builder.warmupRows >= ZOOM_WARMUP || startBlock === 0) return builder.finish(bytesRead, performance.now() - started);
				// Short of warm-up rows (wide rows): back far enough for them at the row size just seen.
				margin = Math.max(2 * margin, Math.ceil((margin * ZOOM_WARMUP * 1.2) / Math.max(1, builder.warmupRows)));
			}
		} catch {
			return null;
		} finally {
			fs.closeSync(fd);
		}
	})();
	return {promise, cancel: () => (cancelled = true)};
}
