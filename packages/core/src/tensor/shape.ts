/** Shape rules shared by the frontend's ops and modules (validated once, here, never in backends). */
import { formatShape, ShapeError } from '../errors.js';

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** True when two shapes are identical. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * NumPy broadcasting: the result shape, or a clear error naming both arguments (`names`, default
 * `a` and `b`), their shapes and the first dimension that differs.
 */
export function broadcastShapes(
  where: string,
  a: readonly number[],
  b: readonly number[],
  names: readonly [string, string] = ['a', 'b'],
): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      const [na, nb] = names;
      // Counted from the end, as broadcasting aligns trailing dimensions.
      const fromEnd = rank - i;
      throw new ShapeError(
        `${where}: ${na} ${formatShape(a)} and ${nb} ${formatShape(b)} cannot be broadcast together: ` +
          `dimension -${fromEnd} (counted from the last) must be equal or 1 in both, got ${da} and ${db}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Normalises a possibly negative axis for a tensor of `rank`, or throws. */
export function normaliseAxis(where: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw new RangeError(`${where}: axis must be an integer in [${-rank}, ${rank}), got ${axis}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * The most elements one tensor may have: the longest typed array every engine allocates (V8's limit
 * for a Float32Array is 2³² − 1 on 64-bit; 2³¹ − 1 keeps 32-bit engines and texture-backed ones safe).
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/**
 * Throws a clear RangeError when a tensor of `shape` would have more than {@link MAX_TENSOR_ELEMENTS}
 * elements, before anything is allocated (instead of the engine's "Invalid typed array length").
 */
export function checkTensorSize(where: string, argument: string, shape: readonly number[]): void {
  const size = sizeOf(shape);
  if (size > MAX_TENSOR_ELEMENTS) {
    throw new RangeError(
      `${where}: ${argument} of shape ${formatShape(shape)} would have ${size.toExponential(3)} elements, ` +
        `more than one tensor can hold (${MAX_TENSOR_ELEMENTS})`,
    );
  }
}
