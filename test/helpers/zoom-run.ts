/**
 * A 2M-row finished run for the zoom tests, written with wbtop's own writer: `train/loss` and
 * `lr` on every row, `val/acc` on every 10th; values from a fixed formula with hashed noise, so a
 * test can compute any row's value again independently ({@link zoomRunValue}). Cached in the OS
 * temp dir (keyed by the recipe): writing it takes ~20 s, reading a file of it much less.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {encodeExit, encodeHeader, encodeHistory, encodeRun, LogWriter} from '../../source/demo/writer.js';

export const ZOOM_ROWS = 2_000_000;
const RECIPE = 1;

/** Deterministic noise in [-0.5, 0.5) for a step (an integer hash, not a stream: any step alone). */
function noise(step: number, salt: number): number {
	let h = (step * 0x9e3779b1 + salt * 0x85ebca6b) >>> 0;
	h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
	h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
	return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32 - 0.5;
}

/** The value the run logged for `name` at `step` (null where it logged none). */
export function zoomRunValue(name: 'train/loss' | 'lr' | 'val/acc', step: number): number | null {
	if (name === 'train/loss') return 2 / (1 + step / 1e5) + 0.3 * noise(step, 1) + (step % 100_003 === 0 ? 5 : 0);
	if (name === 'lr') return 3e-4 * Math.cos((step / ZOOM_ROWS) * Math.PI) + 1e-6 * noise(step, 2);
	return step % 10 === 0 ? 0.5 + 0.4 * (1 - Math.exp(-step / 4e5)) + 0.02 * noise(step, 3) : null;
}

/** The run's directory, written if not cached. */
export function zoomRun(): {runDir: string; logFile: string} {
	const runDir = path.join(os.tmpdir(), `wbtop-zoom-run-${RECIPE}`, 'run-20261201_120000-zoom2m');
	const logFile = path.join(runDir, 'run-zoom2m.wandb');
	if (fs.existsSync(logFile)) return {runDir, logFile};
	fs.mkdirSync(runDir, {recursive: true});
	const writer = new LogWriter();
	const start = 1_764_590_400;
	const fd = fs.openSync(logFile + '.tmp', 'w');
	let pending: Uint8Array[] = [writer.header(), writer.record(encodeHeader({producer: '0.22.3'})), writer.record(encodeRun({runId: 'zoom2m', displayName: 'zoom2m', startTime: start * 1000, host: 'elsewhere'}))];
	let bytes = 0;
	const flush = () => {
		fs.writeSync(fd, Buffer.concat(pending));
		pending = [];
		bytes = 0;
	};
	for (let step = 0; step < ZOOM_ROWS; step++) {
		const values: Record<string, number> = {_step: step, _runtime: step / 10, 'train/loss': zoomRunValue('train/loss', step)!, lr: zoomRunValue('lr', step)!};
		const acc = zoomRunValue('val/acc', step);
		if (acc !== null) values['val/acc'] = acc;
		const record = writer.record(encodeHistory({step, values}));
		pending.push(record);
		bytes += record.length;
		if (bytes > 4 << 20) flush();
	}
	pending.push(writer.record(encodeExit({exitCode: 0, runtime: ZOOM_ROWS / 10})));
	flush();
	fs.closeSync(fd);
	fs.renameSync(logFile + '.tmp', logFile);
	return {runDir, logFile};
}
