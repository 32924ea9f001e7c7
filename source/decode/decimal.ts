/**
 * Decimal text → double straight from its bytes, exactly as `Number(text)` would give it, without
 * making the string. History values are mostly Python `repr(float)` output: about half have 17
 * significant digits, and `Number()` on them (plus the string it needs) was the largest single cost
 * of reading a run.
 *
 * Two exact methods; whatever neither can decide is left to `Number()` (null):
 * 1. Clinger's fast path: an integer mantissa below 2^53 and a power of ten up to 10^22 are both
 *    exact doubles, so one IEEE multiplication or division is correctly rounded.
 * 2. For 16 to 19 significant digits divided by 10^1..10^22 (the 17-digit values): divide the
 *    mantissa rounded to a double, then compute the exact remainder of that quotient with
 *    error-free transformations (Knuth's TwoSum, Dekker's TwoProduct) and round from it. The
 *    quotient is within 1.5 units in the last place of the answer; the remainder says which double
 *    is nearest, unless it is too close to a halfway point to tell (then `Number()` decides).
 *
 * test/decode/history-decoder.test.ts checks both against `Number()` on random doubles in several
 * notations, random digit strings and exact halfway points.
 */

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const POW5 = [1, 5, 25, 125, 625];
const POW2 = [1, 2, 4, 8, 16];
const TWO_26 = 67108864;
const TWO_53 = 9007199254740992;
/** Significant digits the exact head of a mantissa holds (10^15 < 2^53), and at most in all. */
const HEAD_DIGITS = 15;
const MAX_DIGITS = 19;

/**
 * Reads a JSON-style decimal (`-?digits(.digits*)?([eE][+-]?digits)?`, the whole span) from bytes.
 * Returns:
 * - the number, exactly the double `Number(text)` gives;
 * - null when the span is such a decimal but neither exact method decides it (more than 19
 *   significant digits, a large exponent, a near-halfway case): `Number(text)` must;
 * - undefined when the span is not such a decimal (`NaN`, JSON, text, ` 1`, `0x10`...).
 */
export function parseDecimalBytes(buf: Uint8Array, start: number, end: number): number | null | undefined {
	let i = start;
	let negative = false;
	if (i < end && buf[i] === 45 /* - */) {
		negative = true;
		i++;
	}
	const digitsStart = i;
	let mantissa = 0;
	let exponent = 0;
	let c = 0;
	for (; i < end; i++) {
		c = buf[i] - 48;
		if (c < 0 || c > 9) break;
		mantissa = mantissa * 10 + c;
	}
	if (i === digitsStart) return undefined;
	let dot = -1;
	if (i < end && buf[i] === 46 /* . */) {
		dot = i;
		i++;
		for (; i < end; i++) {
			c = buf[i] - 48;
			if (c < 0 || c > 9) break;
			mantissa = mantissa * 10 + c;
			exponent--;
		}
	}
	const digitsEnd = i;
	if (i < end && (buf[i] === 101 /* e */ || buf[i] === 69) /* E */) {
		i++;
		let expNegative = false;
		if (i < end && (buf[i] === 43 /* + */ || buf[i] === 45) /* - */) {
			expNegative = buf[i] === 45;
			i++;
		}
		let e = 0;
		const expStart = i;
		for (; i < end; i++) {
			c = buf[i] - 48;
			if (c < 0 || c > 9) break;
			if (e < 10_000) e = e * 10 + c; // saturate: 1e99999 is Infinity either way
		}
		if (i === expStart) return undefined;
		exponent += expNegative ? -e : e;
	}
	if (i !== end) return undefined;

	let value: number | null;
	// `mantissa` may have lost precision once past 2^53, but it only grows, so this test is sound.
	if (mantissa < TWO_53) {
		if (exponent === 0 || mantissa === 0) value = mantissa;
		else if (exponent > 0 && exponent <= 22) value = mantissa * POW10[exponent];
		else if (exponent < 0 && exponent >= -22) value = mantissa / POW10[-exponent];
		else return null;
	} else {
		if (exponent >= 0 || exponent < -22) return null;
		// The mantissa again, exactly: its first 15 significant digits and up to 4 more.
		let head = 0;
		let tail = 0;
		let tailDigits = 0;
		let significant = 0;
		for (let k = digitsStart; k < digitsEnd; k++) {
			if (k === dot) continue;
			const digit = buf[k] - 48;
			if (significant < HEAD_DIGITS) {
				head = head * 10 + digit;
				if (head !== 0) significant++;
			} else {
				if (++significant > MAX_DIGITS) return null;
				tail = tail * 10 + digit;
				tailDigits++;
			}
		}
		value = divideExactly(head, tail, tailDigits, POW10[-exponent]);
		if (value === null) return null;
	}
	return negative ? -value : value;
}

