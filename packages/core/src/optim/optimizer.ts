/** Base of the optimizers: parameters, per-parameter state, `step()` and `zeroGrad()`. */
import { valueError } from '../errors.js';
import { keep, tidy } from '../memory.js';
import type { Parameter } from '../nn/parameter.js';
import type { Tensor } from '../tensor/tensor.js';

/** Base class of optimizers; subclasses implement `update` for one parameter. */
export abstract class Optimizer<State extends Record<string, Tensor | number | undefined>> {
  /** Learning rate; may be changed between steps (schedules). */
  lr: number;
  /** Steps taken. */
  stepCount = 0;
  /** The parameters being optimised. */
  readonly params: readonly Parameter[];
  private readonly state = new Map<Parameter, State>();

  /** `params` in a fixed order; `lr` > 0. */
  protected constructor(where: string, params: readonly Parameter[], lr: number) {
    if (!Array.isArray(params) || params.length === 0)
      valueError(where, 'params', 'a non-empty array of parameters', params);
    if (typeof lr !== 'number' || !(lr >= 0)) valueError(where, 'lr', 'a number ≥ 0', lr);
    this.params = [...params];
    this.lr = lr;
  }

  /** Computes the new value of one parameter and its new state (tensors in it are kept). */
  protected abstract update(
    value: Tensor,
    grad: Tensor,
    state: State | undefined,
  ): { value: Tensor; state: State };

  /** One update of every parameter that has a gradient; intermediate tensors are released. */
  step(): void {
    this.stepCount++;
    tidy(() => {
      for (const p of this.params) {
        if (p.grad === null) continue;
        const old = this.state.get(p);
        const { value, state } = this.update(p.value, p.grad, old);
        for (const [key, v] of Object.entries(state)) {
          const previous = old?.[key];
          if (typeof v === 'object' && v !== previous) {
            keep(v);
            if (typeof previous === 'object') previous.dispose();
          }
        }
        this.state.set(p, state);
        p.assign(value);
      }
    });
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /** Releases the optimizer's state tensors. */
  dispose(): void {
    for (const state of this.state.values()) {
      for (const v of Object.values(state)) if (typeof v === 'object') v.dispose();
    }
    this.state.clear();
  }
}

/** Throws unless `value` is a finite number in [min, max]. */
export function checkRange(
  where: string,
  name: string,
  value: unknown,
  min: number,
  max = Number.POSITIVE_INFINITY,
): number {
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    valueError(where, name, `a number in [${min}, ${max === Number.POSITIVE_INFINITY ? '∞' : max}]`, value);
  }
  return value;
}
