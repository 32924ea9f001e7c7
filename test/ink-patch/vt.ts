/**
 * A tiny VT emulator: enough of xterm for what Ink's log-update writes. Printable text (wide
 * characters take two cells, combining marks join the previous cell), '\n' as CR LF (the tty's
 * ONLCR), '\r', CSI n A (0 counts as 1), CSI n B, CSI E, CSI n G, CSI K / 0 K (from the cursor
 * column inclusive), CSI 2K, the pending-wrap rule (after the last column the cursor stays there
 * until the next printable character), scrolling at the bottom; SGR, DEC private modes (2026,
 * cursor show/hide) and OSC are ignored. SGR is tracked per cell (`styles`), with its own small
 * model of the codes (independent of the patch's). Anything else throws, so a new sequence is noticed.
 */
import stringWidth from 'string-width';

const segmenter = new Intl.Segmenter(undefined, {granularity: 'grapheme'});

export class Screen {
	readonly cells: string[][];
	/** The SGR state each cell was written with ('' for the default). */
	readonly styles: string[][];
	private style = new Map<string, string>();
	private key: string | null = '';
	row = 0;
	column = 0;
	private pendingWrap = false;
	/** Rows scrolled off the top. */
	scrolled = 0;

	constructor(
		readonly columns: number,
		readonly rows: number,
	) {
		this.cells = Array.from({length: rows}, () => this.blankRow());
		this.styles = Array.from({length: rows}, () => this.blankRow().map(() => ''));
	}

	/** The current SGR state as a string: a key per attribute slot (fg, bg, bold, ...), sorted. */
	private styleKey(): string {
		this.key ??= [...this.style].sort(([a], [b]) => a.localeCompare(b)).map(([slot, value]) => `${slot}=${value}`).join(',');
		return this.key;
	}

