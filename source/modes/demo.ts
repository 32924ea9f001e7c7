/** `wbtop --demo`: a built-in live run, written while wbtop watches it. */
import type {Options} from '../options.js';
import {createDemoRun} from '../demo/demo-run.js';
import {locateRun} from '../sources/locate.js';
import {atExit} from './lifecycle.js';

/** Write a demo run and show it (live when stdout is a terminal, else once as text). */
export async function runDemo(options: Options, printOnce: (runDir: string) => Promise<number>, interactive: () => boolean): Promise<number> {
	const demo = createDemoRun();
	// The temporary run goes away however wbtop ends (q, Ctrl-C, kill).
	const remove = atExit(() => demo.stop(true));
	// Write a first stretch at once so the charts have a shape, then go on live.
	for (let i = 0; i < 150; i++) demo.step();
	demo.start();
	try {
		if (!interactive()) return await printOnce(demo.wandbDir);
		process.stderr.write(`wbtop: demo run in ${demo.wandbDir}\n`);
		const {runDashboard} = await import('./dashboard.js');
		return await runDashboard({run: locateRun(demo.wandbDir)}, options);
	} finally {
		remove();
	}
}
