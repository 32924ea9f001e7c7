import {describe, expect, it} from 'vitest';
import {readRunPid} from '../../source/sources/run-pid.js';
import {realRun} from '../helpers/fixtures.js';

describe('run pid', () => {
	it('comes from the user process lines of logs/debug.log (Python 0.12 and wandb-core 0.22)', () => {
		expect(readRunPid(realRun('2zuxwf70'))).toBe(26066);
		expect(readRunPid(realRun('f230dm6e'))).toBe(3163317);
	});

	it('is null when the run has no debug log, or only a git-lfs pointer', () => {
		expect(readRunPid(realRun('jsr4s3y6'))).toBeNull();
		expect(readRunPid(realRun('llekpttm'))).toBeNull();
	});
});
