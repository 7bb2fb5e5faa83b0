/** Validation of per-row sequence lengths (PyTorch `pack_padded_sequence` rules). */
import { describeValue } from '../errors.js';

/** Checks `lengths` (one integer in [1, steps] per batch row) and returns them as an Int32Array. */
export function checkLengths(
  where: string,
  lengths: ArrayLike<number>,
  batch: number,
  steps: number,
): Int32Array {
  if (lengths === null || typeof lengths !== 'object' || typeof lengths.length !== 'number') {
    throw new TypeError(`${where}: lengths must be an array of integers, got ${describeValue(lengths)}`);
  }
  if (lengths.length !== batch) {
    throw new RangeError(
      `${where}: lengths must have one entry per batch row (${batch}), got ${lengths.length}`,
    );
  }
  const out = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    const len = lengths[b];
    if (typeof len !== 'number' || !Number.isInteger(len) || len < 1 || len > steps) {
      throw new RangeError(
        `${where}: lengths[${b}] must be an integer in [1, ${steps}] (the sequence length), got ${describeValue(len)}`,
      );
    }
    out[b] = len;
  }
  return out;
}
