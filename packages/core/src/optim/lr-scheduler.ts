/**
 * Learning-rate schedulers: `torch.optim.lr_scheduler` (torch 1.13) with camelCase options and the
 * same numbers. Exported as the `lrScheduler` namespace:
 *
 * ```ts
 * import { lrScheduler } from '@recur/core';
 * const scheduler = new lrScheduler.StepLR(optimizer, { stepSize: 10, gamma: 0.5 });
 * for (…) { optimizer.step(); scheduler.step(); }
 * ```
 *
 * As in PyTorch, constructing a scheduler sets `initialLr` on every parameter group (PyTorch's
 * `initial_lr`) and takes the initial step; the chainable (recursive) forms are used, so
 * `CosineAnnealingLR` gives PyTorch's numbers, not the closed form's. `stateDict()` has PyTorch's keys
 * (`last_epoch`, `_step_count`, `base_lrs`, …). Every option is checked before anything changes.
 */
import { describeValue } from '../errors.js';
import type { Optimizer, OptimizerOptions, ParameterState, ParamGroup } from './optimizer.js';
import { Optimizer as OptimizerClass } from './optimizer.js';

/** Any optimizer, as schedulers see it. */
// biome-ignore lint/suspicious/noExplicitAny: a scheduler works with every optimizer's options and state.
export type AnyOptimizer = Optimizer<ParameterState, any>;

/** A parameter group as schedulers read and write it. */
type Group = ParamGroup<OptimizerOptions> & { momentum?: number; betas?: readonly [number, number] };

/** A scheduler's state dict: PyTorch's keys (`last_epoch`, `base_lrs`, …) and JSON-able values. */
export type SchedulerStateDict = Record<string, unknown>;

/** One state-dict entry: how to read, check and write it. */
interface Field {
  readonly key: string;
  readonly get: () => unknown;
  /** Why `v` cannot be loaded, or undefined. */
  readonly check: (v: unknown) => string | undefined;
  readonly set: (v: unknown) => void;
  /** May be absent (then not set); absent from `stateDict()` while `get()` is undefined. */
  readonly optional?: boolean;
}

/** Keys of PyTorch's state dicts that hold nothing Recur uses: accepted and ignored. */
const ignoredKeys = new Set(['verbose', '_get_lr_called_within_step', 'anneal_func']);

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown, min = 0): v is number => Number.isSafeInteger(v) && (v as number) >= min;
const describe = describeValue;

/** Throws the RangeError `where: name must be expected, got actual`. */
function bad(where: string, name: string, expected: string, actual: unknown): never {
  throw new RangeError(`${where}: ${name} must be ${expected}, got ${describe(actual)}`);
}

function checkNum(where: string, name: string, v: unknown, min = 0): number {
  if (!isNum(v) || v < min) bad(where, name, `a finite number ≥ ${min}`, v);
  return v;
}

function checkInt(where: string, name: string, v: unknown, min = 0): number {
  if (!isInt(v, min)) bad(where, name, `an integer ≥ ${min}`, v);
  return v;
}

/** A number per group: one number for all, or an array with one per group. */
function perGroup(where: string, name: string, v: unknown, groups: number, min = 0): number[] {
  if (Array.isArray(v)) {
    if (v.length !== groups)
      bad(where, name, `a number or an array of ${groups} (one per parameter group)`, v);
    return v.map((x, i) => checkNum(where, `${name}[${i}]`, x, min));
  }
  return new Array(groups).fill(checkNum(where, name, v, min));
}

const numArray = (n: number) => (v: unknown) =>
  Array.isArray(v) && v.length === n && v.every(isNum) ? undefined : `an array of ${n} finite numbers`;
const intCheck = (min: number) => (v: unknown) => (isInt(v, min) ? undefined : `an integer ≥ ${min}`);
const numCheck = (v: unknown) => (isNum(v) ? undefined : 'a finite number');

/** Python's `%` (the result has the divisor's sign). */
const pyMod = (a: number, n: number) => ((a % n) + n) % n;

/** Base of the schedulers that follow PyTorch's `_LRScheduler` (all but `ReduceLROnPlateau`). */
export abstract class LRScheduler {
  /** The optimizer whose groups' `lr` this scheduler sets. */
  readonly optimizer: AnyOptimizer;
  /** The step count PyTorch calls `last_epoch`: 0 after construction, +1 per `step()`. */
  lastEpoch = -1;
  /** Every group's `initialLr` when the scheduler was made (PyTorch's `base_lrs`). */
  baseLrs: number[] = [];
  /** PyTorch's `_step_count`: calls of `step()`, the initial one included. */
  stepCount = 0;
  /** The groups' lr after the last step (PyTorch's `_last_lr`). */
  protected lastLr: number[] = [];

  /** Checks `optimizer`; subclasses check their options, then call {@link LRScheduler.start}. */
  protected constructor(
    /** The scheduler's name in errors. */
    protected readonly name: string,
    optimizer: AnyOptimizer,
  ) {
    if (!(optimizer instanceof OptimizerClass)) {
      bad(name, 'optimizer', 'an Optimizer (SGD, Adam, …)', optimizer);
    }
    this.optimizer = optimizer;
  }

  /** The optimizer's groups. @internal */
  protected get groups(): Group[] {
    return this.optimizer.paramGroups as unknown as Group[];
  }

  /**
   * PyTorch's `_LRScheduler.__init__` after the subclass's checks: sets `initialLr` on every group
   * (when `lastEpoch` is -1; resuming needs it there already), records `baseLrs`, takes the initial step.
   */
  protected start(lastEpoch: number): void {
    if (lastEpoch === -1) {
      for (const g of this.groups) if (g.initialLr === undefined) g.initialLr = g.lr;
    }
    this.baseLrs = this.groups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
    this.initialStep();
  }

