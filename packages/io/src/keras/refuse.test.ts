/**
 * What PyTorch's modules cannot compute is refused, naming the layer, the key or class, and its value.
 * Each model is built and saved by tfjs-layers; where tfjs-layers cannot build it, a save with one edit.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { WeightFileError } from '../errors.js';
import { readTfjsLayers } from './read.js';
import { configsOf, copy, layerEntries } from './testing/edit.js';
import { type Artifacts, save, seeded, tfl, useCpu } from './testing/tfjs.js';

beforeAll(useCpu);

const T = 4;
const sigmoid = { recurrentActivation: 'sigmoid' as const };

/** A Sequential model of the given layers, the first taking [T, 3]. */
function sequential(...layers: tfl.layers.Layer[]): tfl.Sequential {
  const model = tfl.sequential();
  for (const layer of layers) model.add(layer);
  return model;
}

const first = { inputShape: [T, 3] };
const lstm = (args: object = {}) =>
  tfl.layers.lstm({ units: 2, returnSequences: true, ...sigmoid, ...seeded(1), ...args });

/** Models tfjs-layers builds and saves as they are. */
const built: [string, () => tfl.LayersModel, RegExp][] = [
  [
    'hard_sigmoid (tfjs-layers’ default recurrent activation)',
    () => sequential(tfl.layers.lstm({ units: 2, ...seeded(2), ...first })),
    /layer 0 \(LSTM "[^"]+"\): recurrent_activation = "hard_sigmoid" is refused: it is a piecewise-linear approximation of the sigmoid/,
  ],
  [
    'a reset-before GRU (reset_after = false)',
    () => sequential(tfl.layers.gru({ units: 2, ...sigmoid, ...seeded(3), ...first })),
    /layer 0 \(GRU "[^"]+"\): reset_after = false is refused: that is the "reset before" GRU/,
  ],
  [
    'a Dense head',
    () => sequential(lstm({ returnSequences: false, ...first }), tfl.layers.dense({ units: 1 })),
    /layer 1 \(Dense "[^"]+"\) is a Dense layer: Recur reads models that are exactly one recurrent stack/,
  ],
  [
    'a Masking layer in front',
    () => sequential(tfl.layers.masking({ inputShape: [T, 3] }), lstm()),
    /layer 0 \(Masking "[^"]+"\) is a Masking layer/,
  ],
  [
    'recurrent_dropout',
    () => sequential(lstm({ recurrentDropout: 0.2, ...first })),
    /layer 0 \(LSTM "[^"]+"\): recurrent_dropout = 0.2 is refused: PyTorch's LSTM has no dropout on the recurrent state/,
  ],
  [
    'dropout',
    () => sequential(lstm({ dropout: 0.1, ...first })),
    /layer 0 \(LSTM "[^"]+"\): dropout = 0.1 is refused: Keras drops this layer's inputs with one mask per sequence/,
  ],
  [
    'go_backwards',
    () => sequential(lstm({ goBackwards: true, ...first })),
    /layer 0 \(LSTM "[^"]+"\): go_backwards = true is refused: no PyTorch module runs only backwards/,
  ],
  [
    'stateful',
    () => sequential(lstm({ stateful: true, batchInputShape: [2, T, 3] })),
    /layer 0 \(LSTM "[^"]+"\): stateful = true is refused: the layer carries its state from one batch to the next/,
  ],
  [
    'an LSTM activation other than tanh',
    () => sequential(lstm({ activation: 'relu', ...first })),
    /layer 0 \(LSTM "[^"]+"\): activation = "relu" is refused: PyTorch's LSTM computes "tanh" there/,
  ],
  [
    'a SimpleRNN activation other than tanh or relu',
    () => sequential(tfl.layers.simpleRNN({ units: 2, activation: 'sigmoid', ...seeded(4), ...first })),
    /layer 0 \(SimpleRNN "[^"]+"\): activation = "sigmoid" is refused: PyTorch's RNN computes "tanh" or "relu" there/,
  ],
  [
    'Bidirectional with merge_mode sum',
    () => sequential(tfl.layers.bidirectional({ layer: lstm(), mergeMode: 'sum', ...first })),
    /layer 0 \(Bidirectional "[^"]+"\): merge_mode = "sum" is refused: PyTorch's bidirectional modules concatenate/,
  ],
  [
    'two kinds of layer',
    () => sequential(lstm(first), tfl.layers.simpleRNN({ units: 2, ...seeded(5) })),
    /layer 1 \(SimpleRNN "[^"]+"\) is a SimpleRNN after a LSTM .*: a PyTorch module has one kind of layer/,
  ],
  [
    'layers of different sizes',
    () => sequential(lstm(first), lstm({ units: 3 })),
    /layer 1 \(LSTM "[^"]+"\) differs from layer 0 \(LSTM "[^"]+"\) in units \(3, not 2\)/,
  ],
  [
    'a Bidirectional layer on a plain one',
    () => sequential(lstm(first), tfl.layers.bidirectional({ layer: lstm() })),
    /layer 1 \(Bidirectional "[^"]+"\) differs from layer 0 .* in being Bidirectional/,
  ],
  [
    'a functional model with two branches',
    () => {
      const input = tfl.input({ shape: [T, 3] });
      const a = lstm().apply(input) as tfl.SymbolicTensor;
      const b = lstm().apply(input) as tfl.SymbolicTensor;
      return tfl.model({
        inputs: input,
        outputs: tfl.layers.concatenate().apply([a, b]) as tfl.SymbolicTensor,
      });
    },
    /"concatenate_Concatenate\d+" takes 2 inputs: Recur reads one chain of layers/,
  ],
];

