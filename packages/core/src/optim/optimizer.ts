/**
 * Base of the optimizers: parameter groups, per-parameter state, `step()`, `zeroGrad()` and PyTorch's
 * `state_dict()` / `load_state_dict()`.
 *
 * A step changes everything or nothing. It runs in three phases: check (every group's options, then
 * every parameter that has a gradient), compute (every new value and state inside one `tidy`, so a
 * throw half-way releases what was computed so far), commit (keep, assign and release: nothing there
 * can throw). A step that throws therefore leaves weights, gradients, optimizer state, `stepCount` and
 * the backends' live-tensor counts exactly as they were. `loadStateDict` and `addParamGroup` likewise
 * check everything before they change anything.
 */
import { describeValue, formatShape, ShapeError } from '../errors.js';
import { keep, tidy } from '../memory.js';
import { Parameter } from '../nn/parameter.js';
import { entryProblem, type TensorData } from '../nn/state-dict.js';
import { backendLabel } from '../tensor/check.js';
import { sameShape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * One parameter's optimizer state. Keys are PyTorch's (`step`, `exp_avg`, `exp_avg_sq`,
 * `max_exp_avg_sq`, `momentum_buffer`, `square_avg`, `grad_avg`, `sum`), and the state is held per
 * parameter, listed by its index into `params`, as in `optimizer.state_dict()['state'][index]`.
 */
export type ParameterState = { readonly [key: string]: Tensor | number | undefined };

/** What {@link Optimizer}'s `update` computes for one parameter; committed only if the whole step succeeds. */
export interface ParameterUpdate<State extends ParameterState> {
  /** The parameter's new tensor, same shape, backend and dtype as the old one. */
  value: Tensor;
  /** The parameter's new optimizer state, replacing the old (whose tensors not reused are released). */
  state: State;
}

/** The option every optimizer has. */
export interface OptimizerOptions {
  /** Learning rate, a finite number ≥ 0. */
  lr: number;
}

/**
 * Keys learning-rate schedulers add to a parameter group (PyTorch's `initial_lr`, `max_lr`, `min_lr`,
 * `max_momentum`, `base_momentum`), saved and loaded with the optimizer's state dict.
 */
export interface SchedulerGroupKeys {
  /** The lr a scheduler started from (PyTorch's `initial_lr`), set when a scheduler is constructed. */
  initialLr?: number;
  /** `OneCycleLR`'s peak lr (`max_lr`). */
  maxLr?: number;
  /** `OneCycleLR`'s final lr (`min_lr`). */
  minLr?: number;
  /** `OneCycleLR`'s upper momentum (`max_momentum`). */
  maxMomentum?: number;
  /** `OneCycleLR`'s lower momentum (`base_momentum`). */
  baseMomentum?: number;
}

/** The parameters of a group, as held by the optimizer. */
export interface GroupParams {
  /** The group's parameters, in order (their positions in `optimizer.params` index the state). */
  readonly params: readonly Parameter[];
}

/**
 * A parameter group held by an optimizer (PyTorch's `optimizer.param_groups[i]`): its parameters and
 * every option, filled from the defaults. Options are plain fields a scheduler (or you) may change
 * between steps; `step()` checks them again before changing anything.
 */
export type ParamGroup<Options extends OptimizerOptions = OptimizerOptions> = Options &
  SchedulerGroupKeys &
  GroupParams;

/** A parameter group as given to a constructor or `addParamGroup`: parameters and options to override. */
export type ParamGroupInput<Options extends OptimizerOptions = OptimizerOptions> = Partial<Options> &
  SchedulerGroupKeys & {
    /** The group's parameters (distinct, and in no other group). */
    readonly params: readonly Parameter[];
  };

/** One parameter's state in a state dict: PyTorch's keys; tensors, numbers, or null (PyTorch's None). */
export type OptimizerStateEntry = Record<string, Tensor | TensorData | number | null>;

/**
 * PyTorch's `optimizer.state_dict()` structure, with its snake_case keys: `state` by parameter index
 * (the position in the concatenation of the groups' params), `param_groups` with every option and the
 * indices of the group's parameters.
 */
export interface OptimizerStateDict {
  /** Per-parameter state by index; a parameter never updated has no entry (except Adagrad's). */
  state: Record<string, OptimizerStateEntry>;
  /** Every group's options (snake_case, e.g. `weight_decay`) and its `params` as indices. */
  param_groups: Array<{
    /** Indices of the group's parameters. */
    params: number[];
    /** The group's options and scheduler keys. */
    [key: string]: unknown;
  }>;
}

/** What a parameter's state must hold, for `loadStateDict`'s checks. */
export interface StateKeys {
  /** Number entries (`step`), required. */
  readonly numbers: readonly string[];
  /** Tensor entries of the parameter's shape, required. */
  readonly tensors: readonly string[];
  /** Tensor entries that may be absent or null (PyTorch's None), e.g. SGD's `momentum_buffer`. */
  readonly optional?: readonly string[];
}

/**
 * PyTorch-only group flags: accepted by `loadStateDict` with these values (they do not change the
 * arithmetic Recur does), written by `stateDict()` with PyTorch's defaults.
 */
const torchFlags: Record<string, { value: unknown; accepts: (v: unknown) => boolean; expected: string }> = {
  maximize: { value: false, accepts: (v) => v === false, expected: 'false (maximize is not supported)' },
  foreach: {
    value: null,
    accepts: (v) => v === null || typeof v === 'boolean',
    expected: 'null or a boolean',
  },
  capturable: { value: false, accepts: (v) => typeof v === 'boolean', expected: 'a boolean' },
  differentiable: { value: false, accepts: (v) => v === false, expected: 'false' },
  fused: { value: false, accepts: (v) => v === false, expected: 'false' },
};

const schedulerKeys = ['initialLr', 'maxLr', 'minLr', 'maxMomentum', 'baseMomentum'] as const;

/** `weightDecay` → `weight_decay`. */
export function toSnakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** `weight_decay` → `weightDecay`. */
export function toCamelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Base class of optimizers; subclasses implement `update` for one parameter and `checkGroup`. */
export abstract class Optimizer<
  State extends ParameterState,
  Options extends OptimizerOptions = OptimizerOptions,
> {
  /**
   * How many `step()` calls succeeded; a step that throws does not count. This is not the step used in
   * Adam's bias correction: that count is per parameter (`stateOf(i).step`, as PyTorch's
   * `state[p]['step']`) and does not advance at a step where the parameter has no gradient.
   */
  stepCount = 0;
  /** The parameter groups (PyTorch's `param_groups`); change options through them (`group.lr = x`). */
  readonly paramGroups: ParamGroup<Options>[] = [];
  /** Every option's default (PyTorch's `defaults`), used for options a group does not give. */
  readonly defaults: Readonly<Partial<Options>>;
  /** State per parameter, absent until its first update (PyTorch's lazy state). */
  private readonly state = new Map<Parameter, State>();
  /** The concatenation of the groups' params, recomputed when a group is added. */
  private flat: readonly Parameter[] = [];

  /**
   * `defaults`: every option of this optimizer, PyTorch's defaults filled in by the subclass (`lr` may
   * be undefined where PyTorch requires it: every group must then give it). Subclasses call
   * {@link Optimizer.init} at the end of their constructor.
   */
  protected constructor(
    /** The optimizer's name in errors (`Adam`, `SGD`, …). */
    protected readonly name: string,
    defaults: Partial<Options>,
    /** PyTorch-only group flags this optimizer's state dict carries (`maximize`, `foreach`, …). */
    private readonly flags: readonly string[],
  ) {
    this.defaults = { ...defaults };
    // The options as fields of the optimizer (`optimizer.eps`): group 0's, for code written before groups.
    for (const key of Object.keys(defaults)) {
      if (key === 'lr') continue;
      Object.defineProperty(this, key, {
        get: () => (this.paramGroups[0] as unknown as Record<string, unknown> | undefined)?.[key],
        set: (v: unknown) => {
          (this.paramGroups[0] as unknown as Record<string, unknown>)[key] = v;
        },
        enumerable: false,
        configurable: true,
      });
    }
  }

  /**
   * Adds the groups (or the one group of a parameter list), checking everything first. Called once by
   * each subclass's constructor, after its own fields are set.
   */
  protected init(params: readonly Parameter[] | readonly ParamGroupInput<Options>[]): void {
    const name = this.name;
    if (!Array.isArray(params) || params.length === 0) {
      throw new RangeError(
        `${name}: params must be a non-empty array of parameters (module.parameters()) or of parameter groups ({ params, ...options }), got ${describeValue(params)}`,
      );
    }
    const isGroups = params.every(
      (g) => g !== null && typeof g === 'object' && !(g instanceof Parameter) && 'params' in g,
    );
    const groups = isGroups
      ? this.prepareGroups(name, params as readonly ParamGroupInput<Options>[], true)
      : this.prepareGroups(name, [{ params } as unknown as ParamGroupInput<Options>], false);
    for (const g of groups) this.pushGroup(g);
  }

  /**
   * Adds a parameter group (PyTorch's `add_param_group`): its options default to the optimizer's
   * defaults. Throws, changing nothing, on an invalid option or a parameter already in a group.
   */
  addParamGroup(group: ParamGroupInput<Options>): void {
    const [prepared] = this.prepareGroups(
      `${this.name}.addParamGroup`,
      [group],
      true,
      this.paramGroups.length,
    );
    this.pushGroup(prepared!);
  }

  /** Checks groups and fills their defaults; nothing is changed. */
  private prepareGroups(
    where: string,
    groups: readonly ParamGroupInput<Options>[],
    named: boolean,
    firstIndex = 0,
  ): ParamGroup<Options>[] {
    const owner = new Map<Parameter, string>();
    this.paramGroups.forEach((g, gi) => {
      g.params.forEach((p, i) => {
        owner.set(p, `paramGroups[${gi}].params[${i}]`);
      });
    });
    const optionKeys = new Set(Object.keys(this.defaults));
    return groups.map((input, k) => {
      const gi = firstIndex + k;
      const prefix = named ? `paramGroups[${gi}].` : '';
      if (input === null || typeof input !== 'object' || Array.isArray(input)) {
        throw new TypeError(
          `${where}: ${prefix || 'group'} must be { params, ...options }, got ${describeValue(input)}`,
        );
      }
      for (const key of Object.keys(input)) {
        if (key !== 'params' && !optionKeys.has(key) && !(schedulerKeys as readonly string[]).includes(key)) {
          throw new RangeError(
            `${where}: ${prefix}${key} is not an option of ${this.name} (its options: ${[...optionKeys].join(', ')})`,
          );
        }
      }
      const raw = input.params as unknown;
      const list = raw instanceof Parameter ? [raw] : raw;
      const paramsName = named ? `${prefix}params` : 'params';
      checkParams(where, paramsName, list, !named);
      const params = [...(list as Parameter[])];
      params.forEach((p, i) => {
        const seen = owner.get(p);
        if (seen !== undefined) {
          throw new RangeError(
            `${where}: some parameters appear in more than one parameter group: ${paramsName}[${i}] is ${seen}`,
          );
        }
        owner.set(p, `${paramsName}[${i}]`);
      });
      const group = { ...this.defaults } as Record<string, unknown>;
      for (const [key, value] of Object.entries(input))
        if (key !== 'params' && value !== undefined) group[key] = value;
      if (Array.isArray(group.betas)) group.betas = [...group.betas];
      group.params = params;
      const prepared = group as unknown as ParamGroup<Options>;
      this.checkGroup(where, prefix, prepared);
      return prepared;
    });
  }

  /** Adds a checked group: its parameters join `params`, their initial state (if any) is created. */
  private pushGroup(group: ParamGroup<Options>): void {
    const created = tidy(() => group.params.map((p) => [p, this.initialState(p.value, group)] as const));
    for (const [p, s] of created) {
      if (s === undefined) continue;
      for (const t of tensorsOf(s)) keep(t);
      this.state.set(p, s);
    }
    this.paramGroups.push(group);
    this.flat = this.paramGroups.flatMap((g) => g.params);
  }

  /** The parameters of every group, in order: index `i` here is PyTorch's state index `i`. */
  get params(): readonly Parameter[] {
    return this.flat;
  }

  /**
   * Learning rate of the first parameter group (PyTorch has no `optimizer.lr`: this is
   * `paramGroups[0].lr`, kept for code written before parameter groups). Setting it changes group 0 only.
   */
  get lr(): number {
    return this.paramGroups[0]!.lr;
  }

  /** Sets group 0's lr (`paramGroups[0].lr`); `step()` checks it. */
  set lr(value: number) {
    this.paramGroups[0]!.lr = value;
  }

  /**
   * Throws unless every option of `group` is valid; `where` prefixes the error (`Adam`, `Adam.step`),
   * `prefix` names the group (`paramGroups[1].`, empty with a single group). Called at construction,
   * by `addParamGroup`, `loadStateDict` and every `step()`, since options are plain fields.
   * Overrides call `super.checkGroup(where, prefix, group)`.
   */
  protected checkGroup(where: string, prefix: string, group: ParamGroup<Options>): void {
    if (group.lr === undefined && this.defaults.lr === undefined) {
      throw new RangeError(
        `${where}: ${prefix}lr must be a finite number ≥ 0, got undefined (${this.name} has no default lr: give it in the options or in every group)`,
      );
    }
    checkNumber(where, `${prefix}lr`, group.lr, 0);
    for (const key of schedulerKeys) {
      if (group[key] !== undefined) checkNumber(where, `${prefix}${key}`, group[key], 0);
    }
  }

  /**
   * Computes the new value of one parameter and its new state from `state` (undefined before its first
   * update) with its group's options. Must not modify anything: it runs inside the step's `tidy`, may
   * be abandoned by a later parameter's error, and its results are committed only when every
   * parameter's update succeeded.
   */
  protected abstract update(
    value: Tensor,
    grad: Tensor,
    state: State | undefined,
    group: ParamGroup<Options>,
  ): ParameterUpdate<State>;

  /** The keys a parameter's state holds with `group`'s options (checked by `loadStateDict`). */
  protected abstract stateKeys(group: ParamGroup<Options>): StateKeys;

  /** State created with the group (PyTorch's Adagrad); undefined (the default) for lazy state. */
  protected initialState(_value: Tensor, _group: ParamGroup<Options>): State | undefined {
    return undefined;
  }

  /** The state of `params[index]` (undefined before its first update); read-only, owned by the optimizer. */
  stateOf(index: number): Readonly<State> | undefined {
    const p = this.flat[index];
    return p === undefined ? undefined : this.state.get(p);
  }

  /** The prefix naming group `gi` in errors: empty when there is a single group. */
  private groupPrefix(gi: number): string {
    return this.paramGroups.length === 1 ? '' : `paramGroups[${gi}].`;
  }

  /**
   * One update of every parameter whose `grad` is not null (the others, and their state, are left
   * alone, as in PyTorch), each with its group's options. Throws before changing anything when an
   * option or a parameter is invalid; see the file header for why a failed step changes nothing.
   */
  step(): void {
    const where = `${this.name}.step`;
    this.paramGroups.forEach((g, gi) => {
      this.checkGroup(where, this.groupPrefix(gi), g);
    });
    const active: { p: Parameter; index: number; group: ParamGroup<Options> }[] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad !== null) active.push({ p, index, group });
        index++;
      }
    }
    for (const { index } of active) this.checkParameter(where, index);

    // Everything computed, kept only through the result: a throw releases all of it, assigns nothing.
    const updates = tidy(() =>
      active.map(({ p, group }) => this.update(p.value, p.grad!, this.state.get(p), group)),
    );

    // Commit: keep, assign and dispose cannot throw on live tensors, which the checks established.
    active.forEach(({ p }, k) => {
      const { value, state } = updates[k]!;
      const next = tensorsOf(state);
      for (const t of next) keep(t);
      const old = this.state.get(p);
      if (old !== undefined) for (const t of tensorsOf(old)) if (!next.includes(t)) t.dispose();
      this.state.set(p, state);
      p.assign(value);
    });
    this.stepCount++;
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.flat) p.zeroGrad();
  }

  /** Releases the optimizer's state tensors; a later `step()` starts every parameter's state afresh. */
  dispose(): void {
    for (const state of this.state.values()) for (const t of tensorsOf(state)) t.dispose();
    this.state.clear();
  }

  /**
   * PyTorch's `optimizer.state_dict()`: `{ state: { [index]: { step, exp_avg, … } }, param_groups:
   * [{ lr, betas, weight_decay, …, params: [indices] }] }`, PyTorch's snake_case keys inside. The
   * tensors are the optimizer's own (not copies): valid until the next `step()`, `loadStateDict` or
   * `dispose()`; {@link optimizerStateDictToJSON} copies everything into plain JSON-able data.
   */
  stateDict(): OptimizerStateDict {
    const state: Record<string, OptimizerStateEntry> = {};
    this.flat.forEach((p, i) => {
      const s = this.state.get(p);
      if (s === undefined) return;
      const entry: OptimizerStateEntry = {};
      for (const [k, v] of Object.entries(s)) if (v !== undefined) entry[k] = v;
      for (const k of this.stateKeys(this.groupOf(p)).optional ?? []) if (!(k in entry)) entry[k] = null;
      state[String(i)] = entry;
    });
    let next = 0;
    const param_groups = this.paramGroups.map((group) => {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(group)) {
        if (key === 'params' || value === undefined) continue;
        out[toSnakeCase(key)] = Array.isArray(value) ? [...value] : value;
      }
      for (const flag of this.flags) out[flag] = torchFlags[flag]!.value;
      return { ...out, params: group.params.map(() => next++) };
    });
    return { state, param_groups };
  }

  /** The group holding `p`. */
  private groupOf(p: Parameter): ParamGroup<Options> {
    return this.paramGroups.find((g) => g.params.includes(p))!;
  }

  /**
   * PyTorch's `optimizer.load_state_dict(sd)`: the groups' options (and scheduler keys) and every
   * parameter's state, from a {@link OptimizerStateDict} — one from {@link Optimizer.stateDict}, its
   * JSON form, or PyTorch's own converted to JSON (tensors as `{ shape, data }`, `step` a number or a
   * one-element tensor). Parameters are matched by position, as in PyTorch. Everything is checked
   * first (group count, parameters per group, option values, state keys, tensor shapes): on any
   * problem it throws, listing them, and the optimizer is unchanged. Tensors are copied onto each
   * parameter's backend and dtype.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    const sd = stateDict as unknown as Record<string, unknown>;
    if (sd === null || typeof sd !== 'object' || Array.isArray(sd)) {
      throw new TypeError(`${where}: stateDict must be { state, param_groups }, got ${describeValue(sd)}`);
    }
    const savedGroups = sd.param_groups as unknown;
    const savedState = sd.state as unknown;
    if (!Array.isArray(savedGroups)) {
      throw new TypeError(
        `${where}: stateDict.param_groups must be an array, got ${describeValue(savedGroups)}`,
      );
    }
    if (savedState === null || typeof savedState !== 'object' || Array.isArray(savedState)) {
      throw new TypeError(
        `${where}: stateDict.state must be an object of per-parameter states by index, got ${describeValue(savedState)}`,
      );
    }
    for (const key of Object.keys(sd)) {
      if (key !== 'state' && key !== 'param_groups') {
        throw new RangeError(
          `${where}: unexpected key "${key}" in stateDict (expected state and param_groups)`,
        );
      }
    }
    if (savedGroups.length !== this.paramGroups.length) {
      throw new RangeError(
        `${where}: loaded state dict has a different number of parameter groups: expected ${this.paramGroups.length}, got ${savedGroups.length}`,
      );
    }
    const problems: string[] = [];
    const idToParam = new Map<number, { p: Parameter; gi: number }>();
    const newGroups: ParamGroup<Options>[] = [];
    const optionKeys = new Set(Object.keys(this.defaults));
    savedGroups.forEach((saved: unknown, gi: number) => {
      const at = `param_groups[${gi}]`;
      const current = this.paramGroups[gi]!;
      if (saved === null || typeof saved !== 'object' || Array.isArray(saved)) {
        problems.push(`${at} must be an object, got ${describeValue(saved)}`);
        return;
      }
      const g = saved as Record<string, unknown>;
      const ids = g.params;
      if (!Array.isArray(ids) || !ids.every((id) => Number.isSafeInteger(id) && id >= 0)) {
        problems.push(`${at}.params must be an array of parameter indices, got ${describeValue(ids)}`);
        return;
      }
      if (ids.length !== current.params.length) {
        problems.push(
          `${at} has ${ids.length} parameters but the optimizer's group ${gi} has ${current.params.length} (loaded state dict contains a parameter group that doesn't match the size of optimizer's group)`,
        );
        return;
      }
      ids.forEach((id: number, i: number) => {
        if (idToParam.has(id))
          problems.push(`${at}.params lists index ${id}, already listed by an earlier group or position`);
        else idToParam.set(id, { p: current.params[i]!, gi });
      });
      const next: Record<string, unknown> = { params: current.params };
      for (const [key, value] of Object.entries(g)) {
        if (key === 'params') continue;
        const camel = toCamelCase(key);
        const flag = torchFlags[key];
        if (flag !== undefined && !optionKeys.has(camel)) {
          if (!flag.accepts(value))
            problems.push(`${at}.${key} must be ${flag.expected}, got ${describeValue(value)}`);
        } else if (optionKeys.has(camel) || (schedulerKeys as readonly string[]).includes(camel)) {
          next[camel] = Array.isArray(value) ? [...value] : value;
        } else {
          problems.push(`${at} has an unexpected key "${key}" (not an option of ${this.name})`);
        }
      }
      for (const key of optionKeys) {
        if (!(key in next)) problems.push(`${at} is missing "${toSnakeCase(key)}"`);
      }
      const candidate = next as unknown as ParamGroup<Options>;
      try {
        this.checkGroup(where, `${at}.`, candidate);
      } catch (error) {
        problems.push((error as Error).message.replace(`${where}: `, ''));
      }
      newGroups.push(candidate);
    });
    if (problems.length > 0) throw new RangeError(`${where}: ${problems.join('; ')}`);

    // Every state entry: an index some group lists, the keys of its group's options, shapes of its parameter.
    const plan: {
      p: Parameter;
      numbers: [string, number][];
      tensors: [string, ArrayLike<number> | Tensor][];
    }[] = [];
    for (const [key, raw] of Object.entries(savedState as Record<string, unknown>)) {
      const at = `state[${key}]`;
      const id = Number(key);
      const target = /^\d+$/.test(key) ? idToParam.get(id) : undefined;
      if (target === undefined) {
        problems.push(`${at}: no parameter group lists index ${JSON.stringify(key)}`);
        continue;
      }
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        problems.push(`${at} must be an object of PyTorch's state keys, got ${describeValue(raw)}`);
        continue;
      }
      const { p, gi } = target;
      if (!(p.value instanceof Tensor) || p.value.isDisposed) {
        problems.push(`${at}: its parameter (params[${id}]) has been disposed`);
        continue;
      }
      const spec = this.stateKeys(newGroups[gi]!);
      const entry = raw as Record<string, unknown>;
      const item = {
        p,
        numbers: [] as [string, number][],
        tensors: [] as [string, ArrayLike<number> | Tensor][],
      };
      for (const k of Object.keys(entry)) {
        if (!spec.numbers.includes(k) && !spec.tensors.includes(k) && !(spec.optional ?? []).includes(k)) {
          problems.push(
            `${at} has an unexpected key "${k}" (${this.name}'s state with these options: ${[...spec.numbers, ...spec.tensors, ...(spec.optional ?? [])].join(', ')})`,
          );
        }
      }
      for (const k of spec.numbers) {
        const n = stepNumber(entry[k]);
        if (n === undefined) {
          problems.push(
            `${at}.${k} must be a whole number ≥ 0 (or a one-element tensor holding one), got ${describeValue(entry[k])}`,
          );
        } else item.numbers.push([k, n]);
      }
      for (const k of [...spec.tensors, ...(spec.optional ?? [])]) {
        const v = entry[k];
        if ((v === undefined || v === null) && !spec.tensors.includes(k)) continue;
        if (v === undefined) {
          problems.push(`${at} is missing "${k}" (expected shape ${formatShape(p.value.shape)})`);
          continue;
        }
        const problem = entryProblem(v, p.value.shape);
        if (problem !== undefined) problems.push(`${at}.${k}: ${problem}`);
        else item.tensors.push([k, v instanceof Tensor ? v : (v as TensorData).data]);
      }
      plan.push(item);
    }
    if (problems.length > 0) throw new RangeError(`${where}: ${problems.join('; ')}`);

    // Read every source before the first write (a source may be this optimizer's own state).
    const host = plan.map(({ p, numbers, tensors }) => ({
      p,
      numbers,
      tensors: tensors.map(([k, v]) => [k, v instanceof Tensor ? v.toArray() : v] as const),
    }));
    const created: Tensor[] = [];
    const states = new Map<Parameter, State>();
    try {
      for (const { p, numbers, tensors } of host) {
        const s: Record<string, Tensor | number> = Object.fromEntries(numbers);
        const { backend, dtype, shape } = p.value;
        for (const [k, data] of tensors) {
          const t = new Tensor(backend, backend.fromData(data, shape, dtype), [...shape], dtype);
          created.push(t);
          keep(t);
          s[k] = t;
        }
        states.set(p, s as unknown as State);
      }
    } catch (error) {
      for (const t of created) t.dispose();
      throw error;
    }
    // Commit.
    this.dispose();
    for (const [p, s] of states) this.state.set(p, s);
    newGroups.forEach((g, gi) => {
      const target = this.paramGroups[gi] as unknown as Record<string, unknown>;
      for (const key of Object.keys(target)) if (key !== 'params') delete target[key];
      Object.assign(target, g);
    });
  }

  /**
   * Throws unless `params[i]` can be updated: its value is live, its grad a live tensor with the
   * value's shape, backend and dtype, and its state (if any) lives where the value now lives.
   */
  private checkParameter(where: string, i: number): void {
    const p = this.flat[i]!;
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
    const state = this.state.get(p);
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

/** A state dict's `step`: a whole number ≥ 0, given as a number, a one-element tensor or its data. */
function stepNumber(v: unknown): number | undefined {
  let n: unknown = v;
  if (v instanceof Tensor) n = v.isDisposed || v.size !== 1 ? undefined : v.item();
  else if (v !== null && typeof v === 'object') {
    const { shape, data } = v as { shape?: unknown; data?: unknown };
    const ok =
      Array.isArray(shape) &&
      sizeOf(shape as number[]) === 1 &&
      (Array.isArray(data) || ArrayBuffer.isView(data));
    n = ok && (data as ArrayLike<number>).length === 1 ? (data as ArrayLike<number>)[0] : undefined;
  }
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * A copy of an optimizer state dict as plain JSON-able data: tensors as `{ shape, data }` (row-major
 * number arrays), everything else copied.
 */
export function optimizerStateDictToJSON(stateDict: OptimizerStateDict): OptimizerStateDict {
  const state: Record<string, OptimizerStateEntry> = {};
  for (const [i, entry] of Object.entries(stateDict.state)) {
    state[i] = Object.fromEntries(
      Object.entries(entry).map(([k, v]) => [
        k,
        v instanceof Tensor
          ? { shape: [...v.shape], data: Array.from(v.toArray()) }
          : v !== null && typeof v === 'object'
            ? { shape: [...v.shape], data: Array.from(v.data) }
            : v,
      ]),
    );
  }
  const param_groups = stateDict.param_groups.map((g) =>
    Object.fromEntries(Object.entries(g).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v])),
  ) as OptimizerStateDict['param_groups'];
  return { state, param_groups };
}

