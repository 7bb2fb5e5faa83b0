import { describe, expect, it } from 'vitest';
import { describeTfjsBackend } from '../../backend-tfjs/src/testing/suites.js';
import { createWebglBackend } from './index.js';

// The adapter's own suites (primitives with finite differences, fused ≡ composed per cell and option)
// on WebGL, in the browser.
describeTfjsBackend('webgl', () => createWebglBackend());

describe('createWebglBackend', () => {
  it('computes on tfjs webgl: WebGL 2, float32 render targets, no fallback', async () => {
    const backend = await createWebglBackend();
    const tf = backend.tf;
    expect(backend.name).toBe('webgl');
    expect(backend.engine).toBe('webgl');
    expect(tf.getBackend()).toBe('webgl');
    expect(backend.webglVersion).toBe(2);
    expect(tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')).toBe(true);
    expect(backend.renderer.length).toBeGreaterThan(0);
    console.log(`[recur webgl] GL renderer: ${backend.renderer}`);
    expect(backend.fused?.cells).toEqual(['rnn_tanh', 'rnn_relu', 'lstm', 'gru']);
    expect((await createWebglBackend({ fused: false })).fused).toBeUndefined();
  });
});
