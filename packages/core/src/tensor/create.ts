/** Creating tensors on a backend from host data. */
import type { Backend, DType } from '../backend.js';
import { resolveBackend } from '../default-backend.js';
import { formatShape, valueError } from '../errors.js';
import type { Generator } from '../random.js';
import { defaultGenerator } from '../random.js';
import { sizeOf } from './shape.js';
import { Tensor } from './tensor.js';

/** Where and in what precision a new tensor lives. */
export interface TensorOptions {
  /** Backend to create on; defaults to the default backend. */
  backend?: Backend<unknown>;
  /** Element type; defaults to `float32`. */
  dtype?: DType;
}

function checkShape(where: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    valueError(where, 'shape', 'an array of non-negative integers', shape);
  }
}

/** A tensor holding a copy of `data` (row-major) with the given shape. */
export function tensor(
  data: ArrayLike<number>,
  shape: readonly number[],
  options: TensorOptions = {},
): Tensor {
  checkShape('tensor', shape);
  if (data.length !== sizeOf(shape)) {
    throw new RangeError(
      `tensor: data has ${data.length} elements but shape ${formatShape(shape)} needs ${sizeOf(shape)}`,
    );
  }
  const backend = resolveBackend(options.backend);
  const dtype = options.dtype ?? 'float32';
  if (!backend.dtypes.includes(dtype)) {
    valueError('tensor', 'dtype', `one of ${backend.dtypes.join(', ')} on backend ${backend.name}`, dtype);
  }
  return new Tensor(backend, backend.fromData(data, shape, dtype), [...shape], dtype);
}

/** A tensor filled with `value`. */
export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  checkShape('full', shape);
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
  const generator = options.generator ?? defaultGenerator();
  const low = options.low ?? 0;
  const high = options.high ?? 1;
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = generator.uniform(low, high);
  return tensor(data, shape, options);
}

/** A tensor like `like` (same backend and dtype) holding `data`. */
export function tensorLike(like: Tensor, data: ArrayLike<number>, shape: readonly number[]): Tensor {
  return new Tensor(like.backend, like.backend.fromData(data, shape, like.dtype), [...shape], like.dtype);
}
