/**
 * A real OpenSSH server on 127.0.0.1 for the `--hosts` tests: generated host and user keys, a
 * generated sshd_config, and an ssh_config whose aliases are the "nodes". Every session runs
 * through a ForceCommand wrapper that puts the nvidia-smi stand-in on PATH (or not), chosen by the
 * alias (SetEnv WBTOP_TEST_NODE). Nothing outside 127.0.0.1 is contacted.
 *
 * Aliases: hostA hostB hostE (the stand-in, hostE with 8 GPUs), hostAuth (a key the server does
 * not accept), hostMissing (no nvidia-smi: the shell's exit 127), hostHang (the stand-in's hang
 * mode), hostDown (a port with nothing listening), node-<anything> (8 GPUs, all through one connection).
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir, userInfo} from 'node:os';
import {dirname, join} from 'node:path';
import {ROOT} from './fixtures.js';

export const SSHD = '/usr/sbin/sshd';
/** Loopback addresses sshd listens on, one per alias. */
const ADDRESSES = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7'];
const FAKE_DIR = join(ROOT, 'test', 'fixtures', 'fake-nvidia-smi');

export type TestSshd = {
	dir: string;
	/** Environment for wbtop: PATH starts with an `ssh` that reads the generated ssh_config; XDG_RUNTIME_DIR is the test's. */
	env: NodeJS.ProcessEnv;
	/** Pids of the stand-in's invocations so far (from its log). */
	smiPids(): number[];
	/** The ssh calls so far whose arguments name `host` (the -O exit calls of stop() aside). */
	sshCalls(host: string): number;
	stop(): Promise<void>;
};

/** A free TCP port on 127.0.0.1 (listened on and closed again). */
export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
		});
	});
}

/** Why sshd cannot be started here, or null. */
export function sshdUnavailable(): string | null {
	if (!existsSync(SSHD)) return `${SSHD} not installed (apt-get install openssh-server)`;
	if (spawnSync('ssh-keygen', ['-?']).error) return 'ssh-keygen not installed';
	if (spawnSync('ssh', ['-V']).error) return 'ssh not installed';
	return null;
}

