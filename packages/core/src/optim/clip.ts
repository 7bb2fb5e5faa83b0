/** `clipGradNorm`: PyTorch's `torch.nn.utils.clip_grad_norm_`. */
import { valueError } from '../errors.js';
import { keep, tidy } from '../memory.js';
import { Parameter } from '../nn/parameter.js';
import { checkLiveTensor } from '../tensor/check.js';
import { abs, max, mul, scale, sum } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';

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

/**
 * Scales all gradients together so that their joint `normType`-norm is at most `maxNorm`:
 * `coef = min(1, maxNorm / (total + 1e-6))`. Returns the total norm before clipping.
 * `normType` is a number ≥ 1 or `Infinity` (the string `"inf"` is accepted too).
 */
export function clipGradNorm(
  parameters: readonly Parameter[],
  maxNorm: number,
  normType: number | 'inf' = 2,
): number {
  const p = normType === 'inf' ? Number.POSITIVE_INFINITY : normType;
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0))
    valueError('clipGradNorm', 'maxNorm', 'a number ≥ 0', maxNorm);
  if (typeof p !== 'number' || !(p >= 1))
    valueError('clipGradNorm', 'normType', 'a number ≥ 1 or Infinity', normType);
  if (!Array.isArray(parameters)) {
    valueError('clipGradNorm', 'parameters', 'an array of parameters (module.parameters())', parameters);
  }
  // Every gradient is checked before the first norm is computed: a disposed one found half-way would
  // otherwise surface as an op's error on "a", naming neither clipGradNorm nor the parameter.
  parameters.forEach((q, i) => {
    if (!(q instanceof Parameter)) valueError('clipGradNorm', `parameters[${i}]`, 'a Parameter', q);
    if (q.grad !== null) checkLiveTensor('clipGradNorm', `parameters[${i}].grad`, q.grad);
  });
  const withGrad = parameters.filter((q) => q.grad !== null);
  if (withGrad.length === 0) return 0;
  const total = tidy(() =>
    totalNorm(
      withGrad.map((q) => q.grad!),
      p,
    ),
  );
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) {
    for (const q of withGrad) {
      const clipped = keep(tidy(() => scale(q.grad!, coef)));
      q.grad!.dispose();
      q.grad = clipped;
    }
  }
  return total;
}
