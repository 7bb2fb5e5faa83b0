/** Adam and AdamW with `torch.optim`'s formulas (bias correction, optional AMSGrad). */
import { valueError } from '../errors.js';
import type { Parameter } from '../nn/parameter.js';
import { abs, add, addScalar, div, mul, scale, sqrt, sub } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkRange, Optimizer } from './optimizer.js';

/** `Adam`/`AdamW` options (PyTorch defaults). */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the first and second moment (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** Weight decay: L2 on the gradient for Adam (default 0), decoupled for AdamW (default 1e-2). */
  weightDecay?: number;
  /** Use the maximum of past second moments (default false). */
  amsgrad?: boolean;
}

type AdamState = { expAvg: Tensor; expAvgSq: Tensor; maxExpAvgSq: Tensor | undefined };

/** Elementwise maximum from primitives: (a + b + |a − b|) / 2. */
function maximum(a: Tensor, b: Tensor): Tensor {
  return scale(add(add(a, b), abs(sub(a, b))), 0.5);
}

class AdamBase extends Optimizer<AdamState> {
  /** β₁, β₂. */
  readonly betas: readonly [number, number];
  /** ε. */
  readonly eps: number;
  /** Weight decay. */
  readonly weightDecay: number;
  /** AMSGrad variant. */
  readonly amsgrad: boolean;

  constructor(
    private readonly where: 'Adam' | 'AdamW',
    params: readonly Parameter[],
    options: AdamOptions,
  ) {
    super(where, params, options.lr ?? 1e-3);
    const betas = options.betas ?? [0.9, 0.999];
    if (!Array.isArray(betas) || betas.length !== 2) valueError(where, 'betas', 'a pair [β1, β2]', betas);
    checkRange(where, 'betas[0]', betas[0], 0, 1 - Number.EPSILON);
    checkRange(where, 'betas[1]', betas[1], 0, 1 - Number.EPSILON);
    this.betas = [betas[0], betas[1]];
    this.eps = checkRange(where, 'eps', options.eps ?? 1e-8, 0);
    this.weightDecay = checkRange(
      where,
      'weightDecay',
      options.weightDecay ?? (where === 'AdamW' ? 1e-2 : 0),
      0,
    );
    this.amsgrad = options.amsgrad ?? false;
    if (typeof this.amsgrad !== 'boolean') valueError(where, 'amsgrad', 'a boolean', this.amsgrad);
  }

  protected update(value: Tensor, grad: Tensor, state: AdamState | undefined) {
    const [beta1, beta2] = this.betas;
    const decoupled = this.where === 'AdamW';
    let param = value;
    let g = grad;
    if (this.weightDecay !== 0) {
      if (decoupled) param = scale(param, 1 - this.lr * this.weightDecay);
      else g = add(g, scale(param, this.weightDecay));
    }
    const expAvg = state ? add(scale(state.expAvg, beta1), scale(g, 1 - beta1)) : scale(g, 1 - beta1);
    const gg = mul(g, g);
    const expAvgSq = state ? add(scale(state.expAvgSq, beta2), scale(gg, 1 - beta2)) : scale(gg, 1 - beta2);
    const step = this.stepCount;
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
    let maxExpAvgSq: Tensor | undefined;
    let second = expAvgSq;
    if (this.amsgrad) {
      maxExpAvgSq = state?.maxExpAvgSq ? maximum(state.maxExpAvgSq, expAvgSq) : scale(expAvgSq, 1);
      second = maxExpAvgSq;
    }
    const denom = addScalar(scale(sqrt(second), 1 / biasCorrection2Sqrt), this.eps);
    const next = sub(param, scale(div(expAvg, denom), this.lr / biasCorrection1));
    return { value: next, state: { expAvg, expAvgSq, maxExpAvgSq } };
  }
}

/** `torch.optim.Adam`: weight decay is added to the gradient. */
export class Adam extends AdamBase {
  /** Optimises `params`. */
  constructor(params: readonly Parameter[], options: AdamOptions = {}) {
    super('Adam', params, options);
  }
}

/** `torch.optim.AdamW`: weight decay is decoupled, `p ← p·(1 − lr·wd)` before the Adam step. */
export class AdamW extends AdamBase {
  /** Optimises `params`. */
  constructor(params: readonly Parameter[], options: AdamOptions = {}) {
    super('AdamW', params, options);
  }
}
