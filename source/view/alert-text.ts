/** The words of a health alert, as the header, `--check` and `--once --json` show it. */
import type {Alert} from '../state/alerts.js';
import {MAX_KEYS_PER_ROW} from '../decode/caps.js';
import {MAX_SERIES} from '../state/run-state.js';
import {formatDuration, formatNumber} from './format.js';
import {sanitizeLine} from './sanitize.js';

/** One line of text for an alert (run text in it is sanitized). */
export function alertMessage(alert: Alert): string {
	const detail = alert.detail;
	switch (detail.kind) {
		case 'nan':
			return `NaN/Inf in ${sanitizeLine(detail.metric)} (${detail.count}×${detail.firstStep === null ? '' : `, first at step ${detail.firstStep}`})`;
		case 'spike':
			return `spike in ${sanitizeLine(detail.metric)}: ${formatNumber(detail.value)} vs median ${formatNumber(detail.median)}${detail.step === null ? '' : ` at step ${detail.step}`}`;
		case 'stall':
			return `stalled, no new row for ${formatDuration(detail.quietSeconds)} (last step ${detail.lastStep ?? '—'})`;
		case 'gpu-idle':
			return `GPU ${detail.gpu}${onHost(detail.host)} idle (<${detail.thresholdPct}%) for ${formatDuration(detail.seconds)} while the run is live`;
		case 'gpu-memory':
			return `GPU ${detail.gpu}${onHost(detail.host)} memory ${detail.pct.toFixed(0)}% full`;
		case 'console':
			return `console: ${detail.label}: ${sanitizeLine(detail.line).trim().slice(0, 80)}`;
		case 'wandb-alert': {
			// The run's own words: title and text are sanitized here, the text cut to one short line.
			const text = sanitizeLine(detail.text).replace(/\s+/g, ' ').trim();
			const title = sanitizeLine(detail.title).trim();
			const body = [title, text.length > 100 ? `${Array.from(text).slice(0, 99).join('')}…` : text].filter(part => part !== '').join(': ');
			const times = detail.count > 1 ? ` (${detail.count}×${detail.step === null ? '' : `, last at step ${detail.step}`})` : detail.step === null ? '' : ` (step ${detail.step})`;
			return `wandb.alert ${sanitizeLine(detail.level)}: ${body || '(no text)'}${times}`;
		}
		case 'file':
			return sanitizeLine(detail.message);
		case 'limit':
			switch (detail.limit) {
				case 'row-keys':
					return `${detail.count} row${detail.count === 1 ? '' : 's'} had more than ${MAX_KEYS_PER_ROW.toLocaleString('en-US')} keys: ${detail.dropped} key${detail.dropped === 1 ? '' : 's'} not kept`;
				case 'series':
					return `more than ${MAX_SERIES.toLocaleString('en-US')} distinct keys: ${detail.count} value${detail.count === 1 ? '' : 's'} of newer keys not kept`;
				case 'step-precision':
					return `${detail.count} step${detail.count === 1 ? '' : 's'} above 2^53: steps that large are not exact, rows may merge`;
			}
	}
}

/** ` on node-3` for another node's GPU (--hosts); its name as given, sanitized. */
function onHost(host: string | undefined): string {
	return host === undefined ? '' : ` on ${sanitizeLine(host)}`;
}
