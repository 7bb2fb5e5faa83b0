import { describe, expect, it } from 'vitest';
import { describeTfjsBackend } from '../../backend-tfjs/src/testing/suites.js';
import { createTfjsCpuBackend } from './index.js';

describeTfjsBackend('tfjs-cpu', () => createTfjsCpuBackend());

describe('createTfjsCpuBackend', () => {
  it('computes on tfjs cpu, fused unless asked otherwise', async () => {
    const backend = await createTfjsCpuBackend();
    expect(backend.name).toBe('tfjs-cpu');
    expect(backend.engine).toBe('cpu');
    expect(backend.dtypes).toEqual(['float32']);
    expect(backend.fused?.cells).toContain('lstm');
    expect((await createTfjsCpuBackend({ fused: false })).fused).toBeUndefined();
  });

  it('refuses an unknown product, naming it', async () => {
    await expect(createTfjsCpuBackend({ product: 'blas' as 'tfjs' })).rejects.toThrow(
      "product must be 'recur' or 'tfjs', got blas",
    );
  });
});
