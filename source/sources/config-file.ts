/**
 * The config file, `$XDG_CONFIG_HOME/wbtop/config.json` (else `~/.config/wbtop/config.json`):
 * read like a side file (non-blocking, regular files only, at most 64 KiB), and written by the
 * save key atomically (a temp file in the same folder, then rename), creating the folder. This is
 * the only file wbtop writes, and never anywhere else.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {parseSettings, savedSettingsText, type ParsedSettings, type ViewSettings} from '../state/settings.js';
import {readSideText} from './side-file.js';

/** A config file is a few hundred bytes; anything past this is not one. */
export const MAX_CONFIG_BYTES = 64 * 1024;

export type ConfigLocation = {
	file: string;
	/** The path as the user writes it: `~/.config/wbtop/config.json`. */
	shown: string;
};

/** Where the config file is: XDG_CONFIG_HOME when it is an absolute path (the XDG rule), else ~/.config. */
export function configLocation(env: NodeJS.ProcessEnv = process.env): ConfigLocation {
	const home = env.HOME || os.homedir();
	const xdg = env.XDG_CONFIG_HOME;
	const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.config');
	const file = path.join(base, 'wbtop', 'config.json');
	const shown = home && file.startsWith(home.replace(/\/$/, '') + '/') ? `~/${file.slice(home.replace(/\/$/, '').length + 1)}` : file;
	return {file, shown};
}

/** Read and check the config file; a missing one is the defaults, an unreadable one is one problem. */
export function readConfig(location: ConfigLocation): ParsedSettings {
	const read = readSideText(location.file, {maxBytes: MAX_CONFIG_BYTES, name: location.shown});
	if (!read.ok) {
		const problems = read.reason === 'missing' ? [] : [`${read.message}; using the defaults`];
		return {...parseSettings('', location.shown), problems};
	}
	return parseSettings(read.text, location.shown);
}

/**
 * Save the view's settings into the config file, keeping its other entries; returns the line the
 * header shows (what was saved where, or why not).
 */
export function saveViewSettings(location: ConfigLocation, view: ViewSettings): string {
	let old: string | null = null;
	const read = readSideText(location.file, {maxBytes: MAX_CONFIG_BYTES, name: location.shown});
	if (read.ok) old = read.text;
	else if (read.reason !== 'missing') return `not saved: ${read.message}`;
	const text = savedSettingsText({text: old}, view);
	if (text === null) return `not saved: ${location.shown} is not a JSON object; fix or remove it first`;
	const dir = path.dirname(location.file);
	const temp = path.join(dir, `.config.json.${process.pid}.tmp`);
	try {
		fs.mkdirSync(dir, {recursive: true, mode: 0o700});
		fs.writeFileSync(temp, text, {mode: 0o600, flag: 'w'});
		fs.renameSync(temp, location.file);
	} catch (error) {
		try {
			fs.rmSync(temp, {force: true});
		} catch {
			// nothing to clean up
		}
		return `not saved to ${location.shown}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
	}
	return `saved to ${location.shown}: x-axis ${view.xAxis ?? 'default'}, smoothing ${view.smoothing}, log y ${view.logY ? 'on' : 'off'}, palette ${view.palette}`;
}
