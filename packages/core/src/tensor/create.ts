/** Creating tensors on a backend from host data. */
import type { Backend, DType } from '../backend.js';
import { resolveBackend } from '../default-backend.js';
import { valueError } from '../errors.js';
import type { Generator } from '../random.js';
import { defaultGenerator } from '../random.js';
import { checkTensorSize, sizeOf } from './shape.js';
import type { AnyBackend } from './tensor.js';
import { Tensor } from './tensor.js';

/** Where and in what precision a new tensor lives. */
export interface TensorOptions {
  /** Backend to create on; defaults to the default backend. */
  backend?: Backend<unknown>;
  /** Element type; defaults to `float32`. */
  dtype?: DType;
}

function checkShape(where: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    valueError(where, 'shape', 'an array of non-negative integers', shape);
  }
  checkTensorSize(where, 'the tensor', shape);
}

/**
 * Throws unless `data` is an array or typed array of exactly `length` numbers (NaN and ±Infinity are
 * numbers). Strings are refused rather than converted (`'0.5'` would become 0.5 and `'abc'` NaN), and so
 * are array-likes such as `{ length: 12 }` whose entries are missing.
 */
export function checkNumericData(where: string, argument: string, data: unknown, length: number): void {
  const typed = ArrayBuffer.isView(data) && !(data instanceof DataView);
  if (!typed && !Array.isArray(data)) {
    valueError(where, argument, 'an array or typed array of numbers', data);
  }
  const values = data as ArrayLike<unknown>;
  if (typed && (data instanceof BigInt64Array || data instanceof BigUint64Array)) {
    valueError(where, argument, 'an array or typed array of numbers (not BigInt)', data);
  }
  if (values.length !== length) {
    throw new RangeError(`${where}: ${argument} must have ${length} elements, got ${values.length}`);
  }
  if (!typed) {
    for (let i = 0; i < values.length; i++) {
      if (typeof values[i] !== 'number') valueError(where, `${argument}[${i}]`, 'a number', values[i]);
    }
  }
}

/** A tensor holding a copy of `data` (row-major) with the given shape. */
export function tensor(
  data: ArrayLike<number>,
  shape: readonly number[],
  options: TensorOptions = {},
): Tensor {
  checkShape('tensor', shape);
  checkNumericData('tensor', 'data', data, sizeOf(shape));
  const { backend, dtype } = placement('tensor', options);
  return new Tensor(backend, backend.fromData(data, shape, dtype), [...shape], dtype);
}

/** The backend and dtype `options` ask for, checked (before any random number is drawn). */
function placement(where: string, options: TensorOptions): { backend: AnyBackend; dtype: DType } {
  const backend = resolveBackend(options.backend);
  const dtype = options.dtype ?? 'float32';
  if (!backend.dtypes.includes(dtype)) {
    valueError(where, 'dtype', `one of ${backend.dtypes.join(', ')} on backend ${backend.name}`, dtype);
  }
  return { backend, dtype };
}

/** A tensor filled with `value`. */
export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  checkShape('full', shape);
  if (typeof value !== 'number') valueError('full', 'value', 'a number', value);
  return tensor(new Float64Array(sizeOf(shape)).fill(value), shape, options);
}

/** A tensor of zeros. */
export function zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return full(shape, 0, options);
}

/** A tensor of ones. */
export function ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

/** Standard normal samples from a seeded generator. */
export function randn(
  shape: readonly number[],
  options: TensorOptions & { generator?: Generator } = {},
): Tensor {
  checkShape('randn', shape);
  placement('randn', options);
  const generator = options.generator ?? defaultGenerator();
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = generator.normal();
  return tensor(data, shape, options);
}

/** Uniform samples in [low, high) from a seeded generator. */
export function rand(
  shape: readonly number[],
  options: TensorOptions & { generator?: Generator; low?: number; high?: number } = {},
): Tensor {
  checkShape('rand', shape);
  placement('rand', options);
  const low = options.low ?? 0;
  const high = options.high ?? 1;
  if (typeof low !== 'number' || !Number.isFinite(low)) valueError('rand', 'low', 'a finite number', low);
  if (typeof high !== 'number' || !Number.isFinite(high) || high < low)
    valueError('rand', 'high', `a finite number ≥ low (${low})`, high);
  const generator = options.generator ?? defaultGenerator();
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = generator.uniform(low, high);
  return tensor(data, shape, options);
}

/** A tensor like `like` (same backend and dtype) holding `data`. */
export function tensorLike(like: Tensor, data: ArrayLike<number>, shape: readonly number[]): Tensor {
  return new Tensor(like.backend, like.backend.fromData(data, shape, like.dtype), [...shape], like.dtype);
}
