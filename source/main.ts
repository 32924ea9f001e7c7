/**
 * Flags → options → one of: live dashboard, `--once [--json]`, `--check`, `--line`, `export`,
 * `--demo`. Fatal input errors print one line and exit 2. Each mode's code is loaded only when
 * that mode runs: the script modes never load Ink or React.
 */
import meow from 'meow';
import {FLAGS, toOptions, UsageError, type Options} from './options.js';
import {defaultWandbDirs, locateFirstRun, locateRun, LocateError, NoRunYetError, UnreadableRunError, type RunLocation} from './sources/locate.js';
import type {MachineTarget} from './modes/machine-session.js';
import {cleanMessage, fail, guardStdout, ioErrorMessage, writeOut} from './modes/output.js';

const HELP = `
  Usage
    $ wbtop [PATH]               live dashboard of a W&B run (no PATH: ./wandb, then $WANDB_DIR/wandb;
                                 no run there: this machine, until a run starts)
    $ wbtop --once [--json] PATH print it once (plain text or JSON) and exit
    $ wbtop --system             this machine: GPUs and their processes, CPU, memory, network
    $ wbtop --system --once [--json]   the same once (JSON: the host object of --once --json)
    $ wbtop --check PATH         problems, one per line; exit 2 crashed/failed, 1 warnings, 0 fine
    $ wbtop --line PATH          one status line (for a tmux status bar)
    $ wbtop export PATH [--csv|--jsonl]   history rows to stdout
    $ wbtop --demo               watch a built-in live demo run

  PATH: a wandb/ folder (follows its newest run), a run directory (run-*, offline-run-*),
        a .wandb file, or a symlink to one (wandb/latest-run). Several PATHs: the run dirs of
        one shared-mode run's writers (nodes), opened as one run.

  Options
${Object.entries(FLAGS)
	.map(([name, flag]) => `    --${name.replace(/[A-Z]/g, c => '-' + c.toLowerCase()).padEnd(12)} ${flag.help}`)
	.join('\n')}

  Keys: press ? in the dashboard.
`;

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

	guardStdout();
	if (options.hosts.length === 1 && options.hosts[0] === 'slurm') {
		const {slurmHosts} = await import('./sources/slurm.js');
		try {
			options = {...options, hosts: await slurmHosts()};
		} catch (error) {
			return fail((error as Error).message);
		}
	}
	try {
		if (options.printConfig) return await printConfig(options);
		// The config file is for the live view (a tmux status bar's --line every 5 s reads none).
		if (options.mode === 'dashboard' || options.mode === 'demo') options = await withSettings(options);
		return await run(options);
	} catch (error) {
		if (error instanceof LocateError) return fail(error.message);
		// An I/O error anywhere (an unreadable log, a full disk): one line naming the file, exit 2.
		const message = error instanceof UnreadableRunError ? error.message : ioErrorMessage(error);
		if (message === null) throw error;
		if (options.mode === 'check') {
			await writeOut(`unreadable: ${cleanMessage(message)}\n`).catch(() => {});
			return 2;
		}
		return fail(message);
	}
}

/** The config file read, its problems on stderr (one line each), merged with the flags. */
async function withSettings(options: Options): Promise<Options> {
	const [{configLocation, readConfig}, {resolveSettings, problemsNotice}] = await Promise.all([import('./sources/config-file.js'), import('./state/settings.js')]);
	const location = configLocation();
	const parsed = readConfig(location);
	for (const problem of parsed.problems) process.stderr.write(`wbtop: ${cleanMessage(problem)}\n`);
	const {settings} = resolveSettings(parsed.settings, options.flagSettings);
	return {...options, intervalMs: settings.interval, settings: {settings, keymap: parsed.keymap, notice: problemsNotice(parsed.problems, location.shown), file: location.file, shown: location.shown}};
}

/** `--print-config`: the effective settings as JSON, each with where it came from; exit 0. */
async function printConfig(options: Options): Promise<number> {
	const [{configLocation, readConfig}, {resolveSettings, settingsReport}] = await Promise.all([import('./sources/config-file.js'), import('./state/settings.js')]);
	const location = configLocation();
	const parsed = readConfig(location);
	for (const problem of parsed.problems) process.stderr.write(`wbtop: ${cleanMessage(problem)}\n`);
	const report = settingsReport(resolveSettings(parsed.settings, options.flagSettings), location.shown, parsed.problems.map(cleanMessage));
	await writeOut(JSON.stringify(report, null, 2) + '\n');
	return 0;
}

