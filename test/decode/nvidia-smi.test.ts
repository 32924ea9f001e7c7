import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {
	classifySmiFailure,
	dropField,
	GPU_QUERY_FIELDS,
	parseComputeAppLine,
	parseComputeApps,
	parseGpuCsv,
	parseGpuLine,
	parseSmiNumber,
} from '../../source/decode/nvidia-smi.js';

const capture = (name: string) => readFileSync(new URL(`../fixtures/nvidia-smi/h100/${name}`, import.meta.url), 'utf8');
const lines = (name: string) => capture(name).split('\n').filter(l => l.trim() !== '');
const idleLine = lines('query-idle.csv')[0]!;

/** A captured line with some fields replaced (for MIG and error-token variants). */
function withFields(line: string, changes: Record<string, string>): string {
	const cells = line.split(', ');
	for (const [field, value] of Object.entries(changes)) cells[GPU_QUERY_FIELDS.indexOf(field as never)] = value;
	return cells.join(', ');
}

describe('the query field list', () => {
	it('is the list the H100 captures were made with (header of query-idle-header.csv)', () => {
		const header = lines('query-idle-header.csv')[0]!.split(', ').map(h => h.replace(/ \[.*\]$/, ''));
		// nvidia-smi prints the long names of the clock aliases in the header.
		const aliases: Record<string, string> = {'clocks.current.sm': 'clocks.sm', 'clocks.current.memory': 'clocks.mem'};
		expect(header.map(h => aliases[h] ?? h)).toEqual([...GPU_QUERY_FIELDS]);
	});
});

describe('parseGpuLine on real H100 captures', () => {
	it('reads an idle H100: zeros stay 0, the fanless [N/A] becomes null', () => {
		const gpu = parseGpuLine(idleLine)!;
		expect(gpu).toMatchObject({
			index: 0,
			uuid: 'GPU-583ab697-ffaf-c2f1-e792-444dbc1ae9fa',
			name: 'NVIDIA H100 80GB HBM3',
			util: 0,
			memUtil: 0,
			memUsedMiB: 0,
			memTotalMiB: 81559,
			tempC: 40,
			powerW: 74,
			powerLimitW: 700,
			smClockMHz: 345,
			fanPct: null,
			pstate: 'P0',
			mig: false,
			busId: '00000000:00:06.0',
			memTempC: 42,
			memClockMHz: 2619,
			maxSmClockMHz: 1980,
			driverVersion: '580.159.04',
		});
	});

	it('reads every line of the -lms stream under load', () => {
		const stream = lines('query-load-lms.csv');
		expect(stream.length).toBeGreaterThan(10);
		const gpus = stream.map(l => parseGpuLine(l));
		expect(gpus.every(g => g !== null && g.index === 0 && g.util === 100)).toBe(true);
		expect(gpus[0]).toMatchObject({memUsedMiB: 20213, tempC: 61, powerW: 690.71, smClockMHz: 1320});
		expect(gpus[1]).toMatchObject({tempC: 58, powerW: 698.68});
		expect(gpus.map(g => g!.memUtil)).toContain(35);
	});

	it('rejects the header and error text as data lines', () => {
		expect(parseGpuLine(lines('query-idle-header.csv')[0]!)).toBeNull();
		expect(parseGpuLine(capture('bad-field.txt').split('\n')[0]!)).toBeNull();
		expect(
			parseGpuLine(
				"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
			),
		).toBeNull();
		expect(parseGpuLine('')).toBeNull();
	});

	it('keeps a name that contains ", " whole', () => {
		const gpu = parseGpuLine(withFields(idleLine, {name: 'NVIDIA H100, 80GB, HBM3'}))!;
		expect(gpu.name).toBe('NVIDIA H100, 80GB, HBM3');
		expect(gpu.pstate).toBe('P0');
		expect(gpu.powerLimitW).toBe(700);
		expect(gpu.driverVersion).toBe('580.159.04');
	});

	it('turns every bracketed token into null, never 0', () => {
		for (const token of ['[N/A]', '[Not Supported]', '[Unknown Error]', '[Insufficient Permissions]', '[Function Not Found]']) {
			const gpu = parseGpuLine(withFields(idleLine, {'power.draw': token, 'utilization.gpu': token}))!;
			expect(gpu.powerW).toBeNull();
			expect(gpu.util).toBeNull();
			expect(gpu.memTotalMiB).toBe(81559);
		}
		expect(parseSmiNumber('0')).toBe(0);
		expect(parseSmiNumber('[N/A]')).toBeNull();
	});

	it('MIG enabled: utilization null (even if a number is printed), the rest still read', () => {
		const load = lines('query-load-lms.csv')[0]!;
		const mig = parseGpuLine(withFields(load, {'mig.mode.current': 'Enabled', 'utilization.gpu': '[N/A]', 'utilization.memory': '[N/A]'}))!;
		expect(mig).toMatchObject({mig: true, util: null, memUtil: null, memUsedMiB: 20213, powerW: 690.71});
		expect(parseGpuLine(withFields(load, {'mig.mode.current': 'Enabled'}))!.util).toBeNull();
	});

	it('reads a reduced field list (after a driver rejected a field)', () => {
		const fields = dropField(GPU_QUERY_FIELDS, 'temperature.memory')!;
		const cells = idleLine.split(', ');
		cells.splice(GPU_QUERY_FIELDS.indexOf('temperature.memory'), 1);
		const gpu = parseGpuLine(cells.join(', '), fields)!;
		expect(gpu).toMatchObject({tempC: 40, powerW: 74, memTempC: null, driverVersion: '580.159.04'});
		expect(dropField(GPU_QUERY_FIELDS, 'index')).toBeNull();
		expect(dropField(GPU_QUERY_FIELDS, 'bogus.field')).toBeNull();
	});

	it('parses a one-shot output with several lines', () => {
		expect(parseGpuCsv(capture('query-load-lms.csv')).length).toBe(lines('query-load-lms.csv').length);
	});
});

