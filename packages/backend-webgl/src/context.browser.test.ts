// What the backend does when WebGL is missing, incomplete or lost: a clear error naming the
// problem, never numbers. Capabilities are simulated through tfjs's flags (read before it creates
// its backend); the context loss is real (WEBGL_lose_context).
import * as tf from '@tensorflow/tfjs-core';
// Registers tfjs's webgl flags and backend (without initializing it), as createWebglBackend does.
import '@tensorflow/tfjs-backend-webgl';
import { LSTM, randn } from '@recur/core';
import { describe, expect, it } from 'vitest';
import { createWebglBackend, WebglContextLostError, WebglUnavailableError } from './index.js';

/** Runs `fn` with tfjs flag `name` set to `value`, then restores it. */
async function withFlag(name: string, value: number | boolean, fn: () => Promise<void>): Promise<void> {
  const before = tf.env().get(name);
  tf.env().set(name, value);
  try {
    await fn();
  } finally {
    tf.env().set(name, before);
  }
}

describe('a browser that cannot run Recur exactly is refused with the reason', () => {
  it('no WebGL at all', async () => {
    await withFlag('WEBGL_VERSION', 0, async () => {
      await expect(createWebglBackend()).rejects.toThrow(/gives no WebGL context/);
    });
  });

  it('WebGL 1 only', async () => {
    await withFlag('WEBGL_VERSION', 1, async () => {
      await expect(createWebglBackend()).rejects.toThrow(
        /needs WebGL 2, but this browser only gives WebGL 1/,
      );
    });
  });

  it('no float32 render targets (tfjs would compute in float16)', async () => {
    await withFlag('WEBGL_RENDER_FLOAT32_ENABLED', false, async () => {
      const error = await createWebglBackend().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WebglUnavailableError);
      expect((error as Error).message).toMatch(/cannot render to float32 textures/);
    });
  });

  it('nothing was initialized by the refusals: the real browser gets a working backend', async () => {
    const backend = await createWebglBackend();
    expect(tf.getBackend()).toBe('webgl');
    expect(
      Array.from(
        backend.read(
          backend.binary(
            'add',
            backend.fromData([1, 2], [2], 'float32'),
            backend.fromData([3, 4], [2], 'float32'),
          ),
        ),
      ),
    ).toEqual([4, 6]);
  });
});

describe('losing the WebGL context', () => {
  it('makes every later call throw "WebGL context lost"; a new backend starts over', async () => {
    const backend = await createWebglBackend();
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, backend, dtype: 'float32' });
    const x = randn([5, 2, 3], { backend, dtype: 'float32' });
    const [before] = lstm.forward(x);
    expect(before.toArray().every(Number.isFinite)).toBe(true);

    const gl = (tf.backend() as unknown as { gpgpu: { gl: WebGL2RenderingContext } }).gpgpu.gl;
    gl.getExtension('WEBGL_lose_context')!.loseContext();

    expect(backend.contextLost()).toBe(true);
    expect(() => before.toArray()).toThrow(WebglContextLostError);
    expect(() => before.toArray()).toThrow(/WebGL context lost/);
    expect(() => lstm.forward(x)).toThrow(/WebGL context lost/);
    expect(() => backend.fromData([1], [1], 'float32')).toThrow(/WebGL context lost/);

    // A new backend registers a fresh tfjs webgl backend on a new context.
    const fresh = await createWebglBackend();
    expect(fresh.contextLost()).toBe(false);
    const y = fresh.binary(
      'mul',
      fresh.fromData([1, 2, 3], [3], 'float32'),
      fresh.fromData([2, 2, 2], [3], 'float32'),
    );
    expect(Array.from(fresh.read(y))).toEqual([2, 4, 6]);
    const again = new LSTM({ inputSize: 3, hiddenSize: 4, backend: fresh, dtype: 'float32' });
    const [out] = again.forward(randn([5, 2, 3], { backend: fresh, dtype: 'float32' }));
    expect(again.lastPath).toBe('fused');
    expect(out.toArray().every(Number.isFinite)).toBe(true);
    // The old backend stays dead.
    expect(() => backend.read(y)).toThrow(/WebGL context lost/);
  });
});
