/**
 * Models built and saved by tfjs-layers itself read into Recur modules that return what
 * `model.predict` returns (within 1e-5), whether the model returns the whole sequence or the last state.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { floatToFloat16 } from '../half.js';
import { inferModule } from '../infer.js';
import { maxDifference } from '../onnx/testing/run-module.js';
import { readTfjsLayers, readTfjsLayersFiles } from './read.js';
import { recurPredict } from './testing/recur.js';
import {
  type Artifacts,
  modelJson,
  predict,
  save,
  seeded,
  sequence,
  tf,
  tfl,
  useCpu,
} from './testing/tfjs.js';

beforeAll(useCpu);

type Layers = typeof tfl.layers;
type Build = (layers: Layers) => tfl.LayersModel;

const T = 6;
const N = 3;

/** A Sequential model of `make(k)` for each layer k, on input [N, T, inputSize]. */
function stack(
  inputSize: number,
  count: number,
  make: (k: number, common: object) => tfl.layers.Layer,
): Build {
  return () => {
    const model = tfl.sequential();
    for (let k = 0; k < count; k++) {
      model.add(make(k, k === 0 ? { inputShape: [T, inputSize] } : {}));
    }
    return model;
  };
}

const cases: [string, number, Build, Record<string, unknown>][] = [
  [
    'LSTM, 1 layer, return_sequences',
    3,
    stack(3, 1, (k, c) =>
      tfl.layers.lstm({
        units: 4,
        returnSequences: true,
        recurrentActivation: 'sigmoid',
        ...seeded(10 + k),
        ...c,
      }),
    ),
    { module: 'LSTM', hiddenSize: 4, numLayers: 1, output: 'sequence' },
  ],
  [
    'LSTM, 2 stacked layers, last state only',
    2,
    stack(2, 2, (k, c) =>
      tfl.layers.lstm({
        units: 3,
        returnSequences: k === 0,
        recurrentActivation: 'sigmoid',
        ...seeded(20 + k),
        ...c,
      }),
    ),
    { module: 'LSTM', hiddenSize: 3, numLayers: 2, output: 'final-state' },
  ],
  [
    'LSTM without bias',
    3,
    stack(3, 2, (k, c) =>
      tfl.layers.lstm({
        units: 2,
        returnSequences: true,
        useBias: false,
        recurrentActivation: 'sigmoid',
        ...seeded(30 + k),
        ...c,
      }),
    ),
    { module: 'LSTM', bias: false, numLayers: 2, output: 'sequence' },
  ],
  [
    'LSTM with bias on layer 0 only (zeros for layer 1)',
    2,
    stack(2, 2, (k, c) =>
      tfl.layers.lstm({
        units: 3,
        returnSequences: true,
        useBias: k === 0,
        recurrentActivation: 'sigmoid',
        ...seeded(35 + k),
        ...c,
      }),
    ),
    { module: 'LSTM', bias: true, numLayers: 2, output: 'sequence' },
  ],
  [
    'Bidirectional LSTM, 2 layers, concat',
    3,
    stack(3, 2, (k, c) =>
      tfl.layers.bidirectional({
        layer: tfl.layers.lstm({
          units: 3,
          returnSequences: true,
          recurrentActivation: 'sigmoid',
          ...seeded(40 + k),
        }),
        mergeMode: 'concat',
        ...c,
      }),
    ),
    { module: 'LSTM', bidirectional: true, numLayers: 2, output: 'sequence' },
  ],
  [
    'Bidirectional LSTM, last state only (the backward half is its state at t = 0)',
    2,
    stack(2, 1, (k, c) =>
      tfl.layers.bidirectional({
        layer: tfl.layers.lstm({ units: 4, recurrentActivation: 'sigmoid', ...seeded(45 + k) }),
        ...c,
      }),
    ),
    { module: 'LSTM', bidirectional: true, output: 'final-state' },
  ],
  [
    'SimpleRNN tanh, 2 layers',
    4,
    stack(4, 2, (k, c) => tfl.layers.simpleRNN({ units: 5, returnSequences: true, ...seeded(50 + k), ...c })),
    { module: 'RNN', nonlinearity: 'tanh', numLayers: 2, output: 'sequence' },
  ],
  [
    'SimpleRNN relu, last state only',
    3,
    stack(3, 1, (k, c) => tfl.layers.simpleRNN({ units: 4, activation: 'relu', ...seeded(60 + k), ...c })),
    { module: 'RNN', nonlinearity: 'relu', output: 'final-state' },
  ],
  [
    'Bidirectional SimpleRNN, 3 layers, last state only',
    2,
    stack(2, 3, (k, c) =>
      tfl.layers.bidirectional({
        layer: tfl.layers.simpleRNN({ units: 2, returnSequences: k < 2, ...seeded(70 + k) }),
        ...c,
      }),
    ),
    { module: 'RNN', bidirectional: true, numLayers: 3, output: 'final-state' },
  ],
  [
    'a functional model: input → LSTM → LSTM',
    3,
    () => {
      const input = tfl.input({ shape: [T, 3] });
      let x = tfl.layers
        .lstm({ units: 4, returnSequences: true, recurrentActivation: 'sigmoid', ...seeded(80) })
        .apply(input) as tfl.SymbolicTensor;
      x = tfl.layers
        .lstm({ units: 4, returnSequences: true, recurrentActivation: 'sigmoid', ...seeded(81) })
        .apply(x) as tfl.SymbolicTensor;
      return tfl.model({ inputs: input, outputs: x });
    },
    { module: 'LSTM', numLayers: 2, output: 'sequence' },
  ],
  [
    'Dropout between two LSTM layers: PyTorch dropout (identity in predict)',
    2,
    () => {
      const model = tfl.sequential();
      const lstm = (k: number, c: object) =>
        tfl.layers.lstm({
          units: 3,
          returnSequences: true,
          recurrentActivation: 'sigmoid',
          ...seeded(90 + k),
          ...c,
        });
      model.add(lstm(0, { inputShape: [T, 2] }));
      model.add(tfl.layers.dropout({ rate: 0.4 }));
      model.add(lstm(1, {}));
      return model;
    },
    { module: 'LSTM', numLayers: 2, dropout: 0.4, output: 'sequence' },
  ],
];