	private sgr(parameters: string) {
		this.key = null;
		const codes = parameters === '' ? [0] : parameters.split(';').map(Number);
		const flags: Record<number, string> = {1: 'bold', 2: 'dim', 3: 'italic', 4: 'underline', 5: 'blink', 7: 'inverse', 8: 'hidden', 9: 'strike'};
		for (let i = 0; i < codes.length; i++) {
			const code = codes[i];
			if (code === 0) this.style.clear();
			else if (flags[code]) this.style.set(flags[code], 'on');
			else if (code === 22) {
				this.style.delete('bold');
				this.style.delete('dim');
			} else if (code > 22 && code < 30 && flags[code - 20]) this.style.delete(flags[code - 20]);
			else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) this.style.set('fg', String(code));
			else if ((code >= 40 && code <= 47) || (code >= 100 && code <= 107)) this.style.set('bg', String(code));
			else if (code === 39) this.style.delete('fg');
			else if (code === 49) this.style.delete('bg');
			else if (code === 38 || code === 48) {
				const length = codes[i + 1] === 5 ? 2 : codes[i + 1] === 2 ? 4 : 0;
				// Incomplete (ESC[38;5m): xterm ignores the rest of the sequence.
				if (length === 0 || i + length >= codes.length) break;
				this.style.set(code === 38 ? 'fg' : 'bg', codes.slice(i + 1, i + 1 + length).join(':'));
				i += length;
			}
			// Any other code (ESC[12345m) is ignored, as terminals do.
		}
	}

	private blankRow(): string[] {
		return Array.from({length: this.columns}, () => ' ');
	}

	private lineFeed() {
		if (this.row === this.rows - 1) {
			this.cells.shift();
			this.cells.push(this.blankRow());
			this.styles.shift();
			this.styles.push(this.blankRow().map(() => ''));
			this.scrolled++;
		} else {
			this.row++;
		}
	}

	private put(grapheme: string) {
		const width = stringWidth(grapheme);
		if (width === 0) {
			// Joins the character before the cursor.
			const column = this.pendingWrap ? this.column : this.column - 1;
			if (column >= 0) this.cells[this.row][column] += grapheme;
			return;
		}
		if (this.pendingWrap || this.column + width > this.columns) {
			this.column = 0;
			this.pendingWrap = false;
			this.lineFeed();
		}
		this.cells[this.row][this.column] = grapheme;
		this.styles[this.row][this.column] = this.styleKey();
		if (width === 2) this.cells[this.row][this.column + 1] = '';
		if (this.column + width >= this.columns) {
			this.column = this.columns - 1;
			this.pendingWrap = true;
		} else {
			this.column += width;
		}
	}

	private eraseRow(from: number) {
		const row = this.cells[this.row];
		// A wide character cut in half leaves a blank.
		if (from > 0 && row[from] === '') row[from - 1] = ' ';
		for (let column = from; column < this.columns; column++) {
			row[column] = ' ';
			// Erased cells take the background only; nothing here draws one, so: the default.
			this.styles[this.row][column] = '';
		}
	}

	write(data: string): void {
		let index = 0;
		let text = '';
		const flush = () => {
			for (const {segment} of segmenter.segment(text)) this.put(segment);
			text = '';
		};
		while (index < data.length) {
			const character = data[index];
			if (character === '\u001B') {
				flush();
				index = this.escape(data, index);
				continue;
			}
			if (character === '\n') {
				flush();
				this.column = 0;
				this.pendingWrap = false;
				this.lineFeed();
			} else if (character === '\r') {
				flush();
				this.column = 0;
				this.pendingWrap = false;
			} else if (character < ' ') {
				throw new Error(`control character ${JSON.stringify(character)} at ${index} of ${JSON.stringify(data)}`);
			} else {
				text += character;
			}
			index++;
		}
		flush();
	}

	/** Handle the escape sequence at `index`; returns the index after it. */
	private escape(data: string, index: number): number {
		const next = data[index + 1];
		if (next === ']') {
			const end = data.indexOf('\u0007', index);
			if (end === -1) throw new Error(`unterminated OSC in ${JSON.stringify(data)}`);
			return end + 1;
		}
		if (next !== '[') throw new Error(`unsupported escape ${JSON.stringify(data.slice(index, index + 4))}`);
		const match = /^\u001B\[([?]?)([\d;:]*)([A-Za-z])/.exec(data.slice(index));
		if (!match) throw new Error(`malformed CSI ${JSON.stringify(data.slice(index, index + 12))}`);
		const [sequence, privateMarker, parameters, final] = match;
		const n = parameters === '' ? 0 : Number(parameters.split(';')[0]);
		const end = index + sequence.length;
		if (privateMarker === '?') {
			if (final !== 'h' && final !== 'l') throw new Error(`unsupported ${JSON.stringify(sequence)}`);
			return end;
		}
		switch (final) {
			case 'm':
				this.sgr(parameters);
				break;
			case 'A':
				this.row = Math.max(0, this.row - Math.max(1, n));
				this.pendingWrap = false;
				break;
			case 'B':
				this.row = Math.min(this.rows - 1, this.row + Math.max(1, n));
				this.pendingWrap = false;
				break;
			case 'E':
				this.row = Math.min(this.rows - 1, this.row + Math.max(1, n));
				this.column = 0;
				this.pendingWrap = false;
				break;
			case 'G':
				this.column = Math.min(this.columns - 1, Math.max(1, n) - 1);
				this.pendingWrap = false;
				break;
			case 'K':
				if (n === 0) this.eraseRow(this.column);
				else if (n === 2) this.eraseRow(0);
				else throw new Error(`unsupported ${JSON.stringify(sequence)}`);
				this.pendingWrap = false;
				break;
			default:
				throw new Error(`unsupported CSI ${JSON.stringify(sequence)}`);
		}
		return end;
	}

	/** Each row as text with every cell's style: `[style]c` per cell whose style is not the default. */
	styledLines(): string[] {
		return this.cells.map((row, y) => row.map((cell, x) => (this.styles[y][x] === '' ? cell : `[${this.styles[y][x]}]${cell}`)).join('').trimEnd());
	}

	/** The screen's rows, trailing blanks trimmed (what `tmux capture-pane -p` shows). */
	lines(): string[] {
		return this.cells.map(row => row.join('').trimEnd());
	}
}

/** The visible text of a frame's lines (SGR removed), as the screen shows them. */
export function visible(frame: string): string[] {
	return frame.split('\n').map(line => line.replace(/\u001B\[[\d;:]*m/g, '').trimEnd());
}
