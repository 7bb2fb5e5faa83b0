/**
 * Containers: PyTorch's `nn.Sequential`, `nn.ModuleList` and `nn.ModuleDict`. Their sub-modules are
 * named as PyTorch names them (`'0'`, `'1'`, … or the dict's keys), so the state-dict keys are
 * PyTorch's (`0.weight`, `layers.1.weight_ih_l0`, `dict.key.weight`) and PyTorch checkpoints load.
 */
import { describeValue, valueError } from '../errors.js';
import { Module } from './module.js';

/** Throws unless `m` is a {@link Module}. */
function checkModule(where: string, argument: string, m: unknown): asserts m is Module {
  if (!(m instanceof Module))
    throw new TypeError(`${where}: ${argument} must be a Module, got ${describeValue(m)}`);
}

/** Resolves a possibly negative index into `[0, length)`, or throws naming `where`. */
function resolveIndex(where: string, index: unknown, length: number, end = false): number {
  const top = end ? length : length - 1;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < -length || index > top) {
    valueError(where, 'index', `an integer in [${-length}, ${top}]`, index);
  }
  return index < 0 ? index + length : index;
}

/** Modules indexed by position, named `'0'`, `'1'`, … (base of {@link ModuleList} and {@link Sequential}). */
abstract class IndexedModules extends Module implements Iterable<Module> {
  private items: Module[] = [];

  /** Registers `modules` under `'0'`, `'1'`, …. */
  constructor(where: string, modules: readonly Module[]) {
    super(Module.placementOf(modules), true);
    modules.forEach((m, i) => {
      checkModule(where, `modules[${i}]`, m);
    });
    this.items = [...modules];
    this.renumber();
  }

  private renumber(): void {
    this.replaceModules(this.items.map((m, i) => [String(i), m] as const));
  }

  /** Number of modules. */
  get length(): number {
    return this.items.length;
  }

  /** The module at `index` (negative counts from the end, as in Python). */
  get(index: number): Module {
    return this.items[resolveIndex(`${this.constructor.name}.get`, index, this.items.length)]!;
  }

  /** Replaces the module at `index` (PyTorch's `container[index] = module`). */
  set(index: number, module: Module): this {
    const where = `${this.constructor.name}.set`;
    const i = resolveIndex(where, index, this.items.length);
    checkModule(where, 'module', module);
    this.items[i] = module;
    this.renumber();
    return this;
  }

  /** Appends `module` as the next index; returns this. */
  append(module: Module): this {
    checkModule(`${this.constructor.name}.append`, 'module', module);
    this.items.push(module);
    this.renumber();
    return this;
  }

  /** Appends every module of `modules`; returns this. */
  extend(modules: Iterable<Module>): this {
    const list = [...modules];
    list.forEach((m, i) => {
      checkModule(`${this.constructor.name}.extend`, `modules[${i}]`, m);
    });
    this.items.push(...list);
    this.renumber();
    return this;
  }

  /** Inserts `module` before `index` (as Python's `list.insert`), renumbering the ones after it. */
  insert(index: number, module: Module): this {
    const where = `${this.constructor.name}.insert`;
    const i = resolveIndex(where, index, this.items.length, true);
    checkModule(where, 'module', module);
    this.items.splice(i, 0, module);
    this.renumber();
    return this;
  }

  /** Removes and returns the module at `index` (default the last), renumbering the ones after it. */
  pop(index = -1): Module {
    const i = resolveIndex(`${this.constructor.name}.pop`, index, this.items.length);
    const [removed] = this.items.splice(i, 1);
    this.renumber();
    return removed!;
  }

  /** The modules in order. */
  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }
}

/**
 * PyTorch's `nn.ModuleList`: holds sub-modules in a list, named `'0'`, `'1'`, …, so their parameters
 * are registered (`layers.0.weight`) and move, train and load with the parent. It has no `forward`.
 */
export class ModuleList extends IndexedModules {
  /** Holds `modules` (default none). */
  constructor(modules: readonly Module[] = []) {
    if (!Array.isArray(modules)) valueError('ModuleList', 'modules', 'an array of modules', modules);
    super('ModuleList', modules);
  }
}

/**
 * PyTorch's `nn.Sequential`: sub-modules `'0'`, `'1'`, … whose `forward`s are chained, each given the
 * previous one's output as it is (a recurrent module's `[output, h_n]` goes on unchanged, as in PyTorch).
 */
