import { describeBackend } from '@recur/conformance/vitest';
import { createWasmBackend } from './index.js';

// tfjs-backend-wasm computes in float32 only; references are PyTorch float64.
describeBackend('wasm', () => createWasmBackend(), {
  dtypes: ['float32'],
  tolerance: { float32: { atol: 1e-5, rtol: 1e-4 } },
});
