/**
 * The Keras ↔ PyTorch mapping against PyTorch's own numbers (fixtures/onnx: state dicts, inputs and
 * outputs from torch 1.13). LSTM and SimpleRNN: PyTorch's weights mapped to Keras' layout run in
 * tfjs-layers give PyTorch's outputs, and the model tfjs-layers saves reads back into a Recur module that
 * gives them too — the mapping checked both ways against two real systems. GRU: tfjs-layers cannot run a
 * reset-after GRU (its GRUCell throws on resetAfter: true), so PyTorch's GRU weights mapped to Keras'
 * reset-after layout (z|r|h, bias [2, 3H]) in a tfjs-layers save edited to reset_after = true read back to
 * PyTorch's exact state dict and outputs; `gru.test.ts` checks the gate order against tfjs-layers itself.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { maxDifference } from '../onnx/testing/run-module.js';
import { readTfjsLayers } from './read.js';
import { configsOf, replaceWeights } from './testing/edit.js';
import { recurPredict } from './testing/recur.js';
import { predict, save, tf, tfl, useCpu } from './testing/tfjs.js';
import { batchMajor, kerasWeights, type TorchFixture, torchFixtures } from './testing/torch.js';

beforeAll(useCpu);

/** A tfjs-layers model shaped like the fixture's module, every layer returning sequences. */
function kerasModel(f: TorchFixture, T: number): tfl.Sequential {
  const { inputSize, hiddenSize: units, nonlinearity } = f.options;
  const model = tfl.sequential();
  const bidirectional = f.options.bidirectional ?? false;
  for (let k = 0; k < (f.options.numLayers ?? 1); k++) {
    const shape = k === 0 ? { inputShape: [T, inputSize] } : {};
    const common = {
      units,
      returnSequences: true,
      useBias: f.options.bias !== false,
      recurrentInitializer: 'glorotUniform' as const,
      ...(bidirectional ? {} : shape),
    };
    const layer =
      f.module === 'LSTM'
        ? tfl.layers.lstm({ ...common, recurrentActivation: 'sigmoid' })
        : f.module === 'GRU'
          ? tfl.layers.gru({ ...common, recurrentActivation: 'sigmoid' })
          : tfl.layers.simpleRNN({ ...common, activation: nonlinearity ?? 'tanh' });
    model.add(bidirectional ? tfl.layers.bidirectional({ layer, ...shape }) : layer);
  }
  return model;
}

const lstmAndRnn = [...torchFixtures('LSTM'), ...torchFixtures('RNN')];
const grus = torchFixtures('GRU');

describe('PyTorch LSTM and RNN weights through tfjs-layers and back', () => {
  it('has fixtures: 1–3 layers, bidirectional, batch-first, no bias', () => {
    const names = lstmAndRnn.map((f) => f.file);
    for (const tag of [
      'lstm-l1-i3h4',
      'lstm-l1-bi-nobias',
      'lstm-l2-bi-bf',
      'rnn-tanh-l1',
      'rnn-tanh-l3-bf-nobias',
    ])
      expect(names.some((n) => n.startsWith(tag))).toBe(true);
  });

  it.each(lstmAndRnn.map((f) => [f.file, f] as const))('%s', async (_, f) => {
    const { input, output } = batchMajor(f);
    const model = kerasModel(f, input.shape[1]!);
    model.setWeights(kerasWeights(f).map((w) => tf.tensor(w.data, w.shape)));
    // PyTorch's weights, mapped to Keras' layout, computed by tfjs-layers: PyTorch's outputs.
    expect(maxDifference(predict(model, input), output)).toBeLessThan(1e-5);
    // What tfjs-layers saves reads back into a Recur module with PyTorch's outputs and weights.
    const read = readTfjsLayers(await save(model));
    expect(read.module.module).toBe(f.module);
    expect(read.module.options).toMatchObject({
      inputSize: f.options.inputSize,
      hiddenSize: f.options.hiddenSize,
      numLayers: f.options.numLayers ?? 1,
      bidirectional: f.options.bidirectional ?? false,
      bias: f.options.bias ?? true,
    });
    for (const [name, t] of Object.entries(f.tensors)) {
      if (name.startsWith('bias_')) continue; // Keras keeps their sum only
      expect(Array.from(read.tensors[name]!.data)).toEqual(Array.from(new Float32Array(t.data)));
    }
    expect(maxDifference(recurPredict(read, input), output)).toBeLessThan(1e-5);
    model.dispose();
  });
});

describe('PyTorch GRU weights in Keras reset-after form', () => {
  it('has fixtures: 1 and 2 layers, no bias, float64', () => {
    expect(grus.map((f) => f.file)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^gru-l1-i3h4/),
        expect.stringMatching(/nobias/),
        expect.stringMatching(/-f64-/),
      ]),
    );
  });

  it.each(grus.map((f) => [f.file, f] as const))('%s reads to the state dict and outputs', async (_, f) => {
    const { input, output } = batchMajor(f);
    const model = kerasModel(f, input.shape[1]!);
    const saved = await save(model);
    for (const config of configsOf(saved, 'GRU')) config.reset_after = true;
    const read = readTfjsLayers(replaceWeights(saved, kerasWeights(f)));
    expect(read.module).toMatchObject({ module: 'GRU' });
    expect(Object.keys(read.tensors).sort()).toEqual(Object.keys(f.tensors).sort());
    for (const [name, t] of Object.entries(f.tensors))
      expect(Array.from(read.tensors[name]!.data)).toEqual(Array.from(new Float32Array(t.data)));
    expect(maxDifference(recurPredict(read, input), output)).toBeLessThan(1e-5);
    model.dispose();
  });
});