describe('tfjs-layers models read into Recur', () => {
  it.each(cases)('%s: Recur returns what model.predict returns', async (_, inputSize, build, expected) => {
    const model = build(tfl.layers);
    const artifacts = await save(model);
    const read = readTfjsLayers(artifacts);
    const { module: kind, output, ...options } = expected;
    expect(read.module.module).toBe(kind);
    expect(read.module.options).toMatchObject({ inputSize, batchFirst: true, ...options });
    expect(read.metadata['keras.output']).toBe(output);
    // The metadata says the same, so `recur convert` carries the module to other formats.
    expect(inferModule(read.tensors, read.metadata)).toMatchObject({
      module: kind,
      options: read.module.options,
    });
    const input = sequence([N, T, inputSize], inputSize);
    const theirs = predict(model, input);
    const ours = recurPredict(read, input);
    expect(ours.shape).toEqual(theirs.shape);
    expect(maxDifference(ours, theirs)).toBeLessThan(1e-5);
    model.dispose();
  });

  it('reads a model.json and its weight shards as files (readTfjsLayersFiles), the same as the artifacts', async () => {
    const model = cases[4]![2](tfl.layers);
    const artifacts = await save(model);
    const { json, shards } = modelJson(artifacts, 100);
    expect(shards.size).toBeGreaterThan(3);
    const asked: string[] = [];
    const fromFiles = readTfjsLayersFiles(new TextEncoder().encode(json), (path) => {
      asked.push(path);
      return shards.get(path)!;
    });
    expect(asked).toEqual([...shards.keys()]);
    const fromArtifacts = readTfjsLayers(artifacts);
    expect(Object.keys(fromFiles.tensors)).toEqual(Object.keys(fromArtifacts.tensors));
    for (const [name, t] of Object.entries(fromArtifacts.tensors)) expect(fromFiles.tensors[name]).toEqual(t);
    // The JSON text and a list of shards read the same too.
    expect(readTfjsLayers(json, [...shards.values()]).tensors).toEqual(fromArtifacts.tensors);
    expect(fromFiles.metadata['tfjs.generatedBy']).toMatch(/^TensorFlow\.js tfjs-layers v4\./);
    model.dispose();
  });

  it('names the weights as PyTorch does, W = kernelᵀ, LSTM bias_hh = 0', async () => {
    const model = cases[0]![2](tfl.layers);
    const artifacts = await save(model);
    const read = readTfjsLayers(artifacts);
    expect(Object.keys(read.tensors)).toEqual(['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']);
    const [kernel, recurrent, bias] = model.getWeights().map((w) => ({ shape: w.shape, data: w.dataSync() }));
    expect(kernel!.shape).toEqual([3, 16]);
    const W = read.tensors.weight_ih_l0!;
    expect(W.shape).toEqual([16, 3]);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 16; j++) expect(W.data[j * 3 + i]).toBe(kernel!.data[i * 16 + j]);
    expect(read.tensors.weight_hh_l0!.shape).toEqual([16, 4]);
    expect(recurrent!.shape).toEqual([4, 16]);
    expect(Array.from(read.tensors.bias_ih_l0!.data)).toEqual(Array.from(bias!.data));
    expect(Array.from(read.tensors.bias_hh_l0!.data)).toEqual(new Array(16).fill(0));
    expect(read.tensors.bias_ih_l0!.stored).toBe('float32');
    model.dispose();
  });
});

