/**
 * Malformed or inconsistent model.json files and weight data end in a WeightFileError naming what is
 * wrong, checked before anything is decoded; and the tensorflowjs converter's way of writing a Keras
 * model (topology under `model_config`, an InputLayer, weight names with the cell's scope) reads too.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { WeightFileError } from '../errors.js';
import { maxDifference } from '../onnx/testing/run-module.js';
import { readTfjsLayers, readTfjsLayersFiles } from './read.js';
import { copy } from './testing/edit.js';
import { recurPredict } from './testing/recur.js';
import {
  type Artifacts,
  modelJson,
  predict,
  save,
  seeded,
  sequence,
  tfl,
  useCpu,
  weightBytes,
} from './testing/tfjs.js';

const T = 5;
let model: tfl.Sequential;
let saved: Artifacts;

beforeAll(async () => {
  await useCpu();
  model = tfl.sequential();
  for (let k = 0; k < 2; k++) {
    const layer = tfl.layers.lstm({
      units: 3,
      returnSequences: true,
      recurrentActivation: 'sigmoid',
      ...seeded(7 + k),
    });
    model.add(tfl.layers.bidirectional({ layer, ...(k === 0 ? { inputShape: [T, 2] } : {}) }));
  }
  saved = await save(model);
});

const specs = (a: Artifacts) =>
  a.weightSpecs as { name: string; shape: number[]; dtype: string; [k: string]: unknown }[];

const edits: [string, (a: Artifacts) => unknown, RegExp][] = [
  [
    'weight data one byte short',
    (a) => (a.weightData = weightBytes(a).slice(0, -1).buffer),
    /needs bytes .* which has only/,
  ],
  [
    'weight data one byte long',
    (a) => (a.weightData = new Uint8Array([...weightBytes(a), 0]).buffer),
    /the weight specs describe \d+ bytes, but the weight data has \d+/,
  ],
  [
    'a kernel of the wrong shape',
    (a) => (specs(a)[0]!.shape = [3, 12]),
    /needs bytes|has shape \[3, 12\], expected kernel/,
  ],
  [
    'a kernel of the wrong shape, same size',
    (a) => (specs(a)[6]!.shape = [12, 6]),
    /layer 1 \(Bidirectional "[^"]+"\): "[^"]+\/forward_[^"]+\/kernel" has shape \[12, 6\], expected kernel \[input features, gates·units\] = \[6, 12\]/,
  ],
  [
    'an int32 weight',
    (a) => (specs(a)[1]!.dtype = 'int32'),
    /"[^"]+\/recurrent_kernel" is stored as "int32"; Recur reads float32 weights/,
  ],
  ['a string weight', (a) => (specs(a)[1]!.dtype = 'string'), /has dtype "string"; tfjs stores float32/],
  ['a negative dimension', (a) => (specs(a)[2]!.shape = [-12]), /shape\[0\] .* must be an integer in \[0, /],
  ['a fractional dimension', (a) => (specs(a)[2]!.shape = [11.5]), /must be an integer/],
  ['a huge dimension', (a) => (specs(a)[2]!.shape = [2 ** 40]), /must be an integer in \[0, /],
  ['a name given twice', (a) => (specs(a)[1]!.name = specs(a)[0]!.name), /weight "[^"]+" is listed twice/],
  [
    'a weight of no layer',
    (a) => {
      specs(a).push({ name: 'dense/kernel', shape: [1], dtype: 'float32' });
      a.weightData = new Uint8Array([...weightBytes(a), 0, 0, 0, 0]).buffer;
    },
    /weight "dense\/kernel" belongs to none of the recurrent layers/,
  ],
  [
    'a weight outside forward_ and backward_',
    (a) => (specs(a)[0]!.name = specs(a)[0]!.name.replace('/forward_', '/sideways_')),
    /is in neither the forward_… nor the backward_… layer of Bidirectional/,
  ],
  [
    'a missing bias',
    (a) => (specs(a)[2]!.name = `${specs(a)[2]!.name}_x`),
    /is not a kernel, recurrent_kernel or bias/,
  ],
  [
    'a quantization without scale',
    (a) => (specs(a)[0]!.quantization = { dtype: 'uint8', min: 0 }),
    /quantization.scale .* must be a finite number/,
  ],
  [
    'an unknown quantization',
    (a) => (specs(a)[0]!.quantization = { dtype: 'int4' }),
    /quantization.dtype "int4"/,
  ],
  ['no weight specs', (a) => (a.weightSpecs = undefined), /neither weightsManifest nor weightSpecs/],
  ['no weight data', (a) => (a.weightData = undefined), /no weight data was given/],
  ['no topology', (a) => (a.modelTopology = undefined), /has no modelTopology/],
  [
    'layers that are not objects',
    (a) => ((a.modelTopology as { config: { layers: unknown[] } }).config.layers[1] = 7),
    /layers\[1\] must be a JSON object, got 7/,
  ],
  [
    'units that are not a number',
    (a) =>
      ((a.modelTopology as { config: { layers: { config: { layer: { config: { units: unknown } } } }[] } })
        .config.layers[0]!.config.layer.config.units = '3'),
    /units must be an integer in \[1, /,
  ],
  [
    'an empty Sequential',
    (a) => ((a.modelTopology as { config: { layers: unknown[] } }).config.layers = []),
    /has no layers/,
  ],
];

describe('malformed files are refused before anything is decoded', () => {
  it.each(edits)('%s', (_, edit, message) => {
    const a = copy(saved);
    edit(a);
    expect(() => readTfjsLayers(a)).toThrow(WeightFileError);
    expect(() => readTfjsLayers(a)).toThrow(message);
  });

  it('text that is not JSON, JSON that is not an object, bytes that are not UTF-8', () => {
    expect(() => readTfjsLayers('{"modelTopology": ')).toThrow(/the model JSON is not JSON/);
    expect(() => readTfjsLayers('[1, 2]')).toThrow(/the model JSON must be a JSON object/);
    expect(() => readTfjsLayersFiles(new Uint8Array([0xff, 0xfe]), () => new Uint8Array())).toThrow(
      /model.json is not UTF-8 text/,
    );
    const { json } = modelJson(saved);
    expect(readTfjsLayers(new TextEncoder().encode(json), weightBytes(saved)).tensors).toEqual(
      readTfjsLayers(saved).tensors,
    );
    expect(() => readTfjsLayers(saved, [new Uint8Array(4), 'x' as never])).toThrow(
      /weight data shard 1 must be/,
    );
  });

  it('shard paths stay beside model.json; a missing shard is named', () => {
    const { json } = modelJson(saved);
    const withPath = (path: string) =>
      json.replace(/"paths":\["[^"]+"\]/, `"paths":[${JSON.stringify(path)}]`);
    for (const path of [
      '../secret.bin',
      '/etc/passwd',
      'a/../../b.bin',
      'C:\\w.bin',
      'https://example.com/w.bin',
      '',
    ])
      expect(() =>
        readTfjsLayersFiles(new TextEncoder().encode(withPath(path)), () => new Uint8Array()),
      ).toThrow(/is refused: weight files are read beside model.json/);
    expect(() =>
      readTfjsLayersFiles(new TextEncoder().encode(json), () => {
        throw new Error('ENOENT: no such file');
      }),
    ).toThrow(/weight file "group1-shard1of1.bin" named by weightsManifest\[0\] cannot be read: ENOENT/);
  });

  it('every truncation of the weight data and every byte flip of model.json ends in a WeightFileError or reads', () => {
    const bytes = weightBytes(saved);
    for (let n = 0; n < bytes.length; n += 7)
      expect(() => readTfjsLayers({ ...saved, weightData: bytes.slice(0, n).buffer })).toThrow(
        WeightFileError,
      );
    const { json } = modelJson(saved);
    const text = new TextEncoder().encode(json);
    let refused = 0;
    for (let i = 0; i < text.length; i += 3) {
      const flipped = text.slice();
      flipped[i] = flipped[i]! ^ 0x21;
      try {
        readTfjsLayersFiles(flipped, () => bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(WeightFileError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });
});

describe('the tensorflowjs converter’s form of a Keras model', () => {
  it('model_config, an InputLayer, keras names with the cell scope (lstm/lstm_cell/kernel): read as tfjs computes', () => {
    // What `tensorflowjs_converter --input_format keras` writes for this model in tf.keras 2.x.
    const topology = saved.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } };
    const layers = topology.config.layers.map((l, k) => {
      const config = structuredClone(l.config);
      config.name = k === 0 ? 'bidirectional' : `bidirectional_${k}`;
      delete config.batch_input_shape;
      const inner = (config.layer as { config: Record<string, unknown> }).config;
      inner.name = k === 0 ? 'lstm' : `lstm_${k}`;
      inner.time_major = false;
      inner.unit_forget_bias = true;
      inner.implementation = 2;
      return { class_name: 'Bidirectional', config };
    });
    const names = saved.weightSpecs!.map((s) => {
      const [layer, direction, leaf] = s.name.split('/') as [string, string, string];
      const k = topology.config.layers.findIndex((l) => l.config.name === layer);
      const wrapper = k === 0 ? 'bidirectional' : `bidirectional_${k}`;
      const inner = k === 0 ? 'lstm' : `lstm_${k}`;
      return `${wrapper}/${direction.startsWith('forward') ? 'forward' : 'backward'}_${inner}/lstm_cell/${leaf}`;
    });
    const converted = {
      format: 'layers-model',
      generatedBy: 'keras v2.15.0',
      convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: {
        keras_version: '2.15.0',
        backend: 'tensorflow',
        model_config: {
          class_name: 'Sequential',
          config: {
            name: 'sequential',
            layers: [
              {
                class_name: 'InputLayer',
                config: {
                  batch_input_shape: [null, T, 2],
                  dtype: 'float32',
                  sparse: false,
                  ragged: false,
                  name: 'input_1',
                },
              },
              ...layers,
            ],
          },
        },
        training_config: { loss: 'mse' },
      },
      weightsManifest: [
        {
          paths: ['group1-shard1of1.bin'],
          weights: saved.weightSpecs!.map((s, i) => ({ ...s, name: names[i] })),
        },
      ],
    };
    const read = readTfjsLayersFiles(new TextEncoder().encode(JSON.stringify(converted)), () =>
      weightBytes(saved),
    );
    expect(read.metadata).toMatchObject({
      'keras.version': '2.15.0',
      'keras.layers': '["bidirectional","bidirectional_1"]',
    });
    const input = sequence([2, T, 2], 9);
    expect(maxDifference(recurPredict(read, input), predict(model, input))).toBeLessThan(1e-5);
    // The declared input size is checked against the kernel.
    converted.modelTopology.model_config.config.layers[0]!.config.batch_input_shape = [null, T, 3];
    expect(() => readTfjsLayers(converted, weightBytes(saved))).toThrow(
      /the model declares 3 input features, but layer 1 \(Bidirectional "bidirectional"\)'s kernel has 2 rows/,
    );
  });
});
