/** safetensors files written by PyTorch read back exactly; ours read back in Recur and (see tools) in PyTorch. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createJsBackend } from '@recur/backend-js';
import { GRU, GRUCell, LSTM, LSTMCell, type Module, RNN, RNNCell } from '@recur/core';
import { describe, expect, it } from 'vitest';
import { WeightFileError } from '../errors.js';
import { inferModule } from '../infer.js';
import { readSafetensors } from './read.js';
import { writeSafetensors } from './write.js';

const dir = fileURLToPath(new URL('../../../../fixtures/weights/', import.meta.url));
const backend = createJsBackend();
const constructors = { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell } as const;

interface Truth {
  module: keyof typeof constructors;
  options: Record<string, unknown>;
  dtype: string;
  tensors: Record<string, { shape: number[]; data: number[] }>;
}

const files = readdirSync(dir).filter((f) => f.endsWith('.safetensors'));

describe('safetensors written by PyTorch', () => {
  it('covers every module of the fixtures and four dtypes', () => {
    expect(files.length).toBeGreaterThanOrEqual(16);
  });

  it.each(files)('%s reads back exactly, in order, and loads into its module', (file) => {
    const truth = JSON.parse(readFileSync(dir + file.replace(/\.safetensors$/, '.json'), 'utf8')) as Truth;
    const read = readSafetensors(readFileSync(dir + file));
    expect(Object.keys(read.tensors)).toEqual(Object.keys(truth.tensors));
    for (const [name, t] of Object.entries(truth.tensors)) {
      const got = read.tensors[name]!;
      expect(got.shape).toEqual(t.shape);
      expect(got.stored).toBe(truth.dtype);
      expect(got.data).toBeInstanceOf(truth.dtype === 'float64' ? Float64Array : Float32Array);
      expect(Array.from(got.data)).toEqual(t.data);
    }
    const inferred = inferModule(read.tensors, read.metadata);
    expect(inferred?.module).toBe(truth.module);
    // Shapes give every option but those they cannot reveal (batchFirst, nonlinearity).
    const { batchFirst, nonlinearity, ...fromShapes } = truth.options;
    expect(inferred!.options).toMatchObject(fromShapes);
    const dtype = truth.dtype === 'float64' ? 'float64' : 'float32';
    const Ctor = constructors[truth.module] as unknown as new (options: object) => Module;
    const module = new Ctor({ ...truth.options, backend, dtype });
    module.loadStateDict(read.tensors);
    for (const [name, p] of module.namedParameters())
      expect(p.value.toList()).toEqual(Array.from(read.tensors[name]!.data));
    module.dispose();
  });
});

describe('writeSafetensors', () => {
  it('round-trips a module with its kind and options in __metadata__, in every dtype', () => {
    const lstm = new LSTM({
      inputSize: 3,
      hiddenSize: 4,
      numLayers: 2,
      projSize: 2,
      bidirectional: true,
      backend,
    });
    const metadata = {
      'recur.module': 'LSTM',
      'recur.options': JSON.stringify({
        inputSize: 3,
        hiddenSize: 4,
        numLayers: 2,
        projSize: 2,
        bidirectional: true,
      }),
    };
    for (const dtype of ['float32', 'float64', 'float16', 'bfloat16'] as const) {
      const bytes = writeSafetensors(lstm.stateDict(), { dtype, metadata });
      expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
      const read = readSafetensors(bytes);
      expect(read.metadata).toMatchObject({ format: 'pt', ...metadata });
      expect(inferModule(read.tensors, read.metadata)).toMatchObject({ module: 'LSTM', source: 'metadata' });
      for (const [name, p] of lstm.namedParameters()) {
        const original = p.value.toList();
        const back = Array.from(read.tensors[name]!.data);
        const tolerance = dtype === 'float16' ? 2 ** -11 : dtype === 'bfloat16' ? 2 ** -8 : 0;
        for (const [i, v] of back.entries()) {
          expect(Math.abs(v - original[i]!)).toBeLessThanOrEqual(tolerance * Math.abs(original[i]!));
        }
      }
    }
  });
});

/** A valid file with a header of our choosing, for the malformed cases. */
function withHeader(header: unknown, dataBytes = 0, headerLength?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength ?? json.length), true);
  out.set(json, 8);
  return out;
}

describe('malformed safetensors get a WeightFileError naming the problem', () => {
  const t = (dtype: string, shape: unknown, offsets: unknown) => ({
    w: { dtype, shape, data_offsets: offsets },
  });
  const cases: [string, Uint8Array, RegExp][] = [
    ['fewer than 8 bytes', new Uint8Array(5), /5 bytes, fewer than the 8-byte header length/],
    [
      'a header length past the end',
      withHeader({}, 0, 1e12),
      /header length is 1000000000000 bytes, but the file has only 2 after it/,
    ],
    ['a header that is not JSON', withHeader('{"w": '), /header is not UTF-8 JSON/],
    ['a header that is an array', withHeader([1, 2]), /header must be a JSON object, got an array/],
    [
      'an integer dtype',
      withHeader(t('I64', [1], [0, 8]), 8),
      /tensor "w": dtype I64 is not a floating-point type/,
    ],
    ['an unknown dtype', withHeader(t('Q7', [1], [0, 4]), 4), /tensor "w": unknown dtype "Q7"/],
    [
      'a negative dimension',
      withHeader(t('F32', [-1], [0, 4]), 4),
      /tensor "w": shape must be an array of non-negative integers/,
    ],
    [
      'a huge shape with 4 bytes of data',
      withHeader(t('F32', [1e9, 1e9], [0, 4]), 4),
      /tensor "w": shape \[1000000000, 1000000000\] of F32 needs 4\d+ bytes, data_offsets give 4/,
    ],
    [
      'offsets past the data',
      withHeader(t('F32', [2], [0, 8]), 4),
      /data_offsets end 8 is past the 4 data bytes/,
    ],
    [
      'reversed offsets',
      withHeader(t('F32', [0], [4, 0]), 4),
      /data_offsets must be \[begin, end\] with 0 ≤ begin ≤ end/,
    ],
    [
      'overlapping tensors',
      withHeader({ ...t('F32', [1], [0, 4]), v: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 8),
      /overlaps the tensor before it/,
    ],
    ['a gap', withHeader(t('F32', [1], [4, 8]), 8), /bytes 0–4 of the data belong to no tensor/],
    [
      'trailing bytes',
      withHeader(t('F32', [1], [0, 4]), 12),
      /the last 8 bytes of the data belong to no tensor/,
    ],
    [
      'non-string metadata',
      withHeader({ __metadata__: { a: 1 } }),
      /__metadata__\.a must be a string, got number/,
    ],
  ];
  it.each(cases)('%s', (_, bytes, pattern) => {
    let error: unknown;
    try {
      readSafetensors(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WeightFileError);
    expect((error as Error).message).toMatch(/^safetensors: /);
    expect((error as Error).message).toMatch(pattern);
  });

  it('every truncation of a real file is refused cleanly', () => {
    const bytes = readFileSync(`${dir}lstm-l1-i3h4.safetensors`);
    for (let n = 0; n < bytes.length; n++) {
      expect(() => readSafetensors(bytes.subarray(0, n))).toThrow(WeightFileError);
    }
  });
});
