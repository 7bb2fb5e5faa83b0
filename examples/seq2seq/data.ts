/** Spelling ↔ ids for the seq2seq example, and length-bucketed batches. */
import type { Indices, Generator as Random } from '@recur/core';
import { indices } from '@recur/core';
import type { Pronunciation } from '@recur/datasets';
import { letters, phonemes } from '@recur/datasets';

/** Letter ids: 0 pads, then A–Z. */
export const letterCount = letters.length + 1;
/** Phoneme ids: 0 pads, 1 starts and ends a pronunciation, then the 39 phonemes. */
export const phonemeCount = phonemes.length + 2;
/** Start/end marker of pronunciations. */
export const BOUNDARY = 1;

const phonemeIds = new Map<string, number>(phonemes.map((p, i) => [p, i + 2]));

/** A word and its pronunciation as ids. */
export interface Pair {
  readonly word: string;
  readonly letters: number[];
  readonly phonemes: number[];
  readonly reference: readonly string[];
}

/** Encodes a dictionary entry. */
export function toPair(p: Pronunciation): Pair {
  return {
    word: p.word,
    letters: [...p.word].map((c) => letters.indexOf(c) + 1),
    phonemes: p.phonemes.map((ph) => phonemeIds.get(ph)!),
    reference: p.phonemes,
  };
}

/** Phoneme symbols of decoded ids (stopping at the end marker). */
export function phonemeSymbols(ids: readonly number[]): string[] {
  const out: string[] = [];
  for (const id of ids) {
    if (id === BOUNDARY) break;
    if (id >= 2) out.push(phonemes[id - 2]!);
  }
  return out;
}

/** Time-major padded letters `[T, N]` and each word's length. */
export function encoderInput(batch: readonly Pair[]): { ids: Indices; lengths: number[]; steps: number } {
  const lengths = batch.map((p) => p.letters.length);
  const steps = Math.max(...lengths);
  const data = new Array<number>(steps * batch.length).fill(0);
  batch.forEach((p, b) => {
    p.letters.forEach((id, t) => {
      data[t * batch.length + b] = id;
    });
  });
  return { ids: indices(data, [steps, batch.length]), lengths, steps };
}

/**
 * Teacher forcing: decoder inputs `[T, N]` (boundary + phonemes) and targets (phonemes + boundary),
 * targets laid out batch-major (`[N·T]`, row b·T + t) to match the attention output; 0 pads.
 */
export function decoderTeacher(batch: readonly Pair[]): { ids: Indices; targets: number[]; steps: number } {
  const steps = Math.max(...batch.map((p) => p.phonemes.length)) + 1;
  const n = batch.length;
  const inputs = new Array<number>(steps * n).fill(0);
  const targets = new Array<number>(steps * n).fill(0);
  batch.forEach((p, b) => {
    const input = [BOUNDARY, ...p.phonemes];
    const target = [...p.phonemes, BOUNDARY];
    for (let t = 0; t < input.length; t++) {
      inputs[t * n + b] = input[t]!;
      targets[b * steps + t] = target[t]!;
    }
  });
  return { ids: indices(inputs, [steps, n]), targets, steps };
}

/**
 * Endless batches of similar-length words (less padding, so fewer wasted steps): shuffle, sort
 * chunks of 32 batches by length, cut into batches, shuffle the batches.
 */
export function* bucketedBatches(
  pairs: readonly Pair[],
  batchSize: number,
  generator: Random,
): Generator<Pair[], never> {
  for (;;) {
    const order = generator.shuffle([...pairs]);
    const batches: Pair[][] = [];
    const chunk = batchSize * 32;
    for (let i = 0; i < order.length; i += chunk) {
      const sorted = order.slice(i, i + chunk).sort((a, b) => a.letters.length - b.letters.length);
      for (let j = 0; j + batchSize <= sorted.length; j += batchSize)
        batches.push(sorted.slice(j, j + batchSize));
    }
    yield* generator.shuffle(batches);
  }
}
