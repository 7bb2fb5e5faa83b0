/** Integer index data (token ids, class labels), kept on the host: backends store floats only. */
import { formatShape } from '../errors.js';
import { sizeOf } from '../tensor/shape.js';

/** Row-major integer ids with a shape, e.g. token ids `[T, N]` or class labels `[N]`. */
export interface Indices {
  /** The ids, row-major. */
  readonly data: Int32Array;
  /** Dimensions. */
  readonly shape: readonly number[];
}

/** Builds {@link Indices}, checking every value is an integer and the count matches the shape. */
export function indices(data: ArrayLike<number>, shape: readonly number[] = [data.length]): Indices {
  if (data.length !== sizeOf(shape)) {
    throw new RangeError(`indices: ${data.length} values do not fill shape ${formatShape(shape)}`);
  }
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isInteger(v)) throw new RangeError(`indices: value at ${i} must be an integer, got ${v}`);
    out[i] = v;
  }
  return { data: out, shape: [...shape] };
}

/** Accepts Indices, or a flat array of ids (shape `[length]`). */
export function toIndices(value: Indices | ArrayLike<number>): Indices {
  if ('shape' in value && (value as Indices).data instanceof Int32Array) return value as Indices;
  return indices(value as ArrayLike<number>);
}
