// The whole conformance suite (every committed PyTorch case, fused ≡ composed, finite differences,
// training fixtures, leak checks) on WebGL in headless Chromium.
import { describeBackend } from '@recur/conformance/vitest-browser';
import { afterAll, expect } from 'vitest';
import { createWebglBackend, type WebglBackend } from './index.js';

let created: WebglBackend | undefined;

// tfjs computes in float32 only; references are PyTorch float64.
describeBackend(
  'webgl',
  async () => {
    created = await createWebglBackend();
    console.log(`[recur webgl] conformance on GL renderer: ${created.renderer}`);
    return created;
  },
  { dtypes: ['float32'], tolerance: { float32: { atol: 1e-5, rtol: 1e-4 } } },
);

// No silent fallback: after every case, tfjs still computes on webgl, rendering float32.
afterAll(() => {
  expect(created?.tf.getBackend()).toBe('webgl');
  expect(created?.tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')).toBe(true);
  expect(created?.contextLost()).toBe(false);
});
