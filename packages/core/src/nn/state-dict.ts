/** State dicts: PyTorch-named tensors that move weights between modules, backends and files. */
import { describeValue, formatShape } from '../errors.js';
import { sameShape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** A tensor as plain data, as stored in JSON (`{ shape, data }`, row-major). */
export interface TensorData {
  /** Dimensions. */
  shape: readonly number[];
  /** Row-major values. */
  data: ArrayLike<number>;
}

/** Parameter name (PyTorch's `state_dict` key) → tensor or plain data. */
export type StateDict = Record<string, Tensor | TensorData>;

/** Converts a state dict to plain JSON-serialisable data (for saving weights). */
export function stateDictToJSON(state: StateDict): Record<
  string,
  {
    /** Dimensions, copied. */
    shape: number[];
    /** Row-major values as a plain array. */
    data: number[];
  }
> {
  const out: Record<string, { shape: number[]; data: number[] }> = {};
  for (const [name, entry] of Object.entries(state)) {
    out[name] = {
      shape: [...entry.shape],
      data: Array.from('toArray' in entry ? entry.toArray() : entry.data),
    };
  }
  return out;
}

/**
 * What is wrong with one state-dict entry meant for a parameter of `shape`, or undefined when it can be
 * loaded: a live tensor of that shape, or `{ shape, data }` with that shape and as many numbers.
 */
export function entryProblem(entry: unknown, shape: readonly number[]): string | undefined {
  if (entry instanceof Tensor) {
    if (entry.isDisposed) return `the tensor (${entry.toString()}) has been disposed`;
    if (!sameShape(entry.shape, shape))
      return `expected shape ${formatShape(shape)}, got ${formatShape(entry.shape)}`;
    return undefined;
  }
  if (entry === null || typeof entry !== 'object') {
    return `expected a Tensor or {shape, data}, got ${describeValue(entry)}`;
  }
  const { shape: entryShape, data } = entry as { shape?: unknown; data?: unknown };
  if (!Array.isArray(entryShape) || !entryShape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return `shape must be an array of non-negative integers, got ${describeValue(entryShape)}`;
  }
  if (!sameShape(entryShape, shape))
    return `expected shape ${formatShape(shape)}, got ${formatShape(entryShape)}`;
  const typed =
    ArrayBuffer.isView(data) &&
    !(data instanceof DataView) &&
    !(data instanceof BigInt64Array) &&
    !(data instanceof BigUint64Array);
  if (!typed && !Array.isArray(data))
    return `data must be an array or typed array of numbers, got ${describeValue(data)}`;
  const values = data as ArrayLike<unknown>;
  if (values.length !== sizeOf(shape)) return `expected ${sizeOf(shape)} values, got ${values.length}`;
  if (!typed) {
    for (let i = 0; i < values.length; i++) {
      if (typeof values[i] !== 'number')
        return `data[${i}] must be a number, got ${describeValue(values[i])}`;
    }
  }
  return undefined;
}
