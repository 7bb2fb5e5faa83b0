/**
 * Elementwise unary ops and `scale`. Each backward reads whichever of input or output makes its
 * derivative cheapest (e.g. tanh' = 1 − y², sigmoid' = y(1 − y)).
 */

import type { TypedArray, UnaryOp } from '@recur/core';
import type { Engine } from '../engine.js';
import { allocLikeUnfilled, type JsTensor } from '../tensor.js';

/** Numerically stable logistic function: never evaluates e^{+large}. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const ex = Math.exp(x);
  return ex / (1 + ex);
}

/** `op(x)` elementwise into a new array of `x`'s dtype. */
export function unaryKernel(op: UnaryOp, x: TypedArray): TypedArray {
  const n = x.length;
  const y = allocLikeUnfilled(x, n);
  switch (op) {
    case 'neg':
      for (let i = 0; i < n; i++) y[i] = -x[i];
      break;
    case 'exp':
      for (let i = 0; i < n; i++) y[i] = Math.exp(x[i]);
      break;
    case 'log':
      for (let i = 0; i < n; i++) y[i] = Math.log(x[i]);
      break;
    case 'sqrt':
      for (let i = 0; i < n; i++) y[i] = Math.sqrt(x[i]);
      break;
    case 'abs':
      for (let i = 0; i < n; i++) y[i] = Math.abs(x[i]);
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]);
      break;
    case 'sigmoid':
      for (let i = 0; i < n; i++) y[i] = sigmoid(x[i]);
      break;
    case 'relu':
      for (let i = 0; i < n; i++) y[i] = Math.max(x[i], 0); // NaN stays NaN, as in PyTorch
      break;
  }
  return y;
}

/** `dy · op'(x)` given the saved input `x` and output `y`. */
function unaryGradKernel(op: UnaryOp, dy: TypedArray, x: TypedArray, y: TypedArray): TypedArray {
  const n = dy.length;
  const dx = allocLikeUnfilled(dy, n);
  switch (op) {
    case 'neg':
      for (let i = 0; i < n; i++) dx[i] = -dy[i];
      break;
    case 'exp':
      for (let i = 0; i < n; i++) dx[i] = dy[i] * y[i];
      break;
    case 'log':
      for (let i = 0; i < n; i++) dx[i] = dy[i] / x[i];
      break;
    case 'sqrt':
      // PyTorch gives +inf·dy at 0 too; we do not special-case it.
      for (let i = 0; i < n; i++) dx[i] = dy[i] / (2 * y[i]);
      break;
    case 'abs':
      // sign(0) = 0, as in PyTorch.
      for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : x[i] < 0 ? -dy[i] : 0;
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
      break;
    case 'sigmoid':
      for (let i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
      break;
    case 'relu':
      // relu'(0) = 0, as in PyTorch.
      for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : 0;
      break;
  }
  return dx;
}

/** Elementwise unary op. */
export function unary(e: Engine, op: UnaryOp, x: JsTensor): JsTensor {
  const xData = x.data;
  const y = e.tensor(unaryKernel(op, xData), x.shape);
  const yData = y.data;
  e.tape.record(op, [x], [y], ([dy]) => [e.tensor(unaryGradKernel(op, dy!.data, xData, yData), x.shape)]);
  return y;
}

/** `x · factor` for a host-side number. */
export function scale(e: Engine, x: JsTensor, factor: number): JsTensor {
  const y = e.tensor(scaleKernel(x.data, factor), x.shape);
  e.tape.record('scale', [x], [y], ([dy]) => [e.tensor(scaleKernel(dy!.data, factor), x.shape)]);
  return y;
}

function scaleKernel(x: TypedArray, factor: number): TypedArray {
  const y = allocLikeUnfilled(x, x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] * factor;
  return y;
}
