/** Deterministic seeded splits, shared by every dataset so that `--seed` means the same thing everywhere. */
import { Generator } from '@recur/core';

/** Indices of the training and the held-out (test) items. */
export interface Split {
  readonly train: number[];
  readonly test: number[];
}

/**
 * Shuffles `0 … count−1` with a generator seeded by `seed` and holds out `testFraction` of them
 * (at least one item each side). The same seed always gives the same split.
 */
export function splitIndices(count: number, testFraction: number, seed: number): Split {
  if (!Number.isInteger(count) || count < 2)
    throw new RangeError(`splitIndices: count must be an integer ≥ 2, got ${count}`);
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new RangeError(`splitIndices: testFraction must be in (0, 1), got ${testFraction}`);
  }
  // A generator of its own (seed offset by a constant) so the split does not depend on how many
  // random numbers model initialisation drew before.
  const order = new Generator(seed * 7919 + 17).shuffle(Array.from({ length: count }, (_, i) => i));
  const testCount = Math.min(count - 1, Math.max(1, Math.round(count * testFraction)));
  return { train: order.slice(testCount), test: order.slice(0, testCount) };
}

/** Picks the items of `items` at `indices`. */
export function pick<T>(items: readonly T[], indices: readonly number[]): T[] {
  return indices.map((i) => items[i]!);
}
