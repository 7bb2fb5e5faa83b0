// Two Recur tfjs backends in one process share tfjs's single engine: each must compute on its own
// tfjs backend, switching back when the other switched away, and refuse the other's tensors.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { activateTfjsEngine, createTfjsAdapter, type TfjsBackend } from '@recur/backend-tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWasmBackend } from './index.js';

describe('wasm next to tfjs-cpu in one process', () => {
  let cpu: TfjsBackend;
  let wasm: TfjsBackend;
  beforeAll(async () => {
    await activateTfjsEngine(tf, 'cpu');
    cpu = createTfjsAdapter(tf, { name: 'tfjs-cpu', engine: 'cpu' });
    wasm = await createWasmBackend(); // leaves wasm active
  });

  const ownerOf = (x: tf.Tensor) => {
    const backend = tf.engine().state.tensorInfo.get(x.dataId)?.backend;
    return Object.entries(tf.engine().registry).find(([, b]) => b === backend)?.[0];
  };

  it('each backend switches the engine to its own tfjs backend before computing', () => {
    expect(tf.getBackend()).toBe('wasm');
    const a = cpu.unary('exp', cpu.fromData([0, 1], [2], 'float32'));
    expect(tf.getBackend()).toBe('cpu');
    expect(ownerOf(a)).toBe('cpu');
    const b = wasm.unary('exp', wasm.fromData([0, 1], [2], 'float32'));
    expect(tf.getBackend()).toBe('wasm');
    expect(ownerOf(b)).toBe('wasm');
    const c = cpu.binary('add', a, a);
    expect(ownerOf(c)).toBe('cpu');
    expect(Array.from(cpu.read(c))).toEqual(Array.from(wasm.read(wasm.binary('add', b, b))));
  });

  it("refuses the other backend's tensors", () => {
    const x = cpu.fromData([1, 2], [2], 'float32');
    expect(() => wasm.unary('exp', x)).toThrow(
      /lives on tfjs backend 'cpu', but this backend computes on 'wasm'/,
    );
    const y = wasm.fromData([1, 2], [2], 'float32');
    expect(() => cpu.matMul(cpu.reshape(x, [1, 2]), y, false, true)).toThrow(/lives on tfjs backend 'wasm'/);
  });

  it('interleaved training steps agree across engines', () => {
    const run = (b: TfjsBackend) => {
      const x = b.fromData(
        Array.from({ length: 12 }, (_, i) => Math.sin(i)),
        [3, 2, 2],
        'float32',
      );
      const h0 = b.fromData([0.1, -0.2, 0.3, 0.4], [2, 2], 'float32');
      const w = b.fromData(
        Array.from({ length: 12 }, (_, i) => Math.cos(i) / 2),
        [6, 2],
        'float32',
      );
      const u = b.fromData(
        Array.from({ length: 12 }, (_, i) => Math.sin(2 * i) / 2),
        [6, 2],
        'float32',
      );
      return b.valueAndGrads(() => {
        const r = b.fused!.sequence({ cell: 'gru', input: x, h0, weightIh: w, weightHh: u, reverse: false });
        return b.sum(r.output, [0, 1, 2], false);
      }, [w, u]);
    };
    const onCpu = run(cpu);
    const onWasm = run(wasm);
    const again = run(cpu);
    expect(cpu.read(again.value)[0]).toBe(cpu.read(onCpu.value)[0]);
    expect(wasm.read(onWasm.value)[0]).toBeCloseTo(cpu.read(onCpu.value)[0], 5);
    onCpu.grads.forEach((g, i) => {
      const w = wasm.read(onWasm.grads[i]);
      cpu.read(g).forEach((v, j) => {
        expect(w[j]).toBeCloseTo(v, 5);
      });
    });
  });
});
