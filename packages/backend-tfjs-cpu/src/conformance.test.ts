import { describeBackend } from '@recur/conformance/vitest';
import { createTfjsCpuBackend } from './index.js';

// tfjs computes in float32 only; references are PyTorch float64.
const tolerance = { float32: { atol: 1e-5, rtol: 1e-4 } };

// The default: Recur's product kernel registered on tfjs-cpu.
describeBackend('tfjs-cpu', () => createTfjsCpuBackend(), { dtypes: ['float32'], tolerance });

// tfjs-cpu's own matMul (per-gate fused matmuls, biases in the projection): still offered, still checked.
describeBackend('tfjs-cpu (product: tfjs)', () => createTfjsCpuBackend({ product: 'tfjs' }), {
  dtypes: ['float32'],
  tolerance,
});
