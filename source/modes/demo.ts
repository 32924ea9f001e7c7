/** `wbtop --demo`: a built-in live run, written while wbtop watches it. */
import type {Options} from '../options.js';
import {createDemoRun} from '../demo/demo-run.js';
import {locateRun} from '../sources/locate.js';

/** Write a demo run and show it (live when stdout is a terminal, else once as text). */
export async function runDemo(options: Options, printOnce: (runDir: string) => Promise<number>): Promise<number> {
	const demo = createDemoRun();
	// Write a first stretch at once so the charts have a shape, then go on live.
	for (let i = 0; i < 150; i++) demo.step();
	demo.start();
	try {
		if (!process.stdout.isTTY) return await printOnce(demo.wandbDir);
		process.stderr.write(`wbtop: demo run in ${demo.wandbDir}\n`);
		const {runDashboard} = await import('./dashboard.js');
		return await runDashboard(locateRun(demo.wandbDir), options);
	} finally {
		demo.stop(true);
	}
}
