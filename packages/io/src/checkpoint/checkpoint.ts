/**
 * Training checkpoints: a whole run (model, optimizer, schedulers, generator states, step, your own
 * JSON) in one safetensors file, restored all or nothing, so that training resumes bit-identically.
 *
 * Layout: the tensors under prefixed names (`model.lstm.weight_ih_l0`, `optimizer.state.0.exp_avg`),
 * stored as float64 when any of them is float64 and float32 otherwise (so every value is exact);
 * everything else as exact JSON (see `json.ts`) in `__metadata__`: `recur.checkpoint` (the format tag
 * `recur-checkpoint/1`), `recur.checkpoint.optimizer`, `.schedulers`, `.generators`, `.step`, `.extra`.
 */
import {
  defaultGenerator,
  Generator,
  type GeneratorState,
  Module,
  Optimizer,
  type OptimizerStateDict,
  type OptimizerStateEntry,
  optimizerStateDictToJSON,
  type ParameterState,
  Tensor,
  type TensorData,
} from '@recur/core';
import { WeightFileError } from '../errors.js';
import { readSafetensors } from '../safetensors/read.js';
import { writeSafetensors } from '../safetensors/write.js';
import type { WeightFile, WeightTensor } from '../tensor-entry.js';
import { decodeJson, encodeJson, type JsonValue } from './json.js';

export type { JsonValue } from './json.js';

/** The format tag of checkpoints, stored in `__metadata__['recur.checkpoint']`. */
export const CHECKPOINT_FORMAT = 'recur-checkpoint/1';
/** The `__metadata__` key holding {@link CHECKPOINT_FORMAT}; the parts' keys extend it (`recur.checkpoint.optimizer`, …). */
export const CHECKPOINT_METADATA_KEY = 'recur.checkpoint';

const key = {
  optimizer: `${CHECKPOINT_METADATA_KEY}.optimizer`,
  schedulers: `${CHECKPOINT_METADATA_KEY}.schedulers`,
  generators: `${CHECKPOINT_METADATA_KEY}.generators`,
  step: `${CHECKPOINT_METADATA_KEY}.step`,
  extra: `${CHECKPOINT_METADATA_KEY}.extra`,
} as const;

/** Any optimizer (`SGD`, `Adam`, …). */
// biome-ignore lint/suspicious/noExplicitAny: a checkpoint takes every optimizer's options and state.
export type CheckpointOptimizer = Optimizer<ParameterState, any>;

/**
 * Anything with PyTorch-style `stateDict()` / `loadStateDict()` of JSON-able state: every scheduler of
 * `lrScheduler` (`StepLR`, `OneCycleLR`, `SequentialLR`, `ReduceLROnPlateau`, …).
 */
export interface CheckpointScheduler {
  /** The scheduler's state (PyTorch's keys), plain JSON-able data. */
  stateDict(): Record<string, unknown>;
  /** Loads a state from `stateDict()`, checking it before anything changes. */
  loadStateDict(stateDict: Record<string, unknown>): void;
}

/**
 * What {@link writeCheckpoint} saves — PyTorch's `torch.save({'model': m.state_dict(), 'optimizer':
 * opt.state_dict(), 'scheduler': …, 'epoch': …})` in one object.
 */
export interface CheckpointParts {
  /** The model: its `stateDict()` is saved. */
  readonly model: Module;
  /** The optimizer: its `stateDict()` (state tensors and param groups, scheduler keys included) and `stepCount`. */
  readonly optimizer?: CheckpointOptimizer;
  /** Learning-rate schedulers, in order: each one's `stateDict()`. */
  readonly schedulers?: readonly CheckpointScheduler[];
  /**
   * More generators to save by name, e.g. the one shuffling your batches (`{ data: shuffle }`). The
   * global default generator (as `default`) and every generator a module of the model holds (a
   * `Dropout`'s, named by the first module path using it, `model.drop`) are always saved.
   */
  readonly generators?: Readonly<Record<string, Generator>>;
  /** Your step or epoch counter, a whole number ≥ 0. */
  readonly step?: number;
  /** Anything else, as JSON (plain objects, arrays, numbers — ±Infinity, NaN and -0 kept —, strings, booleans, null). */
  readonly extra?: JsonValue;
}

