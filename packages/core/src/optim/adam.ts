/** Adam and AdamW with `torch.optim`'s formulas (bias correction per parameter, optional AMSGrad). */
import { describeValue } from '../errors.js';
import type { Parameter } from '../nn/parameter.js';
import { abs, add, addScalar, div, mul, scale, sqrt, sub } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkNumber, Optimizer, type ParameterUpdate } from './optimizer.js';

/** `Adam`/`AdamW` options (PyTorch defaults). */
export interface AdamOptions {
  /** Learning rate, a finite number ≥ 0 (default 1e-3). */
  lr?: number;
  /** Decay rates of the first and second moment, each in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Added to the denominator, ≥ 0 (default 1e-8). */
  eps?: number;
  /** Weight decay ≥ 0: L2 on the gradient for Adam (default 0), decoupled for AdamW (default 1e-2). */
  weightDecay?: number;
  /** Use the maximum of past second moments (default false). */
  amsgrad?: boolean;
}

/**
 * One parameter's Adam state, PyTorch's keys: `step` counts this parameter's own updates (a step where
 * its grad is null does not advance it), and drives its bias correction.
 */
export type AdamState = {
  /** Updates of this parameter so far, including the one that produced this state (1 after the first). */
  readonly step: number;
  /** First moment: running average of the gradient (β₁), the parameter's shape. */
  readonly exp_avg: Tensor;
  /** Second moment: running average of the squared gradient (β₂), the parameter's shape. */
  readonly exp_avg_sq: Tensor;
  /** Only with `amsgrad`, as in PyTorch. */
  readonly max_exp_avg_sq?: Tensor;
};

/** Elementwise maximum from primitives: (a + b + |a − b|) / 2. */
function maximum(a: Tensor, b: Tensor): Tensor {
  return scale(add(add(a, b), abs(sub(a, b))), 0.5);
}

/** What Adam and AdamW share; they differ only in where weight decay applies. */
abstract class AdamBase extends Optimizer<AdamState> {
  /** β₁, β₂. */
  readonly betas: readonly [number, number];
  /** ε. */
  readonly eps: number;
  /** Weight decay. */
  readonly weightDecay: number;
  /** AMSGrad variant. */
  readonly amsgrad: boolean;

  constructor(
    private readonly decoupled: boolean,
    name: 'Adam' | 'AdamW',
    params: readonly Parameter[],
    options: AdamOptions | undefined,
  ) {
    const o = options ?? {};
    super(name, params, o.lr ?? 1e-3);
    const betas = o.betas ?? [0.9, 0.999];
    // Copied, so the caller's array cannot change the optimizer later; its shape is checked below.
    this.betas = (Array.isArray(betas) ? [...betas] : betas) as [number, number];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? (decoupled ? 1e-2 : 0);
    this.amsgrad = o.amsgrad ?? false;
    this.checkOptions(name);
  }

  protected override checkOptions(where: string): void {
    super.checkOptions(where);
    if (!Array.isArray(this.betas) || this.betas.length !== 2) {
      throw new RangeError(`${where}: betas must be a pair [β1, β2], got ${describeValue(this.betas)}`);
    }
    checkNumber(where, 'betas[0]', this.betas[0], 0, 1, true);
    checkNumber(where, 'betas[1]', this.betas[1], 0, 1, true);
    checkNumber(where, 'eps', this.eps, 0);
    checkNumber(where, 'weightDecay', this.weightDecay, 0);
    if (typeof this.amsgrad !== 'boolean') {
      throw new TypeError(`${where}: amsgrad must be a boolean, got ${describeValue(this.amsgrad)}`);
    }
  }

  protected update(value: Tensor, grad: Tensor, state: AdamState | undefined): ParameterUpdate<AdamState> {
    const [beta1, beta2] = this.betas;
    const lr = this.lr;
    // PyTorch's state['step'] of this parameter, counted before it is used (1 at its first update).
    const step = (state?.step ?? 0) + 1;
    let param = value;
    let g = grad;
    if (this.weightDecay !== 0) {
      if (this.decoupled) param = scale(param, 1 - lr * this.weightDecay);
      else g = add(g, scale(param, this.weightDecay));
    }
    // The moments start at zero: β·0 + (1 − β)·g is (1 − β)·g.
    const exp_avg = state ? add(scale(state.exp_avg, beta1), scale(g, 1 - beta1)) : scale(g, 1 - beta1);
    const gg = mul(g, g);
    const exp_avg_sq = state
      ? add(scale(state.exp_avg_sq, beta2), scale(gg, 1 - beta2))
      : scale(gg, 1 - beta2);
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
    let max_exp_avg_sq: Tensor | undefined;
    let second = exp_avg_sq;
    if (this.amsgrad) {
      // A copy at the first update (maximum with zeros), never the exp_avg_sq tensor itself.
      max_exp_avg_sq = state?.max_exp_avg_sq
        ? maximum(state.max_exp_avg_sq, exp_avg_sq)
        : scale(exp_avg_sq, 1);
      second = max_exp_avg_sq;
    }
    const denom = addScalar(scale(sqrt(second), 1 / biasCorrection2Sqrt), this.eps);
    const next = sub(param, scale(div(exp_avg, denom), lr / biasCorrection1));
    const nextState: AdamState = max_exp_avg_sq
      ? { step, exp_avg, exp_avg_sq, max_exp_avg_sq }
      : { step, exp_avg, exp_avg_sq };
    return { value: next, state: nextState };
  }
}

/** `torch.optim.Adam`: weight decay is added to the gradient. */
export class Adam extends AdamBase {
  /** Optimises `params` (distinct parameters); throws on an invalid option, naming it. */
  constructor(params: readonly Parameter[], options: AdamOptions = {}) {
    super(false, 'Adam', params, options);
  }
}

/** `torch.optim.AdamW`: weight decay is decoupled, `p ← p·(1 − lr·wd)` before the Adam step. */
export class AdamW extends AdamBase {
  /** Optimises `params` (distinct parameters); throws on an invalid option, naming it. */
  constructor(params: readonly Parameter[], options: AdamOptions = {}) {
    super(true, 'AdamW', params, options);
  }
}
