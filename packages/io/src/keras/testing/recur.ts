/**
 * What a Keras model returns, computed by Recur from what `readTfjsLayers` read: the whole output
 * (`keras.output = sequence`) or the last layer's final state, directions concatenated (`final-state`).
 */
import type { TensorData } from '@recur/core';
import type { InferredModule } from '../../infer.js';
import { buildModule, type Kind, runModule } from '../../onnx/testing/run-module.js';
import type { WeightFile } from '../../tensor-entry.js';

/** Runs the module `read` describes on `input` and returns what the Keras model would. */
export function recurPredict(read: WeightFile & { module: InferredModule }, input: TensorData): TensorData {
  // Inference, as model.predict: a mapped Keras Dropout (options.dropout) drops nothing in eval mode.
  const module = buildModule(read.module.module as Kind, read.module.options, read.tensors).eval();
  const { output, hn } = runModule(module, input);
  if (read.metadata['keras.output'] === 'sequence') return output;
  // h_n is [D·L, N, H]: the last layer's rows, each [N, H], side by side per batch row.
  const D = read.module.options.bidirectional ? 2 : 1;
  const [rows, N, H] = hn.shape as [number, number, number];
  const data: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) {
      const row = rows - D + d;
      for (let h = 0; h < H; h++) data.push(hn.data[(row * N + n) * H + h]!);
    }
  }
  return { shape: [N, D * H], data };
}
