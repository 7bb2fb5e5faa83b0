/**
 * `describeBackend` for vitest browser mode: the same suite as `@recur/conformance/vitest`, with the
 * committed cases and training fixtures inlined by Vite at build time (a browser has no file system).
 *
 * ```ts
 * import { describeBackend } from '@recur/conformance/vitest-browser';
 * describeBackend('webgl', () => createWebglBackend(), { dtypes: ['float32'] });
 * ```
 */
import type { Backend } from '@recur/core';
import { type LoadedCase, loadedCase } from './case-format.js';
import { type ConformanceOptions, describeConformance } from './suite.js';
import { parseTrainingFixture } from './training-format.js';

/** Vite's `import.meta.glob` (typed here: this package does not depend on Vite). */
declare global {
  interface ImportMeta {
    glob(pattern: string, options: { eager: true; import: 'default' }): Record<string, unknown>;
  }
}

/** Options of {@link describeBackend}. */
export interface DescribeBackendOptions extends ConformanceOptions {
  /** Parsed `recur-case/1` JSON values to run instead of the committed cases. */
  cases?: readonly unknown[];
}

// Static patterns: Vite resolves them relative to this file when it bundles the test.
const committedCases = import.meta.glob('../../../fixtures/cases/*.json', { eager: true, import: 'default' });
const committedTraining = import.meta.glob('../../../fixtures/training/*.json', {
  eager: true,
  import: 'default',
});

/** The committed cases, parsed, sorted by file as on disk. */
const parsedCommittedCases = (): LoadedCase[] =>
  Object.keys(committedCases)
    .sort()
    .map((file) => loadedCase(file, committedCases[file]));

/** Registers the conformance suite for one backend, in the browser. `factory` may be async. */
export function describeBackend(
  name: string,
  factory: () => Backend<unknown> | Promise<Backend<unknown>>,
  options: DescribeBackendOptions = {},
): void {
  const cases =
    options.cases === undefined
      ? parsedCommittedCases()
      : options.cases.map((c, i) => loadedCase(`cases[${i}]`, c));
  const training = Object.keys(committedTraining)
    .sort()
    .map((file) => parseTrainingFixture(committedTraining[file]));
  describeConformance(name, factory, { cases, training }, options);
}
