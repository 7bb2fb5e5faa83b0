import { describeBackend } from '@recur/conformance/vitest';
import { createTfjsCpuBackend } from './index.js';

// tfjs computes in float32 only; references are PyTorch float64.
describeBackend('tfjs-cpu', () => createTfjsCpuBackend(), {
  dtypes: ['float32'],
  tolerance: { float32: { atol: 1e-5, rtol: 1e-4 } },
});
