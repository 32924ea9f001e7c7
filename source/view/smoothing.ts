/**
 * TensorBoard-style smoothing: an exponential moving average debiased for its zero start, so the
 * first points are not dragged towards 0 (tensorboard/webapp/.../line_chart_v2 `classicSmoothing`).
 */

/** Largest weight accepted; 1 would freeze the average at its first value. */
export const MAX_SMOOTHING = 0.999;

/**
 * Debiased EMA of `values` with `weight` in [0, 0.999]: last = last*w + (1-w)*v,
 * out = last / (1 - w^n) with n the number of finite points so far. Non-finite values are skipped
 * and stay gaps (NaN/±Inf copied through) without resetting the average.
 *
 * `counts` (optional) says how many raw points each value averages (a merged bucket's mean): the
 * bucket then advances the average as n raw points would (weight w^n), so the smoothing strength
 * does not depend on how far the series has been downsampled.
 */
export function emaSmooth(
	values: ArrayLike<number>,
	weight: number,
	counts?: ArrayLike<number>,
): Float64Array {
	const out = new Float64Array(values.length);
	const w = Number.isFinite(weight) ? Math.min(Math.max(weight, 0), MAX_SMOOTHING) : 0;
	let last = 0;
	// w^(points so far), kept as a running product: Math.pow per point dominated the frame cost.
	let power = 1;
	let decayCount = 1;
	let decay = w;
	for (let i = 0; i < values.length; i++) {
		const value = values[i];
		const n = counts ? counts[i] : 1;
		if (!Number.isFinite(value) || !(n > 0)) {
			out[i] = Number.isFinite(value) ? Number.NaN : value;
			continue;
		}
		if (w === 0) {
			out[i] = value;
			continue;
		}
		if (n !== decayCount) {
			// Buckets mostly share one size, so this is computed rarely.
			decayCount = n;
			decay = Math.pow(w, n);
		}
		last = last * decay + (1 - decay) * value;
		power *= decay;
		out[i] = last / (1 - power);
	}
	return out;
}
