/** Elementwise primitives: `binary` (broadcasting), `unary`, `scale`, each with its gradient. */
import type { BinaryOp, UnaryOp } from '@recur/core';
import type { TfjsCore, TfTensor } from '../tfjs.js';
import { differentiable, reduceToShape } from './differentiable.js';

/** The differentiable `binary` primitive. */
export function createBinary(tf: TfjsCore): (op: BinaryOp, a: TfTensor, b: TfTensor) => TfTensor {
  const back = (g: TfTensor, x: TfTensor) => reduceToShape(tf, g, x.shape);
  return (op, a, b) =>
    differentiable(tf, [a, b], () => {
      switch (op) {
        case 'add':
          return { value: tf.add(a, b), grad: (dy) => [back(dy, a), back(dy, b)] };
        case 'sub':
          return { value: tf.sub(a, b), grad: (dy) => [back(dy, a), back(tf.neg(dy), b)] };
        case 'mul':
          return {
            value: tf.mul(a, b),
            save: [a, b],
            grad: (dy, [sa, sb]) => [back(tf.mul(dy, sb), a), back(tf.mul(dy, sa), b)],
          };
        case 'div':
          return {
            value: tf.div(a, b),
            save: [a, b],
            grad: (dy, [sa, sb]) => {
              const da = tf.div(dy, sb);
              return [back(da, a), back(tf.neg(tf.mul(da, tf.div(sa, sb))), b)];
            },
          };
      }
    });
}

/** The differentiable `unary` primitive. `relu'(0) = 0` and `abs'(0) = 0`, as in PyTorch. */
export function createUnary(tf: TfjsCore): (op: UnaryOp, x: TfTensor) => TfTensor {
  return (op, x) =>
    differentiable(tf, [x], () => {
      switch (op) {
        case 'neg':
          return { value: tf.neg(x), grad: (dy) => [tf.neg(dy)] };
        case 'exp': {
          const y = tf.exp(x);
          return { value: y, save: [y], grad: (dy, [sy]) => [tf.mul(dy, sy)] };
        }
        case 'log':
          return { value: tf.log(x), save: [x], grad: (dy, [sx]) => [tf.div(dy, sx)] };
        case 'sqrt': {
          const y = tf.sqrt(x);
          return { value: y, save: [y], grad: (dy, [sy]) => [tf.div(dy, tf.mul(sy, 2))] };
        }
        case 'abs':
          return { value: tf.abs(x), save: [x], grad: (dy, [sx]) => [tf.mul(dy, tf.sign(sx))] };
        case 'tanh': {
          const y = tf.tanh(x);
          return {
            value: y,
            save: [y],
            grad: (dy, [sy]) => [tf.mul(dy, tf.sub(1, tf.square(sy)))],
          };
        }
        case 'sigmoid': {
          const y = tf.sigmoid(x);
          return {
            value: y,
            save: [y],
            grad: (dy, [sy]) => [tf.mul(dy, tf.mul(sy, tf.sub(1, sy)))],
          };
        }
        case 'relu':
          return {
            value: tf.relu(x),
            save: [x],
            grad: (dy, [sx]) => [tf.mul(dy, tf.step(sx, 0))],
          };
      }
    });
}

/** The differentiable `scale` primitive: `x · factor` for a host-side number. */
export function createScale(tf: TfjsCore): (x: TfTensor, factor: number) => TfTensor {
  return (x, factor) =>
    differentiable(tf, [x], () => ({ value: tf.mul(x, factor), grad: (dy) => [tf.mul(dy, factor)] }));
}
