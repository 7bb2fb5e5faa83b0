/** The examples of issue 8, in the order `pnpm examples` runs them, with what each one shows. */

/** One runnable example. */
export interface CatalogueEntry {
  readonly name: string;
  /** Sequence shape or limit shown. */
  readonly shows: string;
}

/** Every example with a `result:` line. */
export const catalogue: readonly CatalogueEntry[] = [
  { name: 'one-to-one', shows: 'one-to-one: RNNCell regressor (Boston house prices)' },
  { name: 'many-to-one', shows: 'many-to-one: spam classification (SpamAssassin)' },
  { name: 'one-to-many', shows: 'one-to-many: name generation (first names)' },
  { name: 'many-to-many', shows: 'many-to-many: births forecasting (CDC/NCHS)' },
  { name: 'seq2seq', shows: 'seq2seq: spelling → pronunciation (CMUdict)' },
  { name: 'adding-problem', shows: 'limits 1–2: long memory (adding problem)' },
  { name: 'vanishing-gradients', shows: 'limit 1: gradient norm vs distance' },
  { name: 'slow-training', shows: 'limit 3: step time vs sequence length' },
];