/** Starts sshd; resolves once it accepts connections. Throws with sshd's own words when it cannot. */
export async function startSshd(): Promise<TestSshd> {
	const dir = mkdtempSync(join(tmpdir(), 'wbtop-sshd-'));
	chmodSync(dir, 0o700);
	const keygen = (file: string) => {
		const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, file)]);
		if (r.status !== 0) throw new Error(`ssh-keygen: ${String(r.stderr)}`);
	};
	keygen('host_key');
	keygen('user_key');
	keygen('other_key');
	writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_key.pub')));
	const port = await freePort();
	const downPort = await freePort();
	const nodeDir = dirname(process.execPath);
	const smiLog = join(dir, 'smi.log');
	writeFileSync(
		join(dir, 'remote.sh'),
		`#!/bin/sh
export FAKE_NVIDIA_SMI_LOG='${smiLog}'
case "$WBTOP_TEST_NODE" in
	missing) PATH=/nonexistent ;;
	hang) PATH='${FAKE_DIR}:${nodeDir}':/usr/bin:/bin; export FAKE_NVIDIA_SMI_MODE=hang ;;
	gpus8) PATH='${FAKE_DIR}:${nodeDir}':/usr/bin:/bin; export FAKE_NVIDIA_SMI_MODE=gpus8 ;;
	*) PATH='${FAKE_DIR}:${nodeDir}':/usr/bin:/bin ;;
esac
export PATH
exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"
`,
	);
	chmodSync(join(dir, 'remote.sh'), 0o755);
	writeFileSync(
		join(dir, 'sshd_config'),
		[
			`Port ${port}`,
			// One address per alias (all on lo): each is its own host to ssh, with its own ControlMaster.
			...ADDRESSES.map(a => `ListenAddress ${a}`),
			`HostKey ${join(dir, 'host_key')}`,
			`PidFile ${join(dir, 'sshd.pid')}`,
			`AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
			'PermitRootLogin yes',
			'StrictModes no',
			'PasswordAuthentication no',
			'KbdInteractiveAuthentication no',
			'UsePAM no',
			'AcceptEnv WBTOP_TEST_NODE',
			`ForceCommand ${join(dir, 'remote.sh')}`,
			'LogLevel ERROR',
			// node-1 … node-64 share one connection (one ControlMaster): a session each.
			'MaxSessions 200',
			'MaxStartups 200',
			'',
		].join('\n'),
	);
	const user = userInfo().username;
	let next = 0;
	const alias = (name: string, node: string, key = 'user_key', p = port) =>
		[`Host ${name}`, `  HostName ${ADDRESSES[next++]}`, `  SetEnv WBTOP_TEST_NODE=${node}`, `  IdentityFile ${join(dir, key)}`, `  Port ${p}`].join('\n');
	writeFileSync(
		join(dir, 'ssh_config'),
		[
			alias('hostA', 'ok'),
			alias('hostB', 'ok'),
			alias('hostE', 'gpus8'),
			alias('hostAuth', 'ok', 'other_key'),
			alias('hostMissing', 'missing'),
			alias('hostHang', 'hang'),
			alias('hostDown', 'ok', 'user_key', downPort),
			[`Host node-*`, '  HostName 127.0.0.1', '  SetEnv WBTOP_TEST_NODE=gpus8', `  IdentityFile ${join(dir, 'user_key')}`, `  Port ${port}`].join('\n'),
			'Host *',
			`  User ${user}`,
			'  IdentitiesOnly yes',
			'  StrictHostKeyChecking no',
			'  UserKnownHostsFile /dev/null',
			'  LogLevel ERROR',
			'',
		].join('\n'),
	);
	const bin = join(dir, 'bin');
	mkdirSync(bin);
	// Logs each call (its pid and arguments) so tests can count connection attempts.
	writeFileSync(join(bin, 'ssh'), `#!/bin/sh\necho "$$ $*" >> '${join(dir, 'ssh.log')}'\nexec /usr/bin/ssh -F '${join(dir, 'ssh_config')}' "$@"\n`);
	chmodSync(join(bin, 'ssh'), 0o755);
	const runtime = join(dir, 'runtime');
	mkdirSync(runtime, {mode: 0o700});
	// sshd wants its privilege separation dir (root only).
	if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', {recursive: true, mode: 0o755});
	const sshd: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], {stdio: ['ignore', 'ignore', 'pipe']});
	let stderr = '';
	sshd.stderr?.on('data', chunk => (stderr += String(chunk)));
	const env = {...process.env, PATH: `${bin}:${process.env.PATH}`, XDG_RUNTIME_DIR: runtime};
	const stop = async () => {
		// The ControlMaster processes wbtop's ssh left (ControlPersist), then the server and the stand-ins it ran.
		for (const host of ['hostA', 'hostB', 'hostE', 'hostAuth', 'hostMissing', 'hostHang', 'hostDown']) {
			spawnSync(join(bin, 'ssh'), ['-o', `ControlPath=${join(runtime, 'wbtop')}/cm-%C`, '-O', 'exit', host], {stdio: 'ignore', timeout: 5000});
		}
		sshd.kill('SIGTERM');
		for (const pid of smiPids()) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {}
		}
		rmSync(dir, {recursive: true, force: true});
	};
	const smiPids = () =>
		existsSync(smiLog)
			? readFileSync(smiLog, 'utf8').split('\n').map(line => Number(line.split(' ')[0])).filter(pid => Number.isInteger(pid) && pid > 0)
			: [];
	// Ready when a connection gets through (or sshd died: its words are the reason).
	const deadline = Date.now() + 10_000;
	for (;;) {
		if (sshd.exitCode !== null) {
			rmSync(dir, {recursive: true, force: true});
			throw new Error(`sshd exited: ${stderr.trim()}`);
		}
		const probe = spawnSync(join(bin, 'ssh'), ['-o', 'BatchMode=yes', 'hostA', 'true'], {encoding: 'utf8', timeout: 5000});
		if (probe.status === 0) break;
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`sshd did not accept a connection: ${stderr.trim()} ${probe.stderr}`);
		}
		await new Promise(resolve => setTimeout(resolve, 100));
	}
	const sshCalls = (host: string) =>
		existsSync(join(dir, 'ssh.log')) ? readFileSync(join(dir, 'ssh.log'), 'utf8').split('\n').filter(line => line.split(' ').includes(host) && !line.includes(' -O ')).length : 0;
	return {dir, env, smiPids, sshCalls, stop};
}
