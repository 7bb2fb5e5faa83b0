/**
 * The speed panel's reference: the same task built from `tf.layers` (what a TensorFlow.js user would
 * write), trained with tfjs's Adam on the same tfjs engine as the Recur backend beside it, on the
 * same batches. Only for engines that run tfjs (wasm, tfjs-cpu, webgl).
 *
 * Porting notes: tfjs-layers' GRU is the "reset before" variant (not PyTorch's), its recurrent
 * activation is set to sigmoid (its default is hard sigmoid), and the name generator's list
 * conditioning of the initial state is left out: tf.layers has no simple way to feed it. The
 * shapes and the work per step are the same.
 */
import { Generator } from '@recur/core';
import type { ForecastBatch, ListedName } from '@recur/datasets';
import { encodeName, forecastInputSize, nameAlphabet } from '@recur/datasets';
import type * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelConfig, TaskName } from '../engine/protocol.js';
import { createTask } from '../tasks/index.js';
import type { LabelledName } from '../tasks/names-data.js';
import { median, WARMUP_STEPS } from './timing.js';

type Tf = typeof tfc;
type Layers = typeof tfl;

/** The recurrent stack; the last layer returns every step when `sequences`. */
function recurrentLayers(layers: Layers, config: ModelConfig, sequences: boolean, bidirectional: boolean) {
  return Array.from({ length: config.layers }, (_, k) => {
    const common = {
      units: config.hidden,
      returnSequences: sequences || k < config.layers - 1,
      // Not the default orthogonal recurrent initializer: its QR on the host only slows the set-up
      // (and warns above 2000 elements); the initial values do not change the time of a step.
      kernelInitializer: 'glorotUniform' as const,
      recurrentInitializer: 'glorotUniform' as const,
    };
    const layer =
      config.cell === 'lstm'
        ? layers.layers.lstm({ ...common, recurrentActivation: 'sigmoid' })
        : config.cell === 'gru'
          ? layers.layers.gru({ ...common, recurrentActivation: 'sigmoid' })
          : layers.layers.simpleRNN({ ...common, activation: 'tanh' });
    return bidirectional ? layers.layers.bidirectional({ layer, mergeMode: 'concat' }) : layer;
  });
}

/** Batch-major ids `[N, T]` padded with 0 (tf.layers' `maskZero`). */
function padIds(sequences: readonly number[][]): { ids: number[][]; steps: number } {
  const steps = Math.max(...sequences.map((s) => s.length));
  return { ids: sequences.map((s) => [...s, ...new Array<number>(steps - s.length).fill(0)]), steps };
}

/** A model and a loss on one batch, per task. */
function buildStep(tf: Tf, layers: Layers, taskName: TaskName, config: ModelConfig, batch: unknown) {
  const model = layers.sequential();
  const vocabulary = nameAlphabet.length;
  if (taskName === 'classify') {
    const names = batch as readonly LabelledName[];
    const { ids, steps } = padIds(names.map((n) => encodeName(n.name).slice(1)));
    model.add(
      layers.layers.embedding({ inputDim: vocabulary, outputDim: 16, maskZero: true, inputShape: [steps] }),
    );
    for (const l of recurrentLayers(layers, config, false, config.bidirectional)) model.add(l);
    model.add(layers.layers.dense({ units: 2 }));
    const x = tf.tensor2d(ids, undefined, 'int32');
    const y = tf.oneHot(
      tf.tensor1d(
        names.map((n) => n.label),
        'int32',
      ),
      2,
    );
    return {
      model,
      inputs: [x, y],
      loss: () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tfc.Tensor),
    };
  }
  if (taskName === 'generate') {
    const names = batch as readonly ListedName[];
    const encoded = names.map((n) => encodeName(n.name));
    const { ids: inputs, steps } = padIds(encoded.map((e) => e.slice(0, -1)));
    const { ids: targets } = padIds(encoded.map((e) => e.slice(1)));
    model.add(
      layers.layers.embedding({ inputDim: vocabulary, outputDim: 16, maskZero: true, inputShape: [steps] }),
    );
    for (const l of recurrentLayers(layers, config, true, false)) model.add(l);
    model.add(layers.layers.timeDistributed({ layer: layers.layers.dense({ units: vocabulary }) }));
    const x = tf.tensor2d(inputs, undefined, 'int32');
    const flat = targets.flat();
    const y = tf.oneHot(tf.tensor1d(flat, 'int32'), vocabulary);
    const weights = tf.tensor1d(flat.map((id) => (id === 0 ? 0 : 1)));
    const loss = () =>
      tf.losses.softmaxCrossEntropy(
        y,
        tf.reshape(model.apply(x) as tfc.Tensor, [flat.length, vocabulary]),
        weights,
      );
    return { model, inputs: [x, y, weights], loss };
  }
  const b = batch as ForecastBatch;
  const n = b.scales.length;
  const horizon = b.targets.length / n;
  const total = b.inputs.length / (n * forecastInputSize);
  // Time-major [T, N, I] → batch-major [N, T, I], as tf.layers wants.
  const x = tf.transpose(tf.tensor3d(b.inputs, [total, n, forecastInputSize]), [1, 0, 2]);
  const y = tf.transpose(tf.tensor3d(b.targets, [horizon, n, 1]), [1, 0, 2]);
  model.add(layers.layers.inputLayer({ inputShape: [total, forecastInputSize] }));
  for (const l of recurrentLayers(layers, config, true, config.bidirectional)) model.add(l);
  model.add(layers.layers.timeDistributed({ layer: layers.layers.dense({ units: 1 }) }));
  const loss = () =>
    tf.losses.absoluteDifference(
      y,
      tf.slice(model.apply(x) as tfc.Tensor, [0, total - horizon, 0], [n, horizon, 1]),
    );
  return { model, inputs: [x, y], loss };
}

/**
 * Median milliseconds of one tf.layers training step (forward, loss, gradients, Adam) of the task's
 * model, on the tfjs engine that is active in this worker. Each step ends by reading a weight back.
 */
export async function timeLayersStep(
  taskName: TaskName,
  config: ModelConfig,
  reps: number,
  pause: () => Promise<void>,
): Promise<number> {
  const tf = await import('@tensorflow/tfjs-core');
  // tfjs-core alone registers neither gradients nor chained ops (`x.flatten()`); Recur needs none of
  // them (its ops carry their own gradients), but tf.layers needs both. `@tensorflow/tfjs` would add them.
  await import('@tensorflow/tfjs-core/dist/register_all_gradients');
  await import('@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops');
  const layers = await import('@tensorflow/tfjs-layers');
  const batch = createTask(taskName, config.seed).batch(config.batch, new Generator(config.seed + 5));
  const { model, inputs, loss } = buildStep(tf, layers, taskName, config, batch);
  const optimizer = tf.train.adam(config.lr, 0.9, 0.999, 1e-8);
  try {
    const variables = model.trainableWeights.map((w) => w.read() as tfc.Variable);
    const last = variables[variables.length - 1]!;
    const samples: number[] = [];
    for (let i = 0; i < WARMUP_STEPS + reps; i++) {
      const start = performance.now();
      tf.tidy(() => {
        optimizer.minimize(() => loss() as tfc.Scalar, false, variables);
      });
      last.dataSync();
      if (i >= WARMUP_STEPS) samples.push(performance.now() - start);
      await pause();
    }
    return median(samples);
  } finally {
    optimizer.dispose();
    model.dispose();
    tf.dispose(inputs);
  }
}
