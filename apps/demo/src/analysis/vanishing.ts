/**
 * Engine side of the vanishing-gradient panel: on the adding problem, ‖d loss / d x_t‖ relative to
 * its value at the last step, for every distance from the end, at initialisation and after a short
 * training. A vanilla RNN's ratio falls geometrically with distance; an LSTM's or a GRU's, once
 * trained, stays within a few orders of magnitude, which is why they can learn the task.
 */
import { Adam, backward, clipGradNorm, Generator, tensor, tidy, valueAndGrads } from '@recur/core';
import type { Requests } from '../engine/protocol.js';
import type { AddingBatch } from '../tasks/adding.js';
import { AddingModel, addingBatch } from '../tasks/adding.js';

/** Sequences in the probe batch the gradients are measured on. */
const PROBE_SIZE = 64;
const TRAIN_BATCH = 32;
const LEARNING_RATE = 0.01;

/** Ratio ‖g_{T−1−d}‖ / ‖g_{T−1}‖ for d = 0 … T−1, and the probe's loss. */
function gradientProfile(model: AddingModel, probe: AddingBatch): { ratios: number[]; mse: number } {
  return tidy(() => {
    const x = tensor(probe.x, [probe.length, probe.size, 2]);
    const { value, grads } = valueAndGrads(() => model.loss(probe, x), [x]);
    const g = grads[0]!.toArray();
    const per = probe.size * 2;
    const norms = Array.from({ length: probe.length }, (_, t) => {
      let s = 0;
      for (let i = t * per; i < (t + 1) * per; i++) s += g[i]! * g[i]!;
      return Math.sqrt(s);
    });
    const last = norms[probe.length - 1]!;
    return { ratios: norms.map((_, d) => norms[probe.length - 1 - d]! / last), mse: value.item() };
  });
}

/** Runs the `vanishing` request; `pause` lets the engine answer other messages during training. */
export async function vanishingProfile(
  args: Requests['vanishing']['args'],
  pause: () => Promise<void>,
): Promise<Requests['vanishing']['result']> {
  const model = new AddingModel(args.cell, args.hidden, new Generator(args.seed));
  try {
    const probe = addingBatch(args.length, PROBE_SIZE, new Generator(args.seed + 1));
    const init = gradientProfile(model, probe);
    const params = model.parameters();
    const optimizer = new Adam(params, { lr: LEARNING_RATE });
    const data = new Generator(args.seed + 2);
    for (let step = 0; step < args.steps; step++) {
      optimizer.zeroGrad();
      const batch = addingBatch(args.length, TRAIN_BATCH, data);
      backward(() => model.loss(batch), params).dispose();
      clipGradNorm(params, 1);
      optimizer.step();
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
