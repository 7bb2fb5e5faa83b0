/**
 * The raw inputs every file reader is fuzzed with: structural and byte-level mutations of valid
 * files, a few valid files unchanged (so acceptance is exercised too), random objects that carry the
 * right `format` (to get past the first check), random JSON, random text and random bytes.
 */
import fc, { type Arbitrary } from 'fast-check';
import { byteMutations } from './byte-mutations.js';
import { jsonMutations } from './json-mutations.js';

const encoder = new TextEncoder();

/** What a target knows about its format, to aim random documents at it. */
export interface FormatHints {
  /** The `format` string of a valid file, e.g. `recur-case/1`. */
  format: string;
  /** Top-level field names of the format. */
  fields: readonly string[];
}

/** Random documents with the right `format` and random values under the format's own field names. */
function skeletons(hints: FormatHints): Arbitrary<Uint8Array> {
  return fc
    .dictionary(fc.constantFrom(...hints.fields), fc.jsonValue({ maxDepth: 4 }), {
      maxKeys: hints.fields.length,
    })
    .map((fields) => encoder.encode(JSON.stringify({ ...fields, format: hints.format })));
}

/** Entirely random inputs: bytes, text (any UTF-16, encoded), and JSON documents. */
export function randomInputs(): Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 4096 }),
    fc.string({ unit: 'binary', maxLength: 512 }).map((s) => encoder.encode(s)),
    fc.json({ maxDepth: 6 }).map((s) => encoder.encode(s)),
  );
}

/**
 * Inputs for a reader of JSON files: mostly mutations of `samples` (valid files as bytes), plus
 * random ones. Weights: 40% structural edits, 35% byte edits, 8% aimed skeletons, 14% random, 3% valid.
 */
export function jsonFileInputs(samples: readonly Uint8Array[], hints: FormatHints): Arbitrary<Uint8Array> {
  if (samples.length === 0) throw new Error('jsonFileInputs needs at least one valid sample');
  return fc.oneof(
    { arbitrary: jsonMutations(samples), weight: 40 },
    { arbitrary: byteMutations(samples), weight: 35 },
    { arbitrary: skeletons(hints), weight: 8 },
    { arbitrary: randomInputs(), weight: 14 },
    { arbitrary: fc.constantFrom(...samples), weight: 3 },
  );
}
