/**
 * The page side of `pnpm soak --backend webgl`: bundled for headless Chromium at run time
 * (`webgl.ts`), it creates Recur's webgl backend and trains the soak's models when asked, reporting
 * losses, live tensors, the page's JS heap and tfjs's GPU bytes back to Node.
 */
import { createWebglBackend, type WebglBackend } from '@recur/backend-webgl';
import type { Probe } from '../subject.js';
import { createSoakTraining, runSteps, type SoakTraining, type StepsResult } from '../workload.js';

/** What `init` reports: ready, or why this browser cannot run webgl. */
export type SoakPageInit =
  | { readonly ok: true; readonly renderer: string; readonly preciseHeap: boolean }
  | { readonly ok: false; readonly reason: string };

/** The functions the Node side calls through `page.evaluate`. */
export interface SoakPage {
  init(seed: number): Promise<SoakPageInit>;
  run(firstStep: number, count: number): StepsResult;
  /** Live tensors, JS heap (after `gc()`) and GPU bytes; RSS is read by the Node side. */
  probe(): Probe;
  paths(): { lstm: string | null; gru: string | null };
  dispose(): void;
}

// Chromium exposes `gc` with `--js-flags=--expose-gc`, and an unrounded `performance.memory` with
// `--enable-precise-memory-info` (the Node side passes both).
const gc = (globalThis as { gc?: () => void }).gc;
const memory = () => (performance as { memory?: { usedJSHeapSize: number } }).memory;

let backend: WebglBackend | undefined;
let training: SoakTraining | undefined;

function ready(): { backend: WebglBackend; training: SoakTraining } {
  if (backend === undefined || training === undefined) throw new Error('webgl soak not initialized');
  return { backend, training };
}

const page: SoakPage = {
  async init(seed) {
    try {
      backend = await createWebglBackend();
      training = createSoakTraining(backend, seed);
      return {
        ok: true,
        renderer: backend.renderer,
        preciseHeap: gc !== undefined && memory() !== undefined,
      };
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
  },
  run(firstStep, count) {
    const r = ready();
    const result = runSteps(r.training, firstStep, count);
    // No silent fallback: the steps ran on tfjs's webgl backend.
    if (r.backend.tf.getBackend() !== 'webgl')
      throw new Error(`tfjs switched to '${r.backend.tf.getBackend()}'`);
    return result;
  },
  probe() {
    const r = ready();
    gc?.();
    return {
      liveTensors: r.backend.liveTensors(),
      heapUsed: memory()?.usedJSHeapSize ?? 0,
      rss: null,
      gpuBytes: (r.backend.tf.memory() as { numBytesInGPU?: number }).numBytesInGPU ?? 0,
    };
  },
  paths: () => ready().training.paths(),
  dispose() {
    training?.dispose();
    training = undefined;
  },
};

(globalThis as { recurSoak?: SoakPage }).recurSoak = page;
