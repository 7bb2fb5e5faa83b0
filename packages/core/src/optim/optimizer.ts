/**
 * Base of the optimizers: parameters, per-parameter state, `step()` and `zeroGrad()`.
 *
 * A step changes everything or nothing. It runs in three phases: check (hyperparameters, then every
 * parameter that has a gradient), compute (every new value and state inside one `tidy`, so a throw
 * half-way releases what was computed so far), commit (keep, assign and release: nothing there can
 * throw). A step that throws therefore leaves weights, gradients, optimizer state, `stepCount` and the
 * backends' live-tensor counts exactly as they were.
 */
import { describeValue, formatShape, ShapeError } from '../errors.js';
import { keep, tidy } from '../memory.js';
import { Parameter } from '../nn/parameter.js';
import { backendLabel } from '../tensor/check.js';
import { sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * One parameter's optimizer state. Keys are PyTorch's (`step`, `exp_avg`, `exp_avg_sq`,
 * `max_exp_avg_sq`, `momentum_buffer`), and the state is held per index into `params`, as in
 * `optimizer.state_dict()['state'][index]`, so a `stateDict()`/`loadStateDict()` can map it one to one.
 */
export type ParameterState = { readonly [key: string]: Tensor | number | undefined };

/** What {@link Optimizer}'s `update` computes for one parameter; committed only if the whole step succeeds. */
export interface ParameterUpdate<State extends ParameterState> {
  /** The parameter's new tensor, same shape, backend and dtype as the old one. */
  value: Tensor;
  /** The parameter's new optimizer state, replacing the old (whose tensors not reused are released). */
  state: State;
}

/** Base class of optimizers; subclasses implement `update` for one parameter and `checkOptions`. */
export abstract class Optimizer<State extends ParameterState> {
  /**
   * Learning rate; may be changed between steps (schedules). `step()` checks it (and every other
   * option) before changing anything.
   */
  lr: number;
  /**
   * How many `step()` calls succeeded; a step that throws does not count. This is not the step used in
   * Adam's bias correction: that count is per parameter (`stateOf(i).step`, as PyTorch's
   * `state[p]['step']`) and does not advance at a step where the parameter has no gradient.
   */
  stepCount = 0;
  /** The parameters being optimised, each once, in the order given. */
  readonly params: readonly Parameter[];
  /** State per index into `params`, absent until that parameter's first update (PyTorch's lazy state). */
  private readonly state = new Map<number, State>();

  /**
   * `params`: a non-empty array of distinct parameters (its order gives the state indices). `lr` is
   * stored as given: subclasses call {@link Optimizer.checkOptions} once their own options are set.
   */
  protected constructor(
    /** The optimizer's name in errors (`Adam`, `SGD`, …). */
    protected readonly name: string,
    params: readonly Parameter[],
    lr: unknown,
  ) {
    checkParams(name, params);
    this.params = [...params];
    this.lr = lr as number;
  }

  /**
   * Throws unless every option is valid; `where` prefixes the error (`Adam`, `Adam.step`). Called by the
   * constructor of each subclass and again by every `step()`, since options are plain fields a schedule
   * (or JavaScript code ignoring `readonly`) may change. Overrides call `super.checkOptions(where)`.
   */
  protected checkOptions(where: string): void {
    checkNumber(where, 'lr', this.lr, 0);
  }

  /**
   * Computes the new value of one parameter and its new state from `state` (undefined before its first
   * update). Must not modify anything: it runs inside the step's `tidy`, may be abandoned by a later
   * parameter's error, and its results are committed only when every parameter's update succeeded.
   */
  protected abstract update(value: Tensor, grad: Tensor, state: State | undefined): ParameterUpdate<State>;

  /** The state of `params[index]` (undefined before its first update); read-only, owned by the optimizer. */
  stateOf(index: number): Readonly<State> | undefined {
    return this.state.get(index);
  }

  /**
   * One update of every parameter whose `grad` is not null (the others, and their state, are left
   * alone, as in PyTorch). Throws before changing anything when an option or a parameter is invalid;
   * see the file header for why a failed step changes nothing.
   */
  step(): void {
    const where = `${this.name}.step`;
    this.checkOptions(where);
    const active = this.params.flatMap((p, i) => (p.grad === null ? [] : [i]));
    for (const i of active) this.checkParameter(where, i);

    // Everything computed, kept only through the result: a throw releases all of it, assigns nothing.
    const updates = tidy(() =>
      active.map((i) => {
        const p = this.params[i]!;
        return this.update(p.value, p.grad!, this.state.get(i));
      }),
    );

    // Commit: keep, assign and dispose cannot throw on live tensors, which the checks established.
    active.forEach((i, k) => {
      const { value, state } = updates[k]!;
      const next = tensorsOf(state);
      for (const t of next) keep(t);
      const old = this.state.get(i);
      if (old !== undefined) for (const t of tensorsOf(old)) if (!next.includes(t)) t.dispose();
      this.state.set(i, state);
      this.params[i]!.assign(value);
    });
    this.stepCount++;
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /** Releases the optimizer's state tensors; a later `step()` starts every parameter's state afresh. */
  dispose(): void {
    for (const state of this.state.values()) for (const t of tensorsOf(state)) t.dispose();
    this.state.clear();
  }

  /**
   * Throws unless `params[i]` can be updated: its value is live, its grad a live tensor with the
   * value's shape, backend and dtype, and its state (if any) lives where the value now lives.
   */
  private checkParameter(where: string, i: number): void {
    const p = this.params[i]!;
    const name = `params[${i}]`;
    const { value, grad } = p;
    if (!(value instanceof Tensor)) {
      throw new TypeError(`${where}: ${name}.value must be a Tensor, got ${describeValue(value)}`);
    }
    if (value.isDisposed) {
      throw new Error(
        `${where}: ${name} (${value.toString()}) has been disposed (was its module disposed?); ` +
          'create a new optimizer for the parameters still in use',
      );
    }
    if (!(grad instanceof Tensor)) {
      throw new TypeError(`${where}: ${name}.grad must be a Tensor or null, got ${describeValue(grad)}`);
    }
    if (grad.isDisposed) {
      throw new Error(
        `${where}: ${name}.grad (${grad.toString()}) has been disposed; a gradient released by dispose() ` +
          'or by an enclosing tidy() cannot be used (set it to null with zeroGrad(), or run backward again)',
      );
    }
    if (grad.backend !== value.backend) {
      throw new Error(
        `${where}: ${name}.grad lives on backend "${backendLabel(grad.backend)}" but ${name} ` +
          `lives on "${backendLabel(value.backend)}"; a gradient must come from backward() ` +
          'on the parameter’s own backend',
      );
    }
    if (grad.dtype !== value.dtype) {
      throw new TypeError(`${where}: ${name}.grad has dtype ${grad.dtype} but ${name} is ${value.dtype}`);
    }
    if (!sameShape(grad.shape, value.shape)) {
      throw new ShapeError(
        `${where}: ${name}.grad has shape ${formatShape(grad.shape)} but ${name} has shape ${formatShape(value.shape)}`,
      );
    }
    const state = this.state.get(i);
    if (state === undefined) return;
    const keys = Object.keys(state).filter((k) => state[k] instanceof Tensor);
    const moved = keys.find((k) => {
      const t = state[k] as Tensor;
      return t.backend !== value.backend || t.dtype !== value.dtype;
    });
    if (moved !== undefined) {
      const t = state[moved] as Tensor;
      throw new Error(
        `${where}: the optimizer's parameters moved to another backend or dtype: ${name} now lives on ` +
          `"${backendLabel(value.backend)}" (${value.dtype}), but its optimizer state ` +
          `(${keys.join(', ')}) lives on the old one, "${backendLabel(t.backend)}" ` +
          `(${t.dtype}). The state cannot follow module.to(); create a new ${this.name} after moving the module`,
      );
    }
    const released = keys.find((k) => (state[k] as Tensor).isDisposed);
    if (released !== undefined) {
      throw new Error(
        `${where}: the optimizer state ${released} of ${name} has been disposed outside the optimizer`,
      );
    }
  }
}

/** The tensors of a state object (its values that are tensors). */
function tensorsOf(state: ParameterState): Tensor[] {
  return Object.values(state).filter((v): v is Tensor => v instanceof Tensor);
}

/** Throws unless `params` is a non-empty array of distinct {@link Parameter}s. */
function checkParams(where: string, params: readonly Parameter[]): void {
  if (!Array.isArray(params) || params.length === 0) {
    throw new RangeError(
      `${where}: params must be a non-empty array of parameters (module.parameters()), got ${describeValue(params)}`,
    );
  }
  params.forEach((p, i) => {
    if (!(p instanceof Parameter)) {
      throw new TypeError(
        `${where}: params[${i}] must be a Parameter (from module.parameters()), got ${describeValue(p)}`,
      );
    }
  });
  // PyTorch refuses a parameter listed twice too: it would be updated twice per step.
  const first = new Map<Parameter, number>();
  const repeats: string[] = [];
  params.forEach((p, i) => {
    const seen = first.get(p);
    if (seen === undefined) first.set(p, i);
    else repeats.push(`params[${seen}] and params[${i}]`);
  });
  if (repeats.length > 0) {
    throw new RangeError(
      `${where}: params must list each parameter once, got the same parameter as ${repeats.join(', as ')}`,
    );
  }
}

/**
 * Throws unless `value` is a finite number in [min, max] (or [min, max) with `maxOpen`); returns it.
 * Finite even where PyTorch only checks a bound: an infinite option turns every weight into NaN.
 */
export function checkNumber(
  where: string,
  name: string,
  value: unknown,
  min: number,
  max = Number.POSITIVE_INFINITY,
  maxOpen = false,
): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= min &&
    (maxOpen ? value < max : value <= max);
  if (!ok) {
    const range = max === Number.POSITIVE_INFINITY ? `≥ ${min}` : `in [${min}, ${max}${maxOpen ? ')' : ']'}`;
    throw new RangeError(`${where}: ${name} must be a finite number ${range}, got ${describeValue(value)}`);
  }
  return value;
}