/** Run the chosen mode; resolves to the exit code. */
async function run(options: Options): Promise<number> {
	if (options.mode === 'demo') {
		const {runDemo} = await import('./modes/demo.js');
		return runDemo(options, wandbDir => printOnce(locateRun(wandbDir), options), canDrawLive);
	}
	const target = await resolveTarget(options);
	if ('machine' in target) return showMachine(target.machine, options);
	const location = target.run;

	switch (options.mode) {
		case 'json': {
			const [{loadWithHost}, {onceJson}] = await Promise.all([import('./modes/load.js'), import('./modes/json.js')]);
			const {loaded, host} = await loadWithHost(location, options);
			await writeOut(onceJson(loaded, host) + '\n');
			return 0;
		}
		case 'once':
			return printOnce(location, options);
		case 'check': {
			const [{loadRun, alertsFor}, {checkRun}] = await Promise.all([import('./modes/load.js'), import('./modes/check.js')]);
			const loaded = loadRun(location.runDir, location.nodes);
			const {lines, exitCode} = checkRun(loaded.state, alertsFor(loaded.state, null));
			if (loaded.error) {
				// A regular file that is not a W&B log (a zeroed header): read, but nothing to judge.
				// `unreadable:` is kept for the logs `--once --json` refuses too (exit 2 there).
				await writeOut(`corrupt: ${cleanMessage(loaded.error)}\n`);
				return 2;
			}
			await writeOut(lines.join('\n') + '\n');
			return exitCode;
		}
		case 'line': {
			// A status bar calls it often: the run's end only, the GPUs only (no 250 ms CPU-rate sample).
			const {lineFor} = await import('./modes/line.js');
			await writeOut((await lineFor(location, {...options, gpuWaitMs: 2000})) + '\n');
			return 0;
		}
		case 'export': {
			const {exportHistory} = await import('./modes/export.js');
			// Written in ~64 KiB pieces: one write per row would cost more than decoding it.
			let chunk = '';
			for (const line of exportHistory(location.runDir, options.exportFormat, message => process.stderr.write(`wbtop: ${message}\n`))) {
				chunk += line + '\n';
				if (chunk.length >= 65_536) {
					await writeOut(chunk);
					chunk = '';
				}
			}
			if (chunk) await writeOut(chunk);
			return 0;
		}
		case 'dashboard': {
			if (!canDrawLive()) return printOnce(location, options);
			const {runDashboard} = await import('./modes/dashboard.js');
			return runDashboard({run: location}, options);
		}
	}
	return 0;
}

/** What to show: a run, or this machine (why, and the wandb/ folders to watch for a first run). */
type Target = {run: RunLocation} | {machine: MachineTarget};

/**
 * PATH (or, without one, ./wandb then $WANDB_DIR/wandb) → the run to show. Where there is no run
 * yet, the live view and --once show this machine instead, saying so; the script modes, and a
 * PATH that does not exist, are errors (exit 2).
 */
async function resolveTarget(options: Options): Promise<Target> {
	if (options.system) return {machine: {notice: null, watch: []}};
	const machineOk = options.mode === 'dashboard' || options.mode === 'once';
	// Several PATHs: one shared-mode run's writers; a wandb/ folder: its newest run, with the
	// other writers of that run where it is a shared-mode one (sources/nodes.ts).
	if (options.paths.length > 1) return {run: (await import('./sources/nodes.js')).locateWriters(options.paths)};
	if (options.path !== null) {
		try {
			return {run: await withSharedNodes(locateRun(options.path))};
		} catch (error) {
			if (!(error instanceof NoRunYetError) || !machineOk) throw error;
			return {machine: {notice: `no W&B run in ${options.path} yet; showing this machine until one starts`, watch: [error.wandbDir]}};
		}
	}
	const dirs = defaultWandbDirs();
	const found = locateFirstRun(dirs);
	if (found !== null) return {run: await withSharedNodes(found)};
	const where = dirs.map(shortPath).join(' or ');
	if (!machineOk) throw new LocateError(`no PATH given and no W&B run found in ${where} (give a wandb/ folder, a run directory or a .wandb file)`);
	return {machine: {notice: `no W&B run found in ${where}; showing this machine`, watch: dirs}};
}

/**
 * The run with its shared-mode writers (sources/nodes.ts), where it can have any: a binary run
 * found through a wandb/ folder. Loaded only then: the probe brings the whole run reader (and the
 * YAML parser) with it, ~6 MB that `--line` on a run dir does not need.
 */
async function withSharedNodes(location: RunLocation): Promise<RunLocation> {
	if (location.followDir === null || location.format !== 'binary') return location;
	return (await import('./sources/nodes.js')).withSharedNodes(location);
}

/** A folder as the user would type it: `./wandb` under the working directory, else absolute. */
function shortPath(dir: string): string {
	const cwd = process.cwd();
	return dir.startsWith(cwd + '/') ? `./${dir.slice(cwd.length + 1)}` : dir;
}

/** The machine view: live, or once as text or as the host JSON object. */
async function showMachine(machine: MachineTarget, options: Options): Promise<number> {
	if (options.mode === 'dashboard' && canDrawLive()) {
		const {runDashboard} = await import('./modes/dashboard.js');
		return runDashboard({machine}, options);
	}
	const [{startHostSample}, {machineText}] = await Promise.all([import('./modes/load.js'), import('./modes/once.js')]);
	const host = await startHostSample(options).host;
	if (options.mode === 'json') {
		const [{hostJson}, {terminalSafeJson}] = await Promise.all([import('./state/host-state.js'), import('./modes/report.js')]);
		await writeOut(terminalSafeJson(hostJson(host), 2) + '\n');
		return 0;
	}
	const columns = options.width ?? (process.stdout.isTTY ? process.stdout.columns : 120);
	const rows = options.height ?? (process.stdout.isTTY ? process.stdout.rows : 40);
	await writeOut(machineText(host, machine.notice, columns, rows) + '\n');
	return 0;
}

/**
 * Whether stdout takes the live dashboard: a terminal, and not TERM=dumb (which moves no cursor
 * and shows no colour). Elsewhere wbtop prints the `--once` text instead.
 */
function canDrawLive(): boolean {
	return process.stdout.isTTY === true && process.env.TERM !== 'dumb';
}

async function printOnce(location: RunLocation, options: Options): Promise<number> {
	const [{loadWithHost}, {onceText}] = await Promise.all([import('./modes/load.js'), import('./modes/once.js')]);
	const {loaded, host} = await loadWithHost(location, options);
	const columns = options.width ?? (process.stdout.isTTY ? process.stdout.columns : 120);
	const rows = options.height ?? (process.stdout.isTTY ? process.stdout.rows : 40);
	await writeOut(onceText(loaded, host, columns, rows) + '\n');
	return 0;
}