  /** Checks `lastEpoch` (an integer ≥ -1; other than -1, every group must have `initialLr`). */
  protected checkLastEpoch(lastEpoch: unknown): number {
    if (!Number.isSafeInteger(lastEpoch) || (lastEpoch as number) < -1) {
      bad(this.name, 'lastEpoch', 'an integer ≥ -1', lastEpoch);
    }
    if (lastEpoch !== -1) {
      this.groups.forEach((g, i) => {
        if (g.initialLr === undefined) {
          throw new RangeError(
            `${this.name}: param 'initial_lr' is not specified in paramGroups[${i}] when resuming (lastEpoch ${lastEpoch}); set group.initialLr or load the optimizer's state dict first`,
          );
        }
      });
    }
    return lastEpoch as number;
  }

  /** PyTorch's `_initial_step`: resets the step count and steps once. */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The lr of every group computed from the current one (PyTorch's chainable `get_lr`). */
  protected abstract getLr(): number[];

  /** PyTorch's `_get_closed_form_lr`, used by `step(epoch)`; undefined when there is none. */
  protected closedFormLr(): number[] | undefined {
    return undefined;
  }

  /**
   * Advances one step and sets every group's lr. `epoch` (deprecated in PyTorch, kept for
   * `SequentialLR`) jumps to that epoch, using the closed form where the scheduler has one.
   */
  step(epoch?: number): void {
    if (epoch !== undefined && !isInt(epoch)) bad(`${this.name}.step`, 'epoch', 'an integer ≥ 0', epoch);
    this.stepCount++;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr() ?? this.getLr();
    }
    this.groups.forEach((g, i) => {
      g.lr = values[i]!;
    });
    this.lastLr = this.groups.map((g) => g.lr);
  }

  /** The lr of every group after the last step (PyTorch's `get_last_lr()`). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** This scheduler's own state-dict entries (PyTorch's keys), besides the base ones. @internal */
  protected ownFields(): Field[] {
    return [];
  }

  /** Every state-dict entry. @internal */
  protected fields(): Field[] {
    const n = this.groups.length;
    return [
      ...this.ownFields(),
      {
        key: 'base_lrs',
        get: () => [...this.baseLrs],
        check: numArray(n),
        set: (v) => {
          this.baseLrs = [...(v as number[])];
        },
      },
      {
        key: 'last_epoch',
        get: () => this.lastEpoch,
        check: intCheck(-1),
        set: (v) => {
          this.lastEpoch = v as number;
        },
      },
      {
        key: '_step_count',
        get: () => this.stepCount,
        check: intCheck(0),
        set: (v) => {
          this.stepCount = v as number;
        },
      },
      {
        key: '_last_lr',
        get: () => [...this.lastLr],
        check: numArray(n),
        set: (v) => {
          this.lastLr = [...(v as number[])];
        },
      },
    ];
  }

  /**
   * PyTorch's `state_dict()`: every entry but the optimizer, with PyTorch's keys (plus `verbose` and
   * `_get_lr_called_within_step`, always false). JSON-able.
   */
  stateDict(): SchedulerStateDict {
    const out: SchedulerStateDict = {};
    for (const f of this.fields()) {
      const v = f.get();
      if (v !== undefined || !f.optional) out[f.key] = structuredClone(v);
    }
    out.verbose = false;
    out._get_lr_called_within_step = false;
    return out;
  }

  /**
   * PyTorch's `load_state_dict(sd)`: every entry is checked (present, right type and length) before any
   * is set; on a problem it throws, listing them, and the scheduler is unchanged. Load the optimizer's
   * state dict too: the next lr is computed from the groups' current lr.
   */
  loadStateDict(stateDict: SchedulerStateDict): void {
    loadFields(`${this.name}.loadStateDict`, this.fields(), stateDict);
  }
}

/** Checks every field of `sd`, then sets them all. */
function loadFields(where: string, fields: Field[], sd: unknown): void {
  if (sd === null || typeof sd !== 'object' || Array.isArray(sd)) {
    throw new TypeError(`${where}: stateDict must be an object (from stateDict()), got ${describe(sd)}`);
  }
  const entries = sd as Record<string, unknown>;
  const problems: string[] = [];
  const known = new Set(fields.map((f) => f.key));
  for (const key of Object.keys(entries)) {
    if (!known.has(key) && !ignoredKeys.has(key)) problems.push(`unexpected key "${key}"`);
  }
  for (const f of fields) {
    if (!(f.key in entries)) {
      if (f.optional) continue;
      problems.push(`missing "${f.key}"`);
      continue;
    }
    const why = f.check(entries[f.key]);
    if (why !== undefined) problems.push(`${f.key} must be ${why}, got ${describe(entries[f.key])}`);
  }
  if (problems.length > 0) throw new RangeError(`${where}: ${problems.join('; ')}`);
  for (const f of fields) if (f.key in entries) f.set(structuredClone(entries[f.key]));
}

/** A field of a number option. */
function numberField(
  key: string,
  get: () => number,
  set: (v: number) => void,
  check: (v: unknown) => string | undefined = numCheck,
): Field {
  return { key, get, check, set: (v) => set(v as number) };
}

/** `StepLR` options. */
export interface StepLROptions {
  /** Decay every `stepSize` steps (an integer ≥ 1). */
  stepSize: number;
  /** Multiplicative factor (default 0.1). */
  gamma?: number;
  /** Resume at this step count (default -1: start). */
  lastEpoch?: number;
}

/** `StepLR`: multiplies every group's lr by `gamma` every `stepSize` steps. */
export class StepLR extends LRScheduler {
  /** Period of the decay, in steps. */
  stepSize: number;
  /** Multiplicative factor. */
  gamma: number;

