/** The loss-case group of the conformance suite: every `recur-loss/1` case, forward and backward. */
import type { AnyBackend, DType } from '@recur/core';
import { describe, expect, it } from 'vitest';
import type { Tolerance } from '../compare.js';
import type { LoadedLossFile } from './format.js';
import { lossCaseSkipReason, runLossCase } from './run.js';

/**
 * Registers, inside the suite's `dtype` block, one test per loss case (grouped by loss) plus one that
 * every file loaded. `backend()` is the suite's backend (made in its `beforeAll`).
 */
export function describeLossCases(
  files: readonly LoadedLossFile[],
  backend: () => AnyBackend,
  dtype: DType,
  tolerance: Tolerance,
  skipUnlessDtype: (ctx: { skip: (note?: string) => void }) => void,
): void {
  describe('losses against PyTorch (value, module, gradients)', () => {
    it('loads every loss file', () => {
      expect(files.flatMap((f) => ('error' in f ? [f.error] : []))).toEqual([]);
    });
    for (const loaded of files) {
      if ('error' in loaded) continue;
      const { loss, cases } = loaded.losses;
      describe(loss, () => {
        for (const c of cases) {
          it(c.name, (ctx) => {
            skipUnlessDtype(ctx);
            const reason = lossCaseSkipReason(c, dtype);
            if (reason !== undefined) ctx.skip(reason);
            const before = backend().liveTensors();
            const r = runLossCase(backend(), loss, c, dtype, tolerance);
            expect(r.problems, `${loss} ${c.name} on ${backend().name}/${dtype}`).toEqual([]);
            expect(backend().liveTensors()).toBe(before);
          });
        }
      });
    }
  });
}
