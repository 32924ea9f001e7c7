/** `--hosts slurm`: the Slurm job's nodes, from `scontrol show hostnames "$SLURM_JOB_NODELIST"`. */
import {hostname} from 'node:os';
import {execa} from 'execa';
import {hostNameProblem} from '../decode/ssh.js';

/**
 * The job's node names, this machine left out (its GPUs are the local stream's). Throws an Error
 * whose message is one line for the user: not in a job, no scontrol, or what scontrol said.
 */
export async function slurmHosts(env: NodeJS.ProcessEnv = process.env, scontrol = 'scontrol'): Promise<string[]> {
	const nodeList = env.SLURM_JOB_NODELIST ?? env.SLURM_NODELIST;
	if (!nodeList) throw new Error("--hosts slurm: SLURM_JOB_NODELIST is not set (run it inside a Slurm job, or give --hosts node1,node2,...)");
	const result = await execa(scontrol, ['show', 'hostnames', nodeList], {reject: false, stdin: 'ignore', timeout: 10_000, env});
	if ((result as {code?: string}).code === 'ENOENT') throw new Error("--hosts slurm: scontrol not found (Slurm's commands are not on PATH)");
	if (result.exitCode !== 0) throw new Error(`--hosts slurm: scontrol failed: ${String(result.stderr).trim().split('\n')[0] || `exit code ${result.exitCode}`}`);
	const self = new Set([hostname(), hostname().split('.')[0]]);
	const names = String(result.stdout).split('\n').map(line => line.trim()).filter(name => name !== '' && !self.has(name));
	for (const name of names) {
		const problem = hostNameProblem(name);
		if (problem) throw new Error(`--hosts slurm: refused ${problem}`);
	}
	return names;
}
