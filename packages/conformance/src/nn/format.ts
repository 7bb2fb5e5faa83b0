/**
 * `recur-nn/1` files (fixtures/nn, written by tools/fixtures/nn.py): LayerNorm and sequence-utility
 * cases with PyTorch's values and gradients. See docs/case-format.md, "Module and sequence cases".
 */

/** A tensor as stored: shape and row-major values. */
export interface NnTensor {
  /** Dimensions. */
  readonly shape: readonly number[];
  /** Row-major values. */
  readonly data: readonly number[];
}

/** One `layer-norm.json` case: loss = sum(output ⊙ upstream). */
export interface LayerNormCase {
  /** Case name, unique in the file. */
  readonly name: string;
  /** The trailing dimensions normalised over. */
  readonly normalizedShape: readonly number[];
  /** Added to the variance. */
  readonly eps: number;
  /** Whether the module has `weight` (and maybe `bias`). */
  readonly elementwiseAffine: boolean;
  /** Whether the module has `bias`. */
  readonly bias: boolean;
  /** The input. */
  readonly input: NnTensor;
  /** `weight`, when affine. */
  readonly weight?: NnTensor;
  /** `bias`, when affine with bias. */
  readonly biasValue?: NnTensor;
  /** d loss / d output. */
  readonly upstream: NnTensor;
  /** PyTorch's output. */
  readonly output: NnTensor;
  /** PyTorch's gradients of `input`, `weight`, `bias`. */
  readonly grad: { readonly input: NnTensor; readonly weight?: NnTensor; readonly bias?: NnTensor };
}

/**
 * One `sequences.json` case; `op` says which function and which fields are present (see
 * tools/fixtures/nn.py): `padSequence`, `packSequence`, `packPaddedSequence`, `unpadSequence`,
 * `unpackSequence`.
 */
export interface SequenceCase {
  /** Case name, unique in the file. */
  readonly name: string;
  /** The function under test. */
  readonly op: 'padSequence' | 'packSequence' | 'packPaddedSequence' | 'unpadSequence' | 'unpackSequence';
  /** The fields of that op's case, as written by tools/fixtures/nn.py. */
  readonly [field: string]: unknown;
}

/** A parsed `recur-nn/1` file of a kind the suite runs. */
export type NnFile =
  | { readonly kind: 'layer-norm'; readonly source: string; readonly cases: readonly LayerNormCase[] }
  | { readonly kind: 'sequences'; readonly source: string; readonly cases: readonly SequenceCase[] };

/** A file as loaded: parsed, skipped (a kind only core tests use) or why it could not be read. */
export type LoadedNnFile =
  | { readonly file: string; readonly nn: NnFile }
  | { readonly file: string; readonly skipped: string }
  | { readonly file: string; readonly error: string };

const RUN_KINDS = new Set(['layer-norm', 'sequences']);
const OPS = new Set(['padSequence', 'packSequence', 'packPaddedSequence', 'unpadSequence', 'unpackSequence']);

/** Checks a parsed JSON value (or UTF-8 bytes) as a `recur-nn/1` file; errors name the file and field. */
export function loadedNnFile(file: string, content: unknown): LoadedNnFile {
  try {
    const value: unknown =
      content instanceof Uint8Array
        ? JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(content))
        : content;
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new Error('not a JSON object');
    const v = value as Record<string, unknown>;
    if (v.format !== 'recur-nn/1')
      throw new Error(`format must be "recur-nn/1", got ${JSON.stringify(v.format)}`);
    if (typeof v.kind !== 'string') throw new Error('kind must be a string');
    if (!RUN_KINDS.has(v.kind))
      return { file, skipped: `kind "${v.kind}" is checked by @recur/core's own tests` };
    if (!Array.isArray(v.cases) || v.cases.length === 0) throw new Error('cases must be a non-empty array');
    v.cases.forEach((c: unknown, i: number) => {
      if (c === null || typeof c !== 'object') throw new Error(`cases[${i}] must be an object`);
      const k = c as Record<string, unknown>;
      if (typeof k.name !== 'string') throw new Error(`cases[${i}].name must be a string`);
      if (v.kind === 'sequences' && !OPS.has(k.op as string))
        throw new Error(`cases[${i}].op must be one of ${[...OPS].join(', ')}, got ${JSON.stringify(k.op)}`);
      if (v.kind === 'layer-norm' && (!Array.isArray(k.normalizedShape) || typeof k.eps !== 'number'))
        throw new Error(`cases[${i}] needs normalizedShape (an array) and eps (a number)`);
    });
    return { file, nn: { kind: v.kind, source: String(v.source ?? ''), cases: v.cases } as NnFile };
  } catch (error) {
    return { file, error: `${file}: ${(error as Error).message}` };
  }
}