  /** Schedules `optimizer`'s lr; throws on an invalid option before changing anything. */
  constructor(optimizer: AnyOptimizer, options: StepLROptions) {
    super('StepLR', optimizer);
    const o = options ?? ({} as StepLROptions);
    this.stepSize = checkInt(this.name, 'stepSize', o.stepSize, 1);
    this.gamma = checkNum(this.name, 'gamma', o.gamma ?? 0.1);
    this.start(this.checkLastEpoch(o.lastEpoch ?? -1));
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }

  protected override ownFields(): Field[] {
    return [
      numberField(
        'step_size',
        () => this.stepSize,
        (v) => (this.stepSize = v),
        intCheck(1),
      ),
      numberField(
        'gamma',
        () => this.gamma,
        (v) => (this.gamma = v),
      ),
    ];
  }
}

/** `MultiStepLR` options. */
export interface MultiStepLROptions {
  /** Steps at which to decay (integers ≥ 0; one listed twice decays twice, as PyTorch's Counter). */
  milestones: readonly number[];
  /** Multiplicative factor (default 0.1). */
  gamma?: number;
  /** Resume at this step count (default -1: start). */
  lastEpoch?: number;
}

/** `MultiStepLR`: multiplies every group's lr by `gamma` at each milestone. */
export class MultiStepLR extends LRScheduler {
  /** Milestone → how many times it was listed (PyTorch's `Counter`). */
  milestones: Record<number, number>;
  /** Multiplicative factor. */
  gamma: number;

  /** Schedules `optimizer`'s lr; throws on an invalid option before changing anything. */
  constructor(optimizer: AnyOptimizer, options: MultiStepLROptions) {
    super('MultiStepLR', optimizer);
    const o = options ?? ({} as MultiStepLROptions);
    if (!Array.isArray(o.milestones)) bad(this.name, 'milestones', 'an array of integers ≥ 0', o.milestones);
    this.milestones = {};
    o.milestones.forEach((m, i) => {
      checkInt(this.name, `milestones[${i}]`, m);
    });
    for (const m of o.milestones) this.milestones[m] = (this.milestones[m] ?? 0) + 1;
    this.gamma = checkNum(this.name, 'gamma', o.gamma ?? 0.1);
    this.start(this.checkLastEpoch(o.lastEpoch ?? -1));
  }

  protected getLr(): number[] {
    const times = this.milestones[this.lastEpoch];
    if (times === undefined) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma ** times);
  }

  protected override closedFormLr(): number[] {
    let passed = 0;
    for (const [m, times] of Object.entries(this.milestones))
      if (Number(m) <= this.lastEpoch) passed += times;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }

  protected override ownFields(): Field[] {
    return [
      {
        key: 'milestones',
        get: () => ({ ...this.milestones }),
        check: (v) =>
          v !== null &&
          typeof v === 'object' &&
          !Array.isArray(v) &&
          Object.entries(v).every(([k, n]) => /^\d+$/.test(k) && isInt(n, 1))
            ? undefined
            : 'an object of milestone → count (integers)',
        set: (v) => {
          this.milestones = Object.fromEntries(Object.entries(v as object).map(([k, n]) => [Number(k), n]));
        },
      },
      numberField(
        'gamma',
        () => this.gamma,
        (v) => (this.gamma = v),
      ),
    ];
  }
}

/** `ExponentialLR` options. */
export interface ExponentialLROptions {
  /** Multiplicative factor per step. */
  gamma: number;
  /** Resume at this step count (default -1: start). */
  lastEpoch?: number;
}

/** `ExponentialLR`: multiplies every group's lr by `gamma` every step. */
export class ExponentialLR extends LRScheduler {
  /** Multiplicative factor. */
  gamma: number;

  /** Schedules `optimizer`'s lr; throws on an invalid option before changing anything. */
  constructor(optimizer: AnyOptimizer, options: ExponentialLROptions) {
    super('ExponentialLR', optimizer);
    const o = options ?? ({} as ExponentialLROptions);
    this.gamma = checkNum(this.name, 'gamma', o.gamma);
    this.start(this.checkLastEpoch(o.lastEpoch ?? -1));
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }

  protected override ownFields(): Field[] {
    return [
      numberField(
        'gamma',
        () => this.gamma,
        (v) => (this.gamma = v),
      ),
    ];
  }
}

/** `CosineAnnealingLR` options. */
export interface CosineAnnealingLROptions {
  /** Half period, in steps (an integer ≥ 1; PyTorch's `T_max`). */
  tMax: number;
  /** Minimum lr (default 0; PyTorch's `eta_min`). */
  etaMin?: number;
  /** Resume at this step count (default -1: start). */
  lastEpoch?: number;
}

/**
 * `CosineAnnealingLR` in PyTorch's recursive form (each lr from the previous one), whose numbers
 * differ from the closed form `etaMin + (base − etaMin)(1 + cos(π·t/tMax))/2` by rounding, and
 * entirely once something else changed the lr; it continues past `tMax` (the lr rises again).
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Half period (PyTorch's `T_max`). */
  tMax: number;
  /** Minimum lr (`eta_min`). */
  etaMin: number;

  /** Schedules `optimizer`'s lr; throws on an invalid option before changing anything. */
  constructor(optimizer: AnyOptimizer, options: CosineAnnealingLROptions) {
    super('CosineAnnealingLR', optimizer);
    const o = options ?? ({} as CosineAnnealingLROptions);
    this.tMax = checkInt(this.name, 'tMax', o.tMax, 1);
    this.etaMin = checkNum(this.name, 'etaMin', o.etaMin ?? 0);
    this.start(this.checkLastEpoch(o.lastEpoch ?? -1));
  }

  protected getLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    if (e === 0) return this.groups.map((g) => g.lr);
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    }
    if (pyMod(e - 1 - T, 2 * T) === 0) {
      return this.groups.map(
        (g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / T))) / 2,
      );
    }
    return this.groups.map(
      (g) =>
        ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - etaMin) +
        etaMin,
    );
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map(
      (b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2,
    );
  }

  protected override ownFields(): Field[] {
    return [
      numberField(
        'T_max',
        () => this.tMax,
        (v) => (this.tMax = v),
        intCheck(1),
      ),
      numberField(
        'eta_min',
        () => this.etaMin,
        (v) => (this.etaMin = v),
      ),
    ];
  }
}

