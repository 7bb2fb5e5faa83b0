/**
 * The conformance suite as vitest tests, independent of how the cases were found: the Node entry
 * (`@recur/conformance/vitest`) reads them from disk, the browser entry
 * (`@recur/conformance/vitest-browser`) has the bundler inline them.
 */
import type { AnyBackend, Backend, DType } from '@recur/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { badInputCases, badInputSkipReason, runBadInputCase } from './bad-input-matrix.js';
import type { ConformanceCase, LoadedCase } from './case-format.js';
import type { Tolerance } from './compare.js';
import { compareValues } from './compare.js';
import { engineChecks } from './engine-checks.js';
import { trainingLoopLeak } from './leak-check.js';
import type { LoadedLossFile } from './losses/format.js';
import { describeLossCases } from './losses/suite.js';
import type { LoadedNnFile } from './nn/format.js';
import { describeNnCases } from './nn/suite.js';
import type { LoadedOptimFile } from './optim/format.js';
import { describeOptimizerFixtures } from './optim/suite.js';
import { primitiveChecks, runPrimitiveCheck } from './primitive-checks.js';
import { compareComputation, computeCase, expectedValues, runCase } from './run-case.js';
import type { TrainingFixture } from './run-training.js';
import { runTrainingFixture } from './run-training.js';
import { defaultTolerances } from './tolerances.js';

/** What the suite runs: case files (parsed, or why not) and training fixtures. */
export interface ConformanceData {
  readonly cases: readonly LoadedCase[];
  readonly training: readonly TrainingFixture[];
  /** `recur-loss/1` files (parsed, or why not); none when absent. */
  readonly losses?: readonly LoadedLossFile[];
  /** `recur-nn/1` files (LayerNorm and sequence-utility cases; parsed, or why not); none when absent. */
  readonly nn?: readonly LoadedNnFile[];
  /** `recur-optim/1` optimizer and clipping fixtures (default none). */
  readonly optim?: readonly LoadedOptimFile[];
}

/** Options of {@link describeConformance}, shared by both entries' `describeBackend`. */
export interface ConformanceOptions {
  /** Tolerance per dtype the backend computes in (defaults: float32 1e-5/1e-4, float64 1e-10/1e-10). */
  tolerance?: Partial<Record<DType, Tolerance>>;
  /** When set, the backend cannot run here: every test is reported skipped with this reason. */
  unavailable?: string;
  /**
   * Dtypes to run (default float32 and float64). Tests for a dtype the backend turns out not to have
   * are skipped with that reason; list only the backend's dtypes to not register them at all.
   */
  dtypes?: DType[];
}