/** The optimizer part of a {@link Checkpoint}. */
export interface CheckpointOptimizerPart {
  /** The optimizer's name (`Adam`, `SGD`, …); restoring into another kind is refused. */
  readonly type: string;
  /** Its `stepCount` (successful `step()` calls). */
  readonly stepCount: number;
  /** Its state dict, PyTorch's structure, tensors as `{ shape, data }`. */
  readonly stateDict: OptimizerStateDict;
}

/** A scheduler part of a {@link Checkpoint}. */
export interface CheckpointSchedulerPart {
  /** The scheduler's name (`StepLR`, `OneCycleLR`, …); restoring into another kind is refused. */
  readonly type: string;
  /** Its state dict (PyTorch's keys). */
  readonly stateDict: Record<string, unknown>;
}

/** A checkpoint read from bytes ({@link readCheckpoint}): plain data, restored by {@link restoreCheckpoint}. */
export interface Checkpoint {
  /** Always {@link CHECKPOINT_FORMAT}. */
  readonly format: typeof CHECKPOINT_FORMAT;
  /** The model's state dict (names without the `model.` prefix); `module.loadStateDict` takes it. */
  readonly model: Record<string, WeightTensor>;
  /** The optimizer, when one was saved. */
  readonly optimizer?: CheckpointOptimizerPart;
  /** The schedulers, in order (empty when none were saved). */
  readonly schedulers: readonly CheckpointSchedulerPart[];
  /** Generator states by name (`default`, `model.drop`, and those given by name). */
  readonly generators: Readonly<Record<string, GeneratorState>>;
  /** The step saved, if any. */
  readonly step?: number;
  /** The extra JSON saved, if any. */
  readonly extra?: JsonValue;
}

/** What {@link restoreCheckpoint} restores into: the same kinds of objects the checkpoint was written from. */
export interface CheckpointTargets {
  /** The model; its generators (see {@link CheckpointParts.generators}) are restored too. */
  readonly model: Module;
  /** The optimizer, built over the model's parameters with the same groups. */
  readonly optimizer?: CheckpointOptimizer;
  /** The schedulers, same kinds in the same order, built on `optimizer`. */
  readonly schedulers?: readonly CheckpointScheduler[];
  /** The generators given to {@link writeCheckpoint} by name. */
  readonly generators?: Readonly<Record<string, Generator>>;
}

/** Options of {@link restoreCheckpoint}. */
export interface RestoreCheckpointOptions {
  /**
   * True (default): checkpoint and targets must match exactly — every part saved has a target (an
   * optimizer saved needs `optimizer`, every generator its generator) and the model's keys are the same.
   * False: parts without a target are skipped and the model is loaded with `strict: false`; a target
   * without a part is still an error.
   */
  readonly strict?: boolean;
}

const fail = (part: string, message: string, cause?: unknown): never => {
  const error = new WeightFileError('safetensors', `checkpoint ${part}: ${message}`);
  if (cause !== undefined) Object.defineProperty(error, 'cause', { value: cause, configurable: true });
  throw error;
};

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The name an optimizer or scheduler gives itself in errors (`Adam`, `StepLR`). */
function typeName(x: object): string {
  const own = (x as { name?: unknown }).name;
  return typeof own === 'string' ? own : (x.constructor?.name ?? 'unknown');
}

/**
 * The generators a checkpoint of `model` saves and restores, by name: `default` (the global
 * generator), then each distinct generator a module of the model holds in a `generator` field
 * (`Dropout`, the recurrent modules' inter-layer dropout), named `model` or `model.<path>` after the
 * first module using it.
 */
export function modelGenerators(model: Module): Record<string, Generator> {
  const out: Record<string, Generator> = { default: defaultGenerator() };
  const seen = new Set<Generator>([defaultGenerator()]);
  for (const [path, m] of model.namedModules()) {
    const g = (m as unknown as { generator?: unknown }).generator;
    if (!(g instanceof Generator) || seen.has(g)) continue;
    seen.add(g);
    out[path === '' ? 'model' : `model.${path}`] = g;
  }
  return out;
}

