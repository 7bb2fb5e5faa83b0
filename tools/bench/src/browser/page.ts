/**
 * The page side of `pnpm bench --backend webgl`: bundled for headless Chromium at run time
 * (`../systems/webgl.ts`), it creates Recur's webgl backend and tfjs-layers on the same tfjs webgl
 * engine, and prepares, times and releases single steps when the bench asks. Each step is timed
 * here, in the page, and ends with a read back (the loss, or a forward's output), so the GPU has
 * finished it.
 */
import { createWebglBackend, type WebglBackend } from '@recur/backend-webgl';
import type { SequencePath } from '@recur/core';
import * as layers from '@tensorflow/tfjs-layers';
import { prepareRecurStep } from '../systems/recur-step.js';
import { checkSharedEngine, prepareLayersStep } from '../systems/tfjs-layers-step.js';
import type { TakenPath } from '../systems/types.js';
import type { Cell, Mode, Workload } from '../workloads.js';

/** What `init` reports: ready (and whether tfjs-layers shares the engine), or why not. */
export type BenchPageInit =
  | { readonly ok: true; readonly renderer: string; readonly layersUnavailable: string | null }
  | { readonly ok: false; readonly reason: string };

/** Which system a prepared step belongs to. */
export type PageSystem = 'recur' | 'tfjs-layers';

/** The functions the bench calls through `page.evaluate`. */
export interface BenchPage {
  init(): Promise<BenchPageInit>;
  /** Builds a measurement; returns its id. */
  prepare(system: PageSystem, path: SequencePath, cell: Cell, workload: Workload, mode: Mode): number;
  /** Runs one step of measurement `id`; returns its milliseconds. */
  step(id: number): number;
  path(id: number): TakenPath;
  dispose(id: number): void;
}

interface Prepared {
  run(): void;
  readonly path: TakenPath;
  dispose(): void;
}

let backend: WebglBackend | undefined;
const prepared = new Map<number, Prepared>();
let nextId = 0;

function get(id: number): Prepared {
  const p = prepared.get(id);
  if (p === undefined) throw new Error(`no prepared measurement ${id}`);
  return p;
}

const page: BenchPage = {
  async init() {
    try {
      backend = await createWebglBackend();
      const check = checkSharedEngine(backend.tf, layers);
      return { ok: true, renderer: backend.renderer, layersUnavailable: check.shared ? null : check.reason };
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
  },
  prepare(system, path, cell, workload, mode) {
    if (backend === undefined) throw new Error('webgl backend not initialized');
    let p: Prepared;
    if (system === 'recur') {
      p = prepareRecurStep(backend, cell, workload, mode, path, 0, true);
    } else {
      const step = prepareLayersStep(backend.tf, layers, cell, workload, mode, true);
      p = { run: step.run, path: null, dispose: step.dispose };
    }
    prepared.set(nextId, p);
    return nextId++;
  },
  step(id) {
    const p = get(id);
    const start = performance.now();
    p.run();
    const ms = performance.now() - start;
    // No silent fallback: the step ran on tfjs's webgl backend.
    if (backend!.tf.getBackend() !== 'webgl')
      throw new Error(`tfjs switched to '${backend!.tf.getBackend()}'`);
    return ms;
  },
  path(id) {
    return get(id).path;
  },
  dispose(id) {
    get(id).dispose();
    prepared.delete(id);
  },
};

(globalThis as { recurBench?: BenchPage }).recurBench = page;
