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
import { readWeightBytes } from '@recur/io';
import { type LoadedCase, loadedCase } from './case-format.js';
import { committedLossFiles } from './losses/browser.js';
import { committedNnFiles } from './nn/browser.js';
import { committedOptimFiles } from './optim/browser.js';
import { type ConformanceOptions, describeConformance } from './suite.js';
import { parseTrainingFixture } from './training-format.js';

/** Vite's `import.meta.glob` (typed here: this package does not depend on Vite). */
declare global {
  interface ImportMeta {
    glob(
      pattern: string | readonly string[],
      options: { eager: true; import: 'default'; query?: string },
    ): Record<string, unknown>;
  }
}

/** Options of {@link describeBackend}. */
export interface DescribeBackendOptions extends ConformanceOptions {
  /** Parsed `recur-case/1` JSON values to run instead of the committed cases. */
  cases?: readonly unknown[];
}

// Static patterns with inline options (Vite resolves them when it bundles the test), each twice: the
// copy packed into this package (`../fixtures`, installed from npm) and the repository's (in a clone);
// the one that does not exist matches nothing.
const committedCases = import.meta.glob(['../fixtures/cases/*.json', '../../../fixtures/cases/*.json'], {
  eager: true,
  import: 'default',
});
const committedTraining = import.meta.glob(
  ['../fixtures/training/*.json', '../../../fixtures/training/*.json'],
  { eager: true, import: 'default' },
);
const committedWeightCases = import.meta.glob(
  ['../fixtures/weight-cases/*.json', '../../../fixtures/weight-cases/*.json'],
  { eager: true, import: 'default' },
);
// The weight files those cases name, served by Vite and fetched once, so the importers run in the page.
const weightFileUrls = import.meta.glob(
  [
    '../fixtures/weights/*.pt',
    '../fixtures/weights/*.safetensors',
    '../fixtures/onnx/*.onnx',
    '../fixtures/keras3/*.keras',
    '../fixtures/keras3/*.h5',
    '../../../fixtures/weights/*.pt',
    '../../../fixtures/weights/*.safetensors',
    '../../../fixtures/onnx/*.onnx',
    '../../../fixtures/keras3/*.keras',
    '../../../fixtures/keras3/*.h5',
  ],
  { eager: true, import: 'default', query: '?url' },
) as Record<string, string>;
const weightFiles = new Map(
  await Promise.all(
    Object.entries(weightFileUrls).map(
      async ([file, url]) => [file, new Uint8Array(await (await fetch(url)).arrayBuffer())] as const,
    ),
  ),
);

/** `relative` resolved against the folder of `file` (both `/`-separated, as Vite's glob keys are). */
function beside(file: string, relative: string): string {
  const parts = file.split('/').slice(0, -1);
  for (const part of relative.split('/')) {
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else if (part !== '.') parts.push(part);
  }
  return parts.join('/');
}

/** Reads a bundled weight file named by the case `file` (a path relative to it). */
const weightsBeside = (file: string) => (relative: string) => {
  const bytes = weightFiles.get(beside(file, relative));
  if (bytes === undefined)
    throw new RangeError(`"${relative}" is not among the weight files bundled with the suite`);
  return readWeightBytes(relative, bytes).tensors;
};

/** The committed cases (inline parameters, then weight-file ones), parsed, sorted by file as on disk. */
const parsedCommittedCases = (): LoadedCase[] => [
  ...Object.keys(committedCases)
    .sort()
    .map((file) => loadedCase(file, committedCases[file])),
  ...Object.keys(committedWeightCases)
    .sort()
    .map((file) => loadedCase(file, committedWeightCases[file], { readWeights: weightsBeside(file) })),
];

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
  describeConformance(
    name,
    factory,
    { cases, training, losses: committedLossFiles(), nn: committedNnFiles(), optim: committedOptimFiles() },
    options,
  );
}