/** The tensors of a state object (its values that are tensors). */
function tensorsOf(state: ParameterState): Tensor[] {
  return Object.values(state).filter((v): v is Tensor => v instanceof Tensor);
}

/**
 * Throws unless `params` is a non-empty array of distinct {@link Parameter}s; `name` is how errors
 * call it (`params`, `paramGroups[1].params`).
 */
function checkParams(where: string, name: string, params: unknown, flat: boolean): void {
  if (!Array.isArray(params) || params.length === 0) {
    throw new RangeError(
      `${where}: ${name} must be a non-empty array of parameters (module.parameters()), got ${describeValue(params)}`,
    );
  }
  params.forEach((p, i) => {
    if (!(p instanceof Parameter)) {
      const hint =
        flat && p !== null && typeof p === 'object' && Object.getPrototypeOf(p) === Object.prototype
          ? ' (or every entry a group { params, ...options })'
          : '';
      throw new TypeError(
        `${where}: ${name}[${i}] must be a Parameter (from module.parameters())${hint}, got ${describeValue(p)}`,
      );
    }
  });
  // PyTorch refuses a parameter listed twice too: it would be updated twice per step.
  const first = new Map<Parameter, number>();
  const repeats: string[] = [];
  params.forEach((p, i) => {
    const seen = first.get(p);
    if (seen === undefined) first.set(p, i);
    else repeats.push(`${name}[${seen}] and ${name}[${i}]`);
  });
  if (repeats.length > 0) {
    throw new RangeError(
      `${where}: ${name} must list each parameter once, got the same parameter as ${repeats.join(', as ')}`,
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

/** Throws unless `value` is a boolean. */
export function checkBoolean(where: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw new TypeError(`${where}: ${name} must be a boolean, got ${describeValue(value)}`);
  return value;
}
