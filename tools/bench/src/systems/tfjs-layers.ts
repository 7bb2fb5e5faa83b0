/**
 * tfjs-layers as the reference a tfjs user would pick: `tf.layers.lstm/gru/simpleRNN`
 * (`returnSequences: true`, `recurrentActivation: 'sigmoid'`) stacked in a `tf.sequential`, on the
 * same tfjs engine as the Recur backend it is compared with; gradients with `tf.variableGrads`.
 *
 * Porting notes: tfjs-layers' GRU is the "reset before" variant (it rejects `resetAfter: true`), so
 * its GRU is not PyTorch's, but it is the GRU a tfjs user gets. Weights use `glorotUniform` for both
 * kernels: the default orthogonal recurrent initializer only slows set-up (QR on the host), not steps.
 */
import { oneLine } from './backends.js';
import { activateEngine, loadTf, type Tf, type TfjsEngine } from './tfjs-engine.js';
import { checkSharedEngine, type Layers, prepareLayersStep } from './tfjs-layers-step.js';
import type { Contender, PreparedStep } from './types.js';

/** Loads tfjs-layers once. */
let loading: Promise<Layers> | undefined;
function loadLayers(): Promise<Layers> {
  loading ??= import('@tensorflow/tfjs-layers');
  return loading;
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
      const prepared = prepareLayersStep(tfa, layers!, cell, w, mode);
      return {
        async step() {
          // Another group may have switched the engine since prepare: switch back outside the timing.
          if (tfa.getBackend() !== engine) await activateEngine(engine);
          const start = performance.now();
          prepared.run();
          return performance.now() - start;
        },
        path: () => null,
        async dispose() {
          prepared.dispose();
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
