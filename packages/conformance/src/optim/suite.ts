/** The optimizer group of the conformance suite: PyTorch trajectories of every optimizer, and clipping. */
import type { AnyBackend, DType } from '@recur/core';
import { describe, expect, it } from 'vitest';
import type { Tolerance } from '../compare.js';
import type { LoadedOptimFile } from './format.js';
import { runClipFixture, runOptimizerFixture } from './run.js';

/**
 * Registers, inside the suite's `dtype` block, one test per optimizer fixture (groups, null grads,
 * state dicts, resuming from PyTorch's) and one for the clipping cases. `backend()` is the suite's backend.
 */
export function describeOptimizerFixtures(
  files: readonly LoadedOptimFile[],
  backend: () => AnyBackend,
  dtype: DType,
  tolerance: Tolerance,
  skipUnlessDtype: (ctx: { skip: (note?: string) => void }) => void,
): void {
  describe('optimizers (param groups, state dicts) and clipping against PyTorch', () => {
    it('loads every optimizer file', () => {
      expect(files.flatMap((f) => ('error' in f ? [f.error] : []))).toEqual([]);
    });
    for (const loaded of files) {
      if (!('fixture' in loaded)) continue;
      const f = loaded.fixture;
      it(f.name, (ctx) => {
        skipUnlessDtype(ctx);
        const before = backend().liveTensors();
        const r =
          f.kind === 'clip'
            ? runClipFixture(backend(), f, dtype, tolerance)
            : runOptimizerFixture(backend(), f, dtype, tolerance);
        expect(r.problems, `${f.name} on ${backend().name}/${dtype}`).toEqual([]);
        expect(backend().liveTensors()).toBe(before);
      });
    }
  });
}
