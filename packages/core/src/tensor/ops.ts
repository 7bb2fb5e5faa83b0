/**
 * Differentiable tensor operations of the frontend. Each checks its arguments (same backend, same
 * dtype, compatible shapes), computes the result shape by the rules in `shape.ts`, then calls one
 * backend primitive.
 */
import type { BinaryOp, UnaryOp } from '../backend.js';
import { formatShape, ShapeError, shapeError } from '../errors.js';
import { checkLiveTensor, describeBackendMismatch } from './check.js';
import { broadcastShapes, normaliseAxis, sameShape, sizeOf } from './shape.js';
import { Tensor } from './tensor.js';

/**
 * Throws unless every tensor is live and lives on the same backend with the same dtype as the first.
 * `names` name the arguments in errors (default `argument 0`, `argument 1`, …).
 */
export function checkSameBackend(where: string, tensors: readonly Tensor[], names?: readonly string[]): void {
  const name = (i: number) => names?.[i] ?? (tensors.length === 1 ? 'x' : `argument ${i}`);
  tensors.forEach((t, i) => {
    checkLiveTensor(where, name(i), t);
  });
  const first = tensors[0]!;
  for (const [i, t] of tensors.entries()) {
    if (t.backend !== first.backend) {
      throw new Error(
        `${where}: ${name(0)} and ${name(i)} live on different backends (${describeBackendMismatch(first.backend, t.backend)}); ` +
          'move one with module.to(backend) or create the tensor on the same backend',
      );
    }
    if (t.dtype !== first.dtype)
      throw new TypeError(
        `${where}: mixed dtypes, ${name(0)} is ${first.dtype} and ${name(i)} is ${t.dtype}`,
      );
  }
}

function wrap(like: Tensor, handle: unknown, shape: readonly number[]): Tensor {
  return new Tensor(like.backend, handle, shape, like.dtype);
}

function binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  checkSameBackend(op, [a, b], ['a', 'b']);
  const shape = broadcastShapes(op, a.shape, b.shape);
  return wrap(a, a.backend.binary(op, a.handle, b.handle), shape);
}

/** Elementwise `a + b` with broadcasting. */
export const add = (a: Tensor, b: Tensor): Tensor => binary('add', a, b);
/** Elementwise `a − b` with broadcasting. */
export const sub = (a: Tensor, b: Tensor): Tensor => binary('sub', a, b);
/** Elementwise `a ⊙ b` with broadcasting. */
export const mul = (a: Tensor, b: Tensor): Tensor => binary('mul', a, b);
/** Elementwise `a / b` with broadcasting. */
export const div = (a: Tensor, b: Tensor): Tensor => binary('div', a, b);

function unary(op: UnaryOp, x: Tensor): Tensor {
  checkSameBackend(op, [x]);
  return wrap(x, x.backend.unary(op, x.handle), x.shape);
}

/** Elementwise −x. */
export const neg = (x: Tensor): Tensor => unary('neg', x);
/** Elementwise eˣ. */
export const exp = (x: Tensor): Tensor => unary('exp', x);
/** Elementwise natural logarithm. */
export const log = (x: Tensor): Tensor => unary('log', x);
/** Elementwise square root. */
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
/** Elementwise |x|. */
export const abs = (x: Tensor): Tensor => unary('abs', x);
/** Elementwise tanh. */
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
/** Elementwise logistic sigmoid. */
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x);
/** Elementwise max(x, 0). */
export const relu = (x: Tensor): Tensor => unary('relu', x);

/** `x · factor` for a number `factor`. */
export function scale(x: Tensor, factor: number): Tensor {
  checkSameBackend('scale', [x]);
  return wrap(x, x.backend.scale(x.handle, factor), x.shape);
}

/** `x + value` for a number `value`. */
export function addScalar(x: Tensor, value: number): Tensor {
  return add(x, new Tensor(x.backend, x.backend.fromData([value], [], x.dtype), [], x.dtype));
}

