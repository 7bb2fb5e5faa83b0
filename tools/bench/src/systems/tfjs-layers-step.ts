/**
 * One tfjs-layers benchmark step, shared by the Node references and the browser page (webgl): the
 * model a tfjs user would build, and its forward or training step. Imports tfjs only as types, so
 * each side brings its own (one) tfjs-core instance.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Cell, Mode, Workload } from '../workloads.js';

/** The `@tensorflow/tfjs-core` namespace. */
type Tf = typeof tfc;

/** The `@tensorflow/tfjs-layers` namespace. */
export type Layers = typeof tfl;

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

/** A prepared tfjs-layers measurement: `run()` performs one step synchronously. */
export interface LayersStep {
  run(): void;
  dispose(): void;
}

/**
 * Builds the model and input of one measurement on the active tfjs backend. A forward step keeps
 * nothing; a training step computes `mean(out²)` and the gradient of every weight with
 * `tf.variableGrads`, then reads the loss. `readOutput` also reads the forward's output back, so that
 * an asynchronous engine (webgl) has finished the step when `run` returns.
 */
export function prepareLayersStep(
  tf: Tf,
  layers: Layers,
  cell: Cell,
  w: Workload,
  mode: Mode,
  readOutput = false,
): LayersStep {
  const model = buildModel(layers, cell, w.steps, w.inputSize, w.hiddenSize, w.layers);
  const x = tf.randomNormal([w.batch, w.steps, w.inputSize], 0, 1, 'float32', 0);
  const vars = model.trainableWeights.map((v) => v.read() as tfc.Variable);
  const forward = (): tfc.Tensor => model.apply(x) as tfc.Tensor;
  const run =
    mode === 'forward'
      ? () =>
          tf.tidy(() => {
            const out = forward();
            if (readOutput) out.dataSync();
          })
      : () =>
          tf.tidy(() => {
            const { value } = tf.variableGrads(() => tf.mean(tf.square(forward())) as tfc.Scalar, vars);
            value.dataSync();
          });
  return {
    run,
    dispose() {
      model.dispose();
      x.dispose();
    },
  };
}
