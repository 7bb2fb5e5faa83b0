/**
 * `describeBackend`: the whole conformance suite for one backend, as vitest tests, with the cases
 * read from disk (Node). A backend's runner is a few lines:
 *
 * ```ts
 * describeBackend('js', () => createJsBackend(), { tolerance: { float32: { atol: 1e-5, rtol: 1e-4 } } });
 * ```
 *
 * In a browser (vitest browser mode), use `@recur/conformance/vitest-browser` instead.
 */
import type { Backend } from '@recur/core';
import {
  committedCasesDir,
  committedTrainingDir,
  committedWeightCasesDir,
  loadCases,
  loadTrainingFixtures,
} from './load-cases.js';
import { committedLossesDir, loadLossFiles } from './losses/load.js';
import { committedNnDir, loadNnFiles } from './nn/load.js';
import { committedOptimDir, loadOptimFiles } from './optim/load.js';
import { type ConformanceOptions, describeConformance } from './suite.js';

/** Options of {@link describeBackend}. */
export interface DescribeBackendOptions extends ConformanceOptions {
  /** Directories or files of extra `recur-case/1` cases (default: the committed ones). */
  cases?: string[];
}

/** Registers the conformance suite for one backend. `factory` may be async. */
export function describeBackend(
  name: string,
  factory: () => Backend<unknown> | Promise<Backend<unknown>>,
  options: DescribeBackendOptions = {},
): void {
  if (options.unavailable !== undefined) {
    describeConformance(name, factory, { cases: [], training: [] }, options);
    return;
  }
  const cases = loadCases(options.cases ?? [committedCasesDir, committedWeightCasesDir]);
  const training = loadTrainingFixtures([committedTrainingDir]);
  const losses = loadLossFiles([committedLossesDir]);
  const optim = loadOptimFiles([committedOptimDir]);
  const nn = loadNnFiles([committedNnDir]);
  describeConformance(name, factory, { cases, training, losses, optim, nn }, options);
}
