/**
 * Engine side of the gradient-agreement panel: d loss / d parameter for one fixed batch, on a fresh
 * model of the requested dtype and path loaded with the given weights. Every engine computes the
 * same batch from the same weights, so the page can compare them with backend-js in float64.
 */
import { Generator, tidy, valueAndGrads } from '@recur/core';
import type { Requests } from '../engine/protocol.js';
import { createTask } from '../tasks/index.js';
import { disposeModel, loadPlainState, namedParameters } from '../tasks/task.js';

/** Runs the `gradients` request. */
export function taskGradients(args: Requests['gradients']['args']): Requests['gradients']['result'] {
  const task = createTask(args.task, args.config.seed);
  const model = task.createModel(
    { ...args.config, path: args.path },
    args.dtype,
    new Generator(args.config.seed),
  );
  try {
    if (args.state !== undefined) loadPlainState(model, args.state);
    const named = namedParameters(model);
    const batch = task.batch(args.config.batch, new Generator(args.batchSeed));
    const grads = tidy(() => {
      const { grads } = valueAndGrads(
        () => model.loss(batch),
        named.map(([, p]) => p.value),
      );
      return grads.map((g) => Float64Array.from(g.toArray()));
    });
    return { names: named.map(([n]) => n), grads, path: model.recurrent.lastPath ?? 'none' };
  } finally {
    disposeModel(model);
  }
}
