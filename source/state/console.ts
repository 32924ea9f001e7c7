/**
 * The run's console as a terminal would show it, built incrementally from raw chunks.
 *
 * Chunks arrive as the process wrote them: several lines, half a line, tqdm's `\r`-redrawn bars,
 * ANSI colours, `\r\n`. Per stream we keep the unfinished line with `\r` applied as it arrives:
 * text after a `\r` replaces the line, like a terminal whose next write covers the whole line
 * (which is what progress bars do). Completed lines are kept in a ring. Lines stay as the process
 * wrote them (escape sequences included): the view sanitizes what it draws.
 */

export type ConsoleStream = 'stdout' | 'stderr';

/** One line as written (`\r` applied, at most MAX_LINE_CHARS UTF-16 units). */
export type ConsoleLine = {readonly text: string; readonly stream: ConsoleStream};

/**
 * Longest line kept, in UTF-16 units (escape codes count). 5,000 lines of it bound the ring to
 * ~40 MB at worst; a longer line is cut (an escape sequence cut in half is dropped when drawn).
 */
export const MAX_LINE_CHARS = 4096;
// An unfinished line may grow a little further before it is cut, so `\r` redraws stay exact.
const MAX_RAW_CHARS = MAX_LINE_CHARS * 2;

type Pending = {
	/** Raw text of the unfinished line, `\r` already applied. */
	raw: string;
	/** A `\r` came last: the next content replaces `raw`. */
	carriage: boolean;
	/** Display form of `raw`, computed on demand. */
	shown: ConsoleLine | null;
	/** Order of the last update, so the livelier pending line is drawn last. */
	touched: number;
};

function cap(text: string): string {
	if (text.length <= MAX_LINE_CHARS) return text;
	// Do not cut a surrogate pair in half.
	const code = text.charCodeAt(MAX_LINE_CHARS - 1);
	return text.slice(0, code >= 0xd800 && code <= 0xdbff ? MAX_LINE_CHARS - 1 : MAX_LINE_CHARS);
}

/** An incremental, bounded console model (a ring of completed lines plus the live unfinished ones). */
export class ConsoleBuffer {
	readonly maxLines: number;
	private ring: ConsoleLine[] = [];
	/** Index of the oldest line in `ring` once it is full. */
	private start = 0;
	private completedCount = 0;
	private changes = 0;
	private touches = 0;
	private pending: Record<ConsoleStream, Pending> = {
		stdout: {raw: '', carriage: false, shown: null, touched: 0},
		stderr: {raw: '', carriage: false, shown: null, touched: 0},
	};

	constructor(maxLines = 5000) {
		this.maxLines = Math.max(1, Math.floor(maxLines));
	}

	/** Feed a raw chunk as the process wrote it. */
	append(stream: ConsoleStream, chunk: string): void {
		if (chunk.length === 0) return;
		const state = this.pending[stream];
		let from = 0;
		for (;;) {
			const newline = chunk.indexOf('\n', from);
			const end = newline === -1 ? chunk.length : newline;
			if (end > from) this.feed(state, chunk.slice(from, end));
			if (newline === -1) break;
			this.push(stream, state.raw);
			state.raw = '';
			state.carriage = false;
			from = newline + 1;
		}
		state.shown = null;
		state.touched = ++this.touches;
		this.changes++;
	}

	/**
	 * Feed whole lines (OutputLoggerRecord: `run.write_logs`, captured `logging` records): each
	 * becomes a completed line of its own, as wandb-core's console model puts it, and the stream's
	 * unfinished line (a progress bar mid-redraw) stays as it was. `\r` inside a line applies.
	 */
	appendLines(stream: ConsoleStream, text: string): void {
		if (text.length === 0) return;
		const lines = text.split('\n');
		if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop(); // the SDK's trailing newline
		for (const line of lines) {
			const state: Pending = {raw: '', carriage: false, shown: null, touched: 0};
			this.feed(state, line);
			this.push(stream, state.raw);
		}
		this.changes++;
	}

