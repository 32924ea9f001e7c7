/** Runs the real binary inside tmux at a given size, to see the screen a user sees. */
import {execFileSync, spawnSync} from 'node:child_process';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

export type Pane = {
	/** Run a tmux command on this pane's own server (each pane has one, so no state leaks between tests). */
	tmux(...args: string[]): string;
	/** The pane's id (`%N`), for commands that need a pane target. */
	id(): string;
	screen(): string;
	/** The screen with its colours, as ANSI escape sequences. */
	screenWithColors(): string;
	keys(...keys: string[]): void;
	/** Poll the screen until `test` passes (or throw with the last screen). */
	waitFor(test: (screen: string) => boolean, timeoutMs?: number): Promise<string>;
	alive(): boolean;
	resize(columns: number, rows: number): void;
	kill(): void;
};

let counter = 0;

/** Start `command` in a detached tmux session of `columns` x `rows`. */
export function startPane(command: string, columns: number, rows: number, env: Record<string, string> = {}): Pane {
	const name = `wbtop-test-${process.pid}-${counter++}-${Date.now() % 100_000}`;
	// Each pane gets its own tmux server: buffers, options and clipboard writes from one test (or a
	// broken build tried earlier) can never be seen by another. The server exits with its session.
	const socket = ['-L', name];
	const envArgs = Object.entries({CI: '', ...env}).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
	// A tmux server that is just exiting (its last session was killed) can refuse a new session: retry.
	for (let attempt = 0; ; attempt++) {
		const started = spawnSync('tmux', [...socket, '-f', '/dev/null', 'new-session', '-d', '-s', name, '-x', String(columns), '-y', String(rows), ...envArgs, command], {encoding: 'utf8'});
		if (started.status === 0) break;
		if (attempt >= 5) throw new Error(`tmux new-session failed: ${started.stderr}`);
		spawnSync('sleep', ['0.2']);
	}
	execFileSync('tmux', [...socket, 'set-option', '-t', name, 'remain-on-exit', 'on']);
	const tmux = (...args: string[]) => execFileSync('tmux', [...socket, ...args], {encoding: 'utf8'});
	return {
		tmux: (...args) => tmux(...args).trim(),
		id: () => tmux('display-message', '-p', '-t', name, '#{pane_id}').trim(),
		screen: () => tmux('capture-pane', '-p', '-t', name),
		screenWithColors: () => tmux('capture-pane', '-p', '-e', '-t', name),
		keys: (...keys) => void tmux('send-keys', '-t', name, ...keys),
		async waitFor(test, timeoutMs = 10_000) {
			const end = Date.now() + timeoutMs;
			let screen = '';
			while (Date.now() < end) {
				screen = tmux('capture-pane', '-p', '-t', name);
				if (test(screen)) return screen;
				await new Promise(resolve => setTimeout(resolve, 100));
			}
			throw new Error(`timed out waiting; screen was:\n${screen}`);
		},
		resize: (columns, rows) => void tmux('resize-window', '-t', name, '-x', String(columns), '-y', String(rows)),
		alive: () => tmux('display-message', '-p', '-t', name, '#{pane_dead}').trim() === '0',
		kill: () => {
			spawnSync('tmux', [...socket, 'kill-server']);
		},
	};
}
