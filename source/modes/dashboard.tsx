/** The live dashboard: the session's sources, the Ink app, the alternate screen and its restore. */
import React from 'react';
import {render} from 'ink';
import type {Options} from '../options.js';
import type {RunLocation} from '../sources/locate.js';
import type {ChangeKind, SessionCommand, Snapshot} from '../state/snapshot.js';
import {LiveSession} from './session.js';
import {MachineSession, type MachineTarget} from './machine-session.js';
import {atExit} from './lifecycle.js';
import {fail} from './output.js';
import {App} from '../ui/App.js';
import {initialUiState, type UiState} from '../state/ui-state.js';
import type {SettingsInUse} from '../state/settings.js';
import {saveViewSettings} from '../sources/config-file.js';
import {MOUSE_OFF, MOUSE_ON, mouseFilteredInput} from '../sources/mouse-input.js';
import type {MouseEvent} from '../decode/mouse.js';
import {execFileSync} from 'node:child_process';
import {detectGraphics, shouldAskDeviceAttributes} from '../view/graphics-protocol.js';
import {askDeviceAttributes} from '../sources/terminal-query.js';
import {GraphicsPainter} from '../ui/graphics.js';

const ENTER_ALT_SCREEN = '\u001B[?1049h\u001B[H';
const LEAVE_ALT_SCREEN = '\u001B[?1049l';
const SHOW_CURSOR = '\u001B[?25h';
const CLEAR_SCREEN = '\u001B[2J\u001B[H';

/** What the App needs of a session: the run session and the machine view's both have it. */
type Session = {
	start(): void;
	stop(): void;
	snapshot(): Snapshot;
	subscribe(listener: (kind: ChangeKind) => void): () => void;
	command(command: SessionCommand): void;
};

/**
 * Run the dashboard until the user quits; resolves to the exit code. It shows a run, or this
 * machine (`--system`, or no run found yet): then, when a run appears in a watched folder, the
 * run's session takes over under the same app, starting from the host samples taken so far.
 */
