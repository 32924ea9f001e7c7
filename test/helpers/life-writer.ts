/**
 * A stand-in training process, for the alive-or-dead tests: it writes a run dir the way a script
 * with wandb does on this host (run record with this host's name and the start time, a
 * `logs/debug.log` naming its own PID), then logs a row every 100 ms until it is killed.
 * Not a test (vitest runs *.test.ts only). Usage: node --import tsx test/helpers/life-writer.ts RUN_DIR
 * Prints `ready <pid>` once the first rows are on disk.
 */
import {appendFileSync, mkdirSync, writeFileSync} from 'node:fs';
import {hostname} from 'node:os';
import {join} from 'node:path';
import {LogWriter, encodeHeader, encodeHistory, encodeRun} from '../../source/demo/writer.js';

const runDir = process.argv[2];
mkdirSync(join(runDir, 'logs'), {recursive: true});
mkdirSync(join(runDir, 'files'), {recursive: true});
const start = Date.now();
const stamp = new Date(start).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
writeFileSync(join(runDir, 'logs', 'debug.log'), `${stamp} INFO    MainThread:${process.pid} [wandb_setup.py:_flush():76] Current SDK version is 0.22.3\n`);
const logFile = join(runDir, 'run-alive.wandb');
const writer = new LogWriter();
writeFileSync(logFile, writer.header());
const write = (...payloads: Uint8Array[]) => appendFileSync(logFile, Buffer.concat(payloads.map(payload => writer.record(payload))));
write(encodeHeader({producer: '0.22.3'}), encodeRun({runId: 'alive', project: 'life', displayName: 'life-writer', host: hostname(), startTime: start, cliVersion: '0.22.3'}));
let step = 0;
const row = () => {
	const t = Date.now() / 1000;
	write(encodeHistory({step, values: {'train/loss': 1 / (1 + step), _step: step, _timestamp: t, _runtime: t - start / 1000}}));
	step++;
};
for (let i = 0; i < 5; i++) row();
process.stdout.write(`ready ${process.pid}\n`);
setInterval(row, 100);
