import { readFileSync } from 'node:fs';
import { createJsBackend } from '@recur/backend-js';
import { setDefaultBackend } from '@recur/core';
import { readOnnx, readSafetensors } from '@recur/io';
import { beforeAll, describe, expect, test } from 'vitest';
import type { PlainState } from '../engine/protocol.js';
import { exportModule, onnxRefusal } from './export.js';
import { mergeOptions, unknownOptionFields } from './options.js';
import type { LoadedFile } from './read.js';
import { formatOf, readWeightFile } from './read.js';
import { inputShapeOf, runModule } from './run.js';

const fixtures = new URL('../../../../fixtures/', import.meta.url);
const bytesOf = (path: string) => new Uint8Array(readFileSync(new URL(path, fixtures)));

function load(path: string): LoadedFile {
  const file = readWeightFile(path.split('/').pop()!, bytesOf(path));
  if (!file.ok) throw new Error(file.error);
  return file;
}

const plain = (file: LoadedFile): PlainState =>
  Object.fromEntries(
    Object.entries(file.tensors).map(([n, t]) => [n, { shape: [...t.shape], data: t.data }]),
  );

describe('reading a dropped file', () => {
  test('formats by extension', () => {
    expect(formatOf('a.PT')).toBe('torch');
    expect(formatOf('a.pth')).toBe('torch');
    expect(formatOf('a.safetensors')).toBe('safetensors');
    expect(formatOf('a.onnx')).toBe('onnx');
    expect(formatOf('a.bin')).toBeUndefined();
  });

  test('a torch checkpoint: tensors, stored dtypes, the LSTM and what the file cannot say', () => {
    const file = load('weights/lstm-l1-i3h4.pt');
    expect(file.format).toBe('torch');
    expect(file.rows).toContainEqual({ name: 'weight_ih_l0', stored: 'float32', shape: [16, 3] });
    expect(file.inferred.module).toBe('LSTM');
    expect(file.inferred.options).toMatchObject({ inputSize: 3, hiddenSize: 4, numLayers: 1 });
    expect(unknownOptionFields(file.inferred).map((f) => f.name)).toEqual(['batchFirst', 'dropout']);
  });

  test('16-bit safetensors list their stored dtype', () => {
    const file = load('weights/lstm-l1-i3h4.f16.safetensors');
    expect(new Set(file.rows.map((r) => r.stored))).toEqual(new Set(['float16']));
  });

  test('an ONNX model says batchFirst itself', () => {
    const file = load('onnx/gru-l1-i3h4-op14.onnx');
    expect(file.inferred.module).toBe('GRU');
    expect(file.inferred.options).toMatchObject({ inputSize: 3, hiddenSize: 4 });
  });

  test('a malformed file gives one plain sentence naming the file and format', () => {
    const bytes = bytesOf('weights/lstm-l1-i3h4.safetensors').slice(0, 40);
    const file = readWeightFile('broken.safetensors', bytes);
    expect(file.ok).toBe(false);
    if (file.ok) return;
    expect(file.error).toMatch(/^broken\.safetensors could not be read as a safetensors file: .+\.$/);
    expect(file.error).not.toContain('\n');
    expect(readWeightFile('x.txt', bytes)).toMatchObject({
      ok: false,
      error: expect.stringContaining('not a .pt'),
    });
    const garbage = readWeightFile('x.onnx', new Uint8Array([1, 2, 3, 4, 5]));
    expect(garbage).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^x\.onnx could not be read as an ONNX model: /),
    });
  });
});

