/**
 * One training session inside an engine: a task's model on this engine's backend, its Adam
 * optimizer and the stream of training batches. The engine holds at most one at a time.
 */
import type { Parameter } from '@recur/core';
import { Adam, Generator, tidy } from '@recur/core';
import { DEFAULT_CLIP_NORM, optimisationStep } from '@recur/runner';
import type { AnyTask } from '../tasks/index.js';
import { createTask } from '../tasks/index.js';
import type { TaskModel } from '../tasks/task.js';
import { disposeModel, loadPlainState, parameters } from '../tasks/task.js';
import type { Evaluation, ModelConfig, PlainState, SampleOptions, TaskName } from './protocol.js';

/** Gradient-norm clip of every training step: keeps a vanilla RNN's rare exploding step harmless. */
export const CLIP_NORM = DEFAULT_CLIP_NORM;

/** Steps of a fresh model kept out of steps/s (webgl compiles most of its shaders in them). */
export const WARMUP_STEPS = 3;

/** A model in training. */
export class Session {
  readonly task: AnyTask;
  readonly model: TaskModel<unknown>;
  readonly params: Parameter[];
  private readonly optimizer: Adam;
  private readonly batches: Generator;
  private batchSize: number;
  /** Warm-up steps still to run: they compile shaders on webgl and are not timed as training. */
  warmupLeft = WARMUP_STEPS;

  /** Builds the model from `config.seed` (and loads `state` when given) at step `step`. */
  constructor(
    taskName: TaskName,
    readonly config: ModelConfig,
    state: PlainState | undefined,
    public step: number,
  ) {
    this.task = createTask(taskName, config.seed);
    this.model = this.task.createModel(config, 'float32', new Generator(config.seed));
    if (state !== undefined) loadPlainState(this.model, state);
    this.params = parameters(this.model);
    this.optimizer = new Adam(this.params, { lr: config.lr });
    // Offset by the step, so that after a switch of backend the batches go on rather than repeat.
    this.batches = new Generator(config.seed * 7919 + 101 + step);
    this.batchSize = config.batch;
  }

  /** Number of trainable values. */
  get parameterCount(): number {
    return this.params.reduce((n, p) => n + p.value.size, 0);
  }

  /** Changes the learning rate and batch size from the next step on. */
  setLearning(lr: number, batch: number): void {
    this.optimizer.lr = lr;
    this.batchSize = batch;
  }

  /** One optimisation step (forward, backward, clip, Adam); returns the batch's loss. */
  trainStep(): number {
    const batch = this.task.batch(this.batchSize, this.batches);
    const value = optimisationStep(this.optimizer, this.params, () => this.model.loss(batch), CLIP_NORM);
    this.step++;
    return value;
  }

  /** Validation loss and the task's view. */
  evaluate(sampleOptions: SampleOptions): Evaluation {
    return tidy(() => this.task.evaluate(this.model, this.step, sampleOptions));
  }

  /** Releases the weights and the optimizer's state. */
  dispose(): void {
    this.optimizer.zeroGrad();
    this.optimizer.dispose();
    disposeModel(this.model);
  }
}
