/**
 * Modules: a tree of named parameters and sub-modules, named exactly as PyTorch's `state_dict`, with
 * training mode, shape-checked weight loading and moving between backends.
 */
import type { Backend, DType } from '../backend.js';
import { assertFinite, checkFiniteEverywhere } from '../check-finite.js';
import { resolveBackend } from '../default-backend.js';
import { formatShape, valueError } from '../errors.js';
import { tidy } from '../memory.js';
import { checkTensorSize, sizeOf } from '../tensor/shape.js';
import type { AnyBackend } from '../tensor/tensor.js';
import { Tensor } from '../tensor/tensor.js';
import { Parameter } from './parameter.js';
import type { StateDict } from './state-dict.js';
import { entryProblem } from './state-dict.js';

/** Where a module's parameters live. */
export interface ModuleOptions {
  /** Backend for the parameters; defaults to the default backend. */
  backend?: Backend<unknown>;
  /** Parameter dtype; defaults to `float32`. */
  dtype?: DType;
  /**
   * Check inputs, parameters and outputs of every forward pass for NaN and ±Infinity, and name the first
   * one found (default: off, or on everywhere after `setCheckFinite(true)`). Costs a read-back per tensor.
   */
  checkFinite?: boolean;
}

/** Base class of every layer. */
export abstract class Module {
  /** True in training mode (dropout active), false after `eval()`. */
  training = true;
  /**
   * Check every forward pass for NaN and ±Infinity (see {@link ModuleOptions.checkFinite}); `undefined`
   * follows `setCheckFinite`.
   */
  checkFinite: boolean | undefined;
  private readonly ownParameters = new Map<string, Parameter>();
  private readonly children = new Map<string, Module>();
  private currentBackend: AnyBackend | undefined;
  private currentDtype: DType;

  /**
   * Resolves the backend and dtype the parameters will be created on. `deferPlacement` (for containers,
   * which own no parameters) leaves an unnamed backend unresolved until a child brings its own or
   * `backend` is read, so an empty `ModuleList()` needs no default backend.
   */
  constructor(options: ModuleOptions | null = {}, deferPlacement = false) {
    this.currentBackend =
      deferPlacement && options?.backend === undefined ? undefined : resolveBackend(options?.backend);
    this.currentDtype = options?.dtype ?? 'float32';
    this.checkFinite = options?.checkFinite;
    if (this.checkFinite !== undefined && typeof this.checkFinite !== 'boolean') {
      throw new TypeError(
        `${this.constructor.name}: checkFinite must be a boolean, got ${JSON.stringify(this.checkFinite)}`,
      );
    }
    if (this.currentBackend !== undefined && !this.currentBackend.dtypes.includes(this.currentDtype)) {
      throw new RangeError(
        `${this.constructor.name}: dtype must be one of ${this.currentBackend.dtypes.join(', ')} on backend ` +
          `${this.currentBackend.name}, got ${JSON.stringify(this.currentDtype)}`,
      );
    }
  }

  /** The backend the parameters live on. */
  get backend(): AnyBackend {
    this.currentBackend ??= resolveBackend();
    return this.currentBackend;
  }

  /** The parameters' dtype. */
  get dtype(): DType {
    return this.currentDtype;
  }

  /**
   * Throws a clear error when any of the parameters a constructor is about to create would be larger
   * than one tensor can hold. Constructors call it with every shape before creating the first one, so
   * `new LSTM({ inputSize: 1e5, hiddenSize: 1e6 })` fails at once and allocates nothing.
   */
  protected checkParameterShapes(shapes: Readonly<Record<string, readonly number[]>>): void {
    for (const [name, shape] of Object.entries(shapes)) checkTensorSize(this.constructor.name, name, shape);
  }