/** Matrix product of 2-D tensors, optionally transposing either operand. */
export function matmul(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor {
  checkSameBackend('matmul', [a, b], ['a', 'b']);
  if (a.rank !== 2) shapeError('matmul', 'a', 'a 2-D tensor', a.shape);
  if (b.rank !== 2) shapeError('matmul', 'b', 'a 2-D tensor', b.shape);
  const [m, ka] = transposeA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const [kb, n] = transposeB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  if (ka !== kb) {
    // Named as the user wrote it: which operand, what it needed (rows of op(b) = columns of op(a)), what it has.
    const tA = transposeA ? 'ᵀ' : '';
    const tB = transposeB ? 'ᵀ' : '';
    throw new ShapeError(
      `matmul: inner dimensions differ: b${tB} must have ${ka} rows to match the ${ka} columns of ` +
        `a${tA} (a has shape ${formatShape(a.shape)}), got shape ${formatShape(b.shape)} (${kb} rows${tB ? ' after transposing' : ''})`,
    );
  }
  return wrap(a, a.backend.matMul(a.handle, b.handle, transposeA, transposeB), [m, n]);
}

function reducedShape(where: string, x: Tensor, axes: readonly number[] | undefined, keepDims: boolean) {
  const all = axes === undefined;
  const normalised = all ? x.shape.map((_, i) => i) : axes.map((a) => normaliseAxis(where, a, x.rank));
  const set = new Set(normalised);
  const shape = keepDims
    ? x.shape.map((d, i) => (set.has(i) ? 1 : d))
    : x.shape.filter((_, i) => !set.has(i));
  return { axes: [...set].sort((p, q) => p - q), shape };
}

/** Sum over `axes` (all axes when omitted). */
export function sum(x: Tensor, axes?: readonly number[], keepDims = false): Tensor {
  checkSameBackend('sum', [x]);
  const r = reducedShape('sum', x, axes, keepDims);
  return wrap(x, x.backend.sum(x.handle, r.axes, keepDims), r.shape);
}

/** Mean over `axes` (all axes when omitted). */
export function mean(x: Tensor, axes?: readonly number[], keepDims = false): Tensor {
  const r = reducedShape('mean', x, axes, keepDims);
  const count = r.axes.reduce((n, a) => n * x.shape[a]!, 1);
  return scale(sum(x, axes, keepDims), 1 / count);
}

/** Maximum over `axes` (all when omitted). Not differentiable. */
export function max(x: Tensor, axes?: readonly number[], keepDims = false): Tensor {
  checkSameBackend('max', [x]);
  const r = reducedShape('max', x, axes, keepDims);
  return wrap(x, x.backend.max(x.handle, r.axes, keepDims), r.shape);
}

/** `log(softmax(x))` along the last axis. */
export function logSoftmax(x: Tensor): Tensor {
  checkSameBackend('logSoftmax', [x]);
  if (x.rank < 1) shapeError('logSoftmax', 'x', 'at least 1 dimension', x.shape);
  return wrap(x, x.backend.logSoftmax(x.handle), x.shape);
}

/** Same data in a new shape; one dimension may be −1 (inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkSameBackend('reshape', [x]);
  const inferred = [...shape];
  const unknown = inferred.indexOf(-1);
  if (unknown >= 0) {
    const known = sizeOf(inferred.filter((_, i) => i !== unknown));
    inferred[unknown] = known === 0 ? 0 : x.size / known;
  }
  if (!inferred.every((d) => Number.isInteger(d) && d >= 0) || sizeOf(inferred) !== x.size) {
    throw new ShapeError(
      `reshape: shape must hold the ${x.size} elements of x (shape ${formatShape(x.shape)}), ` +
        `got ${formatShape(shape)}`,
    );
  }
  if (sameShape(inferred, x.shape)) return x;
  return wrap(x, x.backend.reshape(x.handle, inferred), inferred);
}

/** Permutes axes: output axis i is input axis `perm[i]`. */
export function transpose(x: Tensor, perm: readonly number[]): Tensor {
  checkSameBackend('transpose', [x]);
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== x.rank || !sorted.every((p, i) => p === i)) {
    throw new RangeError(
      `transpose: perm must be a permutation of 0..${x.rank - 1}, got [${perm.join(', ')}]`,
    );
  }
  return wrap(
    x,
    x.backend.transpose(x.handle, perm),
    perm.map((p) => x.shape[p]!),
  );
}

