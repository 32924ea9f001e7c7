/**
 * Command-line flags, their defaults and validation in one table, turned into typed Options by a
 * pure function (tested without spawning the CLI).
 */
import {hostNameProblem} from './decode/ssh.js';
import {PALETTES, type PaletteName, type Settings, type SettingsInUse} from './state/settings.js';

export type Mode = 'dashboard' | 'once' | 'json' | 'check' | 'line' | 'export' | 'demo';

export type Options = {
	mode: Mode;
	path: string | null;
	/** Every PATH given: several are the writers (nodes) of one shared-mode run; `path` is the first. */
	paths: string[];
	width: number | null;
	height: number | null;
	intervalMs: number;
	gpu: boolean;
	follow: boolean;
	poll: boolean;
	color: boolean;
	bell: boolean;
	/** SGR mouse reporting in the live view (`--no-mouse`: off, so the terminal's own selection works). */
	mouse: boolean;
	exportFormat: 'csv' | 'jsonl';
	/** How long `--once` waits for the first GPU sample, ms. */
	gpuWaitMs: number;
	/** `--system`: this machine's GPUs, processes, CPU, memory and network, no run. */
	system: boolean;
	/** `--print-config`: print the effective settings (and where each came from) and exit. */
	printConfig: boolean;
	/** `--hosts`: other nodes whose GPUs are watched over ssh, as given (`['slurm']`: the Slurm job's nodes, expanded by main). */
	hosts: string[];
	/** The settings the command line gave (they win over the config file's). */
	flagSettings: Partial<Settings>;
	/** The config file merged with the flags, for the live view (null: not read, the defaults). */
	settings: SettingsInUse | null;
};

/** Flag definitions for meow; also the source of the `--help` text's flag list. */
export const FLAGS = {
	once: {type: 'boolean', default: false, help: 'print the dashboard once as plain text and exit'},
	json: {type: 'boolean', default: false, help: 'with --once: print one JSON document instead'},
	width: {type: 'number', help: 'with --once: width in columns (default: the terminal, else 120)'},
	height: {type: 'number', help: 'with --once: height in rows (default: the terminal, else 40)'},
	interval: {type: 'number', help: 'live GPU/system sampling interval in ms (>= 100, default 1000)'},
	gpu: {type: 'boolean', default: true, help: '--no-gpu: do not run nvidia-smi (recorded GPU metrics are still shown)'},
	follow: {type: 'boolean', default: true, help: '--no-follow: stay on this run when a new one starts in the wandb/ folder'},
	poll: {type: 'boolean', default: false, help: 'watch files by polling (NFS and other shared filesystems)'},
	color: {type: 'boolean', default: true, help: '--no-color: no colours (NO_COLOR is honoured too)'},
	bell: {type: 'boolean', default: false, help: 'ring the terminal bell on each new health alert'},
	mouse: {type: 'boolean', default: true, help: '--no-mouse: no mouse (click, wheel) in the live view, so the terminal selects text as usual'},
	check: {type: 'boolean', default: false, help: 'print problems, one per line; exit 2 crashed/failed, 1 warnings, 0 fine'},
	line: {type: 'boolean', default: false, help: 'print one status line and exit (for a tmux status bar)'},
	demo: {type: 'boolean', default: false, help: 'watch a built-in live demo run (no W&B needed)'},
	system: {type: 'boolean', default: false, help: 'this machine only (GPUs, processes, CPU, memory, network), no run; also with --once [--json]'},
	csv: {type: 'boolean', default: false, help: 'with export: CSV (the default)'},
	jsonl: {type: 'boolean', default: false, help: 'with export: one JSON object per line'},
	palette: {type: 'string', help: `series colours: ${PALETTES.join(', ')} (okabe-ito: colour-blind safe; mono: a glyph per series)`},
	hosts: {type: 'string', help: "node1,node2,...: also watch these nodes' GPUs (ssh HOST nvidia-smi, BatchMode); 'slurm': the job's nodes"},
	printConfig: {type: 'boolean', default: false, help: 'print the effective settings (config file, flags, defaults) as JSON and exit'},
} as const;

/**
 * The largest screen wbtop draws (columns and rows), and the largest --width / --height: a bigger
 * terminal gets a 1000x1000 frame in its corner (a 10000x10000 frame took 11 s and 830 MB).
 */
export const MAX_SCREEN = 1000;

/** A usage error: printed as one line, exit code 2. */
export class UsageError extends Error {}

type RawFlags = {[K in keyof typeof FLAGS]?: unknown};

