/** Stochastic gradient descent with `torch.optim.SGD`'s momentum, dampening, Nesterov and weight decay. */
import { valueError } from '../errors.js';
import type { Parameter } from '../nn/parameter.js';
import { add, scale, sub } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkRange, Optimizer } from './optimizer.js';

/** `SGD` options (PyTorch defaults). */
export interface SGDOptions {
  /** Learning rate. */
  lr: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Dampening for momentum (default 0). */
  dampening?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
}

type SGDState = { momentumBuffer: Tensor | undefined };

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

  /** Optimises `params`. */
  constructor(params: readonly Parameter[], options: SGDOptions) {
    super('SGD', params, options?.lr);
    this.momentum = checkRange('SGD', 'momentum', options.momentum ?? 0, 0);
    this.dampening = checkRange('SGD', 'dampening', options.dampening ?? 0, 0);
    this.weightDecay = checkRange('SGD', 'weightDecay', options.weightDecay ?? 0, 0);
    this.nesterov = options.nesterov ?? false;
    if (typeof this.nesterov !== 'boolean') valueError('SGD', 'nesterov', 'a boolean', this.nesterov);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      valueError(
        'SGD',
        'nesterov',
        'used with momentum > 0 and dampening = 0',
        `momentum ${this.momentum}, dampening ${this.dampening}`,
      );
    }
  }

  protected update(value: Tensor, grad: Tensor, state: SGDState | undefined) {
    let g = this.weightDecay !== 0 ? add(grad, scale(value, this.weightDecay)) : grad;
    let momentumBuffer: Tensor | undefined;
    if (this.momentum !== 0) {
      const previous = state?.momentumBuffer;
      // The first buffer is a copy of g (scale by 1), never the gradient tensor itself.
      momentumBuffer =
        previous === undefined
          ? scale(g, 1)
          : add(scale(previous, this.momentum), scale(g, 1 - this.dampening));
      g = this.nesterov ? add(g, scale(momentumBuffer, this.momentum)) : momentumBuffer;
    }
    return { value: sub(value, scale(g, this.lr)), state: { momentumBuffer } };
  }
}
