/**
 * Progress and ETA: from config totals, an epoch metric, and the real tqdm and Hugging Face lines
 * of the fixtures' consoles; nothing where nothing says how far the run has to go.
 */
import {describe, expect, it} from 'vitest';
import {initialRunState, reduceRun, type RunState} from '../../source/state/run-state.js';
import {consoleFacts, parseBar, runProgress} from '../../source/state/progress.js';
import {ConsoleBuffer} from '../../source/state/console.js';
import {loadRun} from '../../source/modes/load.js';
import {progressShort, progressText} from '../../source/view/progress-text.js';
import {realRun} from '../helpers/fixtures.js';

/** Rows at `stepsPerSecond`, one step a row, from the state's last row on. */
function run(state: RunState, stepsPerSecond: number, rows: number, extra: (step: number) => Record<string, number> = () => ({})): void {
	const startStep = state.lastStep === null ? 0 : state.lastStep + 1;
	const startTime = state.lastRowTimestamp === null ? 1_700_000_000 : state.lastRowTimestamp + 1 / stepsPerSecond;
	for (let i = 0; i < rows; i++) {
		const step = startStep + i;
		reduceRun(state, {type: 'history', step, values: {_step: step, _timestamp: startTime + i / stepsPerSecond, ...extra(step)}}, 0);
	}
}

function withConfig(config: Record<string, unknown>): RunState {
	const state = initialRunState();
	reduceRun(state, {type: 'config', update: config as never, remove: []}, 0);
	return state;
}