/** `LinearLR` options (PyTorch defaults). */
export interface LinearLROptions {
  /** Factor of the first step, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** Factor reached after `totalIters` steps, in [0, 1] (default 1). */
  endFactor?: number;
  /** Steps to go from `startFactor` to `endFactor` (an integer ≥ 1, default 5). */
  totalIters?: number;
  /** Resume at this step count (default -1: start). */
  lastEpoch?: number;
}

/** `LinearLR`: the lr factor goes linearly from `startFactor` to `endFactor` over `totalIters` steps. */
export class LinearLR extends LRScheduler {
  /** Starting factor. */
  startFactor: number;
  /** Ending factor. */
  endFactor: number;
  /** Steps of the ramp. */
  totalIters: number;

  /**
   * Schedules `optimizer`'s lr; throws on an invalid option before changing anything (a `startFactor`
   * of 0, which PyTorch 1.13 accepts and turns into NaN at the second step, is refused).
   */
  constructor(optimizer: AnyOptimizer, options: LinearLROptions = {}) {
    super('LinearLR', optimizer);
    const o = options ?? {};
    const start = o.startFactor ?? 1 / 3;
    if (!isNum(start) || start <= 0 || start > 1) bad(this.name, 'startFactor', 'a number in (0, 1]', start);
    const end = o.endFactor ?? 1;
    if (!isNum(end) || end < 0 || end > 1) bad(this.name, 'endFactor', 'a number in [0, 1]', end);
    this.startFactor = start;
    this.endFactor = end;
    this.totalIters = checkInt(this.name, 'totalIters', o.totalIters ?? 5, 1);
    this.start(this.checkLastEpoch(o.lastEpoch ?? -1));
  }

  protected getLr(): number[] {
    const { startFactor: s, endFactor: f, totalIters: n, lastEpoch: e } = this;
    if (e === 0) return this.groups.map((g) => g.lr * s);
    if (e > n) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }

  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: f, totalIters: n } = this;
    return this.baseLrs.map((b) => b * (s + ((f - s) * Math.min(n, this.lastEpoch)) / n));
  }

  protected override ownFields(): Field[] {
    return [
      numberField(
        'start_factor',
        () => this.startFactor,
        (v) => (this.startFactor = v),
      ),
      numberField(
        'end_factor',
        () => this.endFactor,
        (v) => (this.endFactor = v),
      ),
      numberField(
        'total_iters',
        () => this.totalIters,
        (v) => (this.totalIters = v),
        intCheck(1),
      ),
    ];
  }
}

/** `LambdaLR` options. */
export interface LambdaLROptions {
  /** `epoch → factor` of the initial lr, one for all groups or one per group. */
  lrLambda: ((epoch: number) => number) | readonly ((epoch: number) => number)[];
  /** Resume at this step count (default -1: start). */
  lastEpoch?: number;
}

/** `LambdaLR`: every group's lr is its initial lr times `lrLambda(epoch)`. */
export class LambdaLR extends LRScheduler {
  /** One function per group. Not saved in the state dict (as PyTorch: `lr_lambdas` are nulls). */
  readonly lrLambdas: ((epoch: number) => number)[];

  /** Schedules `optimizer`'s lr; throws on an invalid option before changing anything. */
  constructor(optimizer: AnyOptimizer, options: LambdaLROptions) {
    super('LambdaLR', optimizer);
    const f = (options ?? ({} as LambdaLROptions)).lrLambda;
    const n = this.groups.length;
    if (Array.isArray(f)) {
      if (f.length !== n)
        bad(this.name, 'lrLambda', `a function or an array of ${n} functions (one per group)`, f);
      f.forEach((x, i) => {
        if (typeof x !== 'function') bad(this.name, `lrLambda[${i}]`, 'a function epoch → factor', x);
      });
      this.lrLambdas = [...f];
    } else {
      if (typeof f !== 'function') bad(this.name, 'lrLambda', 'a function epoch → factor', f);
      this.lrLambdas = new Array(n).fill(f);
    }
    this.start(this.checkLastEpoch(options.lastEpoch ?? -1));
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i]!(this.lastEpoch));
  }

  protected override ownFields(): Field[] {
    return [
      {
        key: 'lr_lambdas',
        get: () => this.lrLambdas.map(() => null),
        check: (v) =>
          Array.isArray(v) && v.length === this.lrLambdas.length && v.every((x) => x === null)
            ? undefined
            : `an array of ${this.lrLambdas.length} nulls (functions are not saved)`,
        set: () => {},
      },
    ];
  }
}

/** `OneCycleLR` options (PyTorch defaults). */
export interface OneCycleLROptions {
  /** Peak lr, one for all groups or one per group. */
  maxLr: number | readonly number[];
  /** Steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  /** Epochs (with `stepsPerEpoch`), when `totalSteps` is not given. */
  epochs?: number;
  /** Steps per epoch (with `epochs`). */
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the lr, in [0, 1] (default 0.3). */
  pctStart?: number;
  /** `'cos'` (default) or `'linear'` annealing. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (SGD's `momentum`, or β₁ of Adam's `betas`) inversely to the lr (default true). */
  cycleMomentum?: boolean;
  /** Lower momentum (default 0.85), one or one per group. */
  baseMomentum?: number | readonly number[];
  /** Upper momentum (default 0.95), one or one per group. */
  maxMomentum?: number | readonly number[];
  /** Initial lr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** Final lr = initial lr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, down to the initial lr, then to the final lr) instead of two (default false). */
  threePhase?: boolean;
  /** Resume at this step count (default -1: start). */
  lastEpoch?: number;
}

