/** A trainable tensor of a module, with the gradient `backward` accumulates into it. */
import { keep } from '../memory.js';
import type { Tensor } from '../tensor/tensor.js';

/** A module's trainable tensor. `value` is replaced (not mutated) by optimizers and `loadStateDict`. */
export class Parameter {
  /** Accumulated gradient, `null` until `backward` runs or after `zeroGrad`. */
  grad: Tensor | null = null;
  /**
   * PyTorch's `requires_grad` (default true). `backward` gives a parameter with `false` no gradient (its
   * `grad` is left as it is: `null` unless set before), so optimizers and `clipGradNorm` skip it.
   * `module.requiresGrad(false)` sets it on every parameter of a module.
   */
  requiresGrad = true;

  /**
   * Wraps `value`, which the parameter now owns (kept alive past any enclosing `tidy`). `name` says
   * where it belongs in errors (`LSTM.weight_hh_l0`; modules set it).
   */
  constructor(
    /** The current tensor, owned by the parameter; swapped for a new one by `assign`, never mutated. */
    public value: Tensor,
    /** Where the parameter belongs, for errors (`LSTM.weight_hh_l0`); empty when no module named it. */
    readonly name = '',
  ) {
    // The frontend's keep, not the backend's: a tidy begun before this backend was first used releases
    // the tensor itself, and only `keep` tells it not to.
    keep(value);
  }

  /** Replaces the value and releases the old one. */
  assign(value: Tensor): void {
    if (value === this.value) return;
    const old = this.value;
    keep(value);
    this.value = value;
    old.dispose();
  }

  /** Releases the gradient and sets it to `null`. */
  zeroGrad(): void {
    this.grad?.dispose();
    this.grad = null;
  }
}
