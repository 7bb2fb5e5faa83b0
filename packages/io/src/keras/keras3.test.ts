/**
 * Models built and saved by Keras 3.15 itself (`tools/fixtures/keras3.py`, JAX backend) read from their
 * `.keras` and legacy `.h5` files into Recur modules that return what `model.predict` returned (within
 * 1e-5), with the weights PyTorch was checked on; what PyTorch cannot compute is refused by name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { WeightFileError } from '../errors.js';
import { readWeightBytes } from '../formats.js';
import { maxDifference } from '../onnx/testing/run-module.js';
import { readKeras, readKerasWeights } from './keras3.js';
import { recurPredict } from './testing/recur.js';

const dir = fileURLToPath(new URL('../../../../fixtures/keras3/', import.meta.url));
const bytes = (name: string) => new Uint8Array(readFileSync(dir + name));

interface Truth {
  module: string;
  options: Record<string, unknown>;
  output: 'sequence' | 'final-state';
  input: { shape: number[]; data: number[] };
  expected: { shape: number[]; data: number[] };
  tensors: Record<string, { shape: number[]; data: number[] }>;
}

const models = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -5))
  .sort();

function expectRefused(run: () => unknown, message: RegExp): void {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(WeightFileError);
  expect((error as WeightFileError).format).toBe('keras');
  expect((error as Error).message).toMatch(message);
}

describe('Keras 3 files read into the module Keras ran', () => {
  it('has the fixtures', () => expect(models.length).toBeGreaterThanOrEqual(9));

  for (const name of models) {
    for (const ext of ['.keras', '.h5']) {
      it(`${name}${ext}`, () => {
        const truth = JSON.parse(readFileSync(`${dir}${name}.json`, 'utf8')) as Truth;
        const read = readKeras(bytes(name + ext));
        expect(read.module.module).toBe(truth.module);
        expect(read.module.options).toMatchObject(truth.options);
        expect(read.metadata['keras.output']).toBe(truth.output);
        expect(read.metadata['keras.version']).toBe('3.15.1');
        // The same values PyTorch was checked on (tools/fixtures/keras3.py maps them in numpy).
        expect(Object.keys(read.tensors).sort()).toEqual(Object.keys(truth.tensors).sort());
        for (const [k, t] of Object.entries(truth.tensors)) {
          expect(read.tensors[k]!.shape).toEqual(t.shape);
          expect(Array.from(read.tensors[k]!.data)).toEqual(t.data);
        }
        const got = recurPredict(read, truth.input);
        expect(got.shape).toEqual(truth.expected.shape);
        expect(maxDifference(got, truth.expected)).toBeLessThan(1e-5);
      });
    }
  }

  it('maps Dropout between every pair of layers to PyTorch dropout, and says when it cannot', () => {
    const between = readKeras(bytes('lstm-l3-dropout-i2h3-seq.keras'));
    expect(between.module.options.dropout).toBe(0.25);
    expect(between.metadata['keras.dropout']).toMatch(/"dropout", "dropout_1" between the recurrent layers/);
    const before = readKeras(bytes('functional-gru-i2h3-last.keras'));
    expect(before.module.options.dropout).toBe(0);
    expect(before.metadata['keras.dropout']).toMatch(/identity at inference and were left out/);
  });

  it('reads a weights-only .weights.h5 with the config.json it belongs to, and refuses it alone', () => {
    const whole = readKeras(bytes('lstm-i3h4-seq.keras'));
    const config = unzipSync(bytes('lstm-i3h4-seq.keras'))['config.json']!;
    const weights = readKerasWeights(bytes('lstm-i3h4-seq.weights.h5'), config);
    expect(weights.tensors).toEqual(whole.tensors);
    expect(weights.metadata['keras.format']).toBe('weights.h5');
    expectRefused(
      () => readKeras(bytes('lstm-i3h4-seq.weights.h5')),
      /no model_config attribute: it holds weights only .* readKerasWeights/,
    );
  });

  it('is the codec for .keras and .h5', () => {
    expect(readWeightBytes('x.keras', bytes('gru-i3h4-seq.keras')).metadata['recur.module']).toBe('GRU');
    expect(readWeightBytes('x.h5', bytes('gru-i3h4-seq.h5')).metadata['recur.module']).toBe('GRU');
  });
});

describe('what PyTorch cannot compute is refused, naming the layer, the key and its value', () => {
  it.each([
    ['gru-reset-before-i3h4.keras', /layer 1 \(GRU "gru_\d+"\): reset_after = false is refused/],
    [
      'lstm-hard-sigmoid-i3h4.keras',
      /layer 1 \(LSTM "lstm_\d+"\): recurrent_activation = "hard_sigmoid" is refused/,
    ],
    ['lstm-go-backwards-i3h4.keras', /layer 1 \(LSTM "lstm_\d+"\): go_backwards = true is refused/],
    ['lstm-dense-i3h4.keras', /layer 2 \(Dense "dense"\) is a Dense layer/],
  ])('%s', (file, message) => expectRefused(() => readKeras(bytes(file)), message));
});

/** The `.keras` fixture with entries replaced (or removed, given undefined). */
function rezip(file: string, change: Record<string, Uint8Array | undefined>): Uint8Array {
  const entries: Record<string, Uint8Array> = { ...unzipSync(bytes(file)) };
  for (const [k, v] of Object.entries(change)) {
    if (v === undefined) delete entries[k];
    else entries[k] = v;
  }
  return zipSync(entries, { level: 0 });
}