/** The console's lines (as a terminal shows them) that hold a tqdm bar `n/total [...]`, parsed by hand. */
function barsOf(state: RunState): Array<{n: number; total: number; text: string}> {
	return state.console
		.lines()
		.map(line => ({text: line.text, match: [...line.text.matchAll(/(\d+)\/(\d+) \[/g)].pop()}))
		.filter(entry => entry.match !== undefined)
		.map(entry => ({n: Number(entry.match![1]), total: Number(entry.match![2]), text: entry.text}));
}

describe('progress from the config', () => {
	it('max_steps (nested, as Hugging Face and Hydra configs flatten) against the step, ETA at the recent rate', () => {
		const state = withConfig({'training.max_steps': 1000, 'training.logging_steps': 10});
		run(state, 4, 200);
		run(state, 2, 200);
		const progress = runProgress(state, true)!;
		expect(progress).toMatchObject({current: 399, total: 1000, source: 'config:training.max_steps', unit: 'step'});
		// 601 steps left at the last minute's 2 steps/s, not at the 3/s average.
		expect(progress.etaSeconds).toBeCloseTo(601 / 2, 6);
		expect(progressText(progress)).toBe('step 399 / 1,000 (39 %) ETA 5m 1s');
		expect(progressShort(progress)).toBe('39% ETA 5m1s');
		// A finished or dead run has no ETA.
		expect(runProgress(state, false)!.etaSeconds).toBeNull();
	});

	it("takes old SDKs' {desc, value} wrappers, skips Hugging Face's max_steps: -1 and a total the step has passed", () => {
		const wrapped = withConfig({'total_steps.desc': null, 'total_steps.value': 500});
		run(wrapped, 1, 100);
		expect(runProgress(wrapped, true)).toMatchObject({current: 99, total: 500, source: 'config:total_steps'});

		const unset = withConfig({max_steps: -1});
		run(unset, 1, 100);
		expect(runProgress(unset, true)).toBeNull();

		const passed = withConfig({max_steps: 50});
		run(passed, 1, 100);
		expect(runProgress(passed, true)).toBeNull();
	});

	it('reads the global step, not _step, where the trainer logs one (Hugging Face logs every N steps)', () => {
		const state = withConfig({max_steps: 5000});
		run(state, 1, 120, step => ({'train/global_step': step * 10}));
		const progress = runProgress(state, true)!;
		expect(progress).toMatchObject({current: 1190, total: 5000, unit: 'step', counter: 'train/global_step'});
		// 10 optimizer steps per row at 1 row/s.
		expect(progress.etaSeconds).toBeCloseTo((5000 - 1190) / 10, 6);
	});

	it('num_train_epochs with a fractional epoch (Hugging Face): total steps = epochs x steps per epoch', () => {
		const state = withConfig({num_train_epochs: 3, max_steps: -1});
		run(state, 1, 150, step => ({'train/global_step': step * 5, 'train/epoch': (step * 5) / 400}));
		const progress = runProgress(state, true)!;
		expect(progress).toMatchObject({current: 745, total: 1200, unit: 'step', source: 'config:num_train_epochs'});
	});

	it('epochs with an epoch metric: progress in epochs, ETA from the step rate and steps per epoch', () => {
		const state = withConfig({epochs: 10});
		run(state, 2, 700, step => ({epoch: Math.floor(step / 100)}));
		const progress = runProgress(state, true)!;
		expect(progress).toMatchObject({current: 6, total: 10, unit: 'epoch', source: 'config:epochs', counter: 'epoch'});
		// 4 epochs left, 100 steps each (6 epochs over 699 steps, as logged), at 2 steps/s.
		expect(progress.etaSeconds).toBeCloseTo((4 / (6 / 699)) / 2, 6);
		expect(progressText(progress)).toBe('epoch 6 / 10 (60 %) ETA 3m 53s');
	});

	it('a real run with epochs in its config and an epoch metric (JainitBITW, finished)', () => {
		const {state} = loadRun(realRun('tlc2uulp'));
		const epoch = state.axes.get('epoch')!.last!;
		expect(runProgress(state, false)).toMatchObject({current: epoch, total: state.config.epochs, fraction: epoch / Number(state.config.epochs), etaSeconds: null, source: 'config:epochs', unit: 'epoch', counter: 'epoch'});
	});

	it("a real Lightning run: train.max_epochs x the steps per epoch of its `Epoch 3: 45%|` bar", () => {
		const {state} = loadRun(realRun('2owu8boc'));
		const last = barsOf(state).filter(bar => /Epoch \d+:/.test(bar.text)).pop()!;
		const epoch = Number(/Epoch (\d+):/.exec(last.text)![1]);
		expect(runProgress(state, false)).toMatchObject({
			current: epoch * last.total + last.n,
			total: Number(state.config['train.max_epochs']) * last.total,
			unit: 'step',
			source: 'config:train.max_epochs+console:tqdm',
		});
	});
});

describe('progress from the console', () => {
	it("Hugging Face's `Total optimization steps` and the training bar with that total (2038prob)", () => {
		const {state} = loadRun(realRun('gkmcq7i0'));
		const line = state.console.lines().find(entry => entry.text.includes('Total optimization steps'))!;
		const total = Number(/= ([\d,]+)/.exec(line.text)![1].replace(/,/g, ''));
		const bar = barsOf(state).filter(entry => entry.total === total).pop()!;
		expect(runProgress(state, false)).toMatchObject({current: bar.n, total, source: 'console:hf', unit: 'step'});
	});

	it('the last bar of the training loop, not of an inner eval loop, with its rate for the ETA (SabhyaC26)', () => {
		const {state} = loadRun(realRun('31f67q0f'));
		const bars = barsOf(state);
		const largest = Math.max(...bars.map(bar => bar.total));
		// The console also has short bars (3/3, an eval loop): the 220-batch one is the training loop's.
		expect(bars.some(bar => bar.total < largest)).toBe(true);
		const last = bars.filter(bar => bar.total === largest).pop()!;
		// tqdm writes `1.78batch/s`, or `1.67s/batch` below one a second.
		const [, value, perItem] = /,\s+([\d.]+)(s\/)?batch/.exec(last.text)!;
		const rate = perItem ? 1 / Number(value) : Number(value);
		const progress = runProgress(state, true)!;
		expect(progress).toMatchObject({current: last.n, total: largest, source: 'console:tqdm', unit: 'it'});
		expect(progress.etaSeconds).toBeCloseTo((largest - last.n) / rate, 6);
		// Crashed: no ETA.
		expect(runProgress(state, false)!.etaSeconds).toBeNull();
	});

	it('a bar labelled `Epoch 7/101` covers the whole run: epochs done x its total + the bar (Frankalexej)', () => {
		const {state} = loadRun(realRun('f230dm6e'));
		const last = barsOf(state).pop()!;
		const [, epoch, of] = /Epoch (\d+)\/(\d+)/.exec(last.text)!.map(Number);
		expect(runProgress(state, false)).toMatchObject({current: (epoch - 1) * last.total + last.n, total: of * last.total, source: 'console:tqdm'});
	});

	it('a live bar (an unfinished line) counts, and the console is read only once per change', () => {
		const buffer = new ConsoleBuffer();
		buffer.append('stderr', 'Epoch 1/4:  50%|█████     | 50/100 [00:10<00:10,  5.00it/s]\n');
		buffer.append('stderr', '\rEpoch 2/4:  30%|███       | 30/100 [00:06<00:14,  5.00it/s]');
		const facts = consoleFacts(buffer);
		expect(consoleFacts(buffer)).toBe(facts);
		expect(facts.epochBar).toMatchObject({n: 30, total: 100, epoch: 2, of: 4, rate: 5});
		buffer.append('stderr', '\rEpoch 2/4:  40%|████      | 40/100 [00:08<00:12,  4.00it/s]');
		expect(consoleFacts(buffer).epochBar).toMatchObject({n: 40, rate: 4});
	});

	it('reads the rate in its tqdm forms and refuses what is not a bar', () => {
		expect(parseBar('  0%|▍  | 1/220 [00:01<06:04,  1.67s/batch]')).toMatchObject({n: 1, total: 220, rate: 1 / 1.67});
		expect(parseBar('83/100 [17s<03s, 5.00it/s]')).toMatchObject({n: 83, total: 100, rate: 5});
		expect(parseBar('12/50 [00:02<00:08, 1.2kit/s]')).toMatchObject({rate: 1200});
		expect(parseBar('  0%|  | 0/128 [00:00<?, ?it/s]')).toMatchObject({n: 0, total: 128, rate: null});
		expect(parseBar('see 3/4 of the data')).toBeNull();
		expect(parseBar('120/100 [00:01<00:00, 3it/s]')).toBeNull();
	});
});

describe('no progress', () => {
	it('shows nothing for real runs that say nothing of their total', () => {
		// No config, no bar (TheDingodile); a config with *_steps_ratio keys and no total (AR0OK1ePro).
		for (const id of ['anlc1q2m', '7exzgvj1']) {
			const {state} = loadRun(realRun(id));
			expect(state.rows).toBeGreaterThan(0);
			expect(runProgress(state, true)).toBeNull();
		}
	});
});
