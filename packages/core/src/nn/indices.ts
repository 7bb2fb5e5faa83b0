/** Integer index data (token ids, class labels), kept on the host: backends store floats only. */
import { describeValue, formatShape } from '../errors.js';
import { sizeOf } from '../tensor/shape.js';

/** Row-major integer ids with a shape, e.g. token ids `[T, N]` or class labels `[N]`. */
export interface Indices {
  /** The ids, row-major. */
  readonly data: Int32Array;
  /** Dimensions. */
  readonly shape: readonly number[];
}

/**
 * Checks and copies ids; `where` and `argument` name them in errors (`crossEntropy: target[1] …`), so
 * a caller of a loss or a module reads its own argument's name, not this helper's.
 */
function checkedIds(
  data: ArrayLike<number>,
  shape: readonly number[],
  where: string,
  argument: string,
): Indices {
  if (data === null || typeof data !== 'object' || typeof data.length !== 'number') {
    throw new TypeError(`${where}: ${argument} must be an array of integer ids, got ${describeValue(data)}`);
  }
  if (data.length !== sizeOf(shape)) {
    throw new RangeError(
      `${where}: ${argument} must have ${sizeOf(shape)} values to fill shape ${formatShape(shape)}, got ${data.length}`,
    );
  }
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // Range-checked too: Int32Array would wrap 2³¹ to a negative id, and the error would show that id.
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
      throw new RangeError(
        `${where}: ${argument}[${i}] must be an integer in [-2^31, 2^31), got ${describeValue(v)}`,
      );
    }
    out[i] = v;
  }
  return { data: out, shape: [...shape] };
}

/** Builds {@link Indices}, checking every value is an integer and the count matches the shape. */
export function indices(data: ArrayLike<number>, shape: readonly number[] = [data?.length ?? 0]): Indices {
  return checkedIds(data, shape, 'indices', 'data');
}

/**
 * Accepts Indices, or a flat array of ids (shape `[length]`), checked; errors name `argument` of
 * `where` (default: this function's own).
 */
export function toIndices(value: Indices | ArrayLike<number>, where = 'indices', argument = 'data'): Indices {
  if (value !== null && typeof value === 'object' && 'shape' in value && value.data instanceof Int32Array)
    return value as Indices;
  const length = (value as ArrayLike<number> | null)?.length;
  return checkedIds(value as ArrayLike<number>, [typeof length === 'number' ? length : 0], where, argument);
}
