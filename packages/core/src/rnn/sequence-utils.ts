/**
 * PyTorch's `torch.nn.utils.rnn` helpers over lists of sequences: `padSequence`, `packSequence`,
 * `unpadSequence` and `unpackSequence`. Built from differentiable ops, so gradients reach the inputs.
 */
import { describeValue, formatShape, ShapeError, valueError } from '../errors.js';
import { full } from '../tensor/create.js';
import { checkSameBackend, concat, reshape, slice, transpose } from '../tensor/ops.js';
import { Tensor } from '../tensor/tensor.js';
import { checkLengths } from './lengths.js';
import { PackedSequence, packPaddedSequence, padPackedSequence } from './packed.js';

/** Options of {@link padSequence}. */
export interface PadSequenceOptions {
  /** Output `[N, T, *]` instead of time-major `[T, N, *]` (default false). */
  batchFirst?: boolean;
  /** Value of the padded positions (default 0). */
  paddingValue?: number;
  /** Pad after each sequence (`'right'`, the default) or before it (`'left'`), as torch 2.x's `padding_side`. */
  paddingSide?: 'left' | 'right';
}

/** Options of {@link packSequence}. */
export interface PackSequenceOptions {
  /** Require the sequences in non-increasing length order (default true, as PyTorch). */
  enforceSorted?: boolean;
}

/** Options of {@link unpadSequence}. */
export interface UnpadSequenceOptions {
  /** `padded` is `[N, T, *]` instead of time-major `[T, N, *]` (default false). */
  batchFirst?: boolean;
}

function checkBoolean(where: string, argument: string, value: unknown): boolean {
  if (typeof value !== 'boolean') valueError(where, argument, 'a boolean', value);
  return value;
}

function checkOptions(where: string, options: unknown): Record<string, unknown> {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options))
    valueError(where, 'options', 'an object', options);
  return options as Record<string, unknown>;
}

/** Checks a list of sequences `[L_i, *]` with equal trailing dims on one backend and dtype. */
function checkSequences(where: string, sequences: unknown, minRank: number): readonly Tensor[] {
  if (!Array.isArray(sequences) || sequences.length === 0) {
    valueError(where, 'sequences', 'a non-empty array of tensors [L, *]', sequences);
  }
  const names = sequences.map((_, i) => `sequences[${i}]`);
  sequences.forEach((s, i) => {
    if (!(s instanceof Tensor))
      throw new TypeError(`${where}: sequences[${i}] must be a Tensor, got ${describeValue(s)}`);
  });
  checkSameBackend(where, sequences as Tensor[], names);
  const first = sequences[0] as Tensor;
  sequences.forEach((s: Tensor, i) => {
    if (s.rank < minRank) {
      throw new ShapeError(
        `${where}: sequences[${i}] expected ${minRank === 2 ? '[L, F]' : '[L, *]'} (at least rank ${minRank}), got shape ${formatShape(s.shape)}`,
      );
    }
    const tail = first.shape.slice(1);
    if (s.rank !== first.rank || s.shape.slice(1).some((d, j) => d !== tail[j])) {
      throw new ShapeError(
        `${where}: sequences[${i}] expected shape [*, ${tail.join(', ')}] (the trailing dimensions of sequences[0], ` +
          `shape ${formatShape(first.shape)}), got shape ${formatShape(s.shape)}`,
      );
    }
  });
  return sequences as Tensor[];
}

/**
 * PyTorch's `pad_sequence`: stacks sequences `[L_i, *]` into `[T, N, *]` (or `[N, T, *]` with
 * `batchFirst`), T = max L_i, filling with `paddingValue` after (or, with `paddingSide: 'left'`,
 * before) each sequence. Differentiable with respect to every sequence.
 */
