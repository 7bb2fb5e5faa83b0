/**
 * Every differentiable primitive is a `tf.customGrad` node whose gradient is written here, next to
 * its forward. Why not tfjs's registered gradients: `@tensorflow/tfjs-core` registers none, and its
 * `register_all_gradients` module is ESM-only with extensionless imports, so plain Node cannot load
 * it; engines also lack some gradient kernels (wasm has no `UnsortedSegmentSum`). Owning the
 * gradients makes every engine behave the same and keeps the adapter free of global registrations.
 */
import type { GradSaveFunc, TfjsCore, TfTensor } from '../tfjs.js';

/** What a primitive's forward returns: its value, the tensors its gradient needs, and the gradient. */
export interface Forward {
  readonly value: TfTensor;
  /** Kept for the backward pass (only while a gradient tape records; tfjs disposes them after). */
  readonly save?: readonly TfTensor[];
  /** One gradient per input, in input order, with the input's shape; `saved` mirrors `save`. */
  readonly grad: (dy: TfTensor, saved: readonly TfTensor[]) => TfTensor[];
}

/**
 * Runs `forward` as one tfjs node over `inputs`. The forward's intermediates are released when it
 * returns; the gradient runs in its own `tidy`, so its intermediates are released as soon as it ends.
 */
export function differentiable(tf: TfjsCore, inputs: readonly TfTensor[], forward: () => Forward): TfTensor {
  const node = tf.customGrad((...args: (TfTensor | GradSaveFunc)[]) => {
    const save = args[args.length - 1] as GradSaveFunc;
    const result = forward();
    if (result.save !== undefined && result.save.length > 0) save([...result.save]);
    return {
      value: result.value,
      gradFunc: (dy: TfTensor, saved: TfTensor[]) => tf.tidy(() => result.grad(dy, saved)),
    };
  });
  return node(...inputs);
}

/** Sums a broadcast gradient back to `shape` (NumPy broadcasting: align right, sum where 1 or missing). */
export function reduceToShape(tf: TfjsCore, g: TfTensor, shape: readonly number[]): TfTensor {
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length > 0 ? tf.sum(g, axes) : g;
  return tf.reshape(summed, [...shape]);
}
