/** A large finished run written in one go, as if logged hours ago: what opening an old big run looks like. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {encodeExit, encodeHeader, encodeHistory, encodeRun, LogWriter} from '../../source/demo/writer.js';

/**
 * Writes `runDir` with `rows` history rows of 20 metrics (~860 bytes a row), logged at 10 rows/s
 * starting `hoursAgo` hours ago on another host (no PID to check), then an exit record (code 0).
 * Returns the log's size in bytes.
 */
export function writeBigFinishedRun(runDir: string, rows: number, hoursAgo = 3): number {
	fs.mkdirSync(runDir, {recursive: true});
	const writer = new LogWriter();
	const start = Date.now() / 1000 - hoursAgo * 3600;
	const chunks: Uint8Array[] = [writer.header(), writer.record(encodeHeader({producer: '0.22.3'})), writer.record(encodeRun({runId: 'big', displayName: 'big', startTime: start * 1000, host: 'elsewhere'}))];
	for (let step = 0; step < rows; step++) {
		const values: Record<string, number> = {_step: step, _timestamp: start + step / 10, _runtime: step / 10};
		for (let m = 0; m < 20; m++) values[`train/metric_${m}`] = Math.exp(-step / 9000) * (1 + m) + 0.01 * Math.sin(step + m);
		chunks.push(writer.record(encodeHistory({step, values})));
	}
	chunks.push(writer.record(encodeExit({exitCode: 0, runtime: rows / 10})));
	const log = path.join(runDir, 'run-big.wandb');
	fs.writeFileSync(log, Buffer.concat(chunks));
	return fs.statSync(log).size;
}
