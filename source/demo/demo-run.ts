/**
 * `wbtop --demo`: writes a realistic live run into a temp dir, with the real `.wandb` framing,
 * while wbtop watches it. Train/val metrics, an lr schedule with warm-up and cosine decay, system
 * stats records, and console output with a tqdm-style progress bar redrawn with `\r`.
 */
import {appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {LogWriter, encodeExit, encodeHeader, encodeHistory, encodeMetric, encodeOutput, encodeRun, encodeStats, encodeSummary} from './writer.js';
import {xorshift32 as random} from './random.js';

export type DemoOptions = {
	/** Ms between history rows. */
	rowMs?: number;
	/** Steps per epoch (a validation row and an epoch line at each end). */
	stepsPerEpoch?: number;
	epochs?: number;
	/** Where to create the `wandb/` folder (default: a new temp dir). */
	root?: string;
	/** Deterministic noise for tests. */
	seed?: number;
};

export type DemoRun = {
	/** The `wandb/` folder (pass it to wbtop to follow the run). */
	wandbDir: string;
	runDir: string;
	/** Write the next step now (tests drive the demo without timers). */
	step(): void;
	start(): void;
	/** Stop writing; `remove` deletes the temp dir. */
	stop(remove?: boolean): void;
	readonly steps: number;
};

function pad(n: number): string {
	return String(n).padStart(2, '0');
}

/** Create the demo run's directory and writer (nothing is written until start() or step()). */
export function createDemoRun(options: DemoOptions = {}): DemoRun {
	const rowMs = options.rowMs ?? 200;
	const stepsPerEpoch = options.stepsPerEpoch ?? 100;
	const epochs = options.epochs ?? 30;
	const totalSteps = stepsPerEpoch * epochs;
	const root = options.root ?? mkdtempSync(join(tmpdir(), 'wbtop-demo-'));
	const wandbDir = join(root, 'wandb');
	const now = new Date();
	const id = 'demo' + Math.floor((options.seed ?? Date.now()) % 1e4).toString().padStart(4, '0');
	const name = `run-${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}_${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}-${id}`;
	const runDir = join(wandbDir, name);
	mkdirSync(join(runDir, 'files'), {recursive: true});
	symlinkSync(name, join(wandbDir, 'latest-run'));
	const logFile = join(runDir, `run-${id}.wandb`);
	const rand = random(options.seed ?? Date.now());
	const writer = new LogWriter();
	const startTime = Date.now();
	let step = 0;
	let timer: NodeJS.Timeout | null = null;
	let lastStats = 0;
	let finished = false;

	const write = (...payloads: Uint8Array[]) => {
		const bytes = payloads.map(payload => writer.record(payload));
		appendFileSync(logFile, Buffer.concat(bytes));
	};
	writeFileSync(logFile, writer.header());
	write(
		encodeHeader({producer: '0.22.3+demo'}),
		encodeRun({
			runId: id,
			project: 'wbtop-demo',
			entity: 'demo',
			displayName: 'resnet50-cifar10-demo',
			tags: ['demo', 'resnet'],
			notes: 'A synthetic run written by wbtop --demo',
			startTime,
			cliVersion: '0.22.3',
			config: {model: 'resnet50', optimizer: {name: 'adamw', lr: 3e-4, weight_decay: 0.05}, batch_size: 256, epochs},
		}),
		encodeMetric({name: 'epoch', defined: true}),
		encodeMetric({glob: 'val/*', stepMetric: 'epoch'}),
	);

	const lrAt = (s: number) => {
		const warmup = stepsPerEpoch;
		if (s < warmup) return 3e-4 * ((s + 1) / warmup);
		return 3e-4 * 0.5 * (1 + Math.cos((Math.PI * (s - warmup)) / Math.max(1, totalSteps - warmup)));
	};

	const bar = (done: number, total: number, epoch: number) => {
		const width = 30;
		const filled = Math.round((done / total) * width);
		const pct = String(Math.round((done / total) * 100)).padStart(3);
		return `\rEpoch ${epoch}: ${pct}%|${'█'.repeat(filled)}${' '.repeat(width - filled)}| ${done}/${total} [${(done * rowMs / 1000).toFixed(0)}s, ${(1000 / rowMs).toFixed(2)}it/s]`;
	};

	const nextStep = () => {
		if (finished) return;
		const t = Date.now();
		const runtime = (t - startTime) / 1000;
		const epoch = Math.floor(step / stepsPerEpoch);
		const progress = step / totalSteps;
		const noise = (rand() - 0.5) * 0.15;
		const loss = 2.3 * Math.exp(-4 * progress) + 0.15 + noise * (1 - progress) + (rand() < 0.004 ? 1.5 : 0);
		const acc = Math.min(0.99, 0.1 + 0.85 * (1 - Math.exp(-5 * progress)) + noise * 0.1);
		const records: Uint8Array[] = [
			encodeHistory({
				step,
				values: {
					'train/loss': loss,
					'train/acc': acc,
					'train/lr': lrAt(step),
					'train/grad_norm': 1.2 + rand() * 0.8 + (loss > 2 ? 2 : 0),
					epoch,
					_step: step,
					_runtime: runtime,
					_timestamp: t / 1000,
				},
			}),
			encodeSummary({update: {'train/loss': loss, 'train/acc': acc, epoch, _step: step, _runtime: runtime}}),
			encodeOutput({stream: 'stderr', text: bar((step % stepsPerEpoch) + 1, stepsPerEpoch, epoch), timestamp: t / 1000}),
		];
		if ((step + 1) % stepsPerEpoch === 0) {
			const valLoss = loss * 1.1 + 0.05;
			const valAcc = acc - 0.03;
			step++;
			records.push(
				encodeOutput({stream: 'stderr', text: '\n', timestamp: t / 1000}),
				encodeHistory({step, values: {'val/loss': valLoss, 'val/acc': valAcc, epoch, _step: step, _runtime: runtime, _timestamp: t / 1000}}),
				encodeOutput({stream: 'stdout', text: `epoch ${epoch}: val/loss=${valLoss.toFixed(4)} val/acc=${valAcc.toFixed(4)}\n`, timestamp: t / 1000}),
			);
		}
		if (t - lastStats >= 2000) {
			lastStats = t;
			const busy = 85 + rand() * 14;
			records.push(
				encodeStats({
					timestamp: t / 1000,
					values: {
						'gpu.0.gpu': busy,
						'gpu.0.memoryAllocated': 71 + rand() * 2,
						'gpu.0.powerWatts': 600 + busy,
						'gpu.0.temp': 60 + rand() * 4,
						cpu: 30 + rand() * 20,
						memory_percent: 41 + rand() * 2,
						'network.recv': 1e6 * step,
						'network.sent': 2e5 * step,
					},
				}),
			);
		}
		step++;
		if (step >= totalSteps) {
			finished = true;
			records.push(
				encodeOutput({stream: 'stdout', text: 'Training finished.\n'}),
				encodeExit({exitCode: 0, runtime: Math.round(runtime)}),
			);
		}
		write(...records);
	};

	return {
		wandbDir,
		runDir,
		get steps() {
			return step;
		},
		step: nextStep,
		start() {
			if (timer) return;
			timer = setInterval(() => {
				nextStep();
				if (finished && timer) clearInterval(timer);
			}, rowMs);
			timer.unref?.();
		},
		stop(remove = false) {
			if (timer) clearInterval(timer);
			timer = null;
			if (remove && !options.root) rmSync(root, {recursive: true, force: true});
		},
	};
}
