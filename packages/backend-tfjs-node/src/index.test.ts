import { describe, expect, it } from 'vitest';
import { describeTfjsBackend } from '../../backend-tfjs/src/testing/suites.js';
import { createTfjsNodeBackend, tfjsNodeAvailability } from './index.js';

// tfjs-node's native binding (libtensorflow) is downloaded by its install script and is often
// missing (offline installs, CI without network): then every engine test is reported SKIPPED with
// the reason, never silently passed.
const availability = await tfjsNodeAvailability();
const reason = availability.available ? '' : availability.reason.split('\n')[0];
if (!availability.available) console.warn(`tfjs-node tests SKIPPED: native binding unavailable: ${reason}`);

describe.skipIf(!availability.available)(
  availability.available ? 'tfjs-node' : `tfjs-node (SKIPPED: native binding unavailable: ${reason})`,
  () => {
    describeTfjsBackend('tfjs-node', () => createTfjsNodeBackend());
  },
);

describe('createTfjsNodeBackend', () => {
  it.runIf(!availability.available)('throws a clear error when the binding is unavailable', async () => {
    await expect(createTfjsNodeBackend()).rejects.toThrow(/^tfjs-node's native binding is unavailable: .+/);
  });

  it.runIf(availability.available)('computes on tfjs-node', async () => {
    const backend = await createTfjsNodeBackend();
    expect(backend.name).toBe('tfjs-node');
    expect(backend.engine).toBe('tensorflow');
  });
});
