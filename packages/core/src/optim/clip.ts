/** `clipGradNorm` and `clipGradValue`: PyTorch's `torch.nn.utils.clip_grad_norm_` and `clip_grad_value_`. */
import { describeValue, valueError } from '../errors.js';
import { keep, tidy } from '../memory.js';
import { Parameter } from '../nn/parameter.js';
import { checkLiveTensor } from '../tensor/check.js';
import { tensorLike } from '../tensor/create.js';
import { abs, max, mul, scale, sum } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';

/** Options of {@link clipGradNorm} (PyTorch's `norm_type`, `error_if_nonfinite`). */
export interface ClipGradNormOptions {
  /** The p of the p-norm: a number ≥ 1, or `Infinity` / `"inf"` for the max norm (default 2). */
  normType?: number | 'inf';
  /** Throw, changing nothing, when the total norm is NaN or ±Infinity (default false: scale anyway). */
  errorIfNonfinite?: boolean;
}

function totalNorm(grads: readonly Tensor[], normType: number): number {
  if (normType === Number.POSITIVE_INFINITY) {
    return Math.max(...grads.map((g) => max(abs(g)).item()));
  }
  if (normType === 2) {
    const squares = grads.map((g) => sum(mul(g, g)).item());
    return Math.sqrt(squares.reduce((a, b) => a + b, 0));
  }
  // Other p-norms are rare: compute them on the host in float64.
  let acc = 0;
  for (const g of grads) for (const v of g.toArray()) acc += Math.abs(v) ** normType;
  return acc ** (1 / normType);
}

/** The parameters as an array (a single parameter is accepted, as PyTorch accepts one tensor), checked. */
function checkedParameters(where: string, parameters: unknown): Parameter[] {
  const list = parameters instanceof Parameter ? [parameters] : parameters;
  if (!Array.isArray(list)) {
    valueError(where, 'parameters', 'an array of parameters (module.parameters())', parameters);
  }
  // Every gradient is checked before the first one is read: a disposed one found half-way would
  // otherwise surface as an op's error on "a", naming neither the function nor the parameter.
  list.forEach((q, i) => {
    if (!(q instanceof Parameter)) valueError(where, `parameters[${i}]`, 'a Parameter', q);
    if (q.grad !== null) checkLiveTensor(where, `parameters[${i}].grad`, q.grad);
  });
  return list as Parameter[];
}

/**
 * Scales all gradients together so that their joint `normType`-norm is at most `maxNorm`:
 * `coef = min(1, maxNorm / (total + 1e-6))`, as `torch.nn.utils.clip_grad_norm_`. Returns the total
 * norm before clipping. The third argument is the options, or (as before options existed) `normType`:
 * a number ≥ 1 or `Infinity` (the string `"inf"` is accepted too). With `errorIfNonfinite`, a NaN or
 * infinite total norm throws and no gradient changes; without it, the gradients are scaled by the
 * (NaN or 0) coefficient, as PyTorch does.
 */
export function clipGradNorm(
  parameters: readonly Parameter[] | Parameter,
  maxNorm: number,
  options: ClipGradNormOptions | number | 'inf' = {},
): number {
  const where = 'clipGradNorm';
  const o: ClipGradNormOptions =
    typeof options === 'number' || typeof options === 'string' ? { normType: options } : (options ?? {});
  if (typeof o !== 'object') valueError(where, 'options', '{ normType, errorIfNonfinite }', options);
  const normType = o.normType ?? 2;
  const p = normType === 'inf' ? Number.POSITIVE_INFINITY : normType;
  const errorIfNonfinite = o.errorIfNonfinite ?? false;
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) valueError(where, 'maxNorm', 'a number ≥ 0', maxNorm);
  if (typeof p !== 'number' || !(p >= 1)) valueError(where, 'normType', 'a number ≥ 1 or Infinity', normType);
  if (typeof errorIfNonfinite !== 'boolean') {
    throw new TypeError(
      `${where}: errorIfNonfinite must be a boolean, got ${describeValue(errorIfNonfinite)}`,
    );
  }
  const list = checkedParameters(where, parameters);
  const withGrad = list.filter((q) => q.grad !== null);
  if (withGrad.length === 0) return 0;
  const total = tidy(() =>
    totalNorm(
      withGrad.map((q) => q.grad!),
      p,
    ),
  );
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new RangeError(
      `${where}: the total norm of order ${normType} for gradients from parameters is non-finite (${total}), ` +
        'so it cannot be clipped. To scale the gradients by the non-finite norm anyway, set errorIfNonfinite: false',
    );
  }
  const coef = maxNorm / (total + 1e-6);
  // Not `coef < 1`: a NaN coefficient scales too (the gradients become NaN, as in PyTorch).
  if (!(coef >= 1)) {
    for (const q of withGrad) {
      const clipped = keep(tidy(() => scale(q.grad!, coef)));
      q.grad!.dispose();
      q.grad = clipped;
    }
  }
  return total;
}

/**
 * Clamps every gradient elementwise to `[−clipValue, clipValue]`, as `torch.nn.utils.clip_grad_value_`
 * (parameters without a gradient are skipped). `clipValue` is a number ≥ 0 (`Infinity` changes
 * nothing). Everything is checked before the first gradient changes. The clamp is exact (done on the
 * host), so every backend gives PyTorch's values.
 */
export function clipGradValue(parameters: readonly Parameter[] | Parameter, clipValue: number): void {
  const where = 'clipGradValue';
  if (typeof clipValue !== 'number' || !(clipValue >= 0)) {
    valueError(where, 'clipValue', 'a number ≥ 0', clipValue);
  }
  const withGrad = checkedParameters(where, parameters).filter((q) => q.grad !== null);
  const clipped = withGrad.map((q) => {
    const g = q.grad!;
    const data = Float64Array.from(g.toArray(), (v) => Math.min(Math.max(v, -clipValue), clipValue));
    return keep(tensorLike(g, data, g.shape));
  });
  withGrad.forEach((q, i) => {
    q.grad!.dispose();
    q.grad = clipped[i]!;
  });
}
