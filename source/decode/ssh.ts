/**
 * Pure helpers of the remote GPU streams (`--hosts`): the ssh command line and what a failed
 * `ssh HOST nvidia-smi …` means. No I/O here.
 */
import type {RemoteStatus} from './host-events.js';
import {classifySmiFailure} from './nvidia-smi.js';

/**
 * Why a host name is refused, or null when it may be passed to ssh. A name starting with `-`
 * would be read by ssh as an option (`-oProxyCommand=…` runs a command here); whitespace and
 * control characters are never part of a host name or ssh_config alias.
 */
export function hostNameProblem(name: string): string | null {
	if (name === '') return 'an empty host name';
	if (name.startsWith('-')) return `host name '${name}' starts with '-' (ssh would read it as an option)`;
	if (/[\s\u0000-\u001f\u007f]/.test(name)) return `host name ${JSON.stringify(name)} holds whitespace or control characters`;
	return null;
}

/**
 * `ssh` arguments for `nvidia-smi <smiArgs>` on one host: never asks for a password (BatchMode), gives up connecting after
 * 5 s, and shares one connection per host through a ControlMaster socket in `controlDir` (wbtop's
 * runtime dir, never the run dir), so a reconnect or a `--once` call does not pay a new handshake.
 * `--` ends ssh's options (it also reads them after the host otherwise, so nvidia-smi's `--query-gpu`
 * would be taken as one), and the host never starts with `-` (hostNameProblem) in any case.
 */
export function sshArgs(host: string, controlDir: string, smiArgs: readonly string[]): string[] {
	return [
		'-o', 'BatchMode=yes',
		'-o', 'ConnectTimeout=5',
		'-o', 'ControlMaster=auto',
		'-o', `ControlPath=${controlDir}/cm-%C`,
		'-o', 'ControlPersist=60',
		'--', host, 'nvidia-smi', ...smiArgs,
	];
}

/** A failed remote call in words: its state, the panel's text, and whether retrying can help. */
export type RemoteFailure = {status: RemoteStatus; message: string; retry: boolean};

/**
 * Classifies a failed `ssh HOST nvidia-smi …` from its exit code and text (stdout and stderr).
 * ssh itself exits 255 (unreachable, authentication refused); 127 is the remote shell's "command
 * not found"; anything else is nvidia-smi's own failure, classified as for the local stream.
 */
export function classifySshFailure(failure: {exitCode?: number | undefined; code?: string | undefined; timedOut?: boolean; output: string}): RemoteFailure {
	const {exitCode} = failure;
	// ssh's own warnings say nothing about the failure.
	const output = failure.output
		.split('\n')
		.filter(l => !/^(Warning: Permanently added|ControlSocket .* already exists|mux_client_|Control socket connect)/i.test(l.trim()))
		.join('\n');
	if (failure.code === 'ENOENT') return {status: 'unreachable', message: 'ssh not found on this machine', retry: false};
	if (failure.timedOut) return {status: 'unreachable', message: 'ssh timed out', retry: true};
	if (/Permission denied|Too many authentication failures|Host key verification failed/i.test(output)) {
		return {status: 'auth-refused', message: `authentication refused: ${sshLine(output, /Permission denied|Too many authentication|Host key verification/i)}`, retry: true};
	}
	if (exitCode === 255 || /Could not resolve hostname|Connection refused|Connection timed out|No route to host|Network is unreachable|Connection closed by|kex_exchange_identification/i.test(output)) {
		return {status: 'unreachable', message: `unreachable: ${sshLine(output, /ssh:|Connection|resolve|route|unreachable|timed out/i) || `ssh exited with code ${exitCode ?? '?'}`}`, retry: true};
	}
	if (exitCode === 127 || /nvidia-smi: (command )?not found|command not found/i.test(output)) {
		return {status: 'no-nvidia-smi', message: 'no nvidia-smi on this host', retry: false};
	}
	const smi = classifySmiFailure({exitCode, output});
	if (smi.status === 'unavailable') return {status: 'no-nvidia-smi', message: smi.message, retry: false};
	return {status: 'driver-error', message: smi.message, retry: true};
}

/** The line of ssh's text that says what went wrong (the first matching one), trimmed. */
function sshLine(text: string, pattern: RegExp): string {
	const lines = text.split('\n').map(l => l.trim()).filter(l => l !== '' && !/^Warning: Permanently added/i.test(l));
	return (lines.find(l => pattern.test(l)) ?? lines[0] ?? '').slice(0, 200);
}