export class Sequential extends IndexedModules {
  /** Chains `modules`, in order. */
  constructor(...modules: Module[]) {
    super('Sequential', modules);
  }

  /**
   * Runs every module's `forward` in turn on the previous result and returns the last one (the input
   * itself when empty). `R` types the result (default: whatever the last module returns, unchecked).
   */
  forward<R = unknown>(input: unknown): R {
    let x = input;
    let i = 0;
    for (const m of this) {
      const forward = (m as unknown as { forward?: unknown }).forward;
      if (typeof forward !== 'function') {
        throw new TypeError(`Sequential.forward: module ${i} (${m.constructor.name}) has no forward method`);
      }
      x = (forward as (x: unknown) => unknown).call(m, x);
      i++;
    }
    return x as R;
  }
}

/**
 * PyTorch's `nn.ModuleDict`: sub-modules by name, in insertion order, registered under their keys
 * (`dict.key.weight`). Keys are non-empty strings without `.` (PyTorch's rule).
 */
export class ModuleDict extends Module implements Iterable<[string, Module]> {
  private readonly items = new Map<string, Module>();

  /** Holds `modules` (an object or `[key, module]` pairs, in order; default none). */
  constructor(modules: Readonly<Record<string, Module>> | Iterable<readonly [string, Module]> = {}) {
    const entries = ModuleDict.entriesOf('ModuleDict', modules);
    super(Module.placementOf(entries.map(([, m]) => m)), true);
    for (const [key, m] of entries) this.items.set(key, m);
    this.sync();
  }

  private static entriesOf(where: string, modules: unknown): [string, Module][] {
    if (modules === null || typeof modules !== 'object')
      valueError(where, 'modules', 'an object or iterable of [key, module] pairs', modules);
    const entries: [string, Module][] =
      Symbol.iterator in modules
        ? [...(modules as Iterable<[string, Module]>)]
        : Object.entries(modules as Record<string, Module>);
    for (const entry of entries) {
      if (!Array.isArray(entry) || entry.length !== 2)
        valueError(where, 'modules', 'an object or iterable of [key, module] pairs', entry);
      ModuleDict.checkKey(where, entry[0]);
      checkModule(where, `modules[${JSON.stringify(entry[0])}]`, entry[1]);
    }
    return entries;
  }

  private static checkKey(where: string, key: unknown): asserts key is string {
    if (typeof key !== 'string' || key === '' || key.includes('.')) {
      valueError(where, 'key', 'a non-empty string without "." (PyTorch\'s module-name rule)', key);
    }
  }

  private sync(): void {
    this.replaceModules([...this.items]);
  }

  /** Number of modules. */
  get size(): number {
    return this.items.size;
  }

  /** The module under `key`; throws when there is none. */
  get(key: string): Module {
    const m = this.items.get(key);
    if (m === undefined) {
      valueError('ModuleDict.get', 'key', `one of ${describeValue([...this.items.keys()])}`, key);
    }
    return m;
  }

  /** Whether `key` is present. */
  has(key: string): boolean {
    return this.items.has(key);
  }

  /** Adds or replaces the module under `key` (a new key goes last); returns this. */
  set(key: string, module: Module): this {
    ModuleDict.checkKey('ModuleDict.set', key);
    checkModule('ModuleDict.set', 'module', module);
    this.items.set(key, module);
    this.sync();
    return this;
  }

  /** Removes and returns the module under `key` (PyTorch's `pop`); throws when there is none. */
  pop(key: string): Module {
    const m = this.get(key);
    this.items.delete(key);
    this.sync();
    return m;
  }

  /** Adds or replaces every `[key, module]` of `modules` (PyTorch's `update`); returns this. */
  update(modules: Readonly<Record<string, Module>> | Iterable<readonly [string, Module]>): this {
    for (const [key, m] of ModuleDict.entriesOf('ModuleDict.update', modules)) this.items.set(key, m);
    this.sync();
    return this;
  }

  /** The keys, in order. */
  keys(): string[] {
    return [...this.items.keys()];
  }

  /** The modules, in order. */
  values(): Module[] {
    return [...this.items.values()];
  }

  /** `[key, module]` pairs, in order. */
  entries(): [string, Module][] {
    return [...this.items];
  }

  /** `[key, module]` pairs, in order. */
  [Symbol.iterator](): Iterator<[string, Module]> {
    return this.items[Symbol.iterator]();
  }
}
