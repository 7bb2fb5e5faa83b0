/**
 * The GRU gate order against tfjs-layers itself. tfjs-layers builds only reset-before GRUs
 * (hh = tanh(x·W_h + b_h + (r⊙h)·U_h)), which Recur refuses; a reset-after GRU computes
 * hh = tanh(x·W_h + b_h + r⊙(h·U_h + b_rh)). With U_h = 0 and b_rh = 0 both are tanh(x·W_h + b_h): the
 * same function. So a tfjs-layers GRU whose U_h is zeroed, saved and edited to reset_after = true with a
 * zero recurrent bias, must read into a Recur GRU that returns what tfjs-layers' predict returns — which
 * checks z|r|h → r|z|n, the transposes and the input bias against the real system (r still acts on z's
 * and the new state's inputs through the gates; U_z, U_r stay random).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { WeightFileError } from '../errors.js';
import { maxDifference } from '../onnx/testing/run-module.js';
import { readTfjsLayers } from './read.js';
import { configsOf, replaceWeights, weightsOf } from './testing/edit.js';
import { recurPredict } from './testing/recur.js';
import { predict, save, seeded, sequence, tf, tfl, useCpu } from './testing/tfjs.js';

beforeAll(useCpu);

const T = 7;
const N = 2;

const models: [string, number, () => tfl.Sequential, 'sequence' | 'final-state'][] = [
  [
    'GRU, 1 layer',
    3,
    () => {
      const model = tfl.sequential();
      model.add(
        tfl.layers.gru({
          units: 4,
          returnSequences: true,
          recurrentActivation: 'sigmoid',
          inputShape: [T, 3],
          ...seeded(90),
        }),
      );
      return model;
    },
    'sequence',
  ],
  [
    'Bidirectional GRU, 2 layers, last state only',
    2,
    () => {
      const model = tfl.sequential();
      for (let k = 0; k < 2; k++) {
        const layer = tfl.layers.gru({
          units: 3,
          returnSequences: k === 0,
          recurrentActivation: 'sigmoid',
          ...seeded(95 + k),
        });
        model.add(tfl.layers.bidirectional({ layer, ...(k === 0 ? { inputShape: [T, 2] } : {}) }));
      }
      return model;
    },
    'final-state',
  ],
];

describe('GRU gate order against tfjs-layers (where reset-before and reset-after coincide)', () => {
  it.each(models)('%s', async (_, inputSize, build, output) => {
    const model = build();
    // U_h = 0: the last third of every recurrent kernel's columns.
    model.setWeights(
      model.getWeights().map((w, i) => {
        const values = w.dataSync().slice();
        if (model.weights[i]!.originalName.endsWith('recurrent_kernel')) {
          const [rows, cols] = w.shape as [number, number];
          for (let r = 0; r < rows; r++) values.fill(0, r * cols + (2 * cols) / 3, (r + 1) * cols);
        }
        return tf.tensor(values, w.shape);
      }),
    );
    const saved = await save(model);
    expect(() => readTfjsLayers(saved)).toThrow(/reset_after = false is refused/);
    for (const config of configsOf(saved, 'GRU')) config.reset_after = true;
    // bias [3H] → [2, 3H]: the input bias, then a zero recurrent bias.
    const edited = replaceWeights(
      saved,
      weightsOf(saved).map((w) =>
        w.name.endsWith('/bias')
          ? { data: [...w.data, ...new Array(w.data.length).fill(0)], shape: [2, w.data.length] }
          : w,
      ),
    );
    const read = readTfjsLayers(edited);
    expect(read.module.module).toBe('GRU');
    expect(read.metadata['keras.output']).toBe(output);
    const input = sequence([N, T, inputSize], 3);
    const theirs = predict(model, input);
    expect(maxDifference(recurPredict(read, input), theirs)).toBeLessThan(1e-5);

    // Swapping z and r (reading Keras' chunks in PyTorch's order) is caught: the check has teeth.
    const swapped = replaceWeights(
      edited,
      weightsOf(edited).map((w) => {
        if (!w.name.endsWith('kernel')) return w;
        const [rows, cols] = w.shape as [number, number];
        const h = cols / 3;
        const data = w.data.slice();
        for (let r = 0; r < rows; r++) {
          data.set(w.data.subarray(r * cols + h, r * cols + 2 * h), r * cols);
          data.set(w.data.subarray(r * cols, r * cols + h), r * cols + h);
        }
        return { ...w, data };
      }),
    );
    expect(maxDifference(recurPredict(readTfjsLayers(swapped), input), theirs)).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('a GRU layer tfjs-layers saves is refused naming reset_after (tfjs-layers cannot build reset-after GRUs)', async () => {
    expect(() => tfl.layers.gru({ units: 2, resetAfter: true } as { units: number })).toThrow(/reset_after/);
    const model = models[0]![2]();
    const saved = await save(model);
    expect(() => readTfjsLayers(saved)).toThrow(WeightFileError);
    expect(() => readTfjsLayers(saved)).toThrow(
      /layer 0 \(GRU "[^"]+"\): reset_after = false is refused: that is the "reset before" GRU/,
    );
    model.dispose();
  });
});
