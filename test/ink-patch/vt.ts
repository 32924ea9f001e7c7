/**
 * A tiny VT emulator: enough of xterm for what Ink's log-update writes. Printable text (wide
 * characters take two cells, combining marks join the previous cell), '\n' as CR LF (the tty's
 * ONLCR), '\r', CSI n A (0 counts as 1), CSI n B, CSI E, CSI n G, CSI K / 0 K (from the cursor
 * column inclusive), CSI 2K, the pending-wrap rule (after the last column the cursor stays there
 * until the next printable character), scrolling at the bottom; SGR, DEC private modes (2026,
 * cursor show/hide) and OSC are ignored. Anything else throws, so a new sequence is noticed.
 */
import stringWidth from 'string-width';

const segmenter = new Intl.Segmenter(undefined, {granularity: 'grapheme'});

export class Screen {
	readonly cells: string[][];
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
	}

	private blankRow(): string[] {
		return Array.from({length: this.columns}, () => ' ');
	}

	private lineFeed() {
		if (this.row === this.rows - 1) {
			this.cells.shift();
			this.cells.push(this.blankRow());
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
		for (let column = from; column < this.columns; column++) row[column] = ' ';
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

	/** The screen's rows, trailing blanks trimmed (what `tmux capture-pane -p` shows). */
	lines(): string[] {
		return this.cells.map(row => row.join('').trimEnd());
	}
}

/** The visible text of a frame's lines (SGR removed), as the screen shows them. */
export function visible(frame: string): string[] {
	return frame.split('\n').map(line => line.replace(/\u001B\[[\d;:]*m/g, '').trimEnd());
}