/** `modelGenerators(model)` plus the named ones, refusing names that collide. */
function allGenerators(
  where: string,
  model: Module,
  named: Readonly<Record<string, Generator>> | undefined,
): Record<string, Generator> {
  const out = modelGenerators(model);
  if (named === undefined) return out;
  if (!isRecord(named)) fail(where, `generators must be an object of name → Generator, got ${typeof named}`);
  for (const [name, g] of Object.entries(named)) {
    if (!(g instanceof Generator)) fail(where, `generators.${name} must be a Generator`);
    if (name === 'default' || name === 'model' || name.startsWith('model.')) {
      fail(
        where,
        `generators.${name}: the names default, model and model.* are taken by the global generator and the model's own (saved without being listed)`,
      );
    }
    out[name] = g;
  }
  return out;
}

/** Whether `source` is a {@link Checkpoint} (plain data) rather than live {@link CheckpointParts}. */
function isCheckpoint(source: CheckpointParts | Checkpoint): source is Checkpoint {
  return !(source.model instanceof Module) && (source as Checkpoint).format === CHECKPOINT_FORMAT;
}

/**
 * Saves a training run in one safetensors file — model, optimizer, schedulers, generator states, step
 * and extra JSON — and returns its bytes. Also takes a {@link Checkpoint} read earlier (to re-save it,
 * e.g. with a changed `extra`). Throws {@link WeightFileError} naming the part that cannot be saved.
 */
export function writeCheckpoint(source: CheckpointParts | Checkpoint): Uint8Array {
  if (source === null || typeof source !== 'object') fail('', 'expected { model, optimizer?, … }');
  const c = isCheckpoint(source) ? source : capture(source);
  return encode(c);
}

/** The live parts as a checkpoint (tensors still live: `encode` copies them out). */
function capture(parts: CheckpointParts): Checkpoint {
  const { model, optimizer, schedulers, step, extra } = parts;
  if (!(model instanceof Module)) fail('model', 'must be a Module (e.g. an LSTM or a Sequential)');
  const model_ = Object.fromEntries(
    model.namedParameters().map(([name, p]) => {
      if (p.value.isDisposed) fail('model', `parameter ${name} has been disposed`);
      return [name, p.value];
    }),
  ) as unknown as Record<string, WeightTensor>;
  let optimizerPart: CheckpointOptimizerPart | undefined;
  if (optimizer !== undefined) {
    if (!(optimizer instanceof Optimizer)) fail('optimizer', 'must be an Optimizer (SGD, Adam, …)');
    optimizerPart = {
      type: typeName(optimizer),
      stepCount: optimizer.stepCount,
      stateDict: optimizer.stateDict(),
    };
  }
  if (schedulers !== undefined && !Array.isArray(schedulers)) fail('schedulers', 'must be an array');
  const schedulerParts = (schedulers ?? []).map((s, i) => {
    if (s === null || typeof s !== 'object' || typeof s.stateDict !== 'function')
      fail(`schedulers[${i}]`, 'must be a scheduler (with stateDict())');
    return { type: typeName(s), stateDict: s.stateDict() };
  });
  const generators = Object.fromEntries(
    Object.entries(allGenerators('generators', model, parts.generators)).map(([n, g]) => [n, g.getState()]),
  );
  return {
    format: CHECKPOINT_FORMAT,
    model: model_,
    optimizer: optimizerPart,
    schedulers: schedulerParts,
    generators,
    ...(step === undefined ? {} : { step }),
    ...(extra === undefined ? {} : { extra }),
  };
}

type AnyTensor = Tensor | TensorData;

