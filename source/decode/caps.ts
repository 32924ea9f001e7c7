/**
 * Limits that keep a hostile or broken run from crashing wbtop or eating the machine. A real run
 * stays far below each of them; past one, the excess is dropped (never thrown) so the rest of the
 * run still shows.
 */

/**
 * Deepest nesting of a JSON value wbtop decodes. Deeper text is kept as a plain string (a jsonl
 * line that deep is skipped as corrupt).
 * Why: JSON.parse is iterative, but every walk over the parsed value (toValue, the NaN restore,
 * flattening, JSON.stringify for `--json`) recurses; around 5,000-10,000 levels the stack
 * overflows and the reader throws a RangeError, which ends `--once` and the dashboard. A 10,000-deep
 * array is only 20 KB of text.
 */
export const MAX_VALUE_DEPTH = 64;

/**
 * Most keys one history row, summary/config update or stats sample keeps (after flattening);
 * further keys are dropped.
 * Why: every numeric key becomes a chart series and an x-axis candidate (typed arrays, ~14 KB
 * each); one legacy line with a million keys made `--once` run for many minutes and grow to
 * gigabytes. W&B itself asks for under 10,000 distinct metrics per project.
 */
export const MAX_KEYS_PER_ROW = 10_000;

/**
 * Most object keys a JSON text may hold to be parsed at all; above it the text is not parsed
 * (kept as a string; a jsonl line is skipped as corrupt).
 * Why: parsing costs ~160 bytes of heap per key before any cap can apply: a 16 MB line with a
 * million keys took 160 MB of heap just to parse. Ten times the per-row cap leaves room for
 * nested values while keeping one parse under ~16 MB of heap.
 */
export const MAX_JSON_KEYS = 10 * MAX_KEYS_PER_ROW;

/**
 * True when `text` (JSON, possibly with bare NaN/Infinity) nests arrays/objects deeper than
 * `maxDepth` or holds more than `maxKeys` object keys. Brackets and colons inside string
 * literals do not count. One pass, no allocation.
 */
export function jsonTooBig(text: string, maxDepth = MAX_VALUE_DEPTH, maxKeys = MAX_JSON_KEYS): boolean {
	// A text shorter than either limit cannot exceed it.
	if (text.length <= maxDepth && text.length <= maxKeys) return false;
	let depth = 0;
	let keys = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (inString) {
			if (c === 92 /* \ */) i++;
			else if (c === 34 /* " */) inString = false;
			continue;
		}
		if (c === 34) inString = true;
		else if (c === 91 /* [ */ || c === 123 /* { */) {
			if (++depth > maxDepth) return true;
		} else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
		else if (c === 58 /* : */ && ++keys > maxKeys) return true;
	}
	return false;
}

/** Path segments that must never be used as a property name when building nested objects. */
export function isUnsafeKey(key: string): boolean {
	return key === '__proto__';
}