/** Enough of a Keras 3 `config.json` to edit it. */
interface KerasConfig {
  class_name: string;
  config: { layers: { config: Record<string, unknown> }[] };
}

function editConfig(file: string, edit: (config: KerasConfig) => void): Uint8Array {
  const config = JSON.parse(new TextDecoder().decode(unzipSync(bytes(file))['config.json']!)) as KerasConfig;
  edit(config);
  return rezip(file, { 'config.json': new TextEncoder().encode(JSON.stringify(config)) });
}

describe('malformed files end in a WeightFileError naming the part', () => {
  const keras = bytes('lstm-l2-i3h4-last.keras');
  const h5 = bytes('lstm-l2-i3h4-last.h5');

  it.each([
    ['empty', new Uint8Array(0), /neither a Keras 3 \.keras archive .* nor an HDF5/],
    ['text', new TextEncoder().encode('{"class_name": "Sequential"}'), /neither a Keras 3/],
    ['a truncated .keras', keras.subarray(0, keras.length >> 1), /not a readable zip archive/],
    ['a .keras cut in its directory', keras.subarray(0, keras.length - 30), /not a readable zip|declares/],
    ['a truncated .h5', h5.subarray(0, 600), /the \.h5 file: .* cannot be read/],
    ['an .h5 cut to its signature', h5.subarray(0, 8), /the \.h5 file: .* cannot be read/],
  ])('%s', (_, file, message) => expectRefused(() => readKeras(file), message));

  it('a .keras without config.json or model.weights.h5', () => {
    expectRefused(
      () => readKeras(rezip('lstm-i3h4-seq.keras', { 'config.json': undefined })),
      /no config\.json: not a Keras 3 \.keras file/,
    );
    expectRefused(
      () => readKeras(rezip('lstm-i3h4-seq.keras', { 'model.weights.h5': undefined })),
      /has no model\.weights\.h5/,
    );
  });

  it('a model.weights.h5 that is not HDF5, or damaged', () => {
    expectRefused(
      () => readKeras(rezip('lstm-i3h4-seq.keras', { 'model.weights.h5': new Uint8Array(100) })),
      /model\.weights\.h5 is not an HDF5 file/,
    );
    const inner = unzipSync(bytes('lstm-i3h4-seq.keras'))['model.weights.h5']!;
    expectRefused(
      () => readKeras(rezip('lstm-i3h4-seq.keras', { 'model.weights.h5': inner.subarray(0, 2000) })),
      /model\.weights\.h5: .* cannot be read/,
    );
  });

  it('config.json that is not JSON, or not a Keras model', () => {
    expectRefused(
      () => readKeras(rezip('lstm-i3h4-seq.keras', { 'config.json': new TextEncoder().encode('{') })),
      /config\.json is not JSON/,
    );
    expectRefused(
      () => readKeras(editConfig('lstm-i3h4-seq.keras', (c) => (c.class_name = 'Frobnicator'))),
      /config\.json\.class_name is "Frobnicator"/,
    );
  });

  it('weights whose shapes differ from the config (checked before they are read)', () => {
    expectRefused(
      () => readKeras(editConfig('lstm-i3h4-seq.keras', (c) => (c.config.layers[1].config.units = 5))),
      /"lstm\/cell\/kernel" has shape \[3, 16\], expected kernel \[input features, gates·units\] = \[3, 20\]/,
    );
    expectRefused(
      () =>
        readKeras(
          editConfig('lstm-i3h4-seq.keras', (c) => (c.config.layers[0].config.batch_shape = [null, 5, 7])),
        ),
      /declares 7 input features, but layer 1 \(LSTM "lstm"\)'s kernel has 3 rows/,
    );
  });

  it('a config naming a layer the weights do not hold', () => {
    expectRefused(
      () =>
        readKeras(editConfig('lstm-i3h4-seq.keras', (c) => c.config.layers.splice(1, 0, c.config.layers[1]))),
      /layer 2 \(LSTM "lstm"\) and layer 1 \(LSTM "lstm"\) are both named "lstm"/,
    );
  });
});
