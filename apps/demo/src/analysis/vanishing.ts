/**
 * Engine side of the vanishing-gradient panel: on the adding problem, ‖d loss / d x_t‖ relative to
 * its value at the last step, for every distance from the end, at initialisation and after a short
 * training. A vanilla RNN's ratio falls geometrically with distance; a GRU's, once trained, and an
 * LSTM's with chrono-initialised gate biases stay within a few orders of magnitude. The model, the
 * chrono initialisation, the profile and the training step are `@recur/runner`'s, shared with the
 * `vanishing-gradients` and `adding-problem` examples.
 */
import { Adam, Generator } from '@recur/core';
import { addingBatch } from '@recur/datasets';
import { AddingModel, gradientProfile, optimisationStep } from '@recur/runner';
import type { Requests } from '../engine/protocol.js';

/** Sequences in the probe batch the gradients are measured on. */
const PROBE_SIZE = 64;
/** Training batch size and Adam's learning rate of the panel's runs (shown on the page). */
export const VANISHING_BATCH = 32;
export const VANISHING_LR = 0.01;

/** Runs the `vanishing` request; `pause` lets the engine answer other messages during training. */
export async function vanishingProfile(
  args: Requests['vanishing']['args'],
  pause: () => Promise<void>,
): Promise<Requests['vanishing']['result']> {
  const generator = new Generator(args.seed);
  const model = new AddingModel(args.cell, args.hidden, {
    generator,
    ...(args.chrono ? { chrono: { length: args.length, generator } } : {}),
  });
  try {
    const probe = addingBatch(args.length, PROBE_SIZE, new Generator(args.seed + 1));
    const init = gradientProfile(model, probe);
    const params = model.parameters();
    const optimizer = new Adam(params, { lr: VANISHING_LR });
    const data = new Generator(args.seed + 2);
    for (let step = 0; step < args.steps; step++) {
      const batch = addingBatch(args.length, VANISHING_BATCH, data);
      optimisationStep(optimizer, params, () => model.loss(batch));
      if (step % 5 === 4) await pause();
    }
    optimizer.zeroGrad();
    optimizer.dispose();
    const trained = gradientProfile(model, probe);
    return { init: init.ratios, trained: trained.ratios, mseInit: init.mse, mseTrained: trained.mse };
  } finally {
    model.dispose();
  }
}
