/** Token ↔ id maps for the text tasks. Id 0 is padding, id 1 stands for unknown tokens. */

/** A fixed vocabulary. */
export interface Vocabulary {
  /** Tokens by id (`<pad>` at 0, `<unk>` at 1). */
  readonly tokens: readonly string[];
  /** Id of `token`, or 1 (`<unk>`) when it is not in the vocabulary. */
  id(token: string): number;
  /** Ids of `tokens`. */
  encode(tokens: readonly string[]): number[];
}

/** Padding id (ignored by losses, zero embedding). */
export const PAD = 0;
/** Unknown-token id. */
export const UNK = 1;

/**
 * The `maxSize − 2` most frequent tokens of `documents` that occur at least `minCount` times (ties
 * broken alphabetically, so the vocabulary is deterministic), plus `<pad>` and `<unk>`.
 */
export function buildVocabulary(
  documents: readonly (readonly string[])[],
  options: { maxSize?: number; minCount?: number } = {},
): Vocabulary {
  const { maxSize = Number.POSITIVE_INFINITY, minCount = 1 } = options;
  const counts = new Map<string, number>();
  for (const doc of documents) for (const t of doc) counts.set(t, (counts.get(t) ?? 0) + 1);
  const ranked = [...counts]
    .filter(([, c]) => c >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, Math.max(0, maxSize - 2))
    .map(([t]) => t);
  const tokens = ['<pad>', '<unk>', ...ranked];
  const ids = new Map(tokens.map((t, i) => [t, i]));
  const id = (token: string) => ids.get(token) ?? UNK;
  return { tokens, id, encode: (ts) => ts.map(id) };
}