/** The block of `x` starting at `begin` with extent `size` on every axis. */
export function slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  checkSameBackend('slice', [x]);
  const ok =
    begin.length === x.rank &&
    size.length === x.rank &&
    begin.every(
      (b, i) =>
        Number.isInteger(b) &&
        b >= 0 &&
        Number.isInteger(size[i]) &&
        size[i]! >= 0 &&
        b + size[i]! <= x.shape[i]!,
    );
  if (!ok) {
    throw new RangeError(
      `slice: begin [${begin.join(', ')}] size [${size.join(', ')}] out of range for ${formatShape(x.shape)}`,
    );
  }
  if (sameShape(size, x.shape)) return x;
  return wrap(x, x.backend.slice(x.handle, begin, size), [...size]);
}

/** `x[index]` along axis 0, dropping that axis. */
export function index0(x: Tensor, index: number): Tensor {
  const begin = x.shape.map((_, i) => (i === 0 ? index : 0));
  const size = x.shape.map((d, i) => (i === 0 ? 1 : d));
  return reshape(slice(x, begin, size), x.shape.slice(1));
}

/** Joins tensors along `axis`. */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new RangeError('concat: needs at least one tensor');
  checkSameBackend(
    'concat',
    xs,
    xs.map((_, i) => `xs[${i}]`),
  );
  const first = xs[0]!;
  const ax = normaliseAxis('concat', axis, first.rank);
  for (const [i, t] of xs.entries()) {
    if (t.rank !== first.rank || !t.shape.every((d, j) => j === ax || d === first.shape[j])) {
      // The expected shape is xs[0]'s with a wildcard on the joined axis.
      const expected = `[${first.shape.map((d, j) => (j === ax ? '*' : d)).join(', ')}]`;
      throw new ShapeError(
        `concat: xs[${i}] expected shape ${expected} (xs[0]'s shape ${formatShape(first.shape)} on every ` +
          `axis but ${ax}), got shape ${formatShape(t.shape)}`,
      );
    }
  }
  if (xs.length === 1) return first;
  const shape = [...first.shape];
  shape[ax] = xs.reduce((n, t) => n + t.shape[ax]!, 0);
  return wrap(
    first,
    first.backend.concat(
      xs.map((t) => t.handle),
      ax,
    ),
    shape,
  );
}

/** Stacks equal-shaped tensors along a new leading axis. */
export function stack(xs: readonly Tensor[]): Tensor {
  if (xs.length === 0) throw new RangeError('stack: needs at least one tensor');
  return concat(
    xs.map((t) => reshape(t, [1, ...t.shape])),
    0,
  );
}

/** Splits `x` along `axis` into pieces of the given sizes. */
export function split(x: Tensor, sizes: readonly number[], axis: number): Tensor[] {
  const ax = normaliseAxis('split', axis, x.rank);
  if (sizes.reduce((a, b) => a + b, 0) !== x.shape[ax]) {
    throw new RangeError(`split: sizes [${sizes.join(', ')}] do not add up to ${x.shape[ax]} on axis ${ax}`);
  }
  let offset = 0;
  return sizes.map((s) => {
    const begin = x.shape.map((_, i) => (i === ax ? offset : 0));
    const size = x.shape.map((d, i) => (i === ax ? s : d));
    offset += s;
    return slice(x, begin, size);
  });
}

/** Rows of `x` (along axis 0) at `indices`; repeats allowed. */
export function gather(x: Tensor, indices: Int32Array): Tensor {
  checkSameBackend('gather', [x]);
  const rows = x.shape[0] ?? 0;
  for (const [k, i] of indices.entries()) {
    if (i < 0 || i >= rows) {
      throw new RangeError(
        `gather: indices[${k}] must be in [0, ${rows}) (the rows of x, shape ${formatShape(x.shape)}), got ${i}`,
      );
    }
  }
  return wrap(x, x.backend.gather(x.handle, indices), [indices.length, ...x.shape.slice(1)]);
}