export async function runDashboard(start: {run: RunLocation} | {machine: MachineTarget}, options: Options): Promise<number> {
	// Keys come from stdin: without a terminal there, q could not quit and Ctrl-C would not reach us.
	if (!process.stdin.isTTY) return fail('the live dashboard needs a terminal on stdin for its keys (q quits): run it in a terminal, or use --once for a snapshot');
	let quit = () => {};
	const listeners = new Set<(kind: ChangeKind) => void>();
	const tell = (kind: ChangeKind) => {
		for (const listener of listeners) listener(kind);
	};
	const runSession = (location: RunLocation, machine: MachineSession | null) =>
		new LiveSession(location, {
			intervalMs: options.intervalMs,
			gpu: options.gpu,
			follow: options.follow,
			poll: options.poll,
			hosts: options.hosts,
			onNewAlert: options.bell ? () => process.stdout.write('\u0007') : undefined,
			onQuit: () => quit(),
			initialHost: machine?.hostState(),
		});
	let session: Session;
	if ('run' in start) session = runSession(start.run, null);
	else {
		const machine: MachineSession = new MachineSession({
			...options,
			...start.machine,
			onQuit: () => quit(),
			onRun: location => {
				session = runSession(location, machine);
				session.subscribe(tell);
				session.start();
				tell('run');
			},
		});
		session = machine;
	}
	session.subscribe(tell);
	session.start();
	// Full-resolution images (kitty graphics, sixel) where the terminal speaks them; else half blocks.
	// The device attributes (sixel: 4) are asked before the mouse filter and Ink read stdin.
	const deviceAttributes = shouldAskDeviceAttributes(process.env, options.color) ? await askDeviceAttributes(process.stdin, process.stdout) : null;
	const graphicsMode = detectGraphics(process.env, {color: options.color, tmuxPassthrough: process.env.TMUX ? tmuxPassthrough() : false, deviceAttributes});
	const painter = graphicsMode.kind === 'none' ? null : new GraphicsPainter(graphicsMode, text => process.stdout.write(text));
	// The mouse (on unless --no-mouse or the config file's "mouse": false): its reports are taken
	// out of stdin before Ink reads keys from it.
	const mouseOn = options.mouse && (options.settings?.settings.mouse ?? true);
	const mouseListeners = new Set<(event: MouseEvent) => void>();
	const filtered = mouseOn ? mouseFilteredInput(process.stdin, event => {
		for (const listener of mouseListeners) listener(event);
	}) : null;
	// Alternate screen and mouse reporting, restored on every way out (quit, Ctrl-C, SIGTERM/SIGHUP, a crash).
	process.stdout.write(ENTER_ALT_SCREEN + (mouseOn ? MOUSE_ON : ''));
	const restore = atExit(() => {
		session.stop();
		painter?.close();
		filtered?.close();
		process.stdin.setRawMode?.(false);
		process.stdout.write((mouseOn ? MOUSE_OFF : '') + LEAVE_ALT_SCREEN + SHOW_CURSOR);
	});
	const crash = (error: unknown) => {
		session.stop();
		restore();
		process.stderr.write(`wbtop crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	};
	process.on('uncaughtException', crash);
	process.on('unhandledRejection', crash);
	// After a resize the terminal's content no longer matches the last frame: clear it and let
	// Ink draw the next frame whole (incremental rendering would diff against lines that moved).
	const onResize = () => {
		process.stdout.write(CLEAR_SCREEN);
		painter?.invalidate();
		instance.clear();
	};
	const instance = render(
		<App
			snapshot={() => session.snapshot()}
			subscribe={listener => {
				listeners.add(listener);
				return () => listeners.delete(listener);
			}}
			onCommand={command => session.command(command)}
			paint={options.color ? 'color' : 'mono'}
			// 24-bit colour only where the terminal says so (COLORTERM); else the 256-colour palette.
			colorDepth={/^(truecolor|24bit)$/i.test(process.env.COLORTERM ?? '') ? 'truecolor' : '256'}
			onResize={onResize}
			onGraphic={painter ? (graphic, lines) => painter.show(graphic, lines) : undefined}
			keymap={options.settings?.keymap}
			initialUi={options.settings ? startingUi(options.settings) : undefined}
			onSaveSettings={options.settings ? saveWith(options.settings) : undefined}
			subscribeMouse={
				filtered
					? listener => {
							mouseListeners.add(listener);
							return () => mouseListeners.delete(listener);
						}
					: undefined
			}
		/>,
		{exitOnCtrlC: false, patchConsole: false, maxFps: 10, incrementalRendering: true, ...(filtered ? {stdin: filtered.input as unknown as NodeJS.ReadStream} : {})},
	);
	quit = () => instance.unmount();
	try {
		await instance.waitUntilExit();
	} finally {
		session.stop();
		restore();
	}
	return 0;
}

/** Whether tmux passes escapes through to the outer terminal (`allow-passthrough` on or all); asked once, 500 ms at most. */
function tmuxPassthrough(): boolean {
	try {
		const value = execFileSync('tmux', ['show', '-gv', 'allow-passthrough'], {encoding: 'utf8', timeout: 500, stdio: ['ignore', 'pipe', 'ignore']});
		return /^(on|all)\s*$/.test(value);
	} catch {
		return false;
	}
}

/** The UI state the config file (and flags) start the view in, with the file's problem as the header's notice. */
function startingUi({settings, notice}: SettingsInUse): UiState {
	return {...initialUiState(), xAxis: settings.xAxis, smoothing: settings.smoothing, logScale: settings.logY, palette: settings.palette, shownPanels: settings.panels, grid: settings.grid, notice};
}

/** The save key: the view's settings into the config file (the only file wbtop writes). */
function saveWith(config: SettingsInUse): (ui: UiState) => string {
	return ui => saveViewSettings({file: config.file, shown: config.shown}, {xAxis: ui.xAxis, smoothing: ui.smoothing, logY: ui.logScale, palette: ui.palette});
}
