/**
 * What every task provides to the engine: a model built from the controls' config, batches of real
 * data, a loss, and an evaluation on held-out data. Models are plain groups of Recur modules, so
 * their weights move between backends as one state dict with PyTorch-style dotted names.
 */
import type { DType, Generator, Module, Parameter, Tensor } from '@recur/core';
import type { Evaluation, ModelConfig, PlainState, SampleOptions, TaskName } from '../engine/protocol.js';
import type { Recurrent } from './recurrent.js';

/** A task's model: named sub-modules (the state dict's prefixes) and a loss over its batches. */
export interface TaskModel<B> {
  /** Sub-modules by name; `rnn.weight_ih_l0` is parameter `weight_ih_l0` of module `rnn`. */
  readonly modules: Readonly<Record<string, Module>>;
  /** The recurrent module, whose `lastPath` tells fused from composed. */
  readonly recurrent: Recurrent;
  /** Mean loss over `batch`, differentiable. */
  loss(batch: B): Tensor;
}

/** A task: data, model and evaluation. */
export interface Task<B, M extends TaskModel<B> = TaskModel<B>> {
  readonly name: TaskName;
  /** Builds the model on the default backend, drawing initial weights from `generator`. */
  createModel(config: ModelConfig, dtype: DType, generator: Generator): M;
  /** A training batch of `size` examples drawn with `generator`. */
  batch(size: number, generator: Generator): B;
  /** Validation loss and the task's view, on held-out data. */
  evaluate(model: M, step: number, sampleOptions: SampleOptions): Evaluation;
}

/** `[name, parameter]` of every parameter, prefixed by its module's name. */
export function namedParameters(model: TaskModel<unknown>): [string, Parameter][] {
  return Object.entries(model.modules).flatMap(([prefix, m]) => m.namedParameters(`${prefix}.`));
}

/** Every parameter, in state-dict order. */
export function parameters(model: TaskModel<unknown>): Parameter[] {
  return namedParameters(model).map(([, p]) => p);
}

/** The weights as plain arrays (a copy), to send to another engine. */
export function plainState(model: TaskModel<unknown>): PlainState {
  const state: PlainState = {};
  for (const [name, p] of namedParameters(model)) {
    state[name] = { shape: [...p.value.shape], data: p.value.toArray() };
  }
  return state;
}

/** Loads weights with each module's `loadStateDict` (which checks every name and shape first). */
export function loadPlainState(model: TaskModel<unknown>, state: PlainState): void {
  for (const [prefix, module] of Object.entries(model.modules)) {
    const own = Object.fromEntries(
      Object.entries(state)
        .filter(([name]) => name.startsWith(`${prefix}.`))
        .map(([name, entry]) => [name.slice(prefix.length + 1), entry]),
    );
    module.loadStateDict(own);
  }
}

/** Releases every parameter. */
export function disposeModel(model: TaskModel<unknown>): void {
  for (const m of Object.values(model.modules)) m.dispose();
}
