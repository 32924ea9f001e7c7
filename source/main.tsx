/**
 * Flags → options → one of: live dashboard, `--once [--json]`, `--check`, `--line`, `export`,
 * `--demo`. Fatal input errors print one line and exit 2.
 */
import React from 'react';
import {render} from 'ink';
import meow from 'meow';
import {FLAGS, toOptions, UsageError, type Options} from './options.js';
import {locateRun, LocateError, type RunLocation} from './sources/locate.js';
import {LiveSession} from './modes/session.js';
import {App} from './ui/App.js';
import {loadRun, onceJson, onceText, startHostSample, alertsFor, type LoadedRun} from './modes/once.js';
import {checkRun, exportHistory, statusLine} from './modes/scripts.js';
import {createDemoRun} from './demo/demo-run.js';
import {readRunPid} from './sources/run-pid.js';
import type {HostState} from './state/host-state.js';

const HELP = `
  Usage
    $ wbtop PATH                 live dashboard of a W&B run
    $ wbtop --once [--json] PATH print it once (plain text or JSON) and exit
    $ wbtop --check PATH         problems, one per line; exit 2 crashed/failed, 1 warnings, 0 fine
    $ wbtop --line PATH          one status line (for a tmux status bar)
    $ wbtop export PATH [--csv|--jsonl]   history rows to stdout
    $ wbtop --demo               watch a built-in live demo run

  PATH: a wandb/ folder (follows its newest run), a run directory (run-*, offline-run-*),
        a .wandb file, or a symlink to one (wandb/latest-run).

  Options
${Object.entries(FLAGS)
	.map(([name, flag]) => `    --${name.padEnd(10)} ${flag.help}`)
	.join('\n')}

  Keys: press ? in the dashboard.
`;

/** Write to stdout, waiting for the pipe to drain (a huge export must not be cut off). */
function writeOut(text: string): Promise<void> {
	return new Promise(resolve => {
		if (process.stdout.write(text)) resolve();
		else process.stdout.once('drain', () => resolve());
	});
}

function fail(message: string, code = 2): number {
	process.stderr.write(`wbtop: ${message}\n`);
	return code;
}

/** Run wbtop with these arguments; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
	let options: Options;
	try {
		const cli = meow(HELP, {
			importMeta: import.meta,
			argv,
			allowUnknownFlags: false,
			flags: Object.fromEntries(Object.entries(FLAGS).map(([name, flag]) => [name, {type: flag.type, ...('default' in flag ? {default: flag.default} : {})}])) as any,
		});
		options = toOptions(cli.input, cli.flags as Record<string, unknown>);
	} catch (error) {
		if (error instanceof UsageError) return fail(`${error.message}\n       Run 'wbtop --help' for usage.`);
		throw error;
	}

	if (options.mode === 'demo') return runDemo(options);
	let location: RunLocation;
	try {
		location = locateRun(options.path!);
	} catch (error) {
		if (error instanceof LocateError) return fail(error.message);
		throw error;
	}

	switch (options.mode) {
		case 'json': {
			const {loaded, host} = await loadWithHost(location, options);
			await writeOut(onceJson(loaded, host) + '\n');
			return 0;
		}
		case 'once':
			return printOnce(location, options);
		case 'check': {
			const loaded = loadRun(location.runDir);
			const {lines, exitCode} = checkRun(loaded.state, alertsFor(loaded.state, null));
			if (loaded.error) {
				await writeOut(`unreadable: ${loaded.error}\n`);
				return 2;
			}
			await writeOut(lines.join('\n') + '\n');
			return exitCode;
		}
		case 'line': {
			// The line shows GPUs only: no 250 ms CPU-rate sample, so a status bar can call it often.
			const {loaded, host} = await loadWithHost(location, {...options, gpuWaitMs: 2000}, {system: false});
			await writeOut(statusLine(loaded.state, host, alertsFor(loaded.state, host)) + '\n');
			return 0;
		}
		case 'export': {
			// Written in ~64 KiB pieces: one write per row would cost more than decoding it.
			let chunk = '';
			for (const line of exportHistory(location.runDir, options.exportFormat)) {
				chunk += line + '\n';
				if (chunk.length >= 65_536) {
					await writeOut(chunk);
					chunk = '';
				}
			}
			if (chunk) await writeOut(chunk);
			return 0;
		}
		case 'dashboard':
			if (!process.stdout.isTTY) return printOnce(location, options);
			return runDashboard(location, options);
	}
	return 0;
}

/**
 * Read the run and sample the host once. Sampling starts first: nvidia-smi and the CPU-rate
 * interval run while the run is decoded, instead of after it.
 */
async function loadWithHost(location: RunLocation, options: Options, sampling: {system?: boolean} = {}): Promise<{loaded: LoadedRun; host: HostState}> {
	const {firstReading, host} = startHostSample({...options, ...sampling, runPid: readRunPid(location.runDir)});
	// The rate interval then runs during the (synchronous) decode.
	await Promise.race([firstReading, new Promise(resolve => setTimeout(resolve, 100))]);
	const loaded = loadRun(location.runDir);
	return {loaded, host: await host};
}

async function printOnce(location: RunLocation, options: Options): Promise<number> {
	const {loaded, host} = await loadWithHost(location, options);
	const columns = options.width ?? (process.stdout.isTTY ? process.stdout.columns : 120);
	const rows = options.height ?? (process.stdout.isTTY ? process.stdout.rows : 40);
	await writeOut(onceText(loaded, host, columns, rows) + '\n');
	return 0;
}

async function runDemo(options: Options): Promise<number> {
	const demo = createDemoRun();
	// Write a first stretch at once so the charts have a shape, then go on live.
	for (let i = 0; i < 150; i++) demo.step();
	demo.start();
	const location = locateRun(demo.wandbDir);
	if (!process.stdout.isTTY) {
		const code = await printOnce(location, options);
		demo.stop(true);
		return code;
	}
	process.stderr.write(`wbtop: demo run in ${demo.wandbDir}\n`);
	try {
		return await runDashboard(location, options);
	} finally {
		demo.stop(true);
	}
}

const ENTER_ALT_SCREEN = '\u001B[?1049h\u001B[H';
const LEAVE_ALT_SCREEN = '\u001B[?1049l';
const SHOW_CURSOR = '\u001B[?25h';

async function runDashboard(location: RunLocation, options: Options): Promise<number> {
	const session = new LiveSession(location, {
		intervalMs: options.intervalMs,
		gpu: options.gpu,
		follow: options.follow,
		poll: options.poll,
		onNewAlert: options.bell ? () => process.stdout.write('\u0007') : undefined,
	});
	session.start();
	// Alternate screen, restored on every way out (normal exit, Ctrl-C, crash).
	let restored = false;
	const restore = () => {
		if (restored) return;
		restored = true;
		process.stdout.write(LEAVE_ALT_SCREEN + SHOW_CURSOR);
	};
	process.stdout.write(ENTER_ALT_SCREEN);
	process.on('exit', restore);
	const crash = (error: unknown) => {
		session.stop();
		restore();
		process.stderr.write(`wbtop crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	};
	process.on('uncaughtException', crash);
	process.on('unhandledRejection', crash);
	const instance = render(<App snapshot={() => session.snapshot()} subscribe={listener => session.subscribe(listener)} onBack={() => session.back()} onOpenRun={dir => session.openRunDir(dir)} color={options.color} />, {
		exitOnCtrlC: true,
		patchConsole: false,
		maxFps: 10,
	});
	try {
		await instance.waitUntilExit();
	} finally {
		session.stop();
		restore();
	}
	return 0;
}
