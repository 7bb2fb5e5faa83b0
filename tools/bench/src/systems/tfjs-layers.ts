/**
 * tfjs-layers as the reference a tfjs user would pick: `tf.layers.lstm/gru/simpleRNN`
 * (`returnSequences: true`, `recurrentActivation: 'sigmoid'`) stacked in a `tf.sequential`, on the
 * same tfjs engine as the Recur backend it is compared with; gradients with `tf.variableGrads`.
 *
 * Porting notes: tfjs-layers' GRU is the "reset before" variant (it rejects `resetAfter: true`), so
 * its GRU is not PyTorch's, but it is the GRU a tfjs user gets. Weights use `glorotUniform` for both
 * kernels: the default orthogonal recurrent initializer only slows set-up (QR on the host), not steps.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Cell } from '../workloads.js';
import { oneLine } from './backends.js';
import { activateEngine, loadTf, type Tf, type TfjsEngine } from './tfjs-engine.js';
import type { Contender, PreparedStep } from './types.js';

type Layers = typeof tfl;

/** Whether tfjs-layers computes on the same tfjs-core instance (and so the same engine) as Recur. */
export type SharedEngineCheck = { shared: true } | { shared: false; reason: string };

/**
 * Checks that tfjs-layers resolved the same `@tensorflow/tfjs-core` module instance as the bench
 * and the Recur tfjs backends (one engine): a layer applied to a tensor made here must return an
 * instance of this tfjs-core's `Tensor`, registered in this engine. Needs an active tfjs backend.
 */
export function checkSharedEngine(tf: Tf, layers: Layers): SharedEngineCheck {
  return tf.tidy(() => {
    const before = tf.engine().state.numTensors;
    const x = tf.ones([1, 2]);
    const y = layers.layers.activation({ activation: 'relu' }).apply(x);
    if (!(y instanceof tf.Tensor)) {
      return {
        shared: false as const,
        reason: 'tfjs-layers returned a tensor of another tfjs-core instance',
      };
    }
    if (tf.engine().state.numTensors < before + 2) {
      return {
        shared: false as const,
        reason: "tfjs-layers' tensors are not registered in this tfjs engine",
      };
    }
    return { shared: true as const };
  });
}

/** Loads tfjs-layers once. */
let loading: Promise<Layers> | undefined;
function loadLayers(): Promise<Layers> {
  loading ??= import('@tensorflow/tfjs-layers');
  return loading;
}

function buildModel(layers: Layers, cell: Cell, t: number, i: number, h: number, l: number): tfl.Sequential {
  const model = layers.sequential();
  for (let k = 0; k < l; k++) {
    const common = {
      units: h,
      returnSequences: true,
      kernelInitializer: 'glorotUniform' as const,
      recurrentInitializer: 'glorotUniform' as const,
      ...(k === 0 ? { inputShape: [t, i] } : {}),
    };
    model.add(
      cell === 'lstm'
        ? layers.layers.lstm({ ...common, recurrentActivation: 'sigmoid' })
        : cell === 'gru'
          ? layers.layers.gru({ ...common, recurrentActivation: 'sigmoid' })
          : layers.layers.simpleRNN({ ...common, activation: 'tanh' }),
    );
  }
  return model;
}

/**
 * The `tfjs-layers-<name>` contender on tfjs backend `engine`. It is `unavailable` (all rows skipped)
 * when the engine does not start or tfjs-layers would use a separate engine.
 */
export async function tfjsLayersContender(name: string, engine: TfjsEngine): Promise<Contender> {
  let unavailable: string | undefined;
  let tf: Tf | undefined;
  let layers: Layers | undefined;
  try {
    tf = await activateEngine(engine);
    layers = await loadLayers();
    const check = checkSharedEngine(tf, layers);
    if (!check.shared) unavailable = check.reason;
  } catch (error) {
    unavailable = oneLine(error);
  }
  return {
    system: `tfjs-layers-${name}`,
    requestedPath: null,
    kernel: null,
    group: engine,
    unavailable,
    async prepare(cell, w, mode): Promise<PreparedStep> {
      const tfa = await activateEngine(engine);
      const model = buildModel(layers!, cell, w.steps, w.inputSize, w.hiddenSize, w.layers);
      const x = tfa.randomNormal([w.batch, w.steps, w.inputSize], 0, 1, 'float32', 0);
      const vars = model.trainableWeights.map((v) => v.read() as tfc.Variable);
      const forward = (): tfc.Tensor => model.apply(x) as tfc.Tensor;
      const run =
        mode === 'forward'
          ? () => tfa.tidy(() => void forward())
          : () =>
              tfa.tidy(() => {
                const { value } = tfa.variableGrads(
                  () => tfa.mean(tfa.square(forward())) as tfc.Scalar,
                  vars,
                );
                value.dataSync();
              });
      return {
        async step() {
          // Another group may have switched the engine since prepare: switch back outside the timing.
          if (tfa.getBackend() !== engine) await activateEngine(engine);
          const start = performance.now();
          run();
          return performance.now() - start;
        },
        path: () => null,
        async dispose() {
          model.dispose();
          x.dispose();
        },
      };
    },
  };
}

/** The tfjs-core version the references and the Recur tfjs backends share, if tfjs loads. */
export async function tfjsVersion(): Promise<string | null> {
  try {
    return (await loadTf()).version_core;
  } catch {
    return null;
  }
}
