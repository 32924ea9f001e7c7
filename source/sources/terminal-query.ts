/**
 * Asks the terminal for its primary device attributes (`CSI c`) once at start, before Ink reads
 * stdin: a terminal answers `CSI ? 62 ; 4 ; … c`, and 4 in the list says it draws sixel images.
 * Keys typed while waiting are handed back to stdin; the wait ends at the reply or the timeout.
 */

/** How long the reply is waited for (once, at start; every VT100-like terminal answers, over ssh too). */
export const DEVICE_ATTRIBUTES_TIMEOUT_MS = 1000;

/** The reply's numbers, or null when none came in time (or stdin/stdout are not terminals). */
export function askDeviceAttributes(input: NodeJS.ReadStream, output: NodeJS.WriteStream, timeoutMs = DEVICE_ATTRIBUTES_TIMEOUT_MS): Promise<number[] | null> {
	if (!input.isTTY || !output.isTTY || typeof input.setRawMode !== 'function') return Promise.resolve(null);
	return new Promise(resolve => {
		let got = '';
		const wasRaw = input.isRaw;
		const finish = (reply: RegExpExecArray | null) => {
			clearTimeout(timer);
			// Not pause(): a stream paused by hand stays paused when the next reader adds its 'data' listener.
			input.off('readable', onReadable);
			input.setRawMode(wasRaw);
			// Whatever else arrived (keys typed meanwhile) is read again by Ink.
			const rest = reply === null ? got : got.slice(0, reply.index) + got.slice(reply.index + reply[0].length);
			if (rest !== '') input.unshift(Buffer.from(rest, 'latin1'));
			resolve(reply === null ? null : reply[1].split(';').filter(Boolean).map(Number));
		};
		const onReadable = () => {
			let chunk: Buffer | string | null;
			while ((chunk = input.read() as Buffer | string | null) !== null) got += typeof chunk === 'string' ? chunk : chunk.toString('latin1');
			const reply = /\u001B\[\?([\d;]*)c/.exec(got);
			if (reply) finish(reply);
		};
		const timer = setTimeout(() => finish(null), timeoutMs);
		input.setRawMode(true);
		input.on('readable', onReadable);
		output.write('\u001B[c');
	});
}
