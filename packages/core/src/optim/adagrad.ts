/** Adagrad with `torch.optim.Adagrad`'s formulas (torch 1.13's single-tensor implementation, dense). */
import type { Parameter } from '../nn/parameter.js';
import { full } from '../tensor/create.js';
import { add, addScalar, div, mul, scale, sqrt, sub } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  checkNumber,
  Optimizer,
  type ParameterUpdate,
  type ParamGroup,
  type ParamGroupInput,
  type StateKeys,
} from './optimizer.js';

/** `Adagrad` options (PyTorch defaults). */
export interface AdagradOptions {
  /** Learning rate, a finite number ≥ 0 (default 0.01). */
  lr?: number;
  /** Learning-rate decay ≥ 0: step k uses `lr / (1 + (k − 1)·lrDecay)` (default 0). */
  lrDecay?: number;
  /** L2 penalty added to the gradient, ≥ 0 (default 0). */
  weightDecay?: number;
  /** Starting value of the squared-gradient sum, ≥ 0 (default 0). */
  initialAccumulatorValue?: number;
  /** Added to the denominator, ≥ 0 (default 1e-10). */
  eps?: number;
}

/** An Adagrad parameter group's options, every one filled. */
export type AdagradGroupOptions = Required<AdagradOptions>;

/**
 * One parameter's Adagrad state, PyTorch's keys. Created with the optimizer (as PyTorch does), so it
 * exists, with `step` 0, before the first update.
 */
export type AdagradState = {
  /** Updates of this parameter so far. */
  readonly step: number;
  /** Sum of squared gradients (from `initialAccumulatorValue`), the parameter's shape. */
  readonly sum: Tensor;
};

/**
 * `torch.optim.Adagrad`: `g = grad + wd·p; clr = lr / (1 + (step − 1)·lrDecay); sum = sum + g²;
 * p = p − clr·g / (√sum + ε)`, per parameter group.
 */
export class Adagrad extends Optimizer<AdagradState, AdagradGroupOptions> {
  /** Learning-rate decay of group 0 (`paramGroups[0].lrDecay`). */
  declare lrDecay: number;
  /** Weight decay of group 0. */
  declare weightDecay: number;
  /** Initial accumulator value of group 0. */
  declare initialAccumulatorValue: number;
  /** ε of group 0. */
  declare eps: number;

  /**
   * Optimises `params` (distinct parameters) with `options`, or parameter groups whose missing options
   * come from `options`. Throws on an invalid option, naming it. Creates every parameter's state
   * (`sum` filled with `initialAccumulatorValue`), as PyTorch — which fills it with the constructor's
   * `initialAccumulatorValue` even for a group that sets its own (torch.optim.Adagrad's `__init__`), so a
   * group's own value only applies to parameters added later with `addParamGroup`.
   */
  constructor(
    params: readonly Parameter[] | readonly ParamGroupInput<AdagradGroupOptions>[],
    options: AdagradOptions = {},
  ) {
    const o = options ?? {};
    super(
      'Adagrad',
      {
        lr: o.lr ?? 0.01,
        lrDecay: o.lrDecay ?? 0,
        weightDecay: o.weightDecay ?? 0,
        initialAccumulatorValue: o.initialAccumulatorValue ?? 0,
        eps: o.eps ?? 1e-10,
      },
      ['foreach', 'maximize'],
    );
    this.fillAtConstruction = o.initialAccumulatorValue ?? 0;
    this.init(params);
    this.fillAtConstruction = undefined;
  }

  /** The value every `sum` starts from while the constructor creates the state (PyTorch's quirk). */
  private fillAtConstruction: number | undefined;

  protected override checkGroup(where: string, prefix: string, g: ParamGroup<AdagradGroupOptions>): void {
    super.checkGroup(where, prefix, g);
    checkNumber(where, `${prefix}lrDecay`, g.lrDecay, 0);
    checkNumber(where, `${prefix}weightDecay`, g.weightDecay, 0);
    checkNumber(where, `${prefix}initialAccumulatorValue`, g.initialAccumulatorValue, 0);
    checkNumber(where, `${prefix}eps`, g.eps, 0);
  }

  protected stateKeys(): StateKeys {
    return { numbers: ['step'], tensors: ['sum'] };
  }

  protected override initialState(value: Tensor, group: ParamGroup<AdagradGroupOptions>): AdagradState {
    return {
      step: 0,
      sum: full(value.shape, this.fillAtConstruction ?? group.initialAccumulatorValue, {
        backend: value.backend,
        dtype: value.dtype,
      }),
    };
  }

  protected update(
    value: Tensor,
    grad: Tensor,
    state: AdagradState | undefined,
    group: ParamGroup<AdagradGroupOptions>,
  ): ParameterUpdate<AdagradState> {
    const { lr, lrDecay, weightDecay, eps } = group;
    const previous = state ?? this.initialState(value, group);
    const step = previous.step + 1;
    const g = weightDecay !== 0 ? add(grad, scale(value, weightDecay)) : grad;
    const clr = lr / (1 + (step - 1) * lrDecay);
    const sum = add(previous.sum, mul(g, g));
    const std = addScalar(sqrt(sum), eps);
    return { value: sub(value, scale(div(g, std), clr)), state: { step, sum } };
  }
}
