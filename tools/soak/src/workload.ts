/**
 * What a soak trains, on any backend (in Node and in the browser page): two models trained side by
 * side on the adding problem of `@recur/datasets`, one optimisation step each per soak step, the way
 * the README's "Use" section trains:
 *
 * - a 2-layer LSTM regressor (dropout between the layers) with a Linear head and an MSE loss on the sum;
 * - a 2-layer GRU classifier (dropout between the layers) with a Linear head and a cross-entropy loss
 *   on whether the sum exceeds 1.
 *
 * Each batch has its own variable `lengths` (every row keeps both of its marked steps), Adam updates
 * the weights after `clipGradNorm`, and every tensor a step creates is released before it returns, so
 * a flat live-tensor count is what a correct backend shows.
 */

import {
  Adam,
  type AnyBackend,
  crossEntropy,
  Generator,
  GRU,
  Linear,
  LSTM,
  mseLoss,
  ops,
  type Parameter,
  type Tensor,
  tensor,
} from '@recur/core';
import { addingBatch } from '@recur/datasets';
import { optimisationStep as runnerStep } from '@recur/runner';

/** The shape of the soak's models and batches (small enough for 2000 steps on SwiftShader's WebGL). */
export const soakShape = {
  /** Longest sequence; each row's length is drawn in (its second marker, maxLength]. */
  maxLength: 24,
  batch: 16,
  /** Value and marker per step. */
  inputSize: 2,
  hiddenSize: 32,
  numLayers: 2,
  dropout: 0.2,
  lr: 1e-3,
  /** Explicit, since tfjs's webgl backend would otherwise pick a different epsilon (see notes/webgl.md). */
  eps: 1e-8,
  maxNorm: 1,
} as const;

/** The two training losses of one soak step. */
export interface StepLosses {
  /** The LSTM regressor's MSE. */
  readonly mse: number;
  /** The GRU classifier's cross-entropy. */
  readonly ce: number;
}

/** The models, their optimizers and their data stream on one backend. */
export interface SoakTraining {
  /** Runs one soak step: one optimisation step of each model on a fresh batch. */
  step(): StepLosses;
  /** The path each recurrent module took on its last step (`fused` or `composed`). */
  paths(): { lstm: string | null; gru: string | null };
  /** Releases every parameter, gradient and optimizer state. */
  dispose(): void;
}

/** A fresh adding-problem batch, time-major, with a valid length per row and a class per row. */
interface Batch {
  readonly x: Float32Array;
  readonly sums: Float32Array;
  readonly classes: number[];
  readonly lengths: number[];
}

function drawBatch(generator: Generator): Batch {
  const { maxLength: steps, batch: size } = soakShape;
  const { x, y } = addingBatch(steps, size, generator);
  const lengths: number[] = [];
  for (let b = 0; b < size; b++) {
    let lastMarker = 0;
    for (let t = 0; t < steps; t++) if (x[(t * size + b) * 2 + 1] === 1) lastMarker = t;
    // The padded tail after a row's length is ignored, so the target stays the sum of both markers.
    lengths.push(lastMarker + 1 + generator.int(steps - lastMarker));
  }
  return { x, sums: y, classes: Array.from(y, (s) => (s > 1 ? 1 : 0)), lengths };
}

/** One optimisation step as in the README (zeroGrad, backward, clipGradNorm, step): `@recur/runner`'s. */
function optimisationStep(optimizer: Adam, params: readonly Parameter[], lossFn: () => Tensor): number {
  return runnerStep(optimizer, params, lossFn, soakShape.maxNorm);
}

/** Builds the soak's two models on `backend`, initialised and fed from generators seeded with `seed`. */
export function createSoakTraining(backend: AnyBackend, seed = 0): SoakTraining {
  const { inputSize, hiddenSize, numLayers, dropout, lr, eps, maxLength, batch } = soakShape;
  const generator = new Generator(seed);
  const data = new Generator(seed + 1);
  const recurrent = { inputSize, hiddenSize, numLayers, dropout, backend, generator };
  const lstm = new LSTM(recurrent);
  const regressor = new Linear({ inFeatures: hiddenSize, outFeatures: 1, backend, generator });
  const gru = new GRU(recurrent);
  const classifier = new Linear({ inFeatures: hiddenSize, outFeatures: 2, backend, generator });
  const lstmParams = [...lstm.parameters(), ...regressor.parameters()];
  const gruParams = [...gru.parameters(), ...classifier.parameters()];
  const lstmOptimizer = new Adam(lstmParams, { lr, eps });
  const gruOptimizer = new Adam(gruParams, { lr, eps });
  const top = numLayers - 1;

  return {
    step() {
      const b = drawBatch(data);
      const x = tensor(b.x, [maxLength, batch, inputSize], { backend });
      const sums = tensor(b.sums, [batch, 1], { backend });
      try {
        const mse = optimisationStep(lstmOptimizer, lstmParams, () => {
          const [, [hn]] = lstm.forward(x, null, { lengths: b.lengths });
          return mseLoss(regressor.forward(ops.index0(hn, top)), sums);
        });
        const ce = optimisationStep(gruOptimizer, gruParams, () => {
          const [, hn] = gru.forward(x, null, { lengths: b.lengths });
          return crossEntropy(classifier.forward(ops.index0(hn, top)), b.classes);
        });
        return { mse, ce };
      } finally {
        x.dispose();
        sums.dispose();
      }
    },
    paths: () => ({ lstm: lstm.lastPath, gru: gru.lastPath }),
    dispose() {
      lstmOptimizer.dispose();
      gruOptimizer.dispose();
      for (const p of [...lstmParams, ...gruParams]) p.zeroGrad();
      lstm.dispose();
      regressor.dispose();
      gru.dispose();
      classifier.dispose();
    },
  };
}

/** What a run of several steps reports: the last losses, the first non-finite loss, the time taken. */
export interface StepsResult {
  /** Losses of the last step run. */
  readonly losses: StepLosses;
  /** The first step (1-based, counted from `firstStep`) whose loss was not finite, or null. */
  readonly nonFinite: { readonly step: number; readonly losses: StepLosses } | null;
  /** Milliseconds the steps took (not counting anything measured between them). */
  readonly ms: number;
}

/** Runs `count` soak steps numbered from `firstStep`; checks every loss for finiteness. */
export function runSteps(training: SoakTraining, firstStep: number, count: number): StepsResult {
  let losses: StepLosses = { mse: Number.NaN, ce: Number.NaN };
  let nonFinite: StepsResult['nonFinite'] = null;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    losses = training.step();
    if (nonFinite === null && !(Number.isFinite(losses.mse) && Number.isFinite(losses.ce))) {
      nonFinite = { step: firstStep + i, losses };
    }
  }
  return { losses, nonFinite, ms: performance.now() - start };
}
