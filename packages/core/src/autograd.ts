/** Reverse-mode gradients through the active backend's autograd. */
import { formatShape } from './errors.js';
import { keep, tidy } from './memory.js';
import type { Parameter } from './nn/parameter.js';
import { add, checkSameBackend } from './tensor/ops.js';
import { Tensor } from './tensor/tensor.js';

/** The value of a scalar function and its gradients. */
export interface ValueAndGradsResult {
  /** The scalar value `f()`. */
  value: Tensor;
  /** d f / d `xs[i]`, shaped like `xs[i]`. */
  grads: Tensor[];
}

/**
 * Runs `f` (which must return a scalar tensor) and returns its value and its gradient with respect
 * to each of `xs` (zeros where `f` does not depend on one). Functional, like `jax.value_and_grad`.
 */
export function valueAndGrads(f: () => Tensor, xs: readonly Tensor[]): ValueAndGradsResult {
  if (xs.length === 0) throw new RangeError('valueAndGrads: xs must list at least one tensor');
  checkSameBackend('valueAndGrads', xs);
  const backend = xs[0]!.backend;
  let result: Tensor | undefined;
  const out = backend.valueAndGrads(
    () => {
      const value = f();
      if (!(value instanceof Tensor)) throw new TypeError('valueAndGrads: f must return a Tensor');
      if (value.backend !== backend) {
        throw new Error(
          `valueAndGrads: f returned a tensor on ${value.backend.name}, xs live on ${backend.name}`,
        );
      }
      if (value.rank !== 0) {
        throw new RangeError(
          `valueAndGrads: f must return a scalar (shape []), got shape ${formatShape(value.shape)}`,
        );
      }
      result = value;
      return value.handle;
    },
    xs.map((x) => x.handle),
  );
  return {
    value: new Tensor(backend, out.value, [], result!.dtype),
    grads: out.grads.map((g, i) => new Tensor(backend, g, xs[i]!.shape, xs[i]!.dtype)),
  };
}

/**
 * PyTorch's `loss.backward()`: runs `lossFn`, adds d loss / d p to each parameter's `grad`
 * (accumulating, as PyTorch does, until `zeroGrad`), releases every intermediate tensor, and returns
 * the loss value.
 */
export function backward(lossFn: () => Tensor, parameters: readonly Parameter[]): Tensor {
  return tidy(() => {
    const { value, grads } = valueAndGrads(
      lossFn,
      parameters.map((p) => p.value),
    );
    parameters.forEach((p, i) => {
      const g = p.grad === null ? grads[i]! : add(p.grad, grads[i]!);
      p.grad?.dispose();
      p.grad = keep(g);
    });
    return value;
  });
}
