/** Stochastic gradient descent with `torch.optim.SGD`'s momentum, dampening, Nesterov and weight decay. */
import type { Parameter } from '../nn/parameter.js';
import { add, scale, sub } from '../tensor/ops.js';
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

/** `SGD` options (PyTorch defaults). */
export interface SGDOptions {
  /** Learning rate, a finite number ≥ 0 (required, as in PyTorch: in the options or in every group). */
  lr: number;
  /** Momentum factor ≥ 0 (default 0). */
  momentum?: number;
  /** Dampening for momentum ≥ 0 (default 0). */
  dampening?: number;
  /** L2 penalty added to the gradient, ≥ 0 (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
}

/** An SGD parameter group's options, every one filled. */
export type SGDGroupOptions = Required<SGDOptions>;

/**
 * One parameter's SGD state, PyTorch's key: the momentum buffer, present only with momentum. It is
 * untouched at a step where the parameter's grad is null, as in PyTorch.
 */
export type SGDState = {
  /** The velocity `buf` of the update rule, the parameter's shape; absent while momentum is 0. */
  readonly momentum_buffer?: Tensor;
};

/**
 * `g = grad + wd·p; buf = μ·buf + (1−τ)·g (buf = g at the first step); g = nesterov ? g + μ·buf : buf;
 * p = p − lr·g`, exactly as `torch.optim.SGD`, per parameter group.
 */
export class SGD extends Optimizer<SGDState, SGDGroupOptions> {
  /** Momentum factor of group 0 (`paramGroups[0].momentum`). */
  declare momentum: number;
  /** Dampening of group 0. */
  declare dampening: number;
  /** Weight decay of group 0. */
  declare weightDecay: number;
  /** Nesterov momentum of group 0. */
  declare nesterov: boolean;

  /**
   * Optimises `params` (distinct parameters) with `options`, or parameter groups
   * (`[{ params, lr }, { params: other, momentum: 0.9 }]`) whose missing options come from `defaults`.
   * Throws on an invalid option, naming it.
   */
  constructor(params: readonly Parameter[], options: SGDOptions);
  constructor(groups: readonly ParamGroupInput<SGDGroupOptions>[], defaults?: Partial<SGDOptions>);
  constructor(
    params: readonly Parameter[] | readonly ParamGroupInput<SGDGroupOptions>[],
    options?: Partial<SGDOptions>,
  ) {
    const o: Partial<SGDOptions> = options ?? {};
    super(
      'SGD',
      {
        lr: o.lr as number,
        momentum: o.momentum ?? 0,
        dampening: o.dampening ?? 0,
        weightDecay: o.weightDecay ?? 0,
        nesterov: o.nesterov ?? false,
      },
      ['maximize', 'foreach', 'differentiable'],
    );
    this.init(params);
  }

  protected override checkGroup(where: string, prefix: string, g: ParamGroup<SGDGroupOptions>): void {
    super.checkGroup(where, prefix, g);
    checkNumber(where, `${prefix}momentum`, g.momentum, 0);
    checkNumber(where, `${prefix}dampening`, g.dampening, 0);
    checkNumber(where, `${prefix}weightDecay`, g.weightDecay, 0);
    checkBoolean(where, `${prefix}nesterov`, g.nesterov);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new RangeError(
        `${where}: ${prefix}nesterov must be used with momentum > 0 and dampening = 0, ` +
          `got momentum ${g.momentum}, dampening ${g.dampening}`,
      );
    }
  }

  protected stateKeys(): StateKeys {
    return { numbers: [], tensors: [], optional: ['momentum_buffer'] };
  }

  protected update(
    value: Tensor,
    grad: Tensor,
    state: SGDState | undefined,
    group: ParamGroup<SGDGroupOptions>,
  ): ParameterUpdate<SGDState> {
    const { lr, momentum, dampening, weightDecay, nesterov } = group;
    let g = weightDecay !== 0 ? add(grad, scale(value, weightDecay)) : grad;
    const previous = state?.momentum_buffer;
    if (momentum === 0) {
      // PyTorch keeps a buffer it no longer uses (momentum set to 0 by a schedule): so does Recur.
      const kept: SGDState = previous === undefined ? {} : { momentum_buffer: previous };
      return { value: sub(value, scale(g, lr)), state: kept };
    }
    // The first buffer is a copy of g (scale by 1), never the gradient tensor itself.
    const momentum_buffer =
      previous === undefined ? scale(g, 1) : add(scale(previous, momentum), scale(g, 1 - dampening));
    g = nesterov ? add(g, scale(momentum_buffer, momentum)) : momentum_buffer;
    return { value: sub(value, scale(g, lr)), state: { momentum_buffer } };
  }
}
