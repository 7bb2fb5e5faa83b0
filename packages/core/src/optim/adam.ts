/** Adam and AdamW with `torch.optim`'s formulas (bias correction per parameter, optional AMSGrad). */
import { describeValue } from '../errors.js';
import type { Parameter } from '../nn/parameter.js';
import { abs, add, addScalar, div, mul, scale, sqrt, sub } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  checkBoolean,
  checkNumber,
  Optimizer,
  type ParameterUpdate,
  type ParamGroup,
  type ParamGroupInput,
  type StateKeys,
} from './optimizer.js';

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

/** An Adam/AdamW parameter group's options, every one filled. */
export type AdamGroupOptions = Required<AdamOptions>;

/** What Adam and AdamW share; they differ only in where weight decay applies. */
abstract class AdamBase extends Optimizer<AdamState, AdamGroupOptions> {
  /** β₁, β₂ of group 0 (`paramGroups[0].betas`). */
  declare betas: readonly [number, number];
  /** ε of group 0. */
  declare eps: number;
  /** Weight decay of group 0. */
  declare weightDecay: number;
  /** AMSGrad variant in group 0. */
  declare amsgrad: boolean;

  constructor(
    private readonly decoupled: boolean,
    name: 'Adam' | 'AdamW',
    params: readonly Parameter[] | readonly ParamGroupInput<AdamGroupOptions>[],
    options: AdamOptions | undefined,
  ) {
    const o = options ?? {};
    const betas = o.betas ?? [0.9, 0.999];
    super(
      name,
      {
        lr: o.lr ?? 1e-3,
        // Copied, so the caller's array cannot change the optimizer later; its shape is checked.
        betas: (Array.isArray(betas) ? [...betas] : betas) as [number, number],
        eps: o.eps ?? 1e-8,
        weightDecay: o.weightDecay ?? (decoupled ? 1e-2 : 0),
        amsgrad: o.amsgrad ?? false,
      },
      decoupled
        ? ['foreach', 'maximize', 'capturable']
        : ['maximize', 'foreach', 'capturable', 'differentiable', 'fused'],
    );
    this.init(params);
  }

  protected override checkGroup(where: string, prefix: string, g: ParamGroup<AdamGroupOptions>): void {
    super.checkGroup(where, prefix, g);
    if (!Array.isArray(g.betas) || g.betas.length !== 2) {
      throw new RangeError(`${where}: ${prefix}betas must be a pair [β1, β2], got ${describeValue(g.betas)}`);
    }
    checkNumber(where, `${prefix}betas[0]`, g.betas[0], 0, 1, true);
    checkNumber(where, `${prefix}betas[1]`, g.betas[1], 0, 1, true);
    checkNumber(where, `${prefix}eps`, g.eps, 0);
    checkNumber(where, `${prefix}weightDecay`, g.weightDecay, 0);
    checkBoolean(where, `${prefix}amsgrad`, g.amsgrad);
  }

  protected stateKeys(g: ParamGroup<AdamGroupOptions>): StateKeys {
    return g.amsgrad
      ? { numbers: ['step'], tensors: ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] }
      : { numbers: ['step'], tensors: ['exp_avg', 'exp_avg_sq'], optional: [] };
  }

  protected update(
    value: Tensor,
    grad: Tensor,
    state: AdamState | undefined,
    group: ParamGroup<AdamGroupOptions>,
  ): ParameterUpdate<AdamState> {
    const [beta1, beta2] = group.betas;
    const { lr, weightDecay, eps, amsgrad } = group;
    // PyTorch's state['step'] of this parameter, counted before it is used (1 at its first update).
    const step = (state?.step ?? 0) + 1;
    let param = value;
    let g = grad;
    if (weightDecay !== 0) {
      if (this.decoupled) param = scale(param, 1 - lr * weightDecay);
      else g = add(g, scale(param, weightDecay));
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
    if (amsgrad) {
      // A copy at the first update (maximum with zeros), never the exp_avg_sq tensor itself.
      max_exp_avg_sq = state?.max_exp_avg_sq
        ? maximum(state.max_exp_avg_sq, exp_avg_sq)
        : scale(exp_avg_sq, 1);
      second = max_exp_avg_sq;
    }
    const denom = addScalar(scale(sqrt(second), 1 / biasCorrection2Sqrt), eps);
    const next = sub(param, scale(div(exp_avg, denom), lr / biasCorrection1));
    const nextState: AdamState = max_exp_avg_sq
      ? { step, exp_avg, exp_avg_sq, max_exp_avg_sq }
      : { step, exp_avg, exp_avg_sq };
    return { value: next, state: nextState };
  }
}

/** `torch.optim.Adam`: weight decay is added to the gradient. */
export class Adam extends AdamBase {
  /**
   * Optimises `params` (distinct parameters) with `options`, or parameter groups
   * (`[{ params, lr: 0.01 }, { params: other, weightDecay: 0 }]`) whose missing options come from
   * `options`. Throws on an invalid option, naming it.
   */
  constructor(
    params: readonly Parameter[] | readonly ParamGroupInput<AdamGroupOptions>[],
    options: AdamOptions = {},
  ) {
    super(false, 'Adam', params, options);
  }
}

/** `torch.optim.AdamW`: weight decay is decoupled, `p ← p·(1 − lr·wd)` before the Adam step. */
export class AdamW extends AdamBase {
  /** Optimises `params` or parameter groups, as {@link Adam}; throws on an invalid option, naming it. */
  constructor(
    params: readonly Parameter[] | readonly ParamGroupInput<AdamGroupOptions>[],
    options: AdamOptions = {},
  ) {
    super(true, 'AdamW', params, options);
  }
}
