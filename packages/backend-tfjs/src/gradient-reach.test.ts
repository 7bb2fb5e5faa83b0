import { Generator, LSTM, ops, randn, type Tensor, valueAndGrads } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import {
  activateTfjsEngine,
  createTfjsAdapter,
  type SequenceArgName,
  type SequenceKernel,
  type TfjsBackend,
  tfjsOpsSequenceKernel,
} from './index.js';

/** An adapter whose fused kernel records what each call was asked to differentiate. */
async function spiedAdapter(): Promise<{ backend: TfjsBackend; calls: SequenceArgName[][] }> {
  await activateTfjsEngine(tf, 'cpu');
  const calls: SequenceArgName[][] = [];
  const inner = tfjsOpsSequenceKernel();
  const sequenceKernel: SequenceKernel = (plan) => {
    calls.push([...plan.wants].sort());
    return inner(plan);
  };
  const backend = createTfjsAdapter(tf, { name: 'tfjs-cpu', engine: 'cpu', sequenceKernel });
  return { backend, calls };
}

function twoLayerLstm(backend: TfjsBackend, path: 'fused' | 'composed') {
  const generator = new Generator(7);
  const lstm = new LSTM({
    inputSize: 3,
    hiddenSize: 4,
    numLayers: 2,
    backend,
    dtype: 'float32',
    generator,
    path,
  });
  const x = randn([5, 2, 3], { backend, generator });
  const loss = () => {
    const [out] = lstm.forward(x);
    return ops.sum(ops.mul(out, out));
  };
  return { lstm, x, loss };
}

const WEIGHTS: SequenceArgName[] = ['biasHh', 'biasIh', 'weightHh', 'weightIh'];

describe('fused sequence gradients: only what the recorded gradient can reach', () => {
  it('skips the data input and the zero initial state of the first layer, not of the second', async () => {
    const { backend, calls } = await spiedAdapter();
    const { lstm, loss } = twoLayerLstm(backend, 'fused');
    valueAndGrads(
      loss,
      lstm.parameters().map((p) => p.value),
    );
    expect(calls).toEqual([WEIGHTS, [...WEIGHTS.slice(0, 2), 'input', ...WEIGHTS.slice(2)]]);
  });

  it('differentiates the input when asked, and the gradients match the composed path', async () => {
    const { backend, calls } = await spiedAdapter();
    const fused = twoLayerLstm(backend, 'fused');
    const composed = twoLayerLstm(backend, 'composed');
    const grads = (m: typeof fused): Float32Array[] =>
      valueAndGrads(m.loss, [...m.lstm.parameters().map((p) => p.value), m.x]).grads.map(
        (g: Tensor) => g.toArray() as Float32Array,
      );
    const [a, b] = [grads(fused), grads(composed)];
    expect(calls[0]).toContain('input');
    expect(a).toHaveLength(b.length);
    a.forEach((g, i) => {
      g.forEach((v, j) => {
        expect(Math.abs(v - b[i][j])).toBeLessThan(1e-5 + 1e-4 * Math.abs(b[i][j]));
      });
    });
  });

  it('records no node when nothing is differentiated', async () => {
    const { backend, calls } = await spiedAdapter();
    const { lstm, x } = twoLayerLstm(backend, 'fused');
    lstm.forward(x);
    expect(calls).toEqual([[], []]);
  });

  it("is conservative under a gradient tfjs runs itself (tf.grads): every argument's gradient", async () => {
    const { backend, calls } = await spiedAdapter();
    const { lstm, x } = twoLayerLstm(backend, 'fused');
    const w = lstm.parameters()[0].value.handle as tf.Tensor;
    const dw = tf.grad(() => {
      const [out] = lstm.forward(x);
      return ops.sum(out).handle as tf.Tensor;
    })(w);
    expect(dw.shape).toEqual(w.shape);
    expect(calls[0]).toEqual(['biasHh', 'biasIh', 'h0', 'c0', 'input', 'weightHh', 'weightIh'].sort());
  });
});
