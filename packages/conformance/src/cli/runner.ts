/** How the command line runs cases on one backend: in this process, or elsewhere (webgl: a browser). */

import type { AnyBackend, DType } from '@recur/core';
import type { ConformanceCase } from '../case-format.js';
import { type CaseResult, type RunCaseOptions, runCase } from '../run-case.js';
import { timeW1Train } from './timing.js';

/** Runs parsed cases on one backend and gives one result per case, in order. */
export interface CaseRunner {
  /** Element types the backend computes in, best first. */
  readonly dtypes: readonly DType[];
  /** Where it runs, printed before its results (e.g. the browser and GL renderer). */
  readonly detail?: string;
  run(cases: readonly ConformanceCase[], options: RunCaseOptions): Promise<CaseResult[]>;
  /** Median ms of a W1 LSTM training step (B16 T32 I32 H64), measured as `pnpm bench` does (timing.ts). */
  timeW1Train(): Promise<number>;
  /** Releases what the runner holds (a browser). */
  close(): Promise<void>;
}

/** A runner over a backend in this process. */
export function inProcessRunner(backend: AnyBackend): CaseRunner {
  return {
    dtypes: backend.dtypes,
    run: async (cases, options) => cases.map((c) => runCase(backend, c, options)),
    timeW1Train: async () => timeW1Train(backend),
    close: async () => {},
  };
}
