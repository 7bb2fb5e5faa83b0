/** RMSprop with `torch.optim.RMSprop`'s formulas (torch 1.13's single-tensor implementation). */
import type { Parameter } from '../nn/parameter.js';
import { add, addScalar, div, mul, scale, sqrt, sub } from '../tensor/ops.js';
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

/** `RMSprop` options (PyTorch defaults). */
export interface RMSpropOptions {
  /** Learning rate, a finite number ≥ 0 (default 0.01). */
  lr?: number;
  /** Smoothing constant of the squared-gradient average, ≥ 0 (default 0.99). */
  alpha?: number;
  /** Added to the denominator, ≥ 0 (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient, ≥ 0 (default 0). */
  weightDecay?: number;
  /** Momentum factor ≥ 0 (default 0). */
  momentum?: number;
  /** Normalise by the centred second moment (its variance estimate) (default false). */
  centered?: boolean;
}

/** An RMSprop parameter group's options, every one filled. */
export type RMSpropGroupOptions = Required<RMSpropOptions>;

/** One parameter's RMSprop state, PyTorch's keys. */
export type RMSpropState = {
  /** Updates of this parameter so far (PyTorch's `step`). */
  readonly step: number;
  /** Running average of the squared gradient (α), the parameter's shape. */
  readonly square_avg: Tensor;
  /** Momentum buffer, only with momentum > 0. */
  readonly momentum_buffer?: Tensor;
  /** Running average of the gradient, only when centered. */
  readonly grad_avg?: Tensor;
};

/**
 * `torch.optim.RMSprop`: `g = grad + wd·p; v = α·v + (1−α)·g²; avg = √(v − ḡ²) (centered, with
 * ḡ = α·ḡ + (1−α)·g) or √v, plus ε; with momentum buf = μ·buf + g/avg, p = p − lr·buf, else
 * p = p − lr·g/avg`, per parameter group.
 */
export class RMSprop extends Optimizer<RMSpropState, RMSpropGroupOptions> {
  /** α of group 0 (`paramGroups[0].alpha`). */
  declare alpha: number;
  /** ε of group 0. */
  declare eps: number;
  /** Weight decay of group 0. */
  declare weightDecay: number;
  /** Momentum of group 0. */
  declare momentum: number;
  /** Centered variant in group 0. */
  declare centered: boolean;

  /**
   * Optimises `params` (distinct parameters) with `options`, or parameter groups whose missing options
   * come from `options`. Throws on an invalid option, naming it.
   */
  constructor(
    params: readonly Parameter[] | readonly ParamGroupInput<RMSpropGroupOptions>[],
    options: RMSpropOptions = {},
  ) {
    const o = options ?? {};
    super(
      'RMSprop',
      {
        lr: o.lr ?? 0.01,
        alpha: o.alpha ?? 0.99,
        eps: o.eps ?? 1e-8,
        weightDecay: o.weightDecay ?? 0,
        momentum: o.momentum ?? 0,
        centered: o.centered ?? false,
      },
      ['foreach', 'maximize', 'differentiable'],
    );
    this.init(params);
  }

  protected override checkGroup(where: string, prefix: string, g: ParamGroup<RMSpropGroupOptions>): void {
    super.checkGroup(where, prefix, g);
    checkNumber(where, `${prefix}alpha`, g.alpha, 0);
    checkNumber(where, `${prefix}eps`, g.eps, 0);
    checkNumber(where, `${prefix}weightDecay`, g.weightDecay, 0);
    checkNumber(where, `${prefix}momentum`, g.momentum, 0);
    checkBoolean(where, `${prefix}centered`, g.centered);
  }

  protected stateKeys(g: ParamGroup<RMSpropGroupOptions>): StateKeys {
    const tensors = ['square_avg'];
    if (g.momentum > 0) tensors.push('momentum_buffer');
    if (g.centered) tensors.push('grad_avg');
    return { numbers: ['step'], tensors };
  }

  protected update(
    value: Tensor,
    grad: Tensor,
    state: RMSpropState | undefined,
    group: ParamGroup<RMSpropGroupOptions>,
  ): ParameterUpdate<RMSpropState> {
    const { lr, alpha, eps, weightDecay, momentum, centered } = group;
    const step = (state?.step ?? 0) + 1;
    const g = weightDecay !== 0 ? add(grad, scale(value, weightDecay)) : grad;
    // State starts at zero: α·0 + (1 − α)·g² is (1 − α)·g².
    const gg = scale(mul(g, g), 1 - alpha);
    const square_avg = state ? add(scale(state.square_avg, alpha), gg) : gg;
    let grad_avg: Tensor | undefined;
    let avg: Tensor;
    if (centered) {
      const gs = scale(g, 1 - alpha);
      grad_avg = state?.grad_avg ? add(scale(state.grad_avg, alpha), gs) : gs;
      avg = sqrt(sub(square_avg, mul(grad_avg, grad_avg)));
    } else {
      avg = sqrt(square_avg);
    }
    avg = addScalar(avg, eps);
    const next: { step: number; square_avg: Tensor; momentum_buffer?: Tensor; grad_avg?: Tensor } = {
      step,
      square_avg,
    };
    let result: Tensor;
    if (momentum > 0) {
      const q = div(g, avg);
      const momentum_buffer = state?.momentum_buffer ? add(scale(state.momentum_buffer, momentum), q) : q;
      next.momentum_buffer = momentum_buffer;
      result = sub(value, scale(momentum_buffer, lr));
    } else {
      // A buffer left from momentum > 0 (then set to 0) is kept, as PyTorch keeps it.
      if (state?.momentum_buffer) next.momentum_buffer = state.momentum_buffer;
      result = sub(value, scale(div(g, avg), lr));
    }
    if (grad_avg !== undefined) next.grad_avg = grad_avg;
    else if (state?.grad_avg) next.grad_avg = state.grad_avg;
    return { value: result, state: next };
  }
}
