/**
 * Modules: a tree of named parameters and sub-modules, named exactly as PyTorch's `state_dict`, with
 * training mode, shape-checked weight loading and moving between backends.
 */
import type { Backend, DType } from '../backend.js';
import { resolveBackend } from '../default-backend.js';
import { formatShape } from '../errors.js';
import { sameShape } from '../tensor/shape.js';
import type { AnyBackend } from '../tensor/tensor.js';
import { Tensor } from '../tensor/tensor.js';
import { Parameter } from './parameter.js';
import type { StateDict } from './state-dict.js';

/** Where a module's parameters live. */
export interface ModuleOptions {
  /** Backend for the parameters; defaults to the default backend. */
  backend?: Backend<unknown>;
  /** Parameter dtype; defaults to `float32`. */
  dtype?: DType;
}

/** Base class of every layer. */
export abstract class Module {
  /** True in training mode (dropout active), false after `eval()`. */
  training = true;
  private readonly ownParameters = new Map<string, Parameter>();
  private readonly children = new Map<string, Module>();
  private currentBackend: AnyBackend;
  private currentDtype: DType;

  /** Resolves the backend and dtype the parameters will be created on. */
  constructor(options: ModuleOptions | null = {}) {
    this.currentBackend = resolveBackend(options?.backend);
    this.currentDtype = options?.dtype ?? 'float32';
    if (!this.currentBackend.dtypes.includes(this.currentDtype)) {
      throw new RangeError(
        `${this.constructor.name}: dtype must be one of ${this.currentBackend.dtypes.join(', ')} on backend ` +
          `${this.currentBackend.name}, got ${JSON.stringify(this.currentDtype)}`,
      );
    }
  }

  /** The backend the parameters live on. */
  get backend(): AnyBackend {
    return this.currentBackend;
  }

  /** The parameters' dtype. */
  get dtype(): DType {
    return this.currentDtype;
  }

  /** Creates a parameter from host data on this module's backend and registers it under `name`. */
  protected addParameter(name: string, data: ArrayLike<number>, shape: readonly number[]): Parameter {
    const value = new Tensor(
      this.currentBackend,
      this.currentBackend.fromData(data, shape, this.currentDtype),
      [...shape],
      this.currentDtype,
    );
    const p = new Parameter(value);
    this.ownParameters.set(name, p);
    return p;
  }

  /** Registers a sub-module; its parameters appear as `name.<param>`. */
  protected addModule<M extends Module>(name: string, module: M): M {
    this.children.set(name, module);
    return module;
  }

  /** `[name, parameter]` pairs in registration order, recursively (PyTorch's `named_parameters`). */
  namedParameters(prefix = ''): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [name, p] of this.ownParameters) out.push([prefix + name, p]);
    for (const [name, child] of this.children) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  /** Every parameter, recursively. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Parameter name → current value (the live tensors, not copies). */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.namedParameters().map(([name, p]) => [name, p.value]));
  }

  /**
   * Loads weights by name. Every key, shape and value is checked before anything changes: a missing,
   * unexpected or misshapen entry throws one error listing all problems, and the module is unchanged.
   * Entries may be tensors on any backend or plain `{shape, data}`.
   */
  loadStateDict(state: StateDict, options: { strict?: boolean } = {}): void {
    const strict = options.strict ?? true;
    const named = new Map(this.namedParameters());
    const problems: string[] = [];
    for (const [name, p] of named) {
      const entry = state[name];
      if (entry === undefined) {
        if (strict) problems.push(`missing key "${name}" (expected shape ${formatShape(p.value.shape)})`);
      } else if (!sameShape(entry.shape, p.value.shape)) {
        problems.push(
          `"${name}": expected shape ${formatShape(p.value.shape)}, got ${formatShape(entry.shape)}`,
        );
      } else if (!(entry instanceof Tensor) && entry.data.length !== p.value.size) {
        problems.push(`"${name}": expected ${p.value.size} values, got ${entry.data.length}`);
      }
    }
    if (strict) {
      for (const name of Object.keys(state)) if (!named.has(name)) problems.push(`unexpected key "${name}"`);
    }
    if (problems.length > 0) {
      throw new RangeError(`${this.constructor.name}.loadStateDict: ${problems.join('; ')}`);
    }
    for (const [name, p] of named) {
      const entry = state[name];
      if (entry === undefined) continue;
      const data = entry instanceof Tensor ? entry.toArray() : entry.data;
      p.assign(
        new Tensor(
          this.currentBackend,
          this.currentBackend.fromData(data, entry.shape, this.currentDtype),
          [...entry.shape],
          this.currentDtype,
        ),
      );
    }
  }

  /** Moves every parameter to `backend` (and optionally `dtype`); gradients are dropped. */
  to(backend: Backend<unknown>, dtype: DType = this.currentDtype): this {
    const target = resolveBackend(backend);
    if (!target.dtypes.includes(dtype)) {
      throw new RangeError(`${this.constructor.name}.to: backend ${target.name} has no ${dtype}`);
    }
    const state = Object.fromEntries(
      this.namedParameters().map(([n, p]) => [n, { shape: p.value.shape, data: p.value.toArray() }]),
    );
    this.setPlacement(target, dtype);
    for (const [name, p] of this.namedParameters()) {
      p.zeroGrad();
      const entry = state[name]!;
      p.assign(new Tensor(target, target.fromData(entry.data, entry.shape, dtype), [...entry.shape], dtype));
    }
    return this;
  }

  private setPlacement(backend: AnyBackend, dtype: DType): void {
    this.currentBackend = backend;
    this.currentDtype = dtype;
    for (const child of this.children.values()) child.setPlacement(backend, dtype);
  }

  /** Sets training mode (recursively); returns this. */
  train(mode = true): this {
    this.training = mode;
    for (const child of this.children.values()) child.train(mode);
    return this;
  }

  /** Evaluation mode: dropout off. */
  eval(): this {
    return this.train(false);
  }

  /** Sets every parameter's gradient to null. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** Releases every parameter's tensors. */
  dispose(): void {
    for (const p of this.parameters()) {
      p.zeroGrad();
      p.value.dispose();
    }
  }
}
