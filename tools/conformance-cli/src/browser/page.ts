/**
 * The page side of `pnpm conformance --backend webgl`: bundled for the browser at run time
 * (`webgl.ts`), it creates the webgl backend and runs the cases the command line hands it.
 */
import { createWebglBackend, type WebglBackend } from '@recur/backend-webgl';
import { measureTrainStep } from '@recur/bench';
import type { CaseResult, ConformanceCase, RunCaseOptions } from '@recur/conformance/portable';
import { runCase } from '@recur/conformance/portable';

/** What `init` reports: the backend is ready, or why this browser cannot run it. */
export type PageInit =
  | { readonly ok: true; readonly dtypes: string[]; readonly renderer: string; readonly userAgent: string }
  | { readonly ok: false; readonly reason: string };

/** The functions the command line calls through `page.evaluate`. */
export interface ConformancePage {
  init(): Promise<PageInit>;
  run(cases: readonly ConformanceCase[], options: RunCaseOptions): CaseResult[];
  /** Median ms of a W1 LSTM training step on webgl. */
  timeW1Train(): number;
}

let backend: WebglBackend | undefined;

const page: ConformancePage = {
  async init() {
    try {
      backend = await createWebglBackend();
      return {
        ok: true,
        dtypes: [...backend.dtypes],
        renderer: backend.renderer,
        userAgent: navigator.userAgent,
      };
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
  },
  run(cases, options) {
    if (backend === undefined) throw new Error('webgl backend not initialized');
    const results = cases.map((c) => runCase(backend!, c, options));
    // No silent fallback: every case ran on tfjs's webgl backend.
    if (backend.tf.getBackend() !== 'webgl') throw new Error(`tfjs switched to '${backend.tf.getBackend()}'`);
    return results;
  },
  timeW1Train() {
    if (backend === undefined) throw new Error('webgl backend not initialized');
    return measureTrainStep(backend, { cell: 'lstm', workload: 'W1', reps: 5 }).median;
  },
};

(globalThis as { recurConformance?: ConformancePage }).recurConformance = page;