// The bits of a double, for its exponent and mantissa.
const float = new Float64Array(1);
const words = new Uint32Array(float.buffer);
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian: 1

/** 2^(e - 1075), one unit in the last place of a double with biased exponent e (1..2046). */
const ULP = new Float64Array(2047);
for (let e = 1075, x = 1; e >= 1; e--, x /= 2) ULP[e] = x;
for (let e = 1076, x = 2; e <= 2046; e++, x *= 2) ULP[e] = x;

/**
 * (head * 10^tailDigits + tail) / divisor, correctly rounded, for a mantissa of 16 to 19 digits
 * (head: the first 15, exact) and divisor = 10^1..10^22; null when too close to a halfway point.
 * The quotient lies between 9e-7 and 2e18: always a normal double.
 */
function divideExactly(head: number, tail: number, tailDigits: number, divisor: number): number | null {
	// The mantissa w exactly, as c1 + c0: 10^t = 5^t * 2^t, and head split in 26-bit halves keeps
	// every product below 2^53.
	const headHigh = Math.floor(head / TWO_26);
	const five = POW5[tailDigits];
	const two = POW2[tailDigits];
	const c1 = headHigh * five * (TWO_26 * two);
	const c0 = (head - headHigh * TWO_26) * five * two + tail;
	// w = s + sError exactly (TwoSum): s is w rounded to a double.
	const s = c1 + c0;
	const b = s - c1;
	const sError = c1 - (s - b) + (c0 - b);
	// The quotient of the rounded mantissa: within 1.5 units in the last place of w / divisor.
	const q = s / divisor;
	// q * divisor = m + n exactly (Dekker's TwoProduct: split both factors in 26-bit halves).
	const m = q * divisor;
	let t = 134217729 * q;
	const qHigh = t - (t - q);
	const qLow = q - qHigh;
	t = 134217729 * divisor;
	const dHigh = t - (t - divisor);
	const dLow = divisor - dHigh;
	const n = qHigh * dHigh - m + qHigh * dLow + qLow * dHigh + qLow * dLow;
	// The remainder w - q * divisor = (s - m) + sError - n: s - m is exact (the two are within a
	// factor of 2), and the rest is a few ulps of s, so its rounding error is ~2^-50 of `half`.
	const remainder = s - m + (sError - n);
	float[0] = q;
	const ulp = ULP[(words[HIGH_WORD] >>> 20) & 0x7ff];
	// Just below a power of two the spacing halves, and so does the rounding threshold: rare
	// enough to leave to Number().
	if (remainder < 0 && words[1 - HIGH_WORD] === 0 && (words[HIGH_WORD] & 0xfffff) === 0) return null;
	// w / divisor = q + remainder / divisor: q is the answer while |remainder| < half an ulp of q
	// times the divisor; beyond, the neighbour on remainder's side (while within one ulp).
	const half = (divisor * ulp) / 2;
	const margin = half * 2 ** -30;
	const size = Math.abs(remainder);
	if (size < half - margin) return q;
	if (size <= half + margin || size >= 2 * half - margin) return null; // a tie, or too far to tell
	return remainder > 0 ? q + ulp : q - ulp;
}