/** The artifacts with every float32 weight stored as the tensorflowjs converter quantizes it. */
function quantize(artifacts: Artifacts, dtype: 'float16' | 'uint8'): Artifacts {
  const view = new DataView(artifacts.weightData as ArrayBuffer);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const encoded: number[] = [];
  let at = 0;
  for (const spec of artifacts.weightSpecs!) {
    const size = spec.shape.reduce((n, d) => n * d, 1);
    const values = Array.from({ length: size }, (_, i) => view.getFloat32(at + i * 4, true));
    at += size * 4;
    if (dtype === 'float16') {
      for (const v of values) {
        const half = floatToFloat16(v);
        encoded.push(half & 0xff, half >>> 8);
      }
      specs.push({ ...spec, quantization: { dtype: 'float16' } });
    } else {
      const min = Math.min(...values);
      const scale = (Math.max(...values) - min) / 255;
      for (const v of values) encoded.push(Math.round((v - min) / scale));
      specs.push({ ...spec, quantization: { dtype: 'uint8', scale, min } });
    }
  }
  return { ...artifacts, weightSpecs: specs, weightData: new Uint8Array(encoded).buffer };
}

describe('quantized weights, as the tensorflowjs converter writes them', () => {
  it.each(['float16', 'uint8'] as const)(
    '%s: Recur returns what tfjs returns after loading them',
    async (dtype) => {
      const model = cases[1]![2](tfl.layers);
      const artifacts = quantize(await save(model), dtype);
      const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
      const read = readTfjsLayers(artifacts);
      expect(read.tensors.weight_ih_l0!.stored).toBe(dtype === 'float16' ? 'float16' : 'float32');
      expect(Object.values(JSON.parse(read.metadata['tfjs.quantization']!))).toEqual(
        new Array(6).fill(dtype),
      );
      const input = sequence([N, T, 2], 5);
      expect(maxDifference(recurPredict(read, input), predict(loaded, input))).toBeLessThan(1e-5);
      model.dispose();
      loaded.dispose();
    },
  );
});