/** Registers the conformance suite for one backend over `data`. `factory` may be async. */
export function describeConformance(
  name: string,
  factory: () => Backend<unknown> | Promise<Backend<unknown>>,
  data: ConformanceData,
  options: ConformanceOptions = {},
): void {
  if (options.unavailable !== undefined) {
    // Never a silent pass: the reason is in the suite's name and printed.
    console.warn(`[recur conformance] ${name}: SKIPPED — ${options.unavailable}`);
    describe.skip(`conformance: ${name} (skipped: ${options.unavailable})`, () => {
      it('runs the conformance suite', () => {});
    });
    return;
  }
  const { cases, training } = data;

  describe(`conformance: ${name}`, () => {
    let backend: AnyBackend;
    beforeAll(async () => {
      backend = (await factory()) as AnyBackend;
    });
    const dtypesOf = () => backend.dtypes;
    // A second instance of the same backend, for the bad-input cases that mix instances: made once, on
    // demand, with the suite's own factory (so a third party's backend gets the same cases).
    let secondInstance: Promise<{ backend?: AnyBackend; unavailable?: string }> | undefined;
    const makeSecondInstance = () => {
      secondInstance ??= (async () => {
        try {
          const made = (await factory()) as AnyBackend;
          return made === backend
            ? { unavailable: `the factory of ${name} returns the same instance every time` }
            : { backend: made };
        } catch (error) {
          return { unavailable: `the factory of ${name} failed: ${(error as Error).message}` };
        }
      })();
      return secondInstance;
    };
    const toleranceFor = (dtype: DType) => options.tolerance?.[dtype] ?? defaultTolerances[dtype];

    it('loads every case file', () => {
      const broken = cases.filter((c) => 'error' in c);
      expect(broken.map((c) => `${c.file}: ${'error' in c ? c.error : ''}`)).toEqual([]);
      expect(cases.length).toBeGreaterThan(0);
    });

    for (const dtype of options.dtypes ?? (['float32', 'float64'] as const)) {
      describe(dtype, () => {
        const skipUnlessDtype = (ctx: { skip: (note?: string) => void }) => {
          if (!dtypesOf().includes(dtype)) ctx.skip(`backend ${name} has no ${dtype}`);
        };

        describe('PyTorch golden cases', () => {
          for (const loaded of cases) {
            if ('error' in loaded) continue;
            const c: ConformanceCase = loaded.case;
            it(c.name, (ctx) => {
              skipUnlessDtype(ctx);
              const before = backend.liveTensors();
              const result = runCase(backend, c, { dtype, tolerance: toleranceFor(dtype) });
              expect(result.message ?? '', `${c.name} on ${name}/${dtype}`).toBe('');
              expect(result.status).toBe('pass');
              // Nothing may leak: the module, inputs and every intermediate are released.
              expect(backend.liveTensors()).toBe(before);
            });
          }
        });

        describe('fused ≡ composed (values and gradients)', () => {
          for (const loaded of cases) {
            if ('error' in loaded || loaded.case.module.endsWith('Cell')) continue;
            const c = loaded.case;
            it(c.name, (ctx) => {
              skipUnlessDtype(ctx);
              if (!backend.fused) ctx.skip(`backend ${name} has no fused kernels`);
              const fused = computeCase(backend, c, dtype, 'fused');
              const composed = computeCase(backend, c, dtype, 'composed');
              expect(fused.path).toBe('fused');
              expect(composed.path).toBe('composed');
              const reference = new Map(
                [...composed.values].map(([k, v]) => [k, { shape: [...v.shape], data: [...v.data] }]),
              );
              const verdict = compareComputation(fused.values, reference, toleranceFor(dtype));
              expect(verdict.problems).toEqual([]);
              // And the composed path alone matches PyTorch too.
              expect(
                compareComputation(composed.values, expectedValues(c), toleranceFor(dtype)).problems,
              ).toEqual([]);
            });
          }
        });

        describe('finite-difference gradients of every primitive', () => {
          for (const check of primitiveChecks) {
            it(check.name, (ctx) => {
              skipUnlessDtype(ctx);
              const r = runPrimitiveCheck(backend, dtype, check);
              expect(r.pass, `${check.name}: worst abs error ${r.maxAbs}`).toBe(true);
            });
          }
        });

        describe('optimizers, losses and clipping against PyTorch steps', () => {
          for (const fixture of training) {
            it(fixture.name, (ctx) => {
              skipUnlessDtype(ctx);
              const before = backend.liveTensors();
              const r = runTrainingFixture(backend, fixture, dtype, toleranceFor(dtype));
              expect(r.problems).toEqual([]);
              expect(backend.liveTensors()).toBe(before);
            });
          }
        });

        describeLossCases(data.losses ?? [], () => backend, dtype, toleranceFor(dtype), skipUnlessDtype);
        describeNnCases(data.nn ?? [], () => backend, dtype, toleranceFor(dtype), skipUnlessDtype);
        describeOptimizerFixtures(
          data.optim ?? [],
          () => backend,
          dtype,
          toleranceFor(dtype),
          skipUnlessDtype,
        );

        describe('engine guarantees (errors, nesting, disposal, NaN and ±Infinity)', () => {
          for (const check of engineChecks) {
            it(check.name, (ctx) => {
              skipUnlessDtype(ctx);
              expect(check.run(backend, dtype)).toEqual([]);
            });
          }
        });

        describe('bad input (error names the argument, nothing changes)', () => {
          let other: { backend?: AnyBackend; unavailable?: string } = {};
          beforeAll(async () => {
            other = await makeSecondInstance();
          });
          for (const badCase of badInputCases) {
            it(badCase.name, (ctx) => {
              skipUnlessDtype(ctx);
              const reason = badInputSkipReason(backend, badCase, other);
              if (reason !== undefined) ctx.skip(reason);
              expect(runBadInputCase(backend, dtype, badCase, other.backend)).toEqual([]);
            });
          }
        });

        it('keeps the live-tensor count flat over a training loop', (ctx) => {
          skipUnlessDtype(ctx);
          const counts = trainingLoopLeak(backend, dtype, 30);
          expect(counts.after).toBe(counts.afterFirstStep);
        });
      });
    }

    it('the suite can fail: a corrupted reference is caught', () => {
      const loaded = cases.find((c) => 'case' in c && c.case.module === 'LSTM');
      if (!loaded || !('case' in loaded)) throw new Error('no LSTM case to corrupt');
      const corrupted = structuredClone(loaded.case);
      const grad = Object.values(corrupted.expected.grad ?? {})[0]!;
      grad.data[0] = grad.data[0]! + 1e-2;
      const dtype = dtypesOf()[0]!;
      expect(runCase(backend, corrupted, { dtype, tolerance: toleranceFor(dtype) }).status).toBe('fail');
      expect(compareValues([1], [1 + 1e-3], toleranceFor(dtype)).pass).toBe(false);
    });
  });
}
