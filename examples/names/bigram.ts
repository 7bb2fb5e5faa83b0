/** The baseline of the names example: a character-bigram model with add-k smoothing, one per list. */
import type { ListedName } from '@recur/datasets';
import { encodeName, nameAlphabet } from '@recur/datasets';

/** A bigram model: P(next | previous, list). */
export interface BigramModel {
  /** log₂ P(next | previous) under `list`'s table. */
  log2Prob(list: number, previous: number, next: number): number;
  /** Bits per character over `names` (every predicted symbol, the end marker included). */
  bitsPerChar(names: readonly ListedName[]): number;
}

/**
 * Counts bigrams of the boundary-framed training names per list, with `k` added to every count
 * (default 0.5: between Laplace's 1 and Jeffreys' 0.5, a solid choice for 28 symbols).
 */
export function fitBigram(names: readonly ListedName[], lists: number, k = 0.5): BigramModel {
  const v = nameAlphabet.length;
  const counts = Array.from({ length: lists }, () => new Float64Array(v * v).fill(k));
  for (const { name, list } of names) {
    const ids = encodeName(name);
    for (let i = 1; i < ids.length; i++) counts[list]![ids[i - 1]! * v + ids[i]!]! += 1;
  }
  // Padding (id 0) is never predicted: leave it out of each row's total.
  const totals = counts.map((c) =>
    Array.from({ length: v }, (_, p) => {
      let s = 0;
      for (let n = 1; n < v; n++) s += c[p * v + n]!;
      return s;
    }),
  );
  const log2Prob = (list: number, previous: number, next: number) =>
    Math.log2(counts[list]![previous * v + next]! / totals[list]![previous]!);
  return {
    log2Prob,
    bitsPerChar(evaluated) {
      let bits = 0;
      let symbols = 0;
      for (const { name, list } of evaluated) {
        const ids = encodeName(name);
        for (let i = 1; i < ids.length; i++) {
          bits -= log2Prob(list, ids[i - 1]!, ids[i]!);
          symbols++;
        }
      }
      return bits / symbols;
    },
  };
}