	/** An independent copy (lines are immutable and shared). */
	clone(): ConsoleBuffer {
		const copy = new ConsoleBuffer(this.maxLines);
		copy.ring = [...this.ring];
		copy.start = this.start;
		copy.completedCount = this.completedCount;
		copy.changes = this.changes;
		copy.touches = this.touches;
		copy.pending = {stdout: {...this.pending.stdout}, stderr: {...this.pending.stderr}};
		return copy;
	}

	/** Forget the stream's unfinished line (it is about to be sent again, maybe rewritten). */
	dropUnfinished(stream: ConsoleStream): void {
		const state = this.pending[stream];
		if (state.raw.length === 0 && !state.carriage) return;
		state.raw = '';
		state.carriage = false;
		state.shown = null;
		this.changes++;
	}

	/** Apply a piece of one line (no `\n`) to the unfinished line. */
	private feed(state: Pending, piece: string): void {
		const parts = piece.split('\r');
		for (let k = 0; k < parts.length; k++) {
			const part = parts[k];
			if (k > 0) state.carriage = true;
			if (part.length === 0) continue;
			if (state.carriage) {
				state.raw = part;
				state.carriage = false;
			} else if (state.raw.length < MAX_RAW_CHARS) {
				state.raw += part;
			}
			if (state.raw.length > MAX_RAW_CHARS) state.raw = state.raw.slice(0, MAX_RAW_CHARS);
		}
	}

	private push(stream: ConsoleStream, raw: string): void {
		const line: ConsoleLine = {text: cap(raw), stream};
		this.completedCount++;
		if (this.ring.length < this.maxLines) {
			this.ring.push(line);
		} else {
			this.ring[this.start] = line;
			this.start = (this.start + 1) % this.maxLines;
		}
	}

	/** Completed lines ever (including those dropped from the ring); never decreases. */
	get totalLines(): number {
		return this.completedCount;
	}

	/** Bumps on every append, for memoizing views. */
	get version(): number {
		return this.changes;
	}

	/** Completed lines kept (oldest first) and then the unfinished lines (e.g. a live progress bar). */
	lines(): ConsoleLine[] {
		const out = this.completed();
		for (const line of this.unfinished()) out.push(line);
		return out;
	}

	/**
	 * Completed lines kept, oldest first, without the unfinished ones: the last
	 * `totalLines - seenBefore` of these are the lines new since an earlier `totalLines`.
	 */
	completed(): ConsoleLine[] {
		return this.ring.slice(this.start).concat(this.ring.slice(0, this.start));
	}

	/**
	 * The completed lines new since an earlier `totalLines` (those still in the ring, oldest
	 * first) and the unfinished ones: what an incremental reader of the console looks at.
	 */
	since(seenTotal: number): {completed: ConsoleLine[]; unfinished: ConsoleLine[]} {
		const fresh = Math.min(this.ring.length, Math.max(0, this.completedCount - seenTotal));
		const completed: ConsoleLine[] = [];
		for (let k = this.ring.length - fresh; k < this.ring.length; k++) completed.push(this.ring[(this.start + k) % this.ring.length]);
		return {completed, unfinished: this.unfinished()};
	}

	/** The last `n` visible lines (what a panel of n rows shows), without copying the whole ring. */
	tail(n: number): ConsoleLine[] {
		const live = this.unfinished();
		const fromRing = Math.max(0, Math.min(this.ring.length, n - live.length));
		const out: ConsoleLine[] = [];
		for (let k = this.ring.length - fromRing; k < this.ring.length; k++) {
			out.push(this.ring[(this.start + k) % this.ring.length]);
		}
		for (const line of live.slice(Math.max(0, live.length - n))) out.push(line);
		return out;
	}

	private unfinished(): ConsoleLine[] {
		const live: Pending[] = [];
		for (const stream of ['stdout', 'stderr'] as const) {
			const state = this.pending[stream];
			if (state.raw.length === 0) continue;
			state.shown ??= {text: cap(state.raw), stream};
			live.push(state);
		}
		live.sort((a, b) => a.touched - b.touched);
		return live.map(state => state.shown as ConsoleLine);
	}
}