describe('compute apps', () => {
	it('reads the captured process line', () => {
		expect(parseComputeApps(capture('apps-load.csv'))).toEqual([
			{pid: 605, name: 'python3', usedMemMiB: 20204, gpuUuid: 'GPU-583ab697-ffaf-c2f1-e792-444dbc1ae9fa'},
		]);
		expect(parseComputeApps('')).toEqual([]);
	});

	it('keeps a process name with ", " and maps [N/A] memory (MIG) to null', () => {
		expect(parseComputeAppLine('605, /opt/my, app/python3, [N/A], GPU-583ab697-ffaf-c2f1-e792-444dbc1ae9fa')).toEqual({
			pid: 605,
			name: '/opt/my, app/python3',
			usedMemMiB: null,
			gpuUuid: 'GPU-583ab697-ffaf-c2f1-e792-444dbc1ae9fa',
		});
		expect(parseComputeAppLine('No running processes found')).toBeNull();
	});
});

describe('classifySmiFailure', () => {
	it('not installed', () => {
		expect(classifySmiFailure({code: 'ENOENT'})).toEqual({status: 'unavailable', message: 'nvidia-smi not found — GPU panel disabled'});
	});

	it('driver not reachable', () => {
		const f = classifySmiFailure({
			exitCode: 9,
			output:
				"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n",
		});
		expect(f.status).toBe('error');
		expect(f.message).toBe("couldn't communicate with the NVIDIA driver");
	});

	it('driver/library mismatch', () => {
		const f = classifySmiFailure({exitCode: 18, output: 'Failed to initialize NVML: Driver/library version mismatch\n'});
		expect(f.status).toBe('error');
		expect(f.message).toMatch(/Driver\/library version mismatch/);
	});

	it('invalid field (captured bad-field.txt) names the field', () => {
		const f = classifySmiFailure({exitCode: 2, output: capture('bad-field.txt')});
		expect(f).toMatchObject({status: 'error', invalidField: 'bogus.field'});
		expect(f.message).toMatch(/"bogus.field" is not a valid field to query/);
	});

	it('anything else: the first line of output, else the exit code', () => {
		expect(classifySmiFailure({exitCode: 15, output: '\nUnable to determine the device handle for GPU0000:01:00.0: Unknown Error\n'}).message).toBe(
			'nvidia-smi: Unable to determine the device handle for GPU0000:01:00.0: Unknown Error',
		);
		expect(classifySmiFailure({exitCode: 1, output: ''}).message).toBe('nvidia-smi exited with code 1');
		expect(classifySmiFailure({timedOut: true}).message).toMatch(/timed out/);
	});
});