  /**
   * Creates a parameter of `shape` on this module's backend, filled by `init` (given a zeroed host array
   * of the right length), and registers it under `name`. If the engine cannot allocate it, every
   * parameter this module already made is released before the error, so a failed constructor leaks nothing.
   */
  protected addParameter(
    name: string,
    shape: readonly number[],
    init: (data: Float64Array) => void,
  ): Parameter {
    checkTensorSize(this.constructor.name, name, shape);
    const backend = this.backend;
    let p: Parameter;
    try {
      const data = new Float64Array(sizeOf(shape));
      init(data);
      p = new Parameter(
        new Tensor(backend, backend.fromData(data, shape, this.currentDtype), [...shape], this.currentDtype),
        `${this.constructor.name}.${name}`,
      );
    } catch (error) {
      this.dispose();
      throw new RangeError(
        `${this.constructor.name}: cannot allocate parameter ${name} of shape ${formatShape(shape)} on backend ` +
          `${backend.name}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    this.ownParameters.set(name, p);
    return p;
  }

  /**
   * Throws unless every parameter is live. Forward passes call it before any work: on a disposed module
   * the first op would otherwise fail half-way (a raw engine error, or an op's error naming its operand
   * `b`), naming neither the module nor the parameter, after creating tensors.
   */
  protected checkParametersLive(where: string): void {
    for (const [name, p] of this.namedParameters()) {
      if (p.value.isDisposed) {
        throw new Error(
          `${where}: parameter ${name} (${p.value.toString()}) has been disposed (was the module disposed?); ` +
            'a module cannot run after dispose(): create it again, or load its weights into a new one',
        );
      }
    }
  }

  /** Whether forward passes check for NaN and ±Infinity now (own setting, else the global one). */
  protected checksFinite(): boolean {
    return this.checkFinite ?? checkFiniteEverywhere();
  }

  /**
   * With the finite checks on, throws a {@link NonFiniteError} naming the first of `inputs` (by argument
   * name) or of this module's parameters that holds a NaN or ±Infinity, before the forward pass runs.
   */
  protected checkFiniteInputs(where: string, inputs: Readonly<Record<string, Tensor | undefined>>): void {
    if (!this.checksFinite()) return;
    for (const [name, t] of Object.entries(inputs)) if (t !== undefined) assertFinite(where, name, t);
    for (const [name, p] of this.namedParameters()) assertFinite(where, `parameter ${name}`, p.value);
  }

  /**
   * Runs a forward pass; with the finite checks on, inside a `tidy` (so a failed check leaves nothing
   * behind) and checking each of `outputs(result)` by name afterwards.
   */
  protected finiteChecked<R>(
    where: string,
    run: () => R,
    outputs: (result: R) => Readonly<Record<string, Tensor | undefined>>,
  ): R {
    if (!this.checksFinite()) return run();
    return tidy(() => {
      const result = run();
      for (const [name, t] of Object.entries(outputs(result)))
        if (t !== undefined) assertFinite(where, name, t);
      return result;
    });
  }

  /** Registers a sub-module; its parameters appear as `name.<param>`. */
  protected addModule<M extends Module>(name: string, module: M): M {
    this.children.set(name, module);
    return module;
  }

  /**
   * Replaces the sub-modules by `entries`, in that order (containers use it to renumber after an
   * insertion or deletion).
   */
  protected replaceModules(entries: readonly (readonly [string, Module])[]): void {
    this.children.clear();
    for (const [name, module] of entries) this.children.set(name, module);
    // A container made without a backend takes the placement of its first child that has one.
    if (this.currentBackend === undefined) {
      const placement = Module.placementOf(entries.map(([, m]) => m));
      if (placement.backend !== undefined) {
        this.currentBackend = placement.backend;
        this.currentDtype = placement.dtype ?? this.currentDtype;
      }
    }
  }

  /**
   * The backend and dtype of the first of `modules` whose backend is known (without resolving the
   * default backend), or `{}`: what a container takes as its own placement.
   */
  protected static placementOf(modules: readonly unknown[]): ModuleOptions {
    for (const m of modules) {
      if (m instanceof Module && m.currentBackend !== undefined)
        return { backend: m.currentBackend, dtype: m.currentDtype };
    }
    return {};
  }

  /** `[name, module]` pairs of the direct sub-modules, in registration order (PyTorch's `named_children`). */
  namedChildren(): [string, Module][] {
    return [...this.children];
  }

  /**
   * `[name, module]` pairs of this module (named `prefix`, default `''`) and every sub-module, depth
   * first, each named by its dotted path (PyTorch's `named_modules`).
   */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.children)
      out.push(...child.namedModules(prefix === '' ? name : `${prefix}.${name}`));
    return out;
  }

  /**
   * PyTorch's `requires_grad_`: sets `requiresGrad` on every parameter (recursively) and returns the
   * module. `requiresGrad(false)` freezes it: `backward` then leaves its parameters' `grad` alone.
   */
  requiresGrad(requiresGrad = true): this {
    if (typeof requiresGrad !== 'boolean')
      valueError(`${this.constructor.name}.requiresGrad`, 'requiresGrad', 'a boolean', requiresGrad);
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
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
   * Loads weights by name, all or nothing. Every key, shape and value is checked, and every value read,
   * before anything changes: a missing, unexpected, misshapen, disposed or non-numeric entry throws one
   * error listing all problems, and the module is unchanged. Entries may be tensors on any backend or
   * plain `{shape, data}` (an array or typed array of numbers).
   */
  loadStateDict(state: StateDict, options: { strict?: boolean } = {}): void {
    const where = `${this.constructor.name}.loadStateDict`;
    if (state === null || typeof state !== 'object' || Array.isArray(state) || state instanceof Tensor) {
      valueError(where, 'state', 'an object mapping parameter names to tensors or {shape, data}', state);
    }
    const strict = options?.strict ?? true;
    if (typeof strict !== 'boolean') valueError(where, 'options.strict', 'a boolean', strict);
    const named = new Map(this.namedParameters());
    const problems: string[] = [];
    const values = new Map<Parameter, { data: ArrayLike<number>; shape: readonly number[] }>();
    for (const [name, p] of named) {
      const entry: unknown = Object.hasOwn(state, name) ? state[name] : undefined;
      if (entry === undefined) {
        if (strict) problems.push(`missing key "${name}" (expected shape ${formatShape(p.value.shape)})`);
        continue;
      }
      const problem = entryProblem(entry, p.value.shape);
      if (problem !== undefined) problems.push(`"${name}": ${problem}`);
      else values.set(p, entry as { data: ArrayLike<number>; shape: readonly number[] });
    }
    if (strict) {
      // What was expected is named too (PyTorch lists the unexpected keys only), shortened for big models.
      const known = [...named.keys()];
      const listed = `${known.slice(0, 8).join(', ')}${known.length > 8 ? `, … (${known.length} in all)` : ''}`;
      for (const name of Object.keys(state)) {
        if (!named.has(name)) problems.push(`unexpected key "${name}" (the module's keys are ${listed})`);
      }
    }
    if (problems.length > 0) throw new RangeError(`${where}: ${problems.join('; ')}`);
    // Read every source before the first write: a source may be one of this module's own parameters.
    const hostData = [...values].map(
      ([p, entry]) => [p, entry instanceof Tensor ? entry.toArray() : entry.data] as const,
    );
    const created: [Parameter, Tensor][] = [];
    try {
      for (const [p, data] of hostData) {
        // Where the parameter lives (a container's own placement need not be its children's).
        const { backend, dtype, shape } = p.value;
        created.push([p, new Tensor(backend, backend.fromData(data, shape, dtype), [...shape], dtype)]);
      }
    } catch (error) {
      for (const [, t] of created) t.dispose();
      throw error;
    }
    for (const [p, t] of created) p.assign(t);
  }

  /** Moves every parameter to `backend` (and optionally `dtype`); gradients are dropped. */
  to(backend: Backend<unknown>, dtype: DType = this.currentDtype): this {
    const where = `${this.constructor.name}.to`;
    // Checked before anything moves (a half-moved module would have parameters on two backends).
    if (
      backend === null ||
      typeof backend !== 'object' ||
      typeof backend.fromData !== 'function' ||
      !Array.isArray(backend.dtypes)
    ) {
      valueError(where, 'backend', 'a Recur backend (e.g. createJsBackend())', backend);
    }
    const target = resolveBackend(backend);
    if (!target.dtypes.includes(dtype)) {
      valueError(where, 'dtype', `one of ${target.dtypes.join(', ')} on backend ${target.name}`, dtype);
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
