import { describeBackend } from '@recur/conformance/vitest';
import { createJsBackend } from './index.js';

// float32 against PyTorch's float64 references: atol 1e-5, rtol 1e-4; float64: 1e-10.
describeBackend('js', () => createJsBackend(), {
  tolerance: { float32: { atol: 1e-5, rtol: 1e-4 }, float64: { atol: 1e-10, rtol: 1e-10 } },
});
