/**
 * The page side of `recur-conformance --backend webgl`: bundled for the browser at run time
 * (`webgl.ts`; not compiled into `dist`), it creates the webgl backend and runs the cases the command line hands it.
 */
import { createWebglBackend, type WebglBackend } from '@recur/backend-webgl';
import { runCase } from '../../run-case.js';
import { timeW1Train } from '../timing.js';
import type { ConformancePage } from './webgl.js';

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
    return timeW1Train(backend);
  },
};

(globalThis as { recurConformance?: ConformancePage }).recurConformance = page;