function encode(c: Checkpoint): Uint8Array {
  const tensors: Record<string, AnyTensor> = {};
  let float64 = false;
  const add = (name: string, t: AnyTensor): void => {
    tensors[name] = t;
    if (t instanceof Tensor ? t.dtype === 'float64' : t.data instanceof Float64Array) float64 = true;
  };
  if (!isRecord(c.model)) fail('model', 'must be an object of tensors');
  for (const [name, t] of Object.entries(c.model)) add(`model.${name}`, t);
  const metadata: Record<string, string> = { [CHECKPOINT_METADATA_KEY]: CHECKPOINT_FORMAT };
  const json = (part: string, value: unknown): string => {
    try {
      return encodeJson(value, part);
    } catch (error) {
      return fail(part, messageOf(error));
    }
  };
  if (c.optimizer !== undefined) {
    const { type, stepCount, stateDict } = c.optimizer;
    const state: Record<string, Record<string, number | null>> = {};
    for (const [i, entry] of Object.entries(stateDict.state)) {
      const numbers: Record<string, number | null> = {};
      for (const [k, v] of Object.entries(entry)) {
        if (v === null || typeof v === 'number') numbers[k] = v;
        else add(`optimizer.state.${i}.${k}`, v);
      }
      state[i] = numbers;
    }
    metadata[key.optimizer] = json('optimizer', {
      type,
      stepCount,
      state,
      param_groups: stateDict.param_groups,
    });
  }
  if (c.schedulers.length > 0) metadata[key.schedulers] = json('schedulers', c.schedulers);
  metadata[key.generators] = json('generators', c.generators);
  if (c.step !== undefined) {
    if (!Number.isSafeInteger(c.step) || c.step < 0)
      fail('step', `must be a whole number ≥ 0, got ${String(c.step)}`);
    metadata[key.step] = json('step', c.step);
  }
  if (c.extra !== undefined) metadata[key.extra] = json('extra', c.extra);
  try {
    return writeSafetensors(tensors, { dtype: float64 ? 'float64' : 'float32', metadata });
  } catch (error) {
    return fail('tensors', messageOf(error), error);
  }
}

/**
 * Reads a checkpoint from its bytes. The file is untrusted: the safetensors reader checks every length,
 * offset, dtype and shape before it allocates, then every part is checked here (the format tag, each
 * tensor's name belonging to a part, the JSON of the optimizer, schedulers, generator states, step).
 * Throws only {@link WeightFileError}, naming the part.
 */
export function readCheckpoint(bytes: Uint8Array): Checkpoint {
  return checkpointFromFile(readSafetensors(bytes));
}

