/**
 * Variable-length batches, PyTorch style. Our `PackedSequence` keeps the padded, time-major tensor and
 * the lengths (what the kernels consume); torch's packed layout is available as `data` on request.
 */
import { shapeError, valueError } from '../errors.js';
import { checkLiveTensor } from '../tensor/check.js';
import { tensorLike, zeros } from '../tensor/create.js';
import { add, concat, gather, mul, reshape, slice, transpose } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkLengths } from './lengths.js';

/** A batch of variable-length sequences (PyTorch's `PackedSequence`). */
export class PackedSequence {
  /** Padded input, time-major `[T, N, F]`; positions t ≥ length are ignored. */
  readonly padded: Tensor;
  /** Valid length of each row, in the original batch order. */
  readonly lengths: Int32Array;

  /**
   * Prefer {@link packPaddedSequence}. Checked here too, since the class is exported and the recurrent
   * modules hand `lengths` straight to their kernels: `padded` must be a live `[T, N, F]` tensor and
   * `lengths` one integer in [1, T] per row (copied, so later changes to the caller's array do nothing).
   */
  constructor(padded: Tensor, lengths: ArrayLike<number>) {
    checkLiveTensor('PackedSequence', 'padded', padded);
    if (padded.rank !== 3) shapeError('PackedSequence', 'padded', 'time-major [T, N, F]', padded.shape);
    this.lengths = checkLengths('PackedSequence', lengths, padded.shape[1]!, padded.shape[0]!);
    this.padded = padded;
  }

  /** Row indices sorted by decreasing length (stable), as torch's `sorted_indices`. */
  get sortedIndices(): Int32Array {
    const order = Array.from(this.lengths.keys()).sort(
      (a, b) => this.lengths[b]! - this.lengths[a]! || a - b,
    );
    return Int32Array.from(order);
  }

  /** Inverse permutation of `sortedIndices`, as torch's `unsorted_indices`. */
  get unsortedIndices(): Int32Array {
    const sorted = this.sortedIndices;
    const out = new Int32Array(sorted.length);
    sorted.forEach((row, position) => {
      out[row] = position;
    });
    return out;
  }

  /** Number of rows still running at each time step (torch's `batch_sizes`). */
  get batchSizes(): Int32Array {
    const steps = Math.max(...this.lengths);
    return Int32Array.from({ length: steps }, (_, t) => this.lengths.filter((len) => len > t).length);
  }

  /** Torch's packed `data [Σ lengths, F]`: step by step, rows in `sortedIndices` order. */
  get data(): Tensor {
    const [, batch, features] = this.padded.shape as [number, number, number];
    const rows: number[] = [];
    const sorted = this.sortedIndices;
    this.batchSizes.forEach((count, t) => {
      for (let k = 0; k < count; k++) rows.push(t * batch + sorted[k]!);
    });
    return gather(reshape(this.padded, [-1, features]), Int32Array.from(rows));
  }
}

/**
 * Packs a padded batch `[T, N, *]` (or `[N, T, *]` with `batchFirst`) with per-row `lengths`.
 * With `enforceSorted` (PyTorch's default) lengths must be non-increasing.
 */
export function packPaddedSequence(
  input: Tensor,
  lengths: ArrayLike<number>,
  options: { batchFirst?: boolean; enforceSorted?: boolean } = {},
): PackedSequence {
  const where = 'packPaddedSequence';
  checkLiveTensor(where, 'input', input);
  const batchFirst = options?.batchFirst ?? false;
  const enforceSorted = options?.enforceSorted ?? true;
  if (typeof batchFirst !== 'boolean') valueError(where, 'options.batchFirst', 'a boolean', batchFirst);
  if (typeof enforceSorted !== 'boolean')
    valueError(where, 'options.enforceSorted', 'a boolean', enforceSorted);
  if (input.rank !== 3) shapeError(where, 'input', batchFirst ? '[N, T, F]' : '[T, N, F]', input.shape);
  const [steps, batch] = (batchFirst ? [input.shape[1], input.shape[0]] : input.shape) as [number, number];
  const checked = checkLengths(where, lengths, batch, steps);
  if (enforceSorted && checked.some((len, b) => b > 0 && len > checked[b - 1]!)) {
    throw new RangeError(
      `packPaddedSequence: lengths must be sorted in decreasing order when enforceSorted is true, got [${checked.join(', ')}]; pass enforceSorted: false`,
    );
  }
  // Only now, every argument checked, is the time-major copy made: a bad call creates no tensor.
  const timeMajor = batchFirst ? transpose(input, [1, 0, 2]) : input;
  return new PackedSequence(timeMajor, checked);
}

/**
 * Unpacks to a padded tensor `[T, N, F]` (or `[N, T, F]`), padding with `paddingValue`, and returns
 * it with the lengths. `totalLength` pads the time axis further (it must be ≥ the longest length).
 */
export function padPackedSequence(
  sequence: PackedSequence,
  options: { batchFirst?: boolean; paddingValue?: number; totalLength?: number } = {},
): [Tensor, Int32Array] {
  if (!(sequence instanceof PackedSequence))
    valueError('padPackedSequence', 'sequence', 'a PackedSequence', sequence);
  checkLiveTensor('padPackedSequence', 'sequence.padded', sequence.padded);
  const longest = Math.max(...sequence.lengths);
  const [steps, batch, features] = sequence.padded.shape as [number, number, number];
  const total = options.totalLength ?? longest;
  if (!Number.isInteger(total) || total < longest) {
    throw new RangeError(
      `padPackedSequence: totalLength must be an integer ≥ the longest length ${longest}, got ${total}`,
    );
  }
  let out = sequence.padded;
  if (steps > total) out = slice(out, [0, 0, 0], [total, batch, features]);
  if (steps < total)
    out = concat(
      [out, zeros([total - steps, batch, features], { backend: out.backend, dtype: out.dtype })],
      0,
    );
  // Kernel outputs are already zero past each row's length, but a packed input is not: mask, then fill.
  const valid = new Float64Array(total * batch);
  for (let t = 0; t < total; t++)
    for (let b = 0; b < batch; b++) valid[t * batch + b] = t < sequence.lengths[b]! ? 1 : 0;
  out = mul(out, tensorLike(out, valid, [total, batch, 1]));
  const paddingValue = options.paddingValue ?? 0;
  if (paddingValue !== 0)
    out = add(
      out,
      tensorLike(
        out,
        valid.map((v) => (1 - v) * paddingValue),
        [total, batch, 1],
      ),
    );
  return [options.batchFirst ? transpose(out, [1, 0, 2]) : out, sequence.lengths];
}
