/**
 * Runs one bad-input case: build the world and the bad arguments, snapshot, make the bad call, and
 * require that it threw an error matching every pattern and that nothing changed.
 */
import type { AnyBackend, DType } from '@recur/core';
import { dispose, Module } from '@recur/core';
import type { Snapshot } from './snapshot.js';
import { compareSnapshots, takeSnapshot } from './snapshot.js';
import type { BadInputCase, BadInputEnv } from './types.js';

/** Why `badCase` cannot run on `backend` (a missing second instance or dtype), or undefined. */
export function badInputSkipReason(
  backend: AnyBackend,
  badCase: BadInputCase,
  other?: { backend?: AnyBackend; unavailable?: string },
): string | undefined {
  for (const need of badCase.needs ?? []) {
    if (need === 'second instance' && other?.backend === undefined) {
      return `needs a second instance of backend ${backend.name}, which cannot be made here: ${other?.unavailable ?? 'none was given'}`;
    }
    if (need === 'second dtype' && backend.dtypes.length < 2) {
      return `needs two dtypes; backend ${backend.name} computes in ${backend.dtypes.join(', ')} only`;
    }
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs `badCase` on `backend` in `dtype` (`other`: a second instance of the same kind, for the cases
 * that need one). Returns the problems found, none when the case passes: the call must throw an
 * `Error` whose message matches every pattern, and leave every parameter value and gradient, every
 * optimizer's state, `stepCount` and `lr`, and every backend's live-tensor count exactly as they were.
 */
export function runBadInputCase(
  backend: AnyBackend,
  dtype: DType,
  badCase: BadInputCase,
  other?: AnyBackend,
): string[] {
  const env: BadInputEnv = other === undefined ? { backend, dtype } : { backend, dtype, other };
  const counted = other === undefined ? [backend] : [backend, other];
  const liveAtStart = counted.map((b) => b.liveTensors());
  let world: ReturnType<BadInputCase['setup']>;
  try {
    world = badCase.setup(env);
  } catch (error) {
    return [`setting up the case failed (a bug of the case, not of the call): ${messageOf(error)}`];
  }
  const problems: string[] = [];
  let before: Snapshot | undefined;
  try {
    before = takeSnapshot(world);
    let threw = false;
    let error: unknown;
    let result: unknown;
    try {
      result = badCase.call(world);
    } catch (e) {
      threw = true;
      error = e;
    }
    // Compared before releasing anything a wrongly successful call returned, so its tensors count.
    problems.push(...compareSnapshots(before, takeSnapshot(world)));
    if (!threw) {
      problems.unshift(`expected an error, but the call returned ${describeResult(result)}`);
      // Released so the case leaves nothing behind; a module is released through its parameters.
      if (result instanceof Module) result.dispose();
      else dispose(result);
    } else if (!(error instanceof Error)) {
      problems.unshift(`threw a non-Error value: ${messageOf(error)}`);
    } else {
      const missing = badCase.expect.filter((pattern) => !pattern.test(error.message));
      if (missing.length > 0) {
        problems.unshift(
          `the error does not match ${missing.map(String).join(', ')}: ${error.name}: ${error.message}`,
        );
      }
    }
  } catch (error) {
    problems.push(`checking the case failed: ${messageOf(error)}`);
  } finally {
    world.dispose();
  }
  // The case itself must release its world, or later cases would see its tensors.
  const reportedLeak = problems.some((p) => p.includes('by the failed call'));
  counted.forEach((b, i) => {
    const remaining = b.liveTensors() - liveAtStart[i]!;
    if (remaining !== 0 && !reportedLeak) {
      problems.push(`backend ${b.name}: ${remaining} tensors remain after the case released its world`);
    }
  });
  return problems;
}

function describeResult(result: unknown): string {
  if (result === undefined || result === null) return String(result);
  if (typeof result === 'object') return result.constructor?.name ?? 'an object';
  return typeof result === 'string' ? JSON.stringify(result) : String(result);
}
