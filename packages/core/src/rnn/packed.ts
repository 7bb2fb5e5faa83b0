/**
 * Variable-length batches, PyTorch style. Our `PackedSequence` keeps the padded, time-major tensor and
 * the lengths (what the kernels consume); torch's packed layout is available as `data` on request.
 */
import { isIntIn, shapeError, valueError } from '../errors.js';
import { checkLiveTensor } from '../tensor/check.js';
import { tensorLike, zeros } from '../tensor/create.js';
import { add, concat, gather, mul, reshape, slice, transpose } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkLengths } from './lengths.js';

/** Throws unless `order` is a permutation of `0..n-1`; returns it as an Int32Array. */
function checkPermutation(where: string, argument: string, order: unknown, n: number): Int32Array {
  if (
    order === null ||
    typeof order !== 'object' ||
    typeof (order as ArrayLike<number>).length !== 'number'
  ) {
    valueError(where, argument, `a permutation of 0..${n - 1}`, order);
  }
  const values = order as ArrayLike<unknown>;
  if (values.length !== n) {
    throw new RangeError(
      `${where}: ${argument} must be a permutation of 0..${n - 1} (one entry per batch row, ${n}), got ${values.length} entries`,
    );
  }
  const out = new Int32Array(n);
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!isIntIn(v, 0, n - 1) || seen[v] === 1) {
      valueError(where, `${argument}[${i}]`, `a distinct integer in [0, ${n - 1}] (a permutation)`, v);
    }
    seen[v] = 1;
    out[i] = v;
  }
  return out;
}

/** The inverse permutation: `out[order[k]] = k`. */
function invert(order: Int32Array): Int32Array {
  const out = new Int32Array(order.length);
  order.forEach((row, position) => {
    out[row] = position;
  });
  return out;
}

/**
 * A batch of variable-length sequences (PyTorch's `PackedSequence`).
 *
 * Two ways to make one:
 * - as in PyTorch, from packed `data [Σ lengths, F]` (rank 2) and `batchSizes` (rows still running at
 *   each step, non-increasing), optionally with `sortedIndices` (batch row at each packed position;
 *   default the identity) and `unsortedIndices` (its inverse, computed when omitted);
 * - Recur's own layout, from a time-major `padded [T, N, F]` (rank 3) and per-row `lengths`.
 *
 * Either way the sequence keeps the padded layout (what the kernels consume); torch's packed layout is
 * `data`. Both conversions are differentiable: gradients flow back to the tensor given.
 */
export class PackedSequence {
  /** Padded input, time-major `[T, N, F]`; positions t ≥ length are ignored. */
  readonly padded: Tensor;
  /** Valid length of each row, in the original batch order. */
  readonly lengths: Int32Array;
  private readonly order: Int32Array;

