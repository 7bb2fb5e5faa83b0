/** Stochastic gradient descent with `torch.optim.SGD`'s momentum, dampening, Nesterov and weight decay. */
import { describeValue } from '../errors.js';
import type { Parameter } from '../nn/parameter.js';
import { add, scale, sub } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkNumber, Optimizer, type ParameterUpdate } from './optimizer.js';

/** `SGD` options (PyTorch defaults). */
export interface SGDOptions {
  /** Learning rate, a finite number ≥ 0. */
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
 * p = p − lr·g`, exactly as `torch.optim.SGD`.
 */
export class SGD extends Optimizer<SGDState> {
  /** Momentum factor. */
  readonly momentum: number;
  /** Dampening. */
  readonly dampening: number;
  /** Weight decay. */
  readonly weightDecay: number;
  /** Nesterov momentum. */
  readonly nesterov: boolean;

  /** Optimises `params` (distinct parameters); throws on an invalid option, naming it. */
  constructor(params: readonly Parameter[], options: SGDOptions) {
    const o: Partial<SGDOptions> = options ?? {};
    super('SGD', params, o.lr);
    this.momentum = o.momentum ?? 0;
    this.dampening = o.dampening ?? 0;
    this.weightDecay = o.weightDecay ?? 0;
    this.nesterov = o.nesterov ?? false;
    this.checkOptions('SGD');
  }

  protected override checkOptions(where: string): void {
    super.checkOptions(where);
    checkNumber(where, 'momentum', this.momentum, 0);
    checkNumber(where, 'dampening', this.dampening, 0);
    checkNumber(where, 'weightDecay', this.weightDecay, 0);
    if (typeof this.nesterov !== 'boolean') {
      throw new TypeError(`${where}: nesterov must be a boolean, got ${describeValue(this.nesterov)}`);
    }
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new RangeError(
        `${where}: nesterov must be used with momentum > 0 and dampening = 0, ` +
          `got momentum ${this.momentum}, dampening ${this.dampening}`,
      );
    }
  }

  protected update(value: Tensor, grad: Tensor, state: SGDState | undefined): ParameterUpdate<SGDState> {
    let g = this.weightDecay !== 0 ? add(grad, scale(value, this.weightDecay)) : grad;
    if (this.momentum === 0) return { value: sub(value, scale(g, this.lr)), state: {} };
    const previous = state?.momentum_buffer;
    // The first buffer is a copy of g (scale by 1), never the gradient tensor itself.
    const momentum_buffer =
      previous === undefined
        ? scale(g, 1)
        : add(scale(previous, this.momentum), scale(g, 1 - this.dampening));
    g = this.nesterov ? add(g, scale(momentum_buffer, this.momentum)) : momentum_buffer;
    return { value: sub(value, scale(g, this.lr)), state: { momentum_buffer } };
  }
}
