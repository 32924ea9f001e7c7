/**
 * Writes a shared-mode run as the SDK lays it out (doc §5.10, §5.4, §5.6): one run id, one run dir
 * per writer (`run-<ts>-<id>`, each with `run-<id>.wandb`), every writer labelled. Each log has
 * shared-mode telemetry (feature 67); only the primary writes environment records; stats keys
 * carry `/l:<label>`; history rows have no `_step`; each writer's console also goes to
 * `files/output_<label>.log`; a secondary of 0.26.1+ ends with an ordinary exit record, which does
 * not end the run. For tests, the demo and trying wbtop on a multi-node run.
 */
import {appendFileSync, mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {LogWriter, encodeEnvironment, encodeExit, encodeHeader, encodeHistory, encodeOutput, encodeRun, encodeStats, encodeTelemetry} from './writer.js';

export type SharedNodeInput = {
	/** `x_label` (the SDK's default is `<hostname>-<8 base-36 chars>`). */
	label: string;
	/** GPUs this node samples. */
	gpus?: number;
	/** GPU utilization (%) this node's GPUs show, per GPU index (default 90 + index). */
	gpuUtil?: (gpu: number, sample: number) => number;
};

export type SharedRunInput = {
	/** The `wandb/` folder the run dirs go into (shared filesystem: all nodes write there). */
	wandbDir: string;
	runId: string;
	/** The first writer is the primary (`x_primary`); the rest are secondaries. */
	nodes: SharedNodeInput[];
	/** Start, epoch seconds (node i starts i seconds later). */
	start?: number;
	/** SDK version in the header and telemetry (0.26.1+: secondaries write exit records). */
	sdkVersion?: string;
};

/** One writer's dir and log, for appending more (a live run). */
export class SharedNodeWriter {
	private readonly writer = new LogWriter();
	private samples = 0;
	private rows = 0;

	constructor(
		readonly runDir: string,
		readonly logFile: string,
		readonly label: string,
		readonly primary: boolean,
		private readonly gpus: number,
		private readonly util: (gpu: number, sample: number) => number,
		private readonly start: number,
	) {
		writeFileSync(logFile, this.writer.header());
	}

	/** Appends encoded records in one write. */
	append(...payloads: Uint8Array[]): void {
		appendFileSync(this.logFile, Buffer.concat(payloads.map(payload => this.writer.record(payload))));
	}

	/** One stats tick at `time` (epoch s): CPU/memory in one record and the GPUs in another, same timestamp, as core writes them. */
	stats(time: number): void {
		const l = `/l:${this.label}`;
		const i = this.samples++;
		const gpu: Record<string, number> = {};
		for (let g = 0; g < this.gpus; g++) {
			gpu[`gpu.${g}.gpu${l}`] = this.util(g, i);
			gpu[`gpu.${g}.memoryAllocated${l}`] = 60 + g;
			gpu[`gpu.${g}.temp${l}`] = 70 + g;
			gpu[`gpu.${g}.powerWatts${l}`] = 300 + 10 * g;
		}
		this.append(
			encodeStats({timestamp: time, values: {[`cpu${l}`]: 20 + this.gpus, [`memory_percent${l}`]: 40, [`proc.memory.rssMB${l}`]: 2048, [`network.recv${l}`]: 1e6 * (i + 1)}}),
			encodeStats({timestamp: time, values: gpu}),
		);
	}

	/** A history row (no `_step` in shared mode) and a console line, at `time`. */
	row(time: number, values: Record<string, number>, line: string): void {
		this.rows++;
		this.append(encodeHistory({step: null, values: {...values, _timestamp: time, _runtime: time - this.start}}), encodeOutput({stream: 'stdout', text: `${line}\n`, timestamp: time}));
		appendFileSync(join(this.runDir, 'files', `output_${this.label.replace(/\//g, '_')}.log`), `${line}\n`);
	}

	/** The writer's exit record. */
	exit(code: number, time: number): void {
		this.append(encodeExit({exitCode: code, runtime: Math.max(0, Math.round(time - this.start))}));
	}
}

/** `20261201_143000` in local time, as the SDK names run dirs. */
function stamp(epochSeconds: number): string {
	const d = new Date(epochSeconds * 1000);
	const p = (n: number) => String(n).padStart(2, '0');
	return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}_${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Creates the run dirs and writes each log's opening records; the writers append the rest. */
export function startSharedRun(input: SharedRunInput): SharedNodeWriter[] {
	const start = input.start ?? Math.floor(Date.now() / 1000) - 60;
	const version = input.sdkVersion ?? '0.26.1';
	mkdirSync(input.wandbDir, {recursive: true});
	return input.nodes.map((node, i) => {
		const runDir = join(input.wandbDir, `run-${stamp(start + i)}-${input.runId}`);
		mkdirSync(join(runDir, 'files'), {recursive: true});
		mkdirSync(join(runDir, 'logs'), {recursive: true});
		const writer = new SharedNodeWriter(runDir, join(runDir, `run-${input.runId}.wandb`), node.label, i === 0, node.gpus ?? 1, node.gpuUtil ?? ((gpu: number) => 90 + gpu), start + i);
		const host = node.label.replace(/-[a-z0-9]{8}$/, '');
		writer.append(
			encodeHeader({producer: `${version}+shared`}),
			encodeRun({runId: input.runId, project: 'shared-demo', displayName: 'multi-node', host, startTime: (start + i) * 1000, cliVersion: version}),
			encodeTelemetry({cliVersion: version, sharedMode: true}),
		);
		// Only the primary writes the environment (doc §5.9).
		if (i === 0) writer.append(encodeEnvironment({writerId: `writer-${node.label}`, host, os: 'Linux', gpuType: 'NVIDIA H100 80GB HBM3', gpuCount: node.gpus ?? 1}));
		return writer;
	});
}

/**
 * A whole shared-mode run, written at once: `samples` stats ticks and rows per node, 15 s apart;
 * the secondaries' exit records where `secondariesExit`, the primary's where `primaryExit`.
 */
export function writeSharedRun(input: SharedRunInput & {samples?: number; secondariesExit?: boolean; primaryExit?: boolean}): SharedNodeWriter[] {
	const writers = startSharedRun(input);
	const start = input.start ?? Math.floor(Date.now() / 1000) - 60;
	const samples = input.samples ?? 4;
	for (let s = 0; s < samples; s++) {
		const time = start + 2 + s * 15;
		writers.forEach((writer, i) => {
			writer.stats(time + i * 0.01);
			writer.row(time, i === 0 ? {'train/loss': 2 / (s + 1)} : {[`secondary/loss`]: 1 / (s + 1)}, `${writer.label} step ${s}`);
		});
	}
	const end = start + 2 + samples * 15;
	writers.forEach((writer, i) => {
		if (i === 0 ? input.primaryExit : input.secondariesExit) writer.exit(0, end);
	});
	return writers;
}
