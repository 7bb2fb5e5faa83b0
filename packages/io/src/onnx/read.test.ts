/**
 * Models exported by PyTorch itself (`tools/fixtures/onnx_models.py` → `fixtures/onnx/`) import to
 * exactly their state_dict, with the module's options, and give PyTorch's outputs in Recur.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inferModule } from '../infer.js';
import { readOnnx } from './read.js';
import { buildModule, type Kind, maxDifference, runModule } from './testing/run-module.js';

const dir = fileURLToPath(new URL('../../../../fixtures/onnx/', import.meta.url));

interface Data {
  shape: number[];
  data: number[];
}

interface Fixture {
  module: Kind;
  options: Record<string, unknown>;
  opset: number;
  stored: 'float32' | 'float64' | 'float16';
  tensors: Record<string, Data>;
  input: Data;
  h0?: Data;
  c0?: Data;
  output: Data;
  hn: Data;
  cn?: Data;
}

const files = readdirSync(dir).filter((f) => f.endsWith('.onnx'));
const fixture = (file: string): Fixture =>
  JSON.parse(readFileSync(dir + file.replace(/\.onnx$/, '.json'), 'utf8')) as Fixture;

/** PyTorch's defaults, so an option the generator left out is compared with what it means. */
const defaults = { numLayers: 1, bias: true, batchFirst: false, bidirectional: false };

describe('ONNX models exported by PyTorch', () => {
  it('cover every kind, opsets 14 and 17, float_data, float16 and float64 initializers', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const kind of ['rnn', 'lstm', 'gru']) expect(files.some((f) => f.startsWith(`${kind}-`))).toBe(true);
    for (const tag of [
      '-op14',
      '-op17',
      '.float-data.',
      '.f16.',
      '-f64-',
      '-bi-',
      '-bf-',
      '-nobias-',
      '-h0',
    ]) {
      expect(files.some((f) => f.includes(tag))).toBe(true);
    }
  });

  it.each(files)('%s imports to the exact state_dict, options and PyTorch outputs', (file) => {
    const truth = fixture(file);
    const read = readOnnx(new Uint8Array(readFileSync(dir + file)));
    expect(read.module.module).toBe(truth.module);
    expect(read.module.options).toMatchObject({ ...defaults, ...truth.options });
    if (truth.module === 'RNN')
      expect(read.module.options.nonlinearity).toBe(truth.options.nonlinearity ?? 'tanh');
    expect(Object.keys(read.tensors)).toEqual(Object.keys(truth.tensors));
    for (const [name, t] of Object.entries(truth.tensors)) {
      const got = read.tensors[name]!;
      expect(got.shape).toEqual(t.shape);
      expect(got.stored).toBe(truth.stored);
      expect(Array.from(got.data)).toEqual(t.data);
    }
    // The metadata says the same, so `recur convert` carries the module over to other formats.
    expect(inferModule(read.tensors, read.metadata)).toMatchObject({
      module: truth.module,
      options: read.module.options,
    });
    expect(read.metadata['onnx.opset']).toBe(String(truth.opset));
    if (truth.h0) expect(read.metadata['onnx.h0']).toBe('h0');
    if (truth.c0) expect(read.metadata['onnx.c0']).toBe('c0');

    const module = buildModule(
      truth.module,
      read.module.options,
      read.tensors,
      truth.stored === 'float64' ? 'float64' : 'float32',
    );
    const ours = runModule(module, truth.input, truth.h0, truth.c0);
    expect(maxDifference(ours.output, truth.output)).toBeLessThan(1e-5);
    expect(maxDifference(ours.hn, truth.hn)).toBeLessThan(1e-5);
    if (truth.cn) expect(maxDifference(ours.cn!, truth.cn)).toBeLessThan(1e-5);
  });
});
