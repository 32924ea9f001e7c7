/** A run being written right now, like a training script with wandb would: tests and benchmarks. */
import {appendFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {LogWriter, encodeExit, encodeHeader, encodeHistory, encodeOutput, encodeRun, encodeStats} from '../../source/demo/writer.js';

const METRIC_NAMES = [
	'train/loss', 'train/acc', 'train/lr', 'train/grad_norm', 'train/tokens_per_sec', 'train/ppl', 'train/weight_norm',
	'train/loss_scale', 'train/mfu', 'train/throughput', 'val/loss', 'val/acc', 'val/ppl', 'val/bleu', 'eval/f1',
	'eval/precision', 'eval/recall', 'eval/auc', 'memory/allocated_gb', 'memory/reserved_gb',
];

/** The name of metric `i` of a generated run (the benchmarks' runs use the same names). */
export function metricName(i: number): string {
	return i < METRIC_NAMES.length ? METRIC_NAMES[i] : `extra/metric_${i}`;
}

/** A run being written right now (into `root`/wandb, with a latest-run link). */
export class LiveRun {
	readonly wandbDir: string;
	readonly runDir: string;
	readonly logFile: string;
	private readonly writer = new LogWriter();
	private readonly start = Date.now() / 1000;
	step = 0;
	private timer: NodeJS.Timeout | null = null;

	constructor(
		root: string,
		private readonly metrics = 12,
	) {
		rmSync(root, {recursive: true, force: true});
		this.wandbDir = join(root, 'wandb');
		const name = 'run-20261126_130000-live';
		this.runDir = join(this.wandbDir, name);
		mkdirSync(join(this.runDir, 'files'), {recursive: true});
		symlinkSync(name, join(this.wandbDir, 'latest-run'));
		this.logFile = join(this.runDir, 'run-live.wandb');
		writeFileSync(this.logFile, this.writer.header());
		this.write(
			encodeHeader({producer: '0.22.3+bench'}),
			encodeRun({runId: 'live', project: 'wbtop-bench', displayName: 'live-bench', startTime: this.start * 1000, cliVersion: '0.22.3'}),
		);
	}

	private write(...payloads: Uint8Array[]): void {
		appendFileSync(this.logFile, Buffer.concat(payloads.map(payload => this.writer.record(payload))));
	}

	/** Appends these records (encoded with the writer's encode* functions) in one write. */
	append(...payloads: Uint8Array[]): void {
		this.write(...payloads);
	}

	/** Appends rows (one write() per call, like one flush of wandb's writer); returns the last step. */
	rows(count: number): number {
		const payloads: Uint8Array[] = [];
		for (let i = 0; i < count; i++) {
			const t = Date.now() / 1000;
			const values: Record<string, number> = {};
			for (let m = 0; m < this.metrics; m++) values[metricName(m)] = (1 + m) * Math.exp(-this.step / 5000) * (1 + 0.05 * Math.sin(this.step + m));
			values._runtime = t - this.start;
			values._timestamp = t;
			values._step = this.step;
			payloads.push(encodeHistory({step: this.step, values}));
			if (this.step % 10 === 0) payloads.push(encodeOutput({stream: 'stdout', text: `step ${this.step} loss ${values[metricName(0)].toFixed(4)}\n`, timestamp: t}));
			if (this.step % 150 === 0) payloads.push(encodeStats({timestamp: t, values: {cpu: 50, memory_percent: 40, 'gpu.0.gpu': 97, 'gpu.0.memoryAllocated': 80}}));
			this.step++;
		}
		this.write(...payloads);
		return this.step - 1;
	}

	/** Logs `perSecond` rows a second until stop(). */
	startLogging(perSecond: number): void {
		this.timer = setInterval(() => this.rows(1), 1000 / perSecond);
	}

	stopLogging(): void {
		if (this.timer) clearInterval(this.timer);
		this.timer = null;
	}

	finish(): void {
		this.stopLogging();
		this.write(encodeExit({exitCode: 0, runtime: Math.round(Date.now() / 1000 - this.start)}));
	}
}