  /**
   * Prefer {@link packPaddedSequence} or {@link packSequence}. Every argument is checked before any
   * tensor is made, since the recurrent modules hand `lengths` straight to their kernels.
   *
   * @param padded - `data [Σ lengths, F]` (PyTorch's form, rank 2) or time-major `padded [T, N, F]` (rank 3).
   * @param lengths - With `data`: `batchSizes`, positive and non-increasing, summing to `data`'s rows.
   *   With `padded`: one integer in [1, T] per row (copied, so later changes to the caller's array do nothing).
   * @param sortedIndices - The batch row at each packed position (PyTorch's `sorted_indices`); rows must
   *   then be in non-increasing length order. Default: rows sorted by decreasing length, stable.
   * @param unsortedIndices - The inverse of `sortedIndices` (PyTorch's `unsorted_indices`); checked
   *   against it when given.
   */
  constructor(
    padded: Tensor,
    lengths: ArrayLike<number>,
    sortedIndices?: ArrayLike<number> | null,
    unsortedIndices?: ArrayLike<number> | null,
  ) {
    const where = 'PackedSequence';
    checkLiveTensor(where, 'padded', padded);
    if (padded.rank === 2) {
      const batchSizes = checkBatchSizes(where, lengths, padded.shape[0]!);
      const batch = batchSizes[0]!;
      const sorted =
        sortedIndices === undefined || sortedIndices === null
          ? Int32Array.from({ length: batch }, (_, i) => i)
          : checkPermutation(where, 'sortedIndices', sortedIndices, batch);
      const unsorted = invert(sorted);
      if (unsortedIndices !== undefined && unsortedIndices !== null) {
        const given = checkPermutation(where, 'unsortedIndices', unsortedIndices, batch);
        if (given.some((v, i) => v !== unsorted[i])) {
          valueError(
            where,
            'unsortedIndices',
            `the inverse of sortedIndices, [${Array.from(unsorted).join(', ')}]`,
            Array.from(given),
          );
        }
      }
      const steps = batchSizes.length;
      const features = padded.shape[1]!;
      // Packed position k holds batch row sorted[k]; its length is the number of steps with > k rows.
      const out = new Int32Array(batch);
      for (let k = 0; k < batch; k++) out[sorted[k]!] = batchSizes.filter((count) => count > k).length;
      const rows = padded.shape[0]!;
      const index = new Int32Array(steps * batch).fill(rows);
      let offset = 0;
      batchSizes.forEach((count, t) => {
        for (let k = 0; k < count; k++) index[t * batch + sorted[k]!] = offset + k;
        offset += count;
      });
      // One extra zero row stands in for every padded position; gather's gradient routes back to `data`.
      const source = concat(
        [padded, zeros([1, features], { backend: padded.backend, dtype: padded.dtype })],
        0,
      );
      this.padded = reshape(gather(source, index), [steps, batch, features]);
      this.lengths = out;
      this.order = sorted;
      return;
    }
    if (padded.rank !== 3) {
      shapeError(
        where,
        'padded',
        'time-major [T, N, F] (or packed data [Σ lengths, F] with batchSizes)',
        padded.shape,
      );
    }
    const checked = checkLengths(where, lengths, padded.shape[1]!, padded.shape[0]!);
    let order = stableSortedOrder(checked);
    if (sortedIndices !== undefined && sortedIndices !== null) {
      order = checkPermutation(where, 'sortedIndices', sortedIndices, checked.length);
      const ordered = Array.from(order, (row) => checked[row]!);
      if (ordered.some((len, k) => k > 0 && len > ordered[k - 1]!)) {
        valueError(where, 'sortedIndices', 'an order of decreasing length', Array.from(order));
      }
    }
    if (unsortedIndices !== undefined && unsortedIndices !== null) {
      const expected = invert(order);
      const given = checkPermutation(where, 'unsortedIndices', unsortedIndices, checked.length);
      if (given.some((v, i) => v !== expected[i])) {
        valueError(
          where,
          'unsortedIndices',
          `the inverse of sortedIndices, [${Array.from(expected).join(', ')}]`,
          Array.from(given),
        );
      }
    }
    this.lengths = checked;
    this.order = order;
    this.padded = padded;
  }

  /** Row indices sorted by decreasing length (stable unless given), as torch's `sorted_indices`. */
  get sortedIndices(): Int32Array {
    return this.order.slice();
  }

  /** Inverse permutation of `sortedIndices`, as torch's `unsorted_indices`. */
  get unsortedIndices(): Int32Array {
    return invert(this.order);
  }

  /** Number of rows still running at each time step (torch's `batch_sizes`). */
  get batchSizes(): Int32Array {
    const steps = Math.max(...this.lengths);
    return Int32Array.from({ length: steps }, (_, t) => this.lengths.filter((len) => len > t).length);
  }

  /** Torch's packed `data [Σ lengths, F]`: step by step, rows in `sortedIndices` order (differentiable). */
  get data(): Tensor {
    const [, batch, features] = this.padded.shape as [number, number, number];
    const rows: number[] = [];
    const sorted = this.order;
    this.batchSizes.forEach((count, t) => {
      for (let k = 0; k < count; k++) rows.push(t * batch + sorted[k]!);
    });
    return gather(reshape(this.padded, [-1, features]), Int32Array.from(rows));
  }
}

/** Row indices by decreasing length, ties in batch order. */
function stableSortedOrder(lengths: Int32Array): Int32Array {
  return Int32Array.from(Array.from(lengths.keys()).sort((a, b) => lengths[b]! - lengths[a]! || a - b));
}

/** Checks PyTorch's `batch_sizes`: positive, non-increasing integers summing to the packed rows. */
function checkBatchSizes(where: string, batchSizes: unknown, rows: number): Int32Array {
  if (
    batchSizes === null ||
    typeof batchSizes !== 'object' ||
    typeof (batchSizes as ArrayLike<number>).length !== 'number'
  ) {
    valueError(where, 'batchSizes', 'an array of positive, non-increasing integers', batchSizes);
  }
  const values = batchSizes as ArrayLike<unknown>;
  if (values.length < 1) valueError(where, 'batchSizes', 'a non-empty array (one entry per time step)', []);
  const out = new Int32Array(values.length);
  let total = 0;
  for (let t = 0; t < values.length; t++) {
    const v = values[t];
    const limit = t === 0 ? Number.MAX_SAFE_INTEGER : out[t - 1]!;
    if (!isIntIn(v, 1, limit)) {
      valueError(where, `batchSizes[${t}]`, `an integer in [1, ${limit}] (non-increasing)`, v);
    }
    out[t] = v;
    total += v;
  }
  if (total !== rows) {
    throw new RangeError(
      `${where}: batchSizes must sum to the ${rows} rows of data, got [${Array.from(out).join(', ')}] (sum ${total})`,
    );
  }
  return out;
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
