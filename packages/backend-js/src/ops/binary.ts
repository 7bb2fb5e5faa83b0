/**
 * add / sub / mul / div with NumPy broadcasting. Each gradient is computed at the broadcast shape and
 * then summed back to its input's shape.
 */

import type { BinaryOp, TypedArray } from '@recur/core';
import type { Engine } from '../engine.js';
import { allocLikeUnfilled, type JsTensor, sameShape, sizeOf, stridesOf } from '../tensor.js';
import { sumToShape } from './reduce.js';
import { broadcastShape, broadcastStrides, planLoop } from './strided.js';

/** `op(a, b)` broadcast to `outShape`, in `a`'s dtype. */
export function binaryKernel(
  op: BinaryOp,
  a: TypedArray,
  aShape: readonly number[],
  b: TypedArray,
  bShape: readonly number[],
  outShape: readonly number[],
): TypedArray {
  const out = allocLikeUnfilled(a, sizeOf(outShape));
  if (sameShape(aShape, outShape) && sameShape(bShape, outShape)) {
    // The common case (no broadcasting): one flat loop, no offset tables.
    binaryRow(op, out.length, out, 0, 1, a, 0, 1, b, 0, 1);
    return out;
  }
  const plan = planLoop(outShape, [
    stridesOf(outShape),
    broadcastStrides(aShape, outShape),
    broadcastStrides(bShape, outShape),
  ]);
  const [os, as, bs] = plan.innerStrides;
  const [oOuter, aOuter, bOuter] = plan.outer;
  for (let o = 0; o < plan.outerCount; o++) {
    binaryRow(op, plan.inner, out, oOuter[o], os, a, aOuter[o], as, b, bOuter[o], bs);
  }
  return out;
}

/** One strided row; the switch sits outside the element loop so each loop body stays monomorphic. */
function binaryRow(
  op: BinaryOp,
  n: number,
  out: TypedArray,
  oi: number,
  os: number,
  a: TypedArray,
  ai: number,
  as: number,
  b: TypedArray,
  bi: number,
  bs: number,
): void {
  switch (op) {
    case 'add':
      for (let j = 0; j < n; j++, oi += os, ai += as, bi += bs) out[oi] = a[ai] + b[bi];
      return;
    case 'sub':
      for (let j = 0; j < n; j++, oi += os, ai += as, bi += bs) out[oi] = a[ai] - b[bi];
      return;
    case 'mul':
      for (let j = 0; j < n; j++, oi += os, ai += as, bi += bs) out[oi] = a[ai] * b[bi];
      return;
    case 'div':
      for (let j = 0; j < n; j++, oi += os, ai += as, bi += bs) out[oi] = a[ai] / b[bi];
      return;
  }
}

/** Elementwise `op(a, b)` with broadcasting. */
export function binary(e: Engine, op: BinaryOp, a: JsTensor, b: JsTensor): JsTensor {
  const aData = a.data;
  const bData = b.data;
  const aShape = a.shape;
  const bShape = b.shape;
  const shape = broadcastShape(aShape, bShape);
  const y = e.tensor(binaryKernel(op, aData, aShape, bData, bShape, shape), shape);
  const yData = y.data;
  e.tape.record(op, [a, b], [y], ([dy], needs) => {
    const g = dy!;
    const at = (data: TypedArray) => e.tensor(data, shape);
    switch (op) {
      case 'add':
        return [needs[0] ? sumToShape(e, g, aShape) : null, needs[1] ? sumToShape(e, g, bShape) : null];
      case 'sub':
        return [
          needs[0] ? sumToShape(e, g, aShape) : null,
          needs[1] ? sumToShape(e, at(negate(g.data)), bShape) : null,
        ];
      case 'mul':
        if (a === b) {
          // x·x (a square, e.g. inside a mean-squared loss): d/dx = 2·g·x, one pass and one array
          // instead of g·x twice plus their sum on the tape.
          return [needs[0] ? at(scaledProduct(g.data, aData, 2)) : null, null];
        }
        return [
          needs[0]
            ? sumToShape(e, at(binaryKernel('mul', g.data, shape, bData, bShape, shape)), aShape)
            : null,
          needs[1]
            ? sumToShape(e, at(binaryKernel('mul', g.data, shape, aData, aShape, shape)), bShape)
            : null,
        ];
      case 'div': {
        const da = needs[0] ? binaryKernel('div', g.data, shape, bData, bShape, shape) : null;
        let db: TypedArray | null = null;
        if (needs[1]) {
          // d(a/b)/db = −(a/b)/b = −y/b, computed from the saved output.
          const yOverB = binaryKernel('div', yData, shape, bData, bShape, shape);
          db = negate(binaryKernel('mul', g.data, shape, yOverB, shape, shape));
        }
        return [
          da === null ? null : sumToShape(e, at(da), aShape),
          db === null ? null : sumToShape(e, at(db), bShape),
        ];
      }
    }
  });
  return y;
}

/** `factor · x ⊙ y` (same shapes) into a new array. */
function scaledProduct(x: TypedArray, y: TypedArray, factor: number): TypedArray {
  const out = allocLikeUnfilled(x, x.length);
  for (let i = 0; i < x.length; i++) out[i] = factor * x[i] * y[i];
  return out;
}

/** A negated copy. */
export function negate(x: TypedArray): TypedArray {
  const out = allocLikeUnfilled(x, x.length);
  for (let i = 0; i < x.length; i++) out[i] = -x[i];
  return out;
}
