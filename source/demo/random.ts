/**
 * xorshift32: a tiny seeded PRNG, so the demo run and generated test/bench runs are reproducible.
 * Returns floats in [0, 1).
 */
export function xorshift32(seed: number): () => number {
	let state = seed >>> 0 || 1;
	return () => {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		return (state >>> 0) / 4294967296;
	};
}