/** {@link readCheckpoint} after the safetensors reader: the parts of a file already read. */
function checkpointFromFile(file: WeightFile): Checkpoint {
  const meta = file.metadata;
  const tag = meta[CHECKPOINT_METADATA_KEY];
  if (tag !== CHECKPOINT_FORMAT) {
    fail(
      'format',
      tag === undefined
        ? `not a Recur checkpoint (no ${CHECKPOINT_METADATA_KEY} in __metadata__: a plain weight file? read it with readSafetensors)`
        : `unsupported format ${JSON.stringify(tag.slice(0, 40))}; this version reads ${CHECKPOINT_FORMAT}`,
    );
  }
  const parse = (part: keyof typeof key): JsonValue | undefined => {
    const text = meta[key[part]];
    if (text === undefined) return undefined;
    try {
      return decodeJson(text);
    } catch (error) {
      return fail(part, `__metadata__["${key[part]}"] is not valid JSON: ${messageOf(error)}`);
    }
  };

  // Optimizer: JSON, then its tensors merged in by name.
  const rawOptimizer = parse('optimizer');
  let optimizer: CheckpointOptimizerPart | undefined;
  let optimizerState: Record<string, OptimizerStateEntry> | undefined;
  if (rawOptimizer !== undefined) {
    if (!isRecord(rawOptimizer))
      fail('optimizer', 'must be an object { type, stepCount, state, param_groups }');
    const o = rawOptimizer as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!['type', 'stepCount', 'state', 'param_groups'].includes(k))
        fail('optimizer', `unexpected key "${k}"`);
    }
    if (typeof o.type !== 'string') fail('optimizer', 'type must be a string');
    if (!Number.isSafeInteger(o.stepCount) || (o.stepCount as number) < 0)
      fail('optimizer', 'stepCount must be a whole number ≥ 0');
    if (!isRecord(o.state)) fail('optimizer', 'state must be an object of per-parameter states by index');
    if (!Array.isArray(o.param_groups) || !o.param_groups.every(isRecord))
      fail('optimizer', 'param_groups must be an array of objects');
    optimizerState = {};
    for (const [i, entry] of Object.entries(o.state as Record<string, unknown>)) {
      if (!/^(0|[1-9]\d{0,8})$/.test(i))
        fail('optimizer', `state key ${JSON.stringify(i.slice(0, 40))} is not a parameter index`);
      if (!isRecord(entry)) fail('optimizer', `state.${i} must be an object`);
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (v !== null && typeof v !== 'number')
          fail('optimizer', `state.${i}.${k} must be a number or null (tensors are stored as tensors)`);
      }
      optimizerState[i] = { ...(entry as Record<string, number | null>) };
    }
    optimizer = {
      type: o.type as string,
      stepCount: o.stepCount as number,
      stateDict: {
        state: optimizerState,
        param_groups: o.param_groups as OptimizerStateDict['param_groups'],
      },
    };
  }

  const model: Record<string, WeightTensor> = {};
  for (const [name, t] of Object.entries(file.tensors)) {
    if (name.startsWith('model.') && name.length > 6) {
      model[name.slice(6)] = t;
      continue;
    }
    const m = /^optimizer\.state\.(0|[1-9]\d{0,8})\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(name);
    if (m === null) {
      fail(
        'tensors',
        `tensor "${name.slice(0, 80)}" belongs to no part (expected model.<name> or optimizer.state.<index>.<key>)`,
      );
    }
    if (optimizerState === undefined)
      fail('optimizer', `tensor "${name}" is stored but the checkpoint has no optimizer`);
    const entry = optimizerState![m![1]!];
    if (entry === undefined) fail('optimizer', `tensor "${name}": state.${m![1]} is not in ${key.optimizer}`);
    if (Object.hasOwn(entry!, m![2]!))
      fail('optimizer', `state.${m![1]}.${m![2]} is stored both as a tensor and in the JSON`);
    entry![m![2]!] = t;
  }

  const rawSchedulers = parse('schedulers') ?? [];
  if (!Array.isArray(rawSchedulers)) fail('schedulers', 'must be an array of { type, stateDict }');
  const schedulers = (rawSchedulers as unknown[]).map((s, i) => {
    if (!isRecord(s) || typeof s.type !== 'string' || !isRecord(s.stateDict) || Object.keys(s).length !== 2)
      fail(`schedulers[${i}]`, 'must be { type, stateDict } with a string type and an object state dict');
    return {
      type: (s as { type: string }).type,
      stateDict: (s as { stateDict: Record<string, unknown> }).stateDict,
    };
  });

  const rawGenerators = parse('generators') ?? {};
  if (!isRecord(rawGenerators)) fail('generators', 'must be an object of name → generator state');
  const generators: Record<string, GeneratorState> = {};
  for (const [name, state] of Object.entries(rawGenerators as Record<string, unknown>)) {
    generators[name] = checkedGeneratorState(`generators.${name}`, state);
  }

  const step = parse('step');
  if (step !== undefined && (!Number.isSafeInteger(step) || (step as number) < 0))
    fail('step', `must be a whole number ≥ 0, got ${JSON.stringify(step)?.slice(0, 40)}`);
  const extra = parse('extra');
  return {
    format: CHECKPOINT_FORMAT,
    model,
    ...(optimizer === undefined ? {} : { optimizer }),
    schedulers,
    generators,
    ...(step === undefined ? {} : { step: step as number }),
    ...(extra === undefined ? {} : { extra }),
  };
}

/** A copy of `state` checked by `Generator.setState` (on a scratch generator), or a WeightFileError. */
function checkedGeneratorState(part: string, state: unknown): GeneratorState {
  try {
    return new Generator().setState(state as GeneratorState).getState();
  } catch (error) {
    return fail(part, messageOf(error).replace(/^Generator\.setState: /, ''));
  }
}

/**
 * Restores a checkpoint into live objects — PyTorch's `model.load_state_dict(ckpt['model'])`,
 * `optimizer.load_state_dict(…)`, `scheduler.load_state_dict(…)`, `generator.set_state(…)` — all or
 * nothing. Everything is checked first (which parts match which targets, the optimizer's and each
 * scheduler's kind, group and parameter counts, the model's keys and shapes, every generator state);
 * the optimizer, schedulers and model are then loaded by their own `loadStateDict` (each checking
 * everything before changing anything), and should one still refuse, the ones already loaded are put
 * back from copies taken first. On any error the model, optimizer, schedulers and generators are
 * exactly as they were; the error is a {@link WeightFileError} naming the part.
 */