/** One phase of the one-cycle policy (PyTorch's `_schedule_phases` entries). */
interface Phase {
  end_step: number;
  start_lr: string;
  end_lr: string;
  start_momentum: string;
  end_momentum: string;
}

/** PyTorch's group keys of the one-cycle phases → Recur's group keys. */
const phaseKey: Record<string, 'initialLr' | 'maxLr' | 'minLr' | 'maxMomentum' | 'baseMomentum'> = {
  initial_lr: 'initialLr',
  max_lr: 'maxLr',
  min_lr: 'minLr',
  max_momentum: 'maxMomentum',
  base_momentum: 'baseMomentum',
};

/**
 * `OneCycleLR`: the 1cycle policy. Sets `initialLr`, `maxLr`, `minLr` (and with `cycleMomentum`,
 * `maxMomentum`, `baseMomentum`, and the momentum or β₁) on every group, as PyTorch.
 */
export class OneCycleLR extends LRScheduler {
  /** Steps in the cycle. */
  totalSteps: number;
  /** Whether momentum cycles. */
  cycleMomentum: boolean;
  /** Momentum is β₁ of `betas` (Adam) rather than `momentum` (SGD). */
  useBeta1: boolean;
  /** `'cos'` or `'linear'`. */
  readonly annealStrategy: 'cos' | 'linear';
  /** The phases (PyTorch's `_schedule_phases`). */
  private phases: Phase[];

  /** Schedules `optimizer`'s lr (and momentum); throws on an invalid option before changing anything. */
  constructor(optimizer: AnyOptimizer, options: OneCycleLROptions) {
    super('OneCycleLR', optimizer);
    const o = options ?? ({} as OneCycleLROptions);
    const where = this.name;
    if (o.totalSteps !== undefined) this.totalSteps = checkInt(where, 'totalSteps', o.totalSteps, 1);
    else if (o.epochs !== undefined || o.stepsPerEpoch !== undefined) {
      this.totalSteps =
        checkInt(where, 'epochs', o.epochs, 1) * checkInt(where, 'stepsPerEpoch', o.stepsPerEpoch, 1);
    } else bad(where, 'totalSteps', 'given (or epochs and stepsPerEpoch)', undefined);
    const pct = o.pctStart ?? 0.3;
    if (!isNum(pct) || pct < 0 || pct > 1) bad(where, 'pctStart', 'a number in [0, 1]', pct);
    const anneal = o.annealStrategy ?? 'cos';
    if (anneal !== 'cos' && anneal !== 'linear') bad(where, 'annealStrategy', '"cos" or "linear"', anneal);
    this.annealStrategy = anneal;
    const n = this.groups.length;
    const maxLrs = perGroup(where, 'maxLr', o.maxLr, n);
    const div = o.divFactor ?? 25;
    if (!isNum(div) || div <= 0) bad(where, 'divFactor', 'a finite number > 0', div);
    const finalDiv = o.finalDivFactor ?? 1e4;
    if (!isNum(finalDiv) || finalDiv <= 0) bad(where, 'finalDivFactor', 'a finite number > 0', finalDiv);
    const three = o.threePhase ?? false;
    if (typeof three !== 'boolean') bad(where, 'threePhase', 'a boolean', three);
    const cycle = o.cycleMomentum ?? true;
    if (typeof cycle !== 'boolean') bad(where, 'cycleMomentum', 'a boolean', cycle);
    const defaults = optimizer.defaults as Record<string, unknown>;
    const useBeta1 = 'betas' in defaults;
    if (cycle && !useBeta1 && !('momentum' in defaults)) {
      bad(
        where,
        'optimizer',
        'one with momentum or betas (SGD, Adam, RMSprop, …) when cycleMomentum is true',
        optimizer,
      );
    }
    const maxM = cycle ? perGroup(where, 'maxMomentum', o.maxMomentum ?? 0.95, n) : [];
    const baseM = cycle ? perGroup(where, 'baseMomentum', o.baseMomentum ?? 0.85, n) : [];
    const lastEpoch = o.lastEpoch ?? -1;
    if (lastEpoch !== -1) this.checkLastEpoch(lastEpoch);
    else if (!Number.isSafeInteger(lastEpoch)) bad(where, 'lastEpoch', 'an integer ≥ -1', lastEpoch);
    const T = this.totalSteps;
    this.phases = three
      ? [
          {
            end_step: pct * T - 1,
            start_lr: 'initial_lr',
            end_lr: 'max_lr',
            start_momentum: 'max_momentum',
            end_momentum: 'base_momentum',
          },
          {
            end_step: 2 * pct * T - 2,
            start_lr: 'max_lr',
            end_lr: 'initial_lr',
            start_momentum: 'base_momentum',
            end_momentum: 'max_momentum',
          },
          {
            end_step: T - 1,
            start_lr: 'initial_lr',
            end_lr: 'min_lr',
            start_momentum: 'max_momentum',
            end_momentum: 'max_momentum',
          },
        ]
      : [
          {
            end_step: pct * T - 1,
            start_lr: 'initial_lr',
            end_lr: 'max_lr',
            start_momentum: 'max_momentum',
            end_momentum: 'base_momentum',
          },
          {
            end_step: T - 1,
            start_lr: 'max_lr',
            end_lr: 'min_lr',
            start_momentum: 'base_momentum',
            end_momentum: 'max_momentum',
          },
        ];
    // Checked: now the groups change.
    if (lastEpoch === -1) {
      this.groups.forEach((g, i) => {
        g.initialLr = maxLrs[i]! / div;
        g.maxLr = maxLrs[i]!;
        g.minLr = g.initialLr / finalDiv;
      });
    }
    this.cycleMomentum = cycle;
    this.useBeta1 = useBeta1;
    if (cycle && lastEpoch === -1) {
      this.groups.forEach((g, i) => {
        if (useBeta1) g.betas = [maxM[i]!, g.betas![1]];
        else g.momentum = maxM[i]!;
        g.maxMomentum = maxM[i]!;
        g.baseMomentum = baseM[i]!;
      });
    }
    this.start(lastEpoch);
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  protected getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new RangeError(
        `${this.name}.step: tried to step ${step + 1} times; the specified number of total steps is ${this.totalSteps}`,
      );
    }
    return this.groups.map((g) => {
      let startStep = 0;
      let lr = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const phase = this.phases[i]!;
        const end = phase.end_step;
        if (step <= end || i === this.phases.length - 1) {
          const pct = (step - startStep) / (end - startStep);
          const at = (key: string) => g[phaseKey[key]!] as number;
          lr = this.anneal(at(phase.start_lr), at(phase.end_lr), pct);
          if (this.cycleMomentum) {
            const m = this.anneal(at(phase.start_momentum), at(phase.end_momentum), pct);
            if (this.useBeta1) g.betas = [m, g.betas![1]];
            else g.momentum = m;
          }
          break;
        }
        startStep = end;
      }
      return lr;
    });
  }

  protected override ownFields(): Field[] {
    return [
      numberField(
        'total_steps',
        () => this.totalSteps,
        (v) => (this.totalSteps = v),
        intCheck(1),
      ),
      {
        key: '_schedule_phases',
        get: () => this.phases.map((p) => ({ ...p })),
        check: (v) =>
          Array.isArray(v) &&
          v.length > 0 &&
          v.every(
            (p) =>
              p !== null &&
              typeof p === 'object' &&
              isNum(p.end_step) &&
              ['start_lr', 'end_lr', 'start_momentum', 'end_momentum'].every((k) => p[k] in phaseKey),
          )
            ? undefined
            : 'an array of phases { end_step, start_lr, end_lr, start_momentum, end_momentum }',
        set: (v) => {
          this.phases = (v as Phase[]).map((p) => ({ ...p }));
        },
      },
      {
        key: 'cycle_momentum',
        get: () => this.cycleMomentum,
        check: (v) => (typeof v === 'boolean' ? undefined : 'a boolean'),
        set: (v) => {
          this.cycleMomentum = v as boolean;
        },
      },
      {
        key: 'use_beta1',
        optional: true,
        // PyTorch sets it only with cycle_momentum.
        get: () => (this.cycleMomentum ? this.useBeta1 : undefined),
        check: (v) => (typeof v === 'boolean' ? undefined : 'a boolean'),
        set: (v) => {
          this.useBeta1 = v as boolean;
        },
      },
    ];
  }
}