describe('options', () => {
  test('edits of unknown options merge over PyTorch defaults; the file wins for the rest', () => {
    const { inferred } = load('weights/lstm-l1-i3h4.pt');
    expect(mergeOptions(inferred, {})).toMatchObject({ batchFirst: false, dropout: 0, hiddenSize: 4 });
    const merged = mergeOptions(inferred, { batchFirst: true, hiddenSize: 99 });
    expect(merged).toMatchObject({ batchFirst: true, hiddenSize: 4 });
    expect(() => mergeOptions(inferred, { dropout: 2 })).toThrow(/dropout must be a number from 0 to 1/);
    expect(() => mergeOptions(inferred, { batchFirst: 'yes' })).toThrow(/batchFirst/);
  });

  test('input shapes follow batchFirst and cells', () => {
    expect(inputShapeOf('GRU', { inputSize: 3 }, 5, 2)).toEqual([5, 2, 3]);
    expect(inputShapeOf('GRU', { inputSize: 3, batchFirst: true }, 5, 2)).toEqual([2, 5, 3]);
    expect(inputShapeOf('GRUCell', { inputSize: 3 }, 5, 2)).toEqual([2, 3]);
  });
});

describe('running and exporting', () => {
  beforeAll(() => setDefaultBackend(createJsBackend()));

  test('runs the module on a seeded input and says which path ran', () => {
    const file = load('weights/lstm-l2-proj2-i3h4.safetensors');
    const options = mergeOptions(file.inferred, {});
    const args = { kind: file.inferred.module, options, state: plain(file), seqLen: 5, batch: 2, seed: 1 };
    const result = runModule(args);
    expect(result.inputShape).toEqual([5, 2, 3]);
    expect(result.outputShape).toEqual([5, 2, 2]);
    expect(result.first).toHaveLength(8);
    expect(['fused', 'composed']).toContain(result.path);
    expect(runModule(args).first).toEqual(result.first);
  });

  test('a cell runs one step from its input [N, I]', () => {
    const file = load('weights/rnncell-i3h4.pt');
    const options = mergeOptions(file.inferred, {});
    const result = runModule({ kind: 'RNNCell', options, state: plain(file), seqLen: 5, batch: 2, seed: 1 });
    expect(result).toMatchObject({ inputShape: [2, 3], outputShape: [2, 4], path: 'cell' });
  });

  test('safetensors export reads back to the same tensors, module and options', () => {
    const file = load('weights/lstm-l1-i3h4.pt');
    const options = mergeOptions(file.inferred, { batchFirst: true });
    const exported = exportModule('safetensors', 'LSTM', options, plain(file), 'lstm');
    if (!exported.ok) throw new Error(exported.reason);
    expect(exported.fileName).toBe('lstm.safetensors');
    const back = readWeightFile(exported.fileName, exported.bytes);
    if (!back.ok) throw new Error(back.error);
    expect(back.inferred).toMatchObject({ module: 'LSTM', source: 'metadata', options });
    for (const [name, t] of Object.entries(file.tensors)) {
      expect(Array.from(readSafetensors(exported.bytes).tensors[name]!.data)).toEqual(Array.from(t.data));
    }
  });

  test('ONNX export reads back through readOnnx with the same weights and batchFirst', () => {
    const file = load('onnx/gru-l1-i3h4-op14.onnx');
    const options = mergeOptions(file.inferred, {});
    const exported = exportModule('onnx', 'GRU', { ...options, batchFirst: true }, plain(file), 'gru');
    if (!exported.ok) throw new Error(exported.reason);
    const back = readOnnx(exported.bytes);
    expect(back.module).toMatchObject({
      module: 'GRU',
      options: { inputSize: 3, hiddenSize: 4, batchFirst: true },
    });
    for (const [name, t] of Object.entries(file.tensors)) {
      expect(Array.from(back.tensors[name]!.data)).toEqual(Array.from(t.data));
    }
  });

  test('ONNX export refuses a projected LSTM and cells, saying why', () => {
    const file = load('weights/lstm-l2-proj2-i3h4.safetensors');
    const exported = exportModule('onnx', 'LSTM', mergeOptions(file.inferred, {}), plain(file), 'p');
    expect(exported).toMatchObject({ ok: false, reason: expect.stringContaining('projSize = 2') });
    expect(onnxRefusal('GRUCell', {})).toMatch(/GRUCell is one step/);
    expect(onnxRefusal('GRU', { projSize: 0 })).toBeUndefined();
  });
});
