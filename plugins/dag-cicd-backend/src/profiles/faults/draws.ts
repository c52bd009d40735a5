import { seededRandom } from '../random';

/**
 * The seeded decisions of one fault in one file: its own stream, so that
 * changing one fault's rate never moves where another fault lands.
 */
export class Draws {
  readonly #next: () => number;

  constructor(seed: number, file: string, fault: string) {
    this.#next = seededRandom(seed, `chaos\u0000${fault}\u0000${file}`);
  }

  /** An integer from 0 to n - 1. */
  below(n: number): number {
    return Math.floor(this.#next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.#next() < p;
  }

  /**
   * How many rows ahead the next row hit by a fault of per-row probability
   * p is: geometric, which is the same as a coin flip per row but costs one
   * draw per hit instead of one per row.
   */
  gap(p: number): number {
    if (p <= 0) return Infinity;
    if (p >= 1) return 1;
    return 1 + Math.floor(Math.log(1 - this.#next()) / Math.log1p(-p));
  }
}
