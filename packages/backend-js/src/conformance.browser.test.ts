// The whole conformance suite on backend-js in headless Chromium, on a page's main thread: the SIMD
// kernel module is emitted, compiled and run there (Chromium compiles our 36 KB module synchronously
// on the main thread), float32 and float64.
import { describeBackend } from '@recur/conformance/vitest-browser';
import { afterAll, expect } from 'vitest';
import { createJsBackend, type JsBackend } from './index.js';

let created: JsBackend | undefined;

describeBackend(
  'js (browser)',
  () => {
    created = createJsBackend();
    console.log(`[recur js] conformance in the browser on: ${created.kernelInfo.detail}`);
    return created;
  },
  { tolerance: { float32: { atol: 1e-5, rtol: 1e-4 }, float64: { atol: 1e-10, rtol: 1e-10 } } },
);

// No silent fallback: the browser ran the SIMD tier, not the plain TypeScript one.
afterAll(() => {
  expect(created?.kernel).toBe('simd');
});
