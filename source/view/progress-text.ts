/**
 * The words for a run's speed and progress, shared by the header, the compact view and `--line`:
 * `3.2 steps/s (0.31 s/step)`, `42 s/step`, `avg 2.1 steps/s`; `step 4,881 / 35,675 (14 %) ETA 2d 3h`
 * and its short form `14% ETA 2d3h`.
 */
import type {Progress} from '../state/progress.js';
import type {Rate} from '../state/pace.js';
import {formatCount, formatEta, formatNumber, formatPerItem} from './format.js';

/** A rate with three significant digits (3.72, 41.5, 1250): more would only flicker. */
function rateNumber(value: number): string {
	return value >= 1000 ? formatCount(Math.round(value)) : formatNumber(Number(value.toPrecision(3)));
}

/**
 * `3.2 steps/s (0.31 s/step)` at a step a second or faster, `42 s/step` when slower; `rows`
 * where the steps do not move; `avg ...` for the average over a finished or dead run's life.
 */
export function speedText(rate: Rate): string {
	const one = rate.unit === 'steps' ? 'step' : 'row';
	const perItem = `${formatPerItem(1 / rate.perSecond)}/${one}`;
	const text = rate.perSecond >= 1 ? `${rateNumber(rate.perSecond)} ${rate.unit}/s (${perItem})` : perItem;
	return rate.average ? `avg ${text}` : text;
}

/** Whole percent, rounded down: 100 % only when done. */
function percent(progress: Progress): number {
	return Math.floor(progress.fraction * 100);
}

/** `step 4,881 / 35,675 (14 %) ETA 2d 3h`, `epoch 6 / 25 (24 %)`, `450 / 1,000 it (45 %)`. */
export function progressText(progress: Progress): string {
	const counts = `${formatCount(progress.current)} / ${formatCount(progress.total)}`;
	const what = progress.unit === 'it' ? `${counts} it` : `${progress.unit} ${counts}`;
	const eta = progress.etaSeconds === null ? '' : ` ETA ${formatEta(progress.etaSeconds)}`;
	return `${what} (${percent(progress)} %)${eta}`;
}

/** `14% ETA 2d3h` (or `14%` without an ETA), for a status bar or a small pane. */
export function progressShort(progress: Progress): string {
	return `${percent(progress)}%${progress.etaSeconds === null ? '' : ` ETA ${formatEta(progress.etaSeconds, true)}`}`;
}
