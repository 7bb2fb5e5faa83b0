/**
 * The first-name lists, bundled at build time, split for the two name tasks through
 * `@recur/datasets` (the same cleaning and seeded splits as the examples).
 */

import names from 'virtual:recur-data/names';
import type { ListedName } from '@recur/datasets';
import { listedNames, pick, splitIndices } from '@recur/datasets';

/** A name with its class for the classifier: 0 female, 1 male. */
export interface LabelledName {
  readonly name: string;
  readonly label: number;
}

/** The splits of one seed. */
export interface NameSplits {
  /** Names on exactly one list, for the classifier. */
  readonly classify: { readonly train: LabelledName[]; readonly val: LabelledName[] };
  /** Every listed name, for the generator. */
  readonly generate: { readonly train: ListedName[]; readonly val: ListedName[] };
  /** Lists each cleaned name is on (0 female, 1 male). */
  readonly listsOf: ReadonlyMap<string, number[]>;
}

const cache = new Map<number, NameSplits>();

/** Held-out names scored at each evaluation (the whole held-out set would slow training on tfjs-cpu). */
const VALIDATION_SIZE = 400;

/** Splits of `seed` (cached: splitting is deterministic). */
export function nameSplits(seed: number): NameSplits {
  const cached = cache.get(seed);
  if (cached !== undefined) return cached;
  const all = listedNames(names.female, names.male);
  const listsOf = new Map<string, number[]>();
  for (const { name, list } of all) listsOf.set(name, [...(listsOf.get(name) ?? []), list]);
  // A name on both lists has no right answer: the classifier neither trains nor is scored on it.
  const single = all
    .filter((n) => listsOf.get(n.name)!.length === 1)
    .map((n) => ({ name: n.name, label: n.list }));
  const c = splitIndices(single.length, 0.15, seed);
  const g = splitIndices(all.length, 0.1, seed);
  const splits: NameSplits = {
    classify: { train: pick(single, c.train), val: pick(single, c.test).slice(0, VALIDATION_SIZE) },
    generate: { train: pick(all, g.train), val: pick(all, g.test).slice(0, VALIDATION_SIZE) },
    listsOf,
  };
  cache.set(seed, splits);
  return splits;
}

/**
 * Padded length of a batch whose longest sequence has `steps` steps: rounded up to a multiple of 4.
 * Engines that compile a program per shape (tfjs's webgl compiles shaders) then see at most four
 * shapes instead of one per batch; the padding is masked (`lengths`) or ignored by the loss.
 */
export function paddedSteps(steps: number): number {
  return Math.ceil(steps / STEP_MULTIPLE) * STEP_MULTIPLE;
}

/** What {@link paddedSteps} rounds to. */
export const STEP_MULTIPLE = 4;
