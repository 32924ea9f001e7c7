/** Seeded randomness for the chaos, fuzz and follow tests: every run of a test sees the same bytes. */
import {prng} from '../helpers/prng.js';

export {prng};

/** Helpers over one PRNG stream. */
export class Rand {
	readonly next: () => number;

	constructor(seed: number) {
		this.next = prng(seed);
	}

	/** Integer in [min, max] (inclusive). */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	/** Integer in [min, max], log-uniform: small values as likely per octave as large ones. */
	logInt(min: number, max: number): number {
		const lo = Math.log(min);
		const hi = Math.log(max + 1);
		return Math.min(max, Math.floor(Math.exp(lo + this.next() * (hi - lo))));
	}

	chance(p: number): boolean {
		return this.next() < p;
	}

	pick<T>(items: readonly T[]): T {
		return items[Math.floor(this.next() * items.length)];
	}
}
