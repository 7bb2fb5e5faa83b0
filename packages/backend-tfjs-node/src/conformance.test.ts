import { describeBackend } from '@recur/conformance/vitest';
import { createTfjsNodeBackend, tfjsNodeAvailability } from './index.js';

// tfjs-node's native binding (libtensorflow) is an optional download; where it does not load, the
// suite is reported skipped with tfjs-node's own reason.
const availability = await tfjsNodeAvailability();
describeBackend('tfjs-node', () => createTfjsNodeBackend(), {
  dtypes: ['float32'],
  tolerance: { float32: { atol: 1e-5, rtol: 1e-4 } },
  unavailable: availability.available
    ? undefined
    : `tfjs-node native binding unavailable: ${availability.reason.split('\n')[0]}`,
});
