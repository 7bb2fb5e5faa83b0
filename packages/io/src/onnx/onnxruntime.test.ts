/**
 * What `writeOnnx` exports runs in ONNX Runtime (onnxruntime-node, CPU) with Recur's own outputs:
 * every kind, two layers, both directions, batch-first, with h0/c0 given and omitted (zeros).
 * Where onnxruntime-node cannot load (no binary for the platform), the tests are skipped with the reason.
 */
import { Generator, type TensorData } from '@recur/core';
import { describe, expect, it } from 'vitest';
import { readOnnx } from './read.js';
import { buildModule, type Kind, maxDifference, runModule } from './testing/run-module.js';
import { writeOnnx } from './write.js';

type Ort = typeof import('onnxruntime-node');
const probe = {
  weight_ih_l0: { shape: [1, 1], data: [0.5] },
  weight_hh_l0: { shape: [1, 1], data: [0.5] },
  bias_ih_l0: { shape: [1], data: [0] },
  bias_hh_l0: { shape: [1], data: [0] },
};
let ort: Ort | undefined;
let unavailable: string | undefined;
try {
  ort = await import('onnxruntime-node');
  await ort.InferenceSession.create(
    writeOnnx({ module: 'RNN', options: { inputSize: 1, hiddenSize: 1 }, tensors: probe }),
  );
} catch (error) {
  unavailable = `onnxruntime-node cannot run here: ${error instanceof Error ? error.message : String(error)}`;
  console.warn(`[recur io] ONNX Runtime tests SKIPPED — ${unavailable}`);
}

interface Case {
  kind: Kind;
  options: Record<string, unknown>;
  opset: number;
  /** Export with h0 (c0) inputs and give them; otherwise the model starts from zeros. */
  states: boolean;
}

const big = { inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, batchFirst: true };
const cases: Case[] = [];
for (const kind of ['RNN', 'LSTM', 'GRU'] as const) {
  for (const states of [true, false]) cases.push({ kind, options: big, opset: 17, states });
  cases.push({ kind, options: { inputSize: 2, hiddenSize: 3 }, opset: 14, states: true });
  cases.push({
    kind,
    options: { inputSize: 2, hiddenSize: 5, numLayers: 3, bias: false },
    opset: 13,
    states: false,
  });
}
cases.push({ kind: 'RNN', options: { ...big, nonlinearity: 'relu' }, opset: 21, states: true });
cases.push({ kind: 'LSTM', options: { ...big, batchFirst: false }, opset: 14, states: false });

const name = (c: Case) =>
  `${c.kind} ${JSON.stringify(c.options)} opset ${c.opset}, ${c.states ? 'h0/c0 given' : 'h0/c0 omitted'}`;

function randomData(shape: number[], generator: Generator): TensorData {
  const size = shape.reduce((n, d) => n * d, 1);
  return { shape, data: Array.from({ length: size }, () => generator.normal()) };
}

describe.skipIf(unavailable !== undefined)(
  "ONNX Runtime runs what writeOnnx exports, with Recur's outputs",
  () => {
    it.each(cases.map((c) => [name(c), c] as const))('%s', async (_, c) => {
      const generator = new Generator(cases.indexOf(c) + 1);
      const module = buildModule(c.kind, { ...c.options, generator }, undefined);
      const bytes = writeOnnx(module, { opset: c.opset, initialStates: c.states });
      const o = c.options as {
        inputSize: number;
        hiddenSize: number;
        numLayers?: number;
        bidirectional?: boolean;
        batchFirst?: boolean;
      };
      const [N, T] = [2, 5];
      const input = randomData(o.batchFirst ? [N, T, o.inputSize] : [T, N, o.inputSize], generator);
      const stateShape = [(o.bidirectional ? 2 : 1) * (o.numLayers ?? 1), N, o.hiddenSize];
      const h0 = c.states ? randomData(stateShape, generator) : undefined;
      const c0 = c.states && c.kind === 'LSTM' ? randomData(stateShape, generator) : undefined;
      const ours = runModule(module, input, h0, c0);

      const session = await ort!.InferenceSession.create(bytes);
      const feed = (t: TensorData) => new ort!.Tensor('float32', Float32Array.from(t.data), [...t.shape]);
      const feeds: Record<string, InstanceType<Ort['Tensor']>> = { input: feed(input) };
      if (h0) feeds.h0 = feed(h0);
      if (c0) feeds.c0 = feed(c0);
      const results = await session.run(feeds);
      const theirs = (key: string): TensorData => ({
        shape: [...results[key]!.dims],
        data: results[key]!.data as Float32Array,
      });
      expect(maxDifference(theirs('output'), ours.output)).toBeLessThan(1e-5);
      expect(maxDifference(theirs('hn'), ours.hn)).toBeLessThan(1e-5);
      if (c.kind === 'LSTM') expect(maxDifference(theirs('cn'), ours.cn!)).toBeLessThan(1e-5);
      expect(session.inputNames).toEqual(['input', ...(c.states ? ['h0'] : []), ...(c0 ? ['c0'] : [])]);
      expect(session.outputNames).toEqual(['output', 'hn', ...(c.kind === 'LSTM' ? ['cn'] : [])]);
      await session.release();

      // And Recur reads its own export back to the same weights and options.
      const read = readOnnx(bytes);
      expect(read.module.options).toMatchObject({ ...c.options, numLayers: o.numLayers ?? 1 });
      expect(read.metadata['onnx.h0']).toBe(c.states ? 'h0' : undefined);
      for (const [key, p] of module.namedParameters()) {
        expect(Array.from(read.tensors[key]!.data)).toEqual(Array.from(p.value.toArray()));
      }
    });
  },
);