export function restoreCheckpoint(
  checkpoint: Checkpoint,
  targets: CheckpointTargets,
  options: RestoreCheckpointOptions = {},
): void {
  if (!isRecord(checkpoint) || checkpoint.format !== CHECKPOINT_FORMAT)
    fail('', `expected a checkpoint from readCheckpoint (format ${CHECKPOINT_FORMAT})`);
  if (!isRecord(targets) || !(targets.model instanceof Module))
    fail('model', 'targets.model must be a Module');
  const strict = options.strict ?? true;
  if (typeof strict !== 'boolean') fail('', 'options.strict must be a boolean');
  const { model, optimizer, schedulers } = targets;

  // Which parts meet which targets.
  if (optimizer !== undefined && !(optimizer instanceof Optimizer))
    fail('optimizer', 'targets.optimizer must be an Optimizer');
  if (optimizer !== undefined && checkpoint.optimizer === undefined)
    fail('optimizer', 'an optimizer was given, but the checkpoint has none');
  if (optimizer === undefined && checkpoint.optimizer !== undefined && strict)
    fail(
      'optimizer',
      `the checkpoint has a ${checkpoint.optimizer.type} optimizer but none was given (or pass { strict: false } to skip it)`,
    );
  if (schedulers !== undefined && !Array.isArray(schedulers))
    fail('schedulers', 'targets.schedulers must be an array');
  const saved = checkpoint.schedulers;
  const scheduling = schedulers ?? [];
  if (schedulers !== undefined || strict) {
    if (scheduling.length !== saved.length) {
      fail(
        'schedulers',
        `the checkpoint has ${saved.length} (${saved.map((s) => s.type).join(', ') || 'none'}) but ${scheduling.length} were given`,
      );
    }
  }
  scheduling.forEach((s, i) => {
    if (
      s === null ||
      typeof s !== 'object' ||
      typeof s.loadStateDict !== 'function' ||
      typeof s.stateDict !== 'function'
    )
      fail(`schedulers[${i}]`, 'must be a scheduler (with stateDict() and loadStateDict())');
    if (typeName(s) !== saved[i]!.type)
      fail(`schedulers[${i}]`, `the checkpoint holds a ${saved[i]!.type}, not a ${typeName(s)}`);
  });
  if (optimizer !== undefined) {
    const part = checkpoint.optimizer!;
    if (typeName(optimizer) !== part.type)
      fail('optimizer', `the checkpoint holds a ${part.type} optimizer, not a ${typeName(optimizer)}`);
    if (!Number.isSafeInteger(part.stepCount) || part.stepCount < 0)
      fail('optimizer', 'stepCount must be a whole number ≥ 0');
    const groups = part.stateDict?.param_groups;
    if (!Array.isArray(groups) || groups.length !== optimizer.paramGroups.length) {
      fail(
        'optimizer',
        `the checkpoint has ${Array.isArray(groups) ? groups.length : 'no'} parameter groups, the optimizer ${optimizer.paramGroups.length}`,
      );
    }
  }

  // Generators: every target needs a state; with strict, every state needs a target.
  const gens = allGenerators('generators', model, targets.generators);
  const plan: [Generator, GeneratorState][] = [];
  for (const [name, g] of Object.entries(gens)) {
    if (!Object.hasOwn(checkpoint.generators, name)) {
      fail(
        'generators',
        `no state for generator "${name}" (the checkpoint has ${Object.keys(checkpoint.generators).join(', ') || 'none'}; a model's generators are named after the first module holding them)`,
      );
    }
    plan.push([g, checkedGeneratorState(`generators.${name}`, checkpoint.generators[name])]);
  }
  if (strict) {
    for (const name of Object.keys(checkpoint.generators)) {
      if (!Object.hasOwn(gens, name))
        fail(
          'generators',
          `the checkpoint has generator "${name}" but no such generator was given or found in the model`,
        );
    }
  }

  // The model's keys and shapes (loadStateDict checks them again, and the values).
  const params = new Map(model.namedParameters());
  const problems: string[] = [];
  for (const [name, p] of params) {
    const t = checkpoint.model[name];
    if (t === undefined || !Object.hasOwn(checkpoint.model, name)) {
      if (strict) problems.push(`missing "${name}"`);
    } else if (
      !isRecord(t) ||
      !Array.isArray(t.shape) ||
      t.shape.length !== p.value.shape.length ||
      t.shape.some((d, i) => d !== p.value.shape[i])
    ) {
      problems.push(
        `"${name}": shape [${isRecord(t) && Array.isArray(t.shape) ? t.shape.join(', ') : '?'}] in the checkpoint, [${p.value.shape.join(', ')}] in the model`,
      );
    }
  }
  if (strict)
    for (const name of Object.keys(checkpoint.model))
      if (!params.has(name)) problems.push(`unexpected "${name}"`);
  if (problems.length > 0)
    fail(
      'model',
      problems.slice(0, 8).join('; ') + (problems.length > 8 ? `; … (${problems.length} in all)` : ''),
    );

  // Copies to put back should a later load refuse.
  const undo: (() => void)[] = [];
  const rollback = (): void => {
    for (const f of undo.reverse()) f();
  };
  const guarded = (part: string, load: () => void): void => {
    try {
      load();
    } catch (error) {
      rollback();
      fail(part, messageOf(error), error);
    }
  };
  if (optimizer !== undefined) {
    const before = optimizerStateDictToJSON(optimizer.stateDict());
    const stepCount = optimizer.stepCount;
    guarded('optimizer', () => optimizer.loadStateDict(checkpoint.optimizer!.stateDict));
    undo.push(() => {
      optimizer.loadStateDict(before);
      optimizer.stepCount = stepCount;
    });
    optimizer.stepCount = checkpoint.optimizer!.stepCount;
  }
  scheduling.forEach((s, i) => {
    const before = s.stateDict();
    guarded(`schedulers[${i}]`, () => s.loadStateDict(structuredClone(saved[i]!.stateDict)));
    undo.push(() => s.loadStateDict(before));
  });
  guarded('model', () => model.loadStateDict(checkpoint.model, { strict }));
  for (const [g, state] of plan) g.setState(state);
}

