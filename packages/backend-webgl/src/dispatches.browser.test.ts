// Shader dispatches per time step (draw calls, including uploads and (un)packing passes): the
// fused kernels against the composed cell and tf.layers.lstm, forward and backward (the loss
// Σ h_n, read back, is in both runs). Per step = (count at T=16 − count at T=8) / 8, so
// per-sequence work (input projection, weight gradients) cancels out.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { GRU, LSTM, ops, RNN, randn, type SequencePath, type Tensor, tidy, valueAndGrads } from '@recur/core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { countDispatches, createWebglBackend, type WebglBackend } from './index.js';

const N = 4;
const I = 8;
const H = 16;
const SHORT = 8;
const LONG = 16;

interface PerStep {
  readonly forward: number;
  readonly backward: number;
}

let backend: WebglBackend;
beforeAll(async () => {
  backend = await createWebglBackend();
});

/** Forward-only and forward+backward dispatches of `run` at T steps (after one warm-up run). */
function countAt(steps: number, run: (steps: number, train: boolean) => void): PerStep {
  // Warm up: builds tf.layers' weights, uploads, compiles shaders.
  run(steps, false);
  run(steps, true);
  const forward = countDispatches(backend.tf, () => run(steps, false)).count;
  const both = countDispatches(backend.tf, () => run(steps, true)).count;
  return { forward: forward.total, backward: both.total - forward.total };
}

function perStep(run: (steps: number, train: boolean) => void): PerStep {
  const short = countAt(SHORT, run);
  const long = countAt(LONG, run);
  const slope = (a: number, b: number) => (b - a) / (LONG - SHORT);
  return { forward: slope(short.forward, long.forward), backward: slope(short.backward, long.backward) };
}

type Kind = 'RNN' | 'LSTM' | 'GRU';

/** `h_n` of a layer's result (LSTM: `[output, [h_n, c_n]]`, else `[output, h_n]`). */
const lastState = ([, state]: readonly [Tensor, Tensor | readonly Tensor[]]): Tensor =>
  Array.isArray(state) ? state[0] : (state as Tensor);

/** One Recur layer on `path`; `train` adds the backward (gradients of every parameter and x). */
function recur(kind: Kind, path: SequencePath, projSize = 0) {
  const options = { inputSize: I, hiddenSize: H, backend, dtype: 'float32' as const, path };
  const layer = kind === 'LSTM' ? new LSTM({ ...options, projSize }) : new { RNN, GRU }[kind](options);
  // As after an optimizer step: weights computed on the GPU (packed textures), not uploaded.
  for (const p of layer.parameters()) p.assign(ops.scale(p.value, 1));
  const inputs = new Map<number, ReturnType<typeof randn>>();
  return (steps: number, train: boolean) => {
    if (!inputs.has(steps)) inputs.set(steps, randn([steps, N, I], { backend, dtype: 'float32' }));
    const x = inputs.get(steps)!;
    if (!train) {
      // The same loss as below, so that only the backward differs.
      tidy(() => ops.sum(lastState(layer.forward(x))).item());
    } else {
      const wrt = [...layer.parameters().map((p) => p.value), x];
      const { value, grads } = valueAndGrads(() => ops.sum(lastState(layer.forward(x))), wrt);
      value.item();
      value.dispose();
      for (const g of grads) g.dispose();
    }
    expect(layer.lastPath).toBe(path);
  };
}

/** tf.layers.lstm (unfused tfjs-layers, sigmoid gates like PyTorch's). */
function layersLstm() {
  const { tf } = backend;
  const layer = tfl.layers.lstm({
    units: H,
    returnSequences: false,
    recurrentActivation: 'sigmoid',
    // The default orthogonal init needs tfjs's chained-op API; the initializer does not matter here.
    recurrentInitializer: 'glorotUniform',
  });
  const inputs = new Map<number, ReturnType<typeof tf.randomNormal>>();
  return (steps: number, train: boolean) => {
    if (!inputs.has(steps)) inputs.set(steps, tf.keep(tf.randomNormal([N, steps, I])));
    const x = inputs.get(steps)!;
    if (!train) {
      tf.tidy(() => tf.sum(layer.apply(x) as ReturnType<typeof tf.sum>).dataSync());
    } else {
      const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x) as ReturnType<typeof tf.sum>));
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    }
  };
}

describe('shader dispatches per time step', () => {
  const rows: Record<string, PerStep> = {};

  for (const kind of ['LSTM', 'GRU', 'RNN'] as const) {
    it(`${kind}: fused is one program per step each way, composed is many`, () => {
      const fused = perStep(recur(kind, 'fused'));
      const composed = perStep(recur(kind, 'composed'));
      rows[`${kind} fused`] = fused;
      rows[`${kind} composed`] = composed;
      // One program per step, plus stacking the step results (up to 16 per dispatch).
      expect(fused.forward).toBeLessThanOrEqual(1.2);
      expect(fused.backward).toBeLessThanOrEqual(1.2);
      expect(composed.forward + composed.backward).toBeGreaterThan(8 * (fused.forward + fused.backward));
    });
  }

  it('LSTM with projection: two programs per step each way', () => {
    const fused = perStep(recur('LSTM', 'fused', 8));
    rows['LSTM proj fused'] = fused;
    rows['LSTM proj composed'] = perStep(recur('LSTM', 'composed', 8));
    expect(fused.forward).toBeLessThanOrEqual(2.2);
    expect(fused.backward).toBeLessThanOrEqual(2.2);
  });

  it('tf.layers.lstm', () => {
    rows['tf.layers.lstm'] = perStep(layersLstm());
    expect(backend.tf.getBackend()).toBe('webgl');
  });

  it('reports the table', () => {
    const lines = Object.entries(rows).map(
      ([name, r]) =>
        `  ${name.padEnd(20)} forward ${r.forward.toFixed(2).padStart(6)}   backward ${r.backward.toFixed(2).padStart(6)}`,
    );
    console.log(
      `[recur webgl] shader dispatches per step (N=${N}, I=${I}, H=${H}; renderer ${backend.renderer}):\n${lines.join('\n')}`,
    );
    expect(Object.keys(rows).length).toBe(9);
  });
});
