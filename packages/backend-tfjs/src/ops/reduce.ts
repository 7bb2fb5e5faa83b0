/** Reductions: `sum` (differentiable), `max` (a constant for autograd), `logSoftmax`. */
import type { TfjsCore, TfTensor } from '../tfjs.js';
import { differentiable } from './differentiable.js';

type Reduce = (x: TfTensor, axes: readonly number[], keepDims: boolean) => TfTensor;

const normalizeAxes = (axes: readonly number[], rank: number): number[] =>
  axes.map((a) => (a < 0 ? a + rank : a));

/**
 * The differentiable `sum` primitive: the gradient broadcasts `dy` back over the reduced axes (by
 * adding to zeros: tfjs-wasm's `broadcastTo` runs through a Tile kernel ~20× slower).
 */
export function createSum(tf: TfjsCore): Reduce {
  return (x, axes, keepDims) =>
    differentiable(tf, [x], () => {
      const ax = normalizeAxes(axes, x.rank);
      const keptShape = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
      return {
        value: tf.sum(x, ax, keepDims),
        grad: (dy) => [tf.add(tf.zeros(x.shape), tf.reshape(dy, keptShape))],
      };
    });
}

/**
 * The `max` primitive. The contract makes it non-differentiable; here it is a constant for autograd
 * (zero gradient), like a stop-gradient, so a stable softmax `x − max(x)` differentiates correctly.
 */
export function createMax(tf: TfjsCore): Reduce {
  return (x, axes, keepDims) =>
    differentiable(tf, [x], () => ({
      value: tf.max(x, normalizeAxes(axes, x.rank), keepDims),
      grad: () => [tf.zerosLike(x)],
    }));
}

/** The differentiable `logSoftmax` along the last axis: `y = s − log Σ exp s`, `s = x − max x`. */
export function createLogSoftmax(tf: TfjsCore): (x: TfTensor) => TfTensor {
  return (x) =>
    differentiable(tf, [x], () => {
      const shifted = tf.sub(x, tf.max(x, -1, true));
      const y = tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), -1, true)));
      return {
        value: y,
        save: [y],
        grad: (dy, [sy]) => [tf.sub(dy, tf.mul(tf.sum(dy, -1, true), tf.exp(sy)))],
      };
    });
}
