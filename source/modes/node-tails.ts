/**
 * The live session's readers of a shared-mode run's other writers: one RunTail per node dir (each
 * dir's log is followed on its own, as the primary's is) and one OutputLogSource (its
 * `files/output_<label>.log`, while its log has no console records). Their events go to
 * state/nodes.ts through `fold`; nothing here touches the run's own state.
 */
import type {RunEvent} from '../decode/run-events.js';
import type {RunLocation} from '../sources/locate.js';
import {OutputLogSource} from '../sources/output-log.js';
import {RunTail} from '../sources/run-tail.js';

export type NodeTailsOptions = {
	poll: boolean;
	/** Events read from the node in `dir`. */
	fold: (dir: string, events: readonly RunEvent[]) => void;
	/** The node's log was replaced or truncated: its state starts over. */
	reset: (dir: string) => void;
	/** Whether the node's console comes from its console file (no console records in its log yet). */
	consoleFromFile: (dir: string) => boolean;
};

/** Follows the nodes' dirs until stop(). */
export class NodeTails {
	private readonly nodes = new Map<string, {tail: RunTail; outputLog: OutputLogSource}>();
	private stopped = false;

	constructor(private readonly options: NodeTailsOptions) {}

	/** The dirs followed. */
	dirs(): string[] {
		return [...this.nodes.keys()];
	}

	/** Follows one more node (a dir already followed is left as it is). */
	add(location: RunLocation): void {
		const dir = location.runDir;
		if (this.stopped || this.nodes.has(dir)) return;
		const {fold, reset, consoleFromFile} = this.options;
		fold(dir, []); // the node shows (empty) before its first read
		const outputLog = new OutputLogSource(dir, {active: () => consoleFromFile(dir), onEvents: events => !this.stopped && fold(dir, events)});
		const tail = new RunTail(location, {
			poll: this.options.poll,
			onEvents: events => !this.stopped && fold(dir, events),
			onReset: () => {
				if (this.stopped) return;
				reset(dir);
				outputLog.restart();
			},
			onProgress: ({position, size, caughtUp}) => !this.stopped && fold(dir, [{type: 'read-progress', position, size, caughtUp, since: 0}]),
		});
		this.nodes.set(dir, {tail, outputLog});
		tail.start();
		outputLog.start();
	}

	stop(): void {
		this.stopped = true;
		for (const {tail, outputLog} of this.nodes.values()) {
			tail.stop();
			outputLog.stop();
		}
		this.nodes.clear();
	}
}
