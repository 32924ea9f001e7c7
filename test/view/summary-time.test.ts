// Epoch times in the summary table are shown as local date-times; JSON keeps the raw number.
import {afterEach, describe, expect, it} from 'vitest';
import {execa} from 'execa';
import {loadRun} from '../../source/modes/load.js';
import {summaryRows} from '../../source/state/selectors.js';
import {epochSecondsOf, formatSummaryValue} from '../../source/view/format.js';
import {summaryLines} from '../../source/view/panels/summary.js';
import {CLI, realRun} from '../helpers/fixtures.js';

const savedTz = process.env.TZ;
afterEach(() => {
	if (savedTz === undefined) delete process.env.TZ;
	else process.env.TZ = savedTz;
});

/** `2024-02-19 06:40:01` for an epoch (seconds) shifted by `offsetSeconds`, from the ISO form. */
function isoLocal(epochSeconds: number, offsetSeconds = 0): string {
	return new Date((Math.floor(epochSeconds) + offsetSeconds) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** The summary panel's text for a run, as drawn. */
function summaryText(runDir: string): string[] {
	const {state} = loadRun(runDir);
	const rows = summaryRows(state, '');
	return summaryLines({rows, width: 80, height: rows.length + 1, scroll: 0, active: false, now: 0, filter: ''}).map(line => line.paint('plain').trimEnd());
}

describe('epoch times in the summary', () => {
	it("shows a real run's _timestamp as a local date-time, in the host's time zone", () => {
		const {state} = loadRun(realRun('gkmcq7i0'));
		const raw = state.summary.get('_timestamp')!.value as number;
		expect(typeof raw).toBe('number');
		process.env.TZ = 'UTC';
		expect(summaryText(realRun('gkmcq7i0'))).toContainEqual(expect.stringMatching(new RegExp(`^_timestamp +${isoLocal(raw)}$`)));
		process.env.TZ = 'Asia/Kolkata'; // UTC+05:30, no daylight saving
		expect(summaryText(realRun('gkmcq7i0'))).toContainEqual(expect.stringMatching(new RegExp(`^_timestamp +${isoLocal(raw, 5.5 * 3600)}$`)));
	});

	it('reads seconds and milliseconds under time-named keys; durations and other keys stay numbers', () => {
		const {state} = loadRun(realRun('f230dm6e'));
		const stamp = state.summary.get('_timestamp')!.value as number;
		const runtime = state.summary.get('_runtime')!.value as number;
		process.env.TZ = 'UTC';
		for (const key of ['_timestamp', 'start_time', 'eval/end_time', 'created_timestamp']) expect(formatSummaryValue(key, stamp), key).toBe(isoLocal(stamp));
		expect(epochSecondsOf('created_timestamp_ms', stamp * 1000)).toBeCloseTo(stamp, 3);
		expect(formatSummaryValue('event_time', Math.round(stamp * 1000))).toBe(isoLocal(stamp));
		// A duration under a time-named key, a timestamp under another name, a string: as they are.
		expect(epochSecondsOf('train_time', runtime)).toBeNull();
		expect(epochSecondsOf('_runtime', stamp)).toBeNull();
		expect(epochSecondsOf('loss', stamp)).toBeNull();
		expect(epochSecondsOf('_timestamp', String(stamp))).toBeNull();
		expect(epochSecondsOf('_timestamp', 4_200_000_000)).toBeNull(); // after 2100
	});

	it('--once text shows the date-time, --once --json keeps the raw number', async () => {
		// A run with a short summary, so that the table shows its _timestamp row.
		const runDir = realRun('dxb2lfrb');
		const env = {NO_COLOR: '1', TZ: 'UTC'};
		const json = JSON.parse((await execa('node', [CLI, '--once', '--json', '--no-gpu', runDir], {env})).stdout);
		const raw = json.summary._timestamp;
		expect(typeof raw).toBe('number');
		const text = (await execa('node', [CLI, '--once', '--no-gpu', '--width', '160', '--height', '50', runDir], {env})).stdout;
		expect(text).toContain(isoLocal(raw));
		expect(text).not.toContain(String(Math.floor(raw)));
	}, 30_000);
});
