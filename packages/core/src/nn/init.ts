/**
 * PyTorch's `torch.nn.init`: fill a parameter with values from a distribution, in place (PyTorch's
 * `*_` functions). A {@link Parameter} gets a new value through `assign` and is returned; a
 * {@link Tensor} is immutable, so a new tensor of its shape, backend and dtype is returned instead.
 * Random draws come from Recur's seeded {@link Generator} (`options.generator`, else the default one);
 * PyTorch's own random stream cannot be reproduced, only its distributions.
 */
import { describeValue, formatShape, valueError } from '../errors.js';
import type { Generator } from '../random.js';
import { defaultGenerator } from '../random.js';
import { checkLiveTensor } from '../tensor/check.js';
import { sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { Parameter } from './parameter.js';

/** Where random values come from. */
export interface InitOptions {
  /** The generator to draw from (default: the process-wide one, seeded by `manualSeed`). */
  generator?: Generator;
}

/** `fan_in` or `fan_out`, as PyTorch's `mode`. */
export type FanMode = 'fan_in' | 'fan_out';

/** Nonlinearities {@link calculateGain} knows (PyTorch's table). */
export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu';

/** Options of {@link kaimingUniform} and {@link kaimingNormal}. */
export interface KaimingOptions extends InitOptions {
  /** Negative slope of the rectifier after this layer (only for `leaky_relu`; default 0). */
  a?: number;
  /** Preserve the variance of the forward pass (`'fan_in'`, default) or of the backward pass (`'fan_out'`). */
  mode?: FanMode;
  /** The nonlinearity after this layer (default `'leaky_relu'`); see {@link calculateGain}. */
  nonlinearity?: Nonlinearity;
}

const LINEAR_GAIN = new Set([
  'linear',
  'conv1d',
  'conv2d',
  'conv3d',
  'conv_transpose1d',
  'conv_transpose2d',
  'conv_transpose3d',
  'sigmoid',
]);

/**
 * PyTorch's `calculate_gain`: the recommended scale for a nonlinearity — 1 for linear, convolutions and
 * sigmoid, 5/3 for tanh, √2 for relu, √(2 / (1 + slope²)) for leaky_relu (`param` the slope, default
 * 0.01) and 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  const where = 'init.calculateGain';
  if (LINEAR_GAIN.has(nonlinearity)) return 1;
  switch (nonlinearity) {
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.sqrt(2);
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || !Number.isFinite(slope))
        valueError(where, 'param', 'a finite number (the negative slope)', param);
      return Math.sqrt(2 / (1 + slope ** 2));
    }
    case 'selu':
      return 3 / 4;
    default:
      return valueError(
        where,
        'nonlinearity',
        `one of ${[...LINEAR_GAIN, 'tanh', 'relu', 'leaky_relu', 'selu'].map((n) => `'${n}'`).join(', ')}`,
        nonlinearity,
      );
  }
}

/**
 * PyTorch's `_calculate_fan_in_and_fan_out` for a weight of `shape` (at least 2-D): fan_in = shape[1] ·
 * receptive field, fan_out = shape[0] · receptive field, where the receptive field is the product of
 * shape[2:]. For an RNN weight `[G·H, I]` that is fan_in = I, fan_out = G·H.
 */
export function calculateFanInAndFanOut(
  shape: readonly number[],
  where = 'init.calculateFanInAndFanOut',
): {
  /** Inputs feeding each output unit. */
  fanIn: number;
  /** Outputs each input unit feeds. */
  fanOut: number;
} {
  if (!Array.isArray(shape) || shape.length < 2) {
    throw new RangeError(
      `${where}: fan in and fan out need a tensor of at least 2 dimensions, got ${Array.isArray(shape) ? `shape ${formatShape(shape)}` : describeValue(shape)}`,
    );
  }
  const receptive = sizeOf(shape.slice(2));
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

/** The target's tensor (checked live), for a function named `where`. */
function targetOf(where: string, target: Parameter | Tensor): Tensor {
  const value = target instanceof Parameter ? target.value : target;
  checkLiveTensor(where, target instanceof Parameter ? 'tensor.value' : 'tensor', value);
  return value;
}

function generatorOf(where: string, options: InitOptions | undefined): Generator {
  const generator = options?.generator ?? defaultGenerator();
  if (generator === null || typeof generator !== 'object' || typeof generator.random !== 'function')
    valueError(where, 'options.generator', 'a Generator', generator);
  return generator;
}

function checkNumber(where: string, argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    valueError(where, argument, 'a finite number', value);
  return value;
}

/** Writes `data` into the target: a parameter is assigned (and returned), a tensor replaced by a new one. */
function write<T extends Parameter | Tensor>(target: T, value: Tensor, data: ArrayLike<number>): T {
  const next = new Tensor(
    value.backend,
    value.backend.fromData(data, value.shape, value.dtype),
    [...value.shape],
    value.dtype,
  );
  if (target instanceof Parameter) {
    target.assign(next);
    return target;
  }
  return next as T;
}

function fill<T extends Parameter | Tensor>(where: string, target: T, draw: (i: number) => number): T {
  const value = targetOf(where, target);
  const data = new Float64Array(value.size);
  for (let i = 0; i < data.length; i++) data[i] = draw(i);
  return write(target, value, data);
}

/** PyTorch's `uniform_`: values ~ U(a, b) (default U(0, 1)). */
export function uniform<T extends Parameter | Tensor>(tensor: T, a = 0, b = 1, options?: InitOptions): T {
  const where = 'init.uniform';
  targetOf(where, tensor);
  checkNumber(where, 'a', a);
  checkNumber(where, 'b', b);
  if (b < a) valueError(where, 'b', `a number ≥ a (${a})`, b);
  const generator = generatorOf(where, options);
  return fill(where, tensor, () => generator.uniform(a, b));
}

/** PyTorch's `normal_`: values ~ N(mean, std²) (default N(0, 1)). */
export function normal<T extends Parameter | Tensor>(tensor: T, mean = 0, std = 1, options?: InitOptions): T {
  const where = 'init.normal';
  targetOf(where, tensor);
  checkNumber(where, 'mean', mean);
  checkNumber(where, 'std', std);
  if (std < 0) valueError(where, 'std', 'a number ≥ 0', std);
  const generator = generatorOf(where, options);
  return fill(where, tensor, () => mean + std * generator.normal());
}

/** PyTorch's `constant_`: every value `val`. */
export function constant<T extends Parameter | Tensor>(tensor: T, val: number): T {
  const where = 'init.constant';
  targetOf(where, tensor);
  if (typeof val !== 'number') valueError(where, 'val', 'a number', val);
  return fill(where, tensor, () => val);
}

/** PyTorch's `zeros_`. */
export function zeros<T extends Parameter | Tensor>(tensor: T): T {
  targetOf('init.zeros', tensor);
  return fill('init.zeros', tensor, () => 0);
}

/** PyTorch's `ones_`. */
export function ones<T extends Parameter | Tensor>(tensor: T): T {
  targetOf('init.ones', tensor);
  return fill('init.ones', tensor, () => 1);
}

/** PyTorch's `eye_`: the identity matrix (ones on the main diagonal) in a 2-D tensor. */
export function eye<T extends Parameter | Tensor>(tensor: T): T {
  const where = 'init.eye';
  const value = targetOf(where, tensor);
  if (value.rank !== 2) {
    throw new RangeError(`${where}: tensor must be 2-D, got shape ${formatShape(value.shape)}`);
  }
  const cols = value.shape[1]!;
  return fill(where, tensor, (i) => (Math.floor(i / cols) === i % cols ? 1 : 0));
}

/**
 * PyTorch's `orthogonal_`: a (semi-)orthogonal matrix times `gain`. The tensor (at least 2-D) is viewed as
 * `[rows, cols]` with the trailing dimensions flattened; Q of the QR decomposition of a normal matrix,
 * signs fixed by R's diagonal (the unique Q with R's diagonal positive), transposed when rows < cols.
 */
export function orthogonal<T extends Parameter | Tensor>(tensor: T, gain = 1, options?: InitOptions): T {
  const where = 'init.orthogonal';
  const value = targetOf(where, tensor);
  if (value.rank < 2) {
    throw new RangeError(
      `${where}: only tensors with 2 or more dimensions are supported, got shape ${formatShape(value.shape)}`,
    );
  }
  checkNumber(where, 'gain', gain);
  const generator = generatorOf(where, options);
  const rows = value.shape[0]!;
  const cols = value.size / Math.max(rows, 1);
  if (value.size === 0) return write(tensor, value, new Float64Array(0));
  // Columns of an m × n matrix (m ≥ n) made orthonormal by Gram–Schmidt, twice (numerically orthogonal).
  const [m, n] = rows < cols ? [cols, rows] : [rows, cols];
  const a = Array.from({ length: n }, () => Float64Array.from({ length: m }, () => generator.normal()));
  const q: Float64Array[] = [];
  for (const v of a) {
    for (let pass = 0; pass < 2; pass++) {
      for (const u of q) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += u[i]! * v[i]!;
        for (let i = 0; i < m; i++) v[i]! -= dot * u[i]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) v[i]! /= norm;
    q.push(v);
  }
  // Q is m × n with q[j] its columns; the result is Q ([rows, cols] = [m, n]) or Qᵀ (rows < cols).
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) data[r * cols + c] = gain * (rows < cols ? q[r]![c]! : q[c]![r]!);
  return write(tensor, value, data);
}

/** The fans of a target, for the function `where`. */
function fans(where: string, value: Tensor) {
  return calculateFanInAndFanOut(value.shape, where);
}

/** PyTorch's `xavier_uniform_` (Glorot): U(−a, a), a = gain · √(6 / (fan_in + fan_out)). */
export function xavierUniform<T extends Parameter | Tensor>(tensor: T, gain = 1, options?: InitOptions): T {
  const where = 'init.xavierUniform';
  const { fanIn, fanOut } = fans(where, targetOf(where, tensor));
  checkNumber(where, 'gain', gain);
  const bound = Math.sqrt(3) * gain * Math.sqrt(2 / (fanIn + fanOut));
  const generator = generatorOf(where, options);
  return fill(where, tensor, () => generator.uniform(-bound, bound));
}

/** PyTorch's `xavier_normal_` (Glorot): N(0, std²), std = gain · √(2 / (fan_in + fan_out)). */
export function xavierNormal<T extends Parameter | Tensor>(tensor: T, gain = 1, options?: InitOptions): T {
  const where = 'init.xavierNormal';
  const { fanIn, fanOut } = fans(where, targetOf(where, tensor));
  checkNumber(where, 'gain', gain);
  const std = gain * Math.sqrt(2 / (fanIn + fanOut));
  const generator = generatorOf(where, options);
  return fill(where, tensor, () => std * generator.normal());
}

/** The standard deviation of a Kaiming init: gain(nonlinearity, a) / √fan(mode). */
function kaimingStd(where: string, value: Tensor, options: KaimingOptions | undefined): number {
  const a = options?.a ?? 0;
  checkNumber(where, 'options.a', a);
  const mode = options?.mode ?? 'fan_in';
  if (mode !== 'fan_in' && mode !== 'fan_out')
    valueError(where, 'options.mode', "'fan_in' or 'fan_out'", mode);
  const { fanIn, fanOut } = fans(where, value);
  const gain = calculateGain(options?.nonlinearity ?? 'leaky_relu', a);
  return gain / Math.sqrt(mode === 'fan_in' ? fanIn : fanOut);
}

/**
 * PyTorch's `kaiming_uniform_` (He): U(−bound, bound), bound = gain · √(3 / fan), gain from
 * {@link calculateGain}(nonlinearity, a), fan by `mode`. Defaults a = 0, `'fan_in'`, `'leaky_relu'`.
 */
export function kaimingUniform<T extends Parameter | Tensor>(tensor: T, options?: KaimingOptions): T {
  const where = 'init.kaimingUniform';
  const bound = Math.sqrt(3) * kaimingStd(where, targetOf(where, tensor), options);
  const generator = generatorOf(where, options);
  return fill(where, tensor, () => generator.uniform(-bound, bound));
}

/** PyTorch's `kaiming_normal_` (He): N(0, std²), std = gain / √fan; options as {@link kaimingUniform}. */
export function kaimingNormal<T extends Parameter | Tensor>(tensor: T, options?: KaimingOptions): T {
  const where = 'init.kaimingNormal';
  const std = kaimingStd(where, targetOf(where, tensor), options);
  const generator = generatorOf(where, options);
  return fill(where, tensor, () => std * generator.normal());
}