export function padSequence(sequences: readonly Tensor[], options: PadSequenceOptions = {}): Tensor {
  const where = 'padSequence';
  const o = checkOptions(where, options);
  const batchFirst = checkBoolean(where, 'options.batchFirst', o.batchFirst ?? false);
  const paddingValue = o.paddingValue ?? 0;
  if (typeof paddingValue !== 'number') valueError(where, 'options.paddingValue', 'a number', paddingValue);
  const side = o.paddingSide ?? 'right';
  if (side !== 'left' && side !== 'right')
    valueError(where, 'options.paddingSide', "'left' or 'right'", side);
  const seqs = checkSequences(where, sequences, 1);
  const steps = Math.max(...seqs.map((s) => s.shape[0]!));
  const tail = seqs[0]!.shape.slice(1);
  const rows = seqs.map((s) => {
    const missing = steps - s.shape[0]!;
    const parts: Tensor[] = s.shape[0]! > 0 ? [s] : [];
    if (missing > 0) {
      const pad = full([missing, ...tail], paddingValue, { backend: s.backend, dtype: s.dtype });
      if (side === 'right') parts.push(pad);
      else parts.unshift(pad);
    }
    const row = parts.length === 1 ? parts[0]! : concat(parts, 0);
    return reshape(row, [1, steps, ...tail]);
  });
  const batchMajor = rows.length === 1 ? rows[0]! : concat(rows, 0);
  if (batchFirst) return batchMajor;
  return transpose(batchMajor, [1, 0, ...tail.map((_, j) => j + 2)]);
}

/**
 * PyTorch's `pack_sequence`: packs sequences `[L_i, F]` (each L_i ≥ 1) into a {@link PackedSequence}.
 * With `enforceSorted` (the default) the lengths must be non-increasing. Differentiable.
 */
export function packSequence(
  sequences: readonly Tensor[],
  options: PackSequenceOptions = {},
): PackedSequence {
  const where = 'packSequence';
  const o = checkOptions(where, options);
  const enforceSorted = checkBoolean(where, 'options.enforceSorted', o.enforceSorted ?? true);
  const seqs = checkSequences(where, sequences, 2);
  if (seqs[0]!.rank !== 2) {
    throw new ShapeError(
      `${where}: sequences[0] expected [L, F] (rank 2, as the recurrent modules take), got shape ${formatShape(seqs[0]!.shape)}`,
    );
  }
  const lengths = seqs.map((s) => s.shape[0]!);
  lengths.forEach((len, i) => {
    if (len < 1)
      valueError(
        where,
        `sequences[${i}]`,
        'a sequence of length ≥ 1',
        `shape ${formatShape(seqs[i]!.shape)}`,
      );
  });
  if (enforceSorted && lengths.some((len, i) => i > 0 && len > lengths[i - 1]!)) {
    throw new RangeError(
      `${where}: sequences must be sorted by decreasing length when enforceSorted is true, got lengths ` +
        `[${lengths.join(', ')}]; pass enforceSorted: false`,
    );
  }
  return packPaddedSequence(padSequence(seqs), lengths, { enforceSorted });
}

/**
 * PyTorch's `unpad_sequence`: splits a padded batch `[T, N, *]` (or `[N, T, *]` with `batchFirst`) into
 * the N sequences `[lengths[i], *]`, in batch order. Differentiable.
 */
export function unpadSequence(
  padded: Tensor,
  lengths: ArrayLike<number>,
  options: UnpadSequenceOptions = {},
): Tensor[] {
  const where = 'unpadSequence';
  const o = checkOptions(where, options);
  const batchFirst = checkBoolean(where, 'options.batchFirst', o.batchFirst ?? false);
  checkSameBackend(where, [padded], ['padded']);
  if (padded.rank < 2) {
    throw new ShapeError(
      `${where}: padded expected ${batchFirst ? '[N, T, *]' : '[T, N, *]'} (at least rank 2), got shape ${formatShape(padded.shape)}`,
    );
  }
  const [steps, batch] = (batchFirst ? [padded.shape[1], padded.shape[0]] : padded.shape) as [number, number];
  const checked = checkLengths(where, lengths, batch, steps);
  const tail = padded.shape.slice(2);
  const batchMajor = batchFirst ? padded : transpose(padded, [1, 0, ...tail.map((_, j) => j + 2)]);
  return Array.from(checked, (len, b) =>
    reshape(slice(batchMajor, [b, 0, ...tail.map(() => 0)], [1, len, ...tail]), [len, ...tail]),
  );
}

/** PyTorch's `unpack_sequence`: the sequences `[L_i, F]` of a {@link PackedSequence}, in batch order. */
export function unpackSequence(sequence: PackedSequence): Tensor[] {
  if (!(sequence instanceof PackedSequence))
    valueError('unpackSequence', 'sequence', 'a PackedSequence', sequence);
  const [padded, lengths] = padPackedSequence(sequence, { batchFirst: true });
  return unpadSequence(padded, lengths, { batchFirst: true });
}