/** Saves of a plain 2-layer LSTM with one edit tfjs-layers would not make itself. */
const edits: [string, (a: Artifacts) => void, RegExp][] = [
  [
    'return_sequences = false on a layer that is not the last',
    (a) => {
      configsOf(a, 'LSTM')[0]!.return_sequences = false;
    },
    /layer 0 \(LSTM "[^"]+"\): return_sequences = false is refused: the next layer of a stacked PyTorch module reads every step/,
  ],
  [
    'a recurrent activation that is neither sigmoid nor given',
    (a) => {
      delete configsOf(a, 'LSTM')[1]!.recurrent_activation;
    },
    /layer 1 \(LSTM "[^"]+"\): recurrent_activation = absent is refused: PyTorch's LSTM gates use "sigmoid" \(Keras versions differ/,
  ],
  [
    'a key Recur does not know',
    (a) => {
      configsOf(a, 'LSTM')[0]!.peepholes = true;
    },
    /layer 0 \(LSTM "[^"]+"\): peepholes = true is not a LSTM setting Recur knows/,
  ],
  [
    'a 16-bit dtype policy',
    (a) => {
      configsOf(a, 'LSTM')[0]!.dtype = 'mixed_float16';
    },
    /dtype = "mixed_float16" is refused: Recur reads layers that compute in float32/,
  ],
  [
    'a graph model',
    (a) => {
      a.format = 'graph-model';
    },
    /format = "graph-model": Recur reads tfjs "layers-model" files/,
  ],
  [
    'a model class Recur does not read',
    (a) => {
      (a.modelTopology as { class_name: string }).class_name = 'Custom';
    },
    /modelTopology.class_name is "Custom": Recur reads Sequential models and functional models/,
  ],
];

describe('refused, naming the layer and the key or class', () => {
  it.each(built)('%s', async (_, build, message) => {
    const model = build();
    const saved = await save(model);
    expect(() => readTfjsLayers(saved)).toThrow(WeightFileError);
    expect(() => readTfjsLayers(saved)).toThrow(message);
    model.dispose();
  });

  it.each(edits)('%s', async (_, edit, message) => {
    const model = sequential(lstm(first), lstm());
    const saved = await save(model);
    expect(readTfjsLayers(saved).module.module).toBe('LSTM');
    const edited = copy(saved);
    edit(edited);
    expect(() => readTfjsLayers(edited)).toThrow(WeightFileError);
    expect(() => readTfjsLayers(edited)).toThrow(message);
    model.dispose();
  });
});

describe('read, because they do not change what is computed', () => {
  it.each([
    ['unroll', { unroll: true }],
    ['unit_forget_bias', { unitForgetBias: true }],
    ['regularizers and constraints', { kernelRegularizer: 'l1l2', recurrentConstraint: 'maxNorm' }],
  ] as const)('%s', async (_, args) => {
    const model = sequential(lstm(first), lstm(args));
    const saved = await save(model);
    const entries = layerEntries(saved).filter((e) => e.class_name === 'LSTM');
    expect(entries).toHaveLength(2);
    const read = readTfjsLayers(saved);
    expect(read.module.options).toMatchObject({ numLayers: 2, hiddenSize: 2, inputSize: 3 });
    model.dispose();
  });

  it('return_state on the last layer (its outputs are the same; the metadata says it)', async () => {
    const model = sequential(lstm(first), lstm());
    const saved = copy(await save(model));
    configsOf(saved, 'LSTM')[1]!.return_state = true;
    expect(readTfjsLayers(saved).metadata['keras.return_state']).toBe('true');
    configsOf(saved, 'LSTM')[0]!.return_state = true;
    expect(() => readTfjsLayers(saved)).toThrow(
      /return_state = true on a layer that is not the last is refused/,
    );
    model.dispose();
  });
});
