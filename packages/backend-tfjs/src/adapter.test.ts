import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { activateTfjsEngine, createTfjsAdapter, type TfjsBackend } from './index.js';
import { describeFusedVsComposed, describeGatherGradient, describePrimitives } from './testing/suites.js';

// The adapter on tfjs-cpu, built directly. The engine packages run the same suites through their
// factories with the default options; here the non-default paths are exercised too.
const adapter = async (
  options: Partial<Parameters<typeof createTfjsAdapter>[1]> = {},
): Promise<TfjsBackend> => {
  await activateTfjsEngine(tf, 'cpu');
  return createTfjsAdapter(tf, { name: 'tfjs-cpu', engine: 'cpu', ...options });
};

describePrimitives('adapter (cpu, transpose flags)', () => adapter({ explicitTranspose: false }));
describeFusedVsComposed('adapter (cpu, transpose flags)', () => adapter({ explicitTranspose: false }));
describeFusedVsComposed('adapter (cpu, per-gate products, explicit transposes)', () =>
  adapter({ gateProducts: 'per-gate' }),
);
describeGatherGradient('adapter (cpu, one-hot gather gradient)', () =>
  adapter({ gatherGradient: 'one-hot' }),
);
describeGatherGradient('adapter (cpu, host gather gradient)', () => adapter({ gatherGradient: 'host' }));
describeGatherGradient('adapter (cpu, segment-sum gather gradient)', () =>
  adapter({ gatherGradient: 'segment-sum' }),
);

describe('adapter', () => {
  it('picks the gather gradient from the engine kernels and names its engine', async () => {
    const b = await adapter();
    expect(b.name).toBe('tfjs-cpu');
    expect(b.engine).toBe('cpu');
    expect(b.gatherGradient).toBe('segment-sum');
  });

  it('omits the fused kernels when asked', async () => {
    expect((await adapter({ fused: false })).fused).toBeUndefined();
  });

  it('refuses disposed tensors and foreign values with a clear error', async () => {
    const b = await adapter();
    const x = b.fromData([1, 2], [2], 'float32');
    b.dispose(x);
    expect(() => b.unary('exp', x)).toThrow(/tfjs-cpu: exp argument 0 has been disposed/);
    expect(() => b.unary('exp', { shape: [2] } as unknown as tf.Tensor)).toThrow(/is not a tfjs tensor/);
  });

  it("keeps another adapter's tidy result on the same engine (core's tidy nests one scope per backend)", async () => {
    const { ops, tensor, tidy } = await import('@recur/core');
    const first = await adapter();
    const second = await adapter({ fused: false });
    tensor([1], [1], { backend: first, dtype: 'float32' }).dispose(); // both are now in core's scopes
    const y = tensor([3, 4], [2], { backend: second, dtype: 'float32' });
    const before = first.liveTensors();
    const sum = tidy(() => ops.add(ops.mul(y, y), y));
    expect(Array.from(sum.toArray())).toEqual([12, 20]);
    expect(first.liveTensors()).toBe(before + 1);
    sum.dispose();
    y.dispose();
  });

  it('refuses an engine that is not initialized', () => {
    expect(() => createTfjsAdapter(tf, { name: 'x', engine: 'no-such-engine' })).toThrow(/not initialized/);
  });
});
