/** Reverse-mode gradients through the active backend's autograd. */
import { assertFinite, checkFiniteEverywhere } from './check-finite.js';
import { describeValue, formatShape, ShapeError, valueError } from './errors.js';
import { keep, tidy } from './memory.js';
import type { Parameter } from './nn/parameter.js';
import { backendLabel, checkLiveTensor } from './tensor/check.js';
import { add, checkSameBackend } from './tensor/ops.js';
import { sameShape } from './tensor/shape.js';
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

/** Options of {@link backward}. */
export interface BackwardOptions {
  /**
   * Check the loss and every gradient for NaN and ±Infinity and throw a `NonFiniteError` naming the
   * first one (the parameter, by index and name) before any `grad` changes. Default: off, or on
   * everywhere after `setCheckFinite(true)`; modules check their own forward passes the same way.
   */
  checkFinite?: boolean;
}

/**
 * PyTorch's `loss.backward()`: runs `lossFn`, adds d loss / d p to each parameter's `grad`
 * (accumulating, as PyTorch does, until `zeroGrad`), releases every intermediate tensor, and returns
 * the loss value. Parameters with `requiresGrad` false are held constant and their `grad` is left
 * alone (null unless set before), as PyTorch does for frozen parameters. All or nothing: the parameters and their current gradients are checked first, and
 * no `grad` changes unless the whole computation succeeded.
 */
export function backward(
  lossFn: () => Tensor,
  parameters: readonly Parameter[],
  options: BackwardOptions = {},
): Tensor {
  const checking = options?.checkFinite ?? checkFiniteEverywhere();
  if (typeof checking !== 'boolean') valueError('backward', 'options.checkFinite', 'a boolean', checking);
  if (typeof lossFn !== 'function') valueError('backward', 'lossFn', 'a function returning the loss', lossFn);
  if (!Array.isArray(parameters) || parameters.length === 0) {
    valueError('backward', 'parameters', 'a non-empty array of parameters', parameters);
  }
  const seen = new Map<Parameter, number>();
  parameters.forEach((p, i) => {
    if (p === null || typeof p !== 'object' || !(p.value instanceof Tensor)) {
      valueError('backward', `parameters[${i}]`, 'a Parameter', p);
    }
    const first = seen.get(p);
    if (first !== undefined) {
      throw new RangeError(
        `backward: parameters[${i}] is the same parameter as parameters[${first}]; list each parameter once`,
      );
    }
    seen.set(p, i);
    checkLiveTensor('backward', `parameters[${i}].value`, p.value);
    if (typeof p.requiresGrad !== 'boolean' && p.requiresGrad !== undefined) {
      valueError('backward', `parameters[${i}].requiresGrad`, 'a boolean', p.requiresGrad);
    }
    if (p.grad !== null && p.requiresGrad !== false) {
      const grad = `parameters[${i}].grad`;
      checkLiveTensor('backward', grad, p.grad);
      // Each mismatch named on its own, with backend labels: "js" and "js" would hide two instances.
      const fix = 'call zeroGrad() after moving or reshaping a module';
      if (p.grad.backend !== p.value.backend) {
        throw new Error(
          `backward: ${grad} lives on backend "${backendLabel(p.grad.backend)}" but its value lives on ` +
            `"${backendLabel(p.value.backend)}"; ${fix}`,
        );
      }
      if (p.grad.dtype !== p.value.dtype) {
        throw new TypeError(
          `backward: ${grad} has dtype ${p.grad.dtype} but its value is ${p.value.dtype}; ${fix}`,
        );
      }
      if (!sameShape(p.grad.shape, p.value.shape)) {
        throw new ShapeError(
          `backward: ${grad} expected its value's shape ${formatShape(p.value.shape)}, got shape ` +
            `${formatShape(p.grad.shape)}; ${fix}`,
        );
      }
    }
  });
  // valueAndGrads would check the result too, but name its own `f`; the caller wrote `lossFn`.
  const loss = (): Tensor => {
    const value: unknown = lossFn();
    if (!(value instanceof Tensor)) {
      throw new TypeError(
        `backward: lossFn must return a scalar loss tensor (shape []), got ${describeValue(value)}`,
      );
    }
    if (value.rank !== 0) {
      throw new RangeError(
        `backward: lossFn must return a scalar loss tensor (shape []), got shape ${formatShape(value.shape)}`,
      );
    }
    return value;
  };
  // Frozen parameters (requiresGrad false) are constants: no gradient is computed or accumulated for them.
  const trainable = parameters.filter((p) => p.requiresGrad !== false);
  if (trainable.length === 0) {
    throw new RangeError(
      `backward: every one of the ${parameters.length} parameters has requiresGrad false, so nothing ` +
        'requires a gradient (PyTorch: "element 0 of tensors does not require grad"); unfreeze some with ' +
        'module.requiresGrad(true)',
    );
  }
  return tidy(() => {
    const { value, grads } = valueAndGrads(
      loss,
      trainable.map((p) => p.value),
    );
    if (checking) {
      assertFinite('backward', 'the loss', value);
      grads.forEach((g, k) => {
        const p = trainable[k]!;
        const i = seen.get(p)!;
        assertFinite('backward', `the gradient of parameters[${i}]${p.name ? ` (${p.name})` : ''}`, g);
      });
    }
    const next = trainable.map((p, k) => (p.grad === null ? grads[k]! : add(p.grad, grads[k]!)));
    // Nothing above changed a parameter; from here on nothing can throw.
    trainable.forEach((p, k) => {
      p.grad?.dispose();
      p.grad = keep(next[k]!);
    });
    return value;
  });
}