/** `SequentialLR` options. */
export interface SequentialLROptions {
  /** The schedulers, all of the same optimizer, each run from its milestone on. */
  schedulers: readonly LRScheduler[];
  /** Steps at which the next scheduler takes over (one fewer than schedulers, ascending). */
  milestones: readonly number[];
  /** Resume at this step count (default -1: start). */
  lastEpoch?: number;
}

/**
 * `SequentialLR`: runs `schedulers[i]` between `milestones[i − 1]` and `milestones[i]`; at a milestone
 * the next scheduler restarts (`step(0)`, its closed form), as PyTorch.
 */
export class SequentialLR extends LRScheduler {
  /** The schedulers. */
  readonly schedulers: readonly LRScheduler[];
  /** The milestones. */
  milestones: number[];

  /** Chains `schedulers`; throws on an invalid option before changing anything. */
  constructor(optimizer: AnyOptimizer, options: SequentialLROptions) {
    super('SequentialLR', optimizer);
    const o = options ?? ({} as SequentialLROptions);
    const where = this.name;
    if (!Array.isArray(o.schedulers) || o.schedulers.length === 0) {
      bad(where, 'schedulers', 'a non-empty array of schedulers', o.schedulers);
    }
    o.schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler))
        bad(where, `schedulers[${i}]`, 'an LRScheduler (StepLR, LinearLR, …)', s);
      if (s.optimizer !== optimizer) {
        throw new RangeError(
          `${where}: schedulers[${i}] must belong to the optimizer passed in (Sequential Schedulers expects all schedulers to belong to the same optimizer)`,
        );
      }
    });
    if (!Array.isArray(o.milestones) || o.milestones.length !== o.schedulers.length - 1) {
      bad(
        where,
        'milestones',
        `an array of ${o.schedulers.length - 1} integers (one fewer than schedulers)`,
        o.milestones,
      );
    }
    o.milestones.forEach((m, i) => {
      checkInt(where, `milestones[${i}]`, m);
      if (i > 0 && m < o.milestones[i - 1]!) bad(where, 'milestones', 'ascending', o.milestones);
    });
    const lastEpoch = o.lastEpoch ?? -1;
    if (!Number.isSafeInteger(lastEpoch) || lastEpoch < -1)
      bad(where, 'lastEpoch', 'an integer ≥ -1', lastEpoch);
    this.groups.forEach((g, i) => {
      if (g.initialLr === undefined) {
        throw new RangeError(`${where}: paramGroups[${i}] has no initialLr (construct its schedulers first)`);
      }
    });
    this.schedulers = [...o.schedulers];
    this.milestones = [...o.milestones];
    this.lastEpoch = lastEpoch + 1;
    // Reset the lr to the initial values, undo the step the schedulers took, and start the first.
    for (const g of this.groups) g.lr = g.initialLr!;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0]!.initialStep();
    this.lastLr = this.schedulers[0]!.getLastLr();
  }

  protected getLr(): number[] {
    return this.groups.map((g) => g.lr);
  }

  /** Advances the scheduler whose turn it is (at a milestone, the next one restarts at epoch 0). */
  override step(): void {
    this.lastEpoch++;
    let idx = 0;
    while (idx < this.milestones.length && this.milestones[idx]! <= this.lastEpoch) idx++;
    const s = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  /** Every entry but the optimizer, with each scheduler's state dict under `_schedulers` (as PyTorch). */
  override stateDict(): SchedulerStateDict {
    return {
      _milestones: [...this.milestones],
      last_epoch: this.lastEpoch,
      _last_lr: [...this.lastLr],
      _schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  /** Loads its entries and every scheduler's, all checked before any is set. */
  override loadStateDict(stateDict: SchedulerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    const n = this.groups.length;
    const sd = stateDict as Record<string, unknown>;
    const subs = sd?._schedulers;
    if (!Array.isArray(subs) || subs.length !== this.schedulers.length) {
      bad(where, '_schedulers', `an array of ${this.schedulers.length} scheduler state dicts`, subs);
    }
    const fields: Field[] = [
      {
        key: '_milestones',
        get: () => this.milestones,
        check: (v) =>
          Array.isArray(v) && v.length === this.milestones.length && v.every((m) => isInt(m))
            ? undefined
            : `an array of ${this.milestones.length} integers`,
        set: (v) => {
          this.milestones = [...(v as number[])];
        },
      },
      numberField(
        'last_epoch',
        () => this.lastEpoch,
        (v) => (this.lastEpoch = v),
        intCheck(-1),
      ),
      {
        key: '_last_lr',
        get: () => this.lastLr,
        check: numArray(n),
        set: (v) => {
          this.lastLr = [...(v as number[])];
        },
      },
      { key: '_schedulers', get: () => subs, check: () => undefined, set: () => {} },
    ];
    // Check everything (this one's entries and each scheduler's) by loading into throwaway checks first.
    const all = this.schedulers.map((s) => (s as unknown as { fields(): Field[] }).fields());
    all.forEach((f, i) => {
      try {
        checkOnly(f, subs[i]);
      } catch (error) {
        throw new RangeError(`${where}: _schedulers[${i}]: ${(error as Error).message}`);
      }
    });
    loadFields(where, fields, sd);
    all.forEach((f, i) => {
      loadFields(where, f, subs[i]);
    });
  }
}

/** Throws (a plain message) when `sd` would not load into `fields`. */
function checkOnly(fields: Field[], sd: unknown): void {
  const noSet = fields.map((f) => ({ ...f, set: () => {} }));
  try {
    loadFields('', noSet, sd);
  } catch (error) {
    throw new Error((error as Error).message.replace(/^: /, ''));
  }
}

/** `ReduceLROnPlateau` options (PyTorch defaults). */
export interface ReduceLROnPlateauOptions {
  /** `'min'` (default): reduce when the metric stops decreasing; `'max'`: stops increasing. */
  mode?: 'min' | 'max';
  /** new lr = lr · factor, in [0, 1) (default 0.1). */
  factor?: number;
  /** Steps without improvement tolerated before reducing (an integer ≥ 0, default 10). */
  patience?: number;
  /** Least change that counts as an improvement (default 1e-4). */
  threshold?: number;
  /** `'rel'` (default): relative to the best; `'abs'`: absolute. */
  thresholdMode?: 'rel' | 'abs';
  /** Steps to wait after a reduction before counting again (an integer ≥ 0, default 0). */
  cooldown?: number;
  /** Lower bound of the lr, one or one per group (default 0). */
  minLr?: number | readonly number[];
  /** A reduction smaller than this is skipped (default 1e-8). */
  eps?: number;
}

/**
 * `ReduceLROnPlateau`: reduces every group's lr by `factor` when `step(metric)` sees no improvement
 * for more than `patience` steps. Unlike the others it does not set `initialLr` nor step at construction.
 * `best` starts at ±Infinity; its state dict holds ±Infinity (`loadStateDict` also takes the strings
 * `"Infinity"`/`"-Infinity"`, which JSON needs).
 */
export class ReduceLROnPlateau {
  /** The optimizer whose groups' `lr` this scheduler sets. */
  readonly optimizer: AnyOptimizer;
  /** `'min'` or `'max'`. */
  mode: 'min' | 'max';
  /** Reduction factor. */
  factor: number;
  /** Patience, in steps. */
  patience: number;
  /** Improvement threshold. */
  threshold: number;
  /** `'rel'` or `'abs'`. */
  thresholdMode: 'rel' | 'abs';
  /** Cooldown, in steps. */
  cooldown: number;
  /** Steps of cooldown left. */
  cooldownCounter = 0;
  /** Lower bound of each group's lr. */
  minLrs: number[];
  /** Least reduction applied. */
  eps: number;
  /** Best metric so far. */
  best: number;
  /** Steps since the last improvement. */
  numBadEpochs = 0;
  /** Steps taken (PyTorch's `last_epoch`). */
  lastEpoch = 0;
  private lastLr: number[] | undefined;
  private readonly name = 'ReduceLROnPlateau';

  /** Watches a metric for `optimizer`; throws on an invalid option before changing anything. */
  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const where = this.name;
    if (!(optimizer instanceof OptimizerClass))
      bad(where, 'optimizer', 'an Optimizer (SGD, Adam, …)', optimizer);
    const o = options ?? {};
    const factor = o.factor ?? 0.1;
    if (!isNum(factor) || factor < 0 || factor >= 1) bad(where, 'factor', 'a number in [0, 1)', factor);
    const mode = o.mode ?? 'min';
    if (mode !== 'min' && mode !== 'max') bad(where, 'mode', '"min" or "max"', mode);
    const thresholdMode = o.thresholdMode ?? 'rel';
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs')
      bad(where, 'thresholdMode', '"rel" or "abs"', thresholdMode);
    this.optimizer = optimizer;
    this.factor = factor;
    this.mode = mode;
    this.thresholdMode = thresholdMode;
    this.patience = checkInt(where, 'patience', o.patience ?? 10);
    this.threshold = checkNum(where, 'threshold', o.threshold ?? 1e-4);
    this.cooldown = checkInt(where, 'cooldown', o.cooldown ?? 0);
    this.minLrs = perGroup(where, 'minLr', o.minLr ?? 0, optimizer.paramGroups.length);
    this.eps = checkNum(where, 'eps', o.eps ?? 1e-8);
    this.best = this.modeWorse;
  }

  /** The worst value for the mode (PyTorch's `mode_worse`). */
  get modeWorse(): number {
    return this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  /** Whether `a` improves on `best` by more than the threshold. */
  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1 - this.threshold);
    if (this.mode === 'min') return a < best - this.threshold;
    if (this.thresholdMode === 'rel') return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  /** One step with this step's metric (a number, or a one-element tensor's `item()`). */
  step(metric: number): void {
    if (typeof metric !== 'number' || Number.isNaN(metric))
      bad(`${this.name}.step`, 'metric', 'a number', metric);
    this.lastEpoch++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const old = g.lr;
        const next = Math.max(old * this.factor, this.minLrs[i]!);
        if (old - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lr of every group after the last step (before the first, the groups' current lr). */
  getLastLr(): number[] {
    return this.lastLr ? [...this.lastLr] : this.optimizer.paramGroups.map((g) => g.lr);
  }

  private fields(): Field[] {
    const n = this.optimizer.paramGroups.length;
    const inf = (v: unknown) => (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);
    const numOrInf = (v: unknown) =>
      typeof inf(v) === 'number' && !Number.isNaN(inf(v))
        ? undefined
        : 'a number (or "Infinity"/"-Infinity")';
    const oneOf = (values: string[]) => (v: unknown) =>
      values.includes(v as string) ? undefined : values.map((x) => JSON.stringify(x)).join(' or ');
    const fields: Field[] = [
      numberField(
        'factor',
        () => this.factor,
        (v) => (this.factor = v),
        (v) => (isNum(v) && v >= 0 && v < 1 ? undefined : 'a number in [0, 1)'),
      ),
      {
        key: 'min_lrs',
        get: () => [...this.minLrs],
        check: numArray(n),
        set: (v) => (this.minLrs = [...(v as number[])]),
      },
      numberField(
        'patience',
        () => this.patience,
        (v) => (this.patience = v),
        intCheck(0),
      ),
      numberField(
        'cooldown',
        () => this.cooldown,
        (v) => (this.cooldown = v),
        intCheck(0),
      ),
      numberField(
        'cooldown_counter',
        () => this.cooldownCounter,
        (v) => (this.cooldownCounter = v),
        intCheck(0),
      ),
      {
        key: 'mode',
        get: () => this.mode,
        check: oneOf(['min', 'max']),
        set: (v) => (this.mode = v as 'min'),
      },
      numberField(
        'threshold',
        () => this.threshold,
        (v) => (this.threshold = v),
      ),
      {
        key: 'threshold_mode',
        get: () => this.thresholdMode,
        check: oneOf(['rel', 'abs']),
        set: (v) => (this.thresholdMode = v as 'rel'),
      },
      { key: 'best', get: () => this.best, check: numOrInf, set: (v) => (this.best = inf(v) as number) },
      numberField(
        'num_bad_epochs',
        () => this.numBadEpochs,
        (v) => (this.numBadEpochs = v),
        intCheck(0),
      ),
      { key: 'mode_worse', get: () => this.modeWorse, check: numOrInf, set: () => {} },
      numberField(
        'eps',
        () => this.eps,
        (v) => (this.eps = v),
      ),
      numberField(
        'last_epoch',
        () => this.lastEpoch,
        (v) => (this.lastEpoch = v),
        intCheck(0),
      ),
    ];
    if (this.lastLr !== undefined) {
      fields.push({
        key: '_last_lr',
        get: () => [...this.lastLr!],
        check: numArray(n),
        set: (v) => (this.lastLr = [...(v as number[])]),
      });
    }
    return fields;
  }

  /** PyTorch's `state_dict()` keys (`best`, `num_bad_epochs`, `cooldown_counter`, `min_lrs`, …). */
  stateDict(): SchedulerStateDict {
    const out: SchedulerStateDict = {};
    for (const f of this.fields()) {
      const v = f.get();
      if (v !== undefined || !f.optional) out[f.key] = structuredClone(v);
    }
    out.verbose = false;
    return out;
  }

  /** Loads a state dict (PyTorch's or {@link ReduceLROnPlateau.stateDict}'s), checked before any change. */
  loadStateDict(stateDict: SchedulerStateDict): void {
    const fields = this.fields();
    const sd = stateDict as Record<string, unknown>;
    const n = this.optimizer.paramGroups.length;
    if (this.lastLr === undefined && sd !== null && typeof sd === 'object' && '_last_lr' in sd) {
      fields.push({
        key: '_last_lr',
        get: () => undefined,
        check: numArray(n),
        set: (v) => (this.lastLr = [...(v as number[])]),
      });
    }
    loadFields(`${this.name}.loadStateDict`, fields, sd);
  }
}