/**
 * `--hosts a,b,c`: the names, blanks dropped, duplicates once; a name ssh could read as an option
 * (`-oProxyCommand=…`) is a usage error.
 */
export function parseHosts(text: string): string[] {
	const names = [...new Set(text.split(',').map(name => name.trim()).filter(name => name !== ''))];
	if (names.length === 0) throw new UsageError(`--hosts needs host names (node1,node2,...) or 'slurm', got '${text}'`);
	for (const name of names) {
		const problem = hostNameProblem(name);
		if (problem) throw new UsageError(`--hosts: refused ${problem}`);
	}
	return names;
}

/** Turn parsed flags and positional arguments into Options, or throw a UsageError. */
export function toOptions(input: readonly string[], flags: RawFlags, env: NodeJS.ProcessEnv = process.env): Options {
	const args = [...input];
	let mode: Mode = 'dashboard';
	if (args[0] === 'export') {
		mode = 'export';
		args.shift();
	}
	if (flags.demo) mode = 'demo';
	const chosen = [flags.check && 'check', flags.line && 'line', flags.once && 'once'].filter(Boolean);
	if (chosen.length > 1) throw new UsageError(`choose one of --once, --check and --line (got ${chosen.map(c => '--' + c).join(', ')})`);
	if (mode === 'export' && chosen.length > 0) throw new UsageError(`export does not take --${chosen[0]}`);
	if (flags.check) mode = 'check';
	else if (flags.line) mode = 'line';
	else if (flags.once) mode = flags.json ? 'json' : 'once';
	if (flags.json && mode !== 'json') throw new UsageError('--json goes with --once (wbtop --once --json PATH)');
	if (flags.csv && flags.jsonl) throw new UsageError('choose one of --csv and --jsonl');

	// Several PATHs: the run dirs of one shared-mode run's writers (sources/nodes.ts), not for export.
	if (args.length > 1 && mode === 'export') throw new UsageError(`export takes one run path, got ${args.length}: ${args.join(' ')}`);
	// No PATH: the session looks in ./wandb, then $WANDB_DIR/wandb (see defaultWandbDirs).
	const path = args[0] ?? null;
	if (flags.system) {
		if (path !== null) throw new UsageError(`--system shows this machine, not a run: it takes no PATH (got ${path})`);
		if (mode !== 'dashboard' && mode !== 'once' && mode !== 'json') throw new UsageError(`--system goes with the live view or --once [--json], not ${mode === 'export' ? 'export' : `--${mode}`}`);
	}

	const interval = flags.interval === undefined ? 1000 : Number(flags.interval);
	if (!Number.isFinite(interval) || interval < 100 || interval > 600_000) {
		throw new UsageError(`--interval must be a number of milliseconds from 100 to 600000, got '${String(flags.interval)}'`);
	}
	const size = (name: 'width' | 'height', min: number): number | null => {
		const value = flags[name];
		if (value === undefined) return null;
		const number = Number(value);
		if (!Number.isInteger(number) || number < min || number > MAX_SCREEN) throw new UsageError(`--${name} must be a whole number from ${min} to ${MAX_SCREEN}, got '${String(value)}'`);
		return number;
	};
	const palette = flags.palette === undefined ? undefined : String(flags.palette);
	if (palette !== undefined && !PALETTES.includes(palette as PaletteName)) throw new UsageError(`--palette must be one of ${PALETTES.join(', ')}, got '${palette}'`);
	const flagSettings: Partial<Settings> = {};
	if (flags.interval !== undefined) flagSettings.interval = Math.round(interval);
	if (palette !== undefined) flagSettings.palette = palette as PaletteName;
	if (flags.mouse === false) flagSettings.mouse = false;
	const hosts = flags.hosts === undefined ? [] : parseHosts(String(flags.hosts));
	const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
	return {
		mode,
		path,
		paths: args,
		width: size('width', 20),
		height: size('height', 5),
		intervalMs: Math.round(interval),
		gpu: flags.gpu !== false,
		follow: flags.follow !== false,
		poll: flags.poll === true || env.CHOKIDAR_USEPOLLING === '1',
		color: flags.color !== false && !noColor,
		bell: flags.bell === true,
		mouse: flags.mouse !== false,
		exportFormat: flags.jsonl ? 'jsonl' : 'csv',
		gpuWaitMs: 3000,
		system: flags.system === true,
		printConfig: flags.printConfig === true,
		hosts,
		flagSettings,
		settings: null,
	};
}
