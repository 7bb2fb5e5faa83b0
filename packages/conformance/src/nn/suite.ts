/** The module and sequence group of the conformance suite: LayerNorm and the sequence utilities against PyTorch. */
import type { AnyBackend, DType } from '@recur/core';
import { describe, expect, it } from 'vitest';
import type { Tolerance } from '../compare.js';
import type { LayerNormCase, LoadedNnFile, SequenceCase } from './format.js';
import { runLayerNormCase, runSequenceCase } from './run.js';

/**
 * Registers, inside the suite's `dtype` block, one test per `recur-nn/1` case (grouped by file kind)
 * plus one that every file loaded. `backend()` is the suite's backend (made in its `beforeAll`).
 */
export function describeNnCases(
  files: readonly LoadedNnFile[],
  backend: () => AnyBackend,
  dtype: DType,
  tolerance: Tolerance,
  skipUnlessDtype: (ctx: { skip: (note?: string) => void }) => void,
): void {
  describe('LayerNorm and sequence utilities against PyTorch (values, gradients)', () => {
    it('loads every nn file', () => {
      expect(files.flatMap((f) => ('error' in f ? [f.error] : []))).toEqual([]);
    });
    for (const loaded of files) {
      if (!('nn' in loaded)) continue;
      const nn = loaded.nn;
      describe(nn.kind, () => {
        for (const c of nn.cases) {
          it(c.name, (ctx) => {
            skipUnlessDtype(ctx);
            const before = backend().liveTensors();
            const r =
              nn.kind === 'layer-norm'
                ? runLayerNormCase(backend(), c as LayerNormCase, dtype, tolerance)
                : runSequenceCase(backend(), c as SequenceCase, dtype, tolerance);
            expect(r.problems, `${nn.kind} ${c.name} on ${backend().name}/${dtype}`).toEqual([]);
            expect(backend().liveTensors()).toBe(before);
          });
        }
      });
    }
  });
}
