/**
 * Which time steps a fused sequence runs and how. With `lengths`, steps t < min(len) are "full" (no
 * mask), steps min(len) ≤ t < max(len) are "partial" (rows with t ≥ len_b keep their state and
 * output zeros), and steps t ≥ max(len) touch no row: they are skipped and output zeros.
 */
import type { TfjsCore, TfTensor } from '../tfjs.js';

/** The steps of one direction over a padded sequence. */
export interface Schedule {
  /** Steps 0 … active−1 touch at least one row; the rest output zeros. */
  readonly active: number;
  /** Steps 0 … full−1 touch every row (no mask needed). */
  readonly full: number;
  /** Active steps in the order they run (ascending, or descending for `reverse`). */
  readonly order: readonly number[];
}

/** Plans the steps of a sequence of `steps` time steps. */
export function makeSchedule(steps: number, lengths: Int32Array | undefined, reverse: boolean): Schedule {
  let active = steps;
  let full = steps;
  if (lengths !== undefined && lengths.length > 0) {
    active = Math.min(steps, Math.max(...lengths));
    full = Math.min(steps, Math.min(...lengths));
  }
  const order = Array.from({ length: active }, (_, k) => (reverse ? active - 1 - k : k));
  return { active, full, order };
}

/**
 * Which rows step t updates, `[N, 1]` booleans built from host data (never from a differentiated
 * tensor). Used with `tf.where`, not as 0/1 factors, so frozen rows keep their state bit for bit,
 * padded outputs are +0, and whatever the padding holds (even NaN) cannot leak into results.
 */
export function stepMask(tf: TfjsCore, lengths: Int32Array, t: number): TfTensor {
  return tf.tensor2d(
    Uint8Array.from(lengths, (len) => (t < len ? 1 : 0)),
    [lengths.length, 1],
    'bool',
  );
}

/** Which rows of the time-major `[steps·N, …]` input are real data: `[steps·N, 1]` booleans. */
export function paddingMask(tf: TfjsCore, lengths: Int32Array, steps: number): TfTensor {
  const batch = lengths.length;
  const valid = new Uint8Array(steps * batch);
  for (let t = 0; t < steps; t++) {
    for (let b = 0; b < batch; b++) valid[t * batch + b] = t < lengths[b] ? 1 : 0;
  }
  return tf.tensor2d(valid, [steps * batch, 1], 'bool');
}
