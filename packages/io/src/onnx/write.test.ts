/**
 * `writeOnnx` without a runtime: what it refuses (naming the option or tensor), float64 export, and the
 * round trip through `readOnnx` and the `recur` command line. ONNX Runtime runs the exports in
 * `onnxruntime.test.ts`.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Generator } from '@recur/core';
import { describe, expect, it } from 'vitest';
import { run } from '../cli/run.js';
import { WeightFileError } from '../errors.js';
import { decodeModel, dimensionSize, type ValueInfoProto } from './proto.js';
import { readOnnx } from './read.js';
import { buildModule, maxDifference, runModule } from './testing/run-module.js';
import { writeOnnx } from './write.js';

const gruWeights = (hidden: number, input: number) => ({
  weight_ih_l0: { shape: [3 * hidden, input], data: new Array(3 * hidden * input).fill(0.1) },
  weight_hh_l0: { shape: [3 * hidden, hidden], data: new Array(3 * hidden * hidden).fill(0.2) },
});

describe('writeOnnx refuses what ONNX cannot hold, naming it', () => {
  const lstm = buildModule('LSTM', { inputSize: 2, hiddenSize: 3, projSize: 2 }, undefined);
  it.each([
    [
      'a projected LSTM',
      () => writeOnnx(lstm),
      /options.projSize = 2 cannot be exported: ONNX's LSTM has no projection \(weight_hr\)/,
    ],
    [
      'a cell',
      () => writeOnnx({ module: 'GRUCell', options: { inputSize: 2, hiddenSize: 2 }, tensors: {} }),
      /module must be "RNN", "LSTM" or "GRU", got "GRUCell" \(a cell has no sequence/,
    ],
    [
      'a missing tensor',
      () =>
        writeOnnx({
          module: 'GRU',
          options: { inputSize: 2, hiddenSize: 2, bias: true },
          tensors: gruWeights(2, 2),
        }),
      /tensors.bias_ih_l0 is missing \(shape \[6\]\)/,
    ],
    [
      'an extra tensor',
      () =>
        writeOnnx({
          module: 'GRU',
          options: { inputSize: 2, hiddenSize: 2, bias: false },
          tensors: { ...gruWeights(2, 2), weight_hr_l0: { shape: [1, 2], data: [0, 0] } },
        }),
      /tensors.weight_hr_l0 is not a parameter of this GRU \(expected: weight_ih_l0, weight_hh_l0\)/,
    ],
    [
      'a tensor of the wrong shape',
      () =>
        writeOnnx({
          module: 'GRU',
          options: { inputSize: 3, hiddenSize: 2, bias: false },
          tensors: gruWeights(2, 2),
        }),
      /tensors.weight_ih_l0 has shape \[6, 2\], expected \[6, 3\]/,
    ],
    [
      'an option of the wrong type',
      () =>
        writeOnnx({
          module: 'GRU',
          options: { inputSize: 2, hiddenSize: 2, bias: 'no' },
          tensors: gruWeights(2, 2),
        }),
      /options.bias must be a boolean, got "no"/,
    ],
    [
      'an opset before 13',
      () =>
        writeOnnx(
          { module: 'GRU', options: { inputSize: 2, hiddenSize: 2, bias: false }, tensors: gruWeights(2, 2) },
          { opset: 12 },
        ),
      /opset must be an integer in \[13, 21\], got 12/,
    ],
    [
      'a 16-bit dtype',
      () =>
        writeOnnx(
          { module: 'GRU', options: { inputSize: 2, hiddenSize: 2, bias: false }, tensors: gruWeights(2, 2) },
          { dtype: 'float16' as never },
        ),
      /dtype must be "float32" or "float64", got "float16"/,
    ],
  ])('%s', (_, write, message) => {
    expect(write).toThrow(WeightFileError);
    expect(write).toThrow(message);
  });
});

describe('writeOnnx', () => {
  it('exports float64 weights exactly, and reads them back as float64', () => {
    const module = buildModule(
      'GRU',
      { inputSize: 2, hiddenSize: 3, numLayers: 2, generator: new Generator(7) },
      undefined,
      'float64',
    );
    const read = readOnnx(writeOnnx(module, { dtype: 'float64', opset: 14 }));
    for (const [name, p] of module.namedParameters()) {
      expect(read.tensors[name]!.stored).toBe('float64');
      expect(Array.from(read.tensors[name]!.data)).toEqual(Array.from(p.value.toArray()));
    }
    const input = { shape: [4, 1, 2], data: [0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8] };
    const back = runModule(buildModule('GRU', read.module.options, read.tensors, 'float64'), input);
    expect(maxDifference(back.output, runModule(module, input).output)).toBe(0);
  });

  it("declares PyTorch's interface: inputs, outputs and their symbolic shapes, opset and IR version", () => {
    const module = buildModule(
      'LSTM',
      { inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, batchFirst: true },
      undefined,
    );
    const model = decodeModel(writeOnnx(module, { opset: 14, initialStates: true, metadata: { note: 'x' } }));
    const shapes = (list: ValueInfoProto[]) =>
      Object.fromEntries(
        list.map((v) => [v.name, v.type!.tensorType!.shape!.dim.map((d) => dimensionSize(d) ?? d.dimParam)]),
      );
    expect(shapes(model.graph!.input)).toEqual({
      input: ['batch', 'time', 3],
      h0: [4, 'batch', 4],
      c0: [4, 'batch', 4],
    });
    expect(shapes(model.graph!.output)).toEqual({
      output: ['batch', 'time', 8],
      hn: [4, 'batch', 4],
      cn: [4, 'batch', 4],
    });
    expect(model.opsetImport.map((o) => [o.domain, o.version])).toEqual([['', 14n]]);
    expect(model.irVersion).toBe(8n);
    expect(Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]))).toMatchObject({
      note: 'x',
      'recur.module': 'LSTM',
    });
  });

  it('is what `recur convert` writes for a .onnx path, from a PyTorch-written safetensors file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'recur-onnx-'));
    const weights = fileURLToPath(new URL('../../../../fixtures/weights/', import.meta.url));
    const out = join(dir, 'lstm.onnx');
    const lines: string[] = [];
    const code = run(
      ['convert', `${weights}lstm-l2-bi-bf-i3h4.safetensors`, out, '--options', '{"batchFirst": true}'],
      (l) => lines.push(l),
      (l) => lines.push(l),
    );
    expect(code).toBe(0);
    const read = readOnnx(new Uint8Array(readFileSync(out)));
    expect(read.module.options).toMatchObject({
      numLayers: 2,
      bidirectional: true,
      batchFirst: true,
      hiddenSize: 4,
    });
    const truth = JSON.parse(readFileSync(`${weights}lstm-l2-bi-bf-i3h4.json`, 'utf8')) as {
      tensors: Record<string, { data: number[] }>;
    };
    for (const [name, t] of Object.entries(truth.tensors))
      expect(Array.from(read.tensors[name]!.data)).toEqual(t.data);
    // A projected LSTM has no ONNX form: the command says so.
    const refused: string[] = [];
    expect(
      run(
        ['convert', `${weights}lstm-l2-proj2-i3h4.safetensors`, join(dir, 'p.onnx')],
        () => {},
        (l) => refused.push(l),
      ),
    ).toBe(2);
    expect(refused.join('\n')).toMatch(/projSize = 2 cannot be exported/);
  });
});
