/**
 * The adding-problem model (Hochreiter & Schmidhuber 1997, in the form of Le et al. 2015) that the
 * demo's vanishing-gradient panel and the `adding-problem` and `vanishing-gradients` examples train,
 * the chrono initialisation of its LSTM, and the gradient profile both of them measure. The data
 * itself is `addingBatch` of `@recur/datasets`.
 */
import type { AnyBackend, Generator, Parameter, Tensor } from '@recur/core';
import { Linear, LSTM, mseLoss, ops, tensor, tidy, valueAndGrads } from '@recur/core';
import type { AddingBatch } from '@recur/datasets';
import type { CellName, Recurrent } from './recurrent.js';
import { createRecurrent, runRecurrent } from './recurrent.js';

/** MSE of always answering the mean, 1.0: the variance of a sum of two U[0, 1] values. */
export const constantAnswerMse = 1 / 6;

/** How to build an {@link AddingModel}. */
export interface AddingModelOptions {
  /** Draws the initial weights; omitted: the global seeded generator. */
  readonly generator?: Generator;
  readonly backend?: AnyBackend;
  /** Give an LSTM {@link chronoInit} biases for sequences of `length` steps, drawn from `generator`. */
  readonly chrono?: { readonly length: number; readonly generator: Generator };
}

/** One recurrent layer and a linear read-out of its last state. */
export class AddingModel {
  readonly recurrent: Recurrent;
  readonly head: Linear;

  constructor(
    readonly cell: CellName,
    hidden: number,
    options: AddingModelOptions = {},
  ) {
    const { generator, backend } = options;
    this.recurrent = createRecurrent({
      cell,
      inputSize: 2,
      hidden,
      ...(generator === undefined ? {} : { generator }),
      ...(backend === undefined ? {} : { backend }),
    });
    this.head = new Linear({
      inFeatures: hidden,
      outFeatures: 1,
      ...(generator === undefined ? {} : { generator }),
      ...(backend === undefined ? {} : { backend }),
    });
    if (this.recurrent instanceof LSTM && options.chrono !== undefined)
      chronoInit(this.recurrent, options.chrono.length, options.chrono.generator);
  }

  /** Every trainable parameter, in a fixed order. */
  parameters(): Parameter[] {
    return [...this.recurrent.parameters(), ...this.head.parameters()];
  }

  /** Predictions `[N, 1]` for inputs `x [T, N, 2]`. */
  forward(x: Tensor): Tensor {
    const { hn } = runRecurrent(this.recurrent, x);
    return this.head.forward(ops.index0(hn, 0));
  }

  /** Mean squared error on `batch`, reading the inputs from `x` when given (so d loss / d x can be taken). */
  loss(batch: AddingBatch, x?: Tensor): Tensor {
    const input = x ?? tensor(batch.x, [batch.length, batch.size, 2]);
    return mseLoss(this.forward(input), tensor(batch.y, [batch.size, 1]));
  }

  /** MSE on `batch` as a number, no gradients. */
  evaluate(batch: AddingBatch): number {
    return tidy(() => this.loss(batch).item());
  }

  /** Releases the weights. */
  dispose(): void {
    this.recurrent.dispose();
    this.head.dispose();
  }
}

/**
 * Chrono initialisation of an LSTM's gate biases (Tallec & Ollivier 2018, "Can recurrent neural
 * networks warp time?"): forget bias log(u) and input bias −log(u) with u ~ U[1, T − 1], so the
 * cells start out remembering over the whole range of time scales the task needs. PyTorch adds
 * `bias_ih` and `bias_hh`, so the values go into `bias_ih` (gate order i, f, g, o) and the same
 * chunks of `bias_hh` are zeroed.
 */
export function chronoInit(lstm: LSTM, maxLength: number, generator: Generator): void {
  const hidden = lstm.hiddenSize;
  const logs = Array.from({ length: hidden }, () =>
    Math.log(generator.uniform(1, Math.max(2, maxLength - 1))),
  );
  for (const [name, p] of lstm.namedParameters()) {
    if (!name.startsWith('bias_')) continue;
    const values = Float64Array.from(p.value.toArray());
    for (let j = 0; j < hidden; j++) {
      values[j] = name.startsWith('bias_ih') ? -logs[j]! : 0;
      values[hidden + j] = name.startsWith('bias_ih') ? logs[j]! : 0;
    }
    p.assign(tensor(values, p.value.shape, { backend: p.value.backend, dtype: p.value.dtype }));
  }
}

/** What {@link gradientProfile} measures. */
export interface GradientProfile {
  /** ‖d loss / d x_{T−1−d}‖ / ‖d loss / d x_{T−1}‖ for every distance d = 0 … T − 1. */
  readonly ratios: number[];
  /** The batch's loss. */
  readonly mse: number;
}

/** The gradient of the loss with respect to each input step, by distance from the last step, over `batch`. */
export function gradientProfile(model: AddingModel, batch: AddingBatch): GradientProfile {
  return tidy(() => {
    const x = tensor(batch.x, [batch.length, batch.size, 2]);
    const { value, grads } = valueAndGrads(() => model.loss(batch, x), [x]);
    const g = grads[0]!.toArray();
    const per = batch.size * 2;
    const norms = Array.from({ length: batch.length }, (_, t) => {
      let s = 0;
      for (let i = t * per; i < (t + 1) * per; i++) s += g[i]! * g[i]!;
      return Math.sqrt(s);
    });
    const last = norms[batch.length - 1]!;
    return { ratios: norms.map((_, d) => norms[batch.length - 1 - d]! / last), mse: value.item() };
  });
}