/**
 * What `recur inspect` says about a checkpoint (a safetensors file already read): its parts, one line
 * each. Throws {@link WeightFileError} when the file is not a valid checkpoint.
 */
export function describeCheckpoint(file: WeightFile): string[] {
  const c = checkpointFromFile(file);
  const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  const model = Object.values(c.model);
  const lines = [
    `checkpoint: ${c.format}`,
    `  model: ${count(model.length, 'tensor')}, ${model.reduce((n, t) => n + t.data.length, 0)} values`,
  ];
  if (c.optimizer !== undefined) {
    const { type, stepCount, stateDict } = c.optimizer;
    const lrs = stateDict.param_groups.map((g) => String(g.lr)).join(', ');
    lines.push(
      `  optimizer: ${type}, ${count(stepCount, 'step')}, ${count(stateDict.param_groups.length, 'parameter group')} (lr ${lrs}), state for ${count(Object.keys(stateDict.state).length, 'parameter')}`,
    );
  } else lines.push('  optimizer: none');
  const scheduler = (s: CheckpointSchedulerPart): string =>
    typeof s.stateDict.last_epoch === 'number' ? `${s.type} (last_epoch ${s.stateDict.last_epoch})` : s.type;
  lines.push(`  schedulers: ${c.schedulers.map(scheduler).join(', ') || 'none'}`);
  lines.push(`  generators: ${Object.keys(c.generators).join(', ') || 'none'}`);
  lines.push(`  step: ${c.step ?? 'none'}`);
  if (c.extra !== undefined) {
    const text = encodeJson(c.extra, 'extra');
    lines.push(`  extra: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`);
  }
  return lines;
}

/** {@link readCheckpoint} then {@link restoreCheckpoint}; returns the checkpoint (for `step` and `extra`). */
export function loadCheckpoint(
  bytes: Uint8Array,
  targets: CheckpointTargets,
  options: RestoreCheckpointOptions = {},
): Checkpoint {
  const checkpoint = readCheckpoint(bytes);
  restoreCheckpoint(checkpoint, targets, options);
  return checkpoint;
}
