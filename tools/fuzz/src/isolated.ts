/**
 * Runs a target in a worker thread under a watchdog. A per-input time limit is only measured after
 * the read returns; a reader caught in an endless loop never returns, so the main thread watches a
 * heartbeat the worker writes before each input and ends the worker when one input runs too long,
 * reporting that input's seed and path for replay.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RunOptions, TargetReport } from './run-target.js';

/** Options of an isolated run: the run's own, minus the callbacks, plus the hang limit. */
export type IsolatedOptions = Omit<RunOptions, 'onInput' | 'onInputDone'> & {
  /** An input still running after this long is a hang (default: 10 × the time limit, at least 10 s). */
  hangMs: number;
  /** Called with the number of inputs done, every few thousand. */
  onProgress?: (done: number) => void;
};

/** Heartbeat layout in the shared buffer: index of the input running, and when it started (epoch ms; 0 = none). */
export const heartbeatSlots = { index: 0, startedAt: 1 } as const;

/**
 * The URL of tsx's ESM API (`tsx/esm/api`, import condition). Found through tsx's own exports map:
 * import.meta.resolve is missing where a bundler rewrites import.meta (vitest), and require.resolve
 * would pick the CommonJS build.
 */
function tsxApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const exports = JSON.parse(readFileSync(manifest, 'utf8')).exports as Record<
    string,
    { import: { default: string } }
  >;
  return new URL(exports['./esm/api']!.import.default, pathToFileURL(manifest)).href;
}

/**
 * Starts `worker.ts`. Under tsx the worker does not inherit tsx's loader (Node 20 runs `--import`
 * hooks on the main thread only), so a small bootstrap registers tsx in the worker first.
 */
function startWorker(workerData: unknown): Worker {
  const script = new URL('./worker.ts', import.meta.url);
  const bootstrap = `import(${JSON.stringify(tsxApi())}).then((api) => { api.register(); return import(${JSON.stringify(script.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * Where the worker finds its target: a name in the registry, or (for the harness's own tests) the URL
 * of a module whose default export is the target.
 */
export type TargetSource = { name: string } | { name: string; module: string };

/** Runs a target in a worker; a hang becomes a report with a failure instead of a stuck process. */
export function runIsolated(source: TargetSource, options: IsolatedOptions): Promise<TargetReport> {
  const { name } = source;
  const heartbeat = new Float64Array(new SharedArrayBuffer(16));
  const { onProgress, hangMs, ...run } = options;
  const worker = startWorker({ source, options: run, heartbeat: heartbeat.buffer });
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      fn();
    };
    const watchdog = setInterval(() => {
      const started = heartbeat[heartbeatSlots.startedAt]!;
      if (started === 0 || Date.now() - started <= hangMs) return;
      const index = heartbeat[heartbeatSlots.index]!;
      void worker.terminate();
      settle(() => resolve(hangReport(name, options, index, Date.now() - started)));
    }, 100);
    worker.on('message', (m: { progress?: number; report?: TargetReport }) => {
      if (m.progress !== undefined) onProgress?.(m.progress);
      if (m.report !== undefined) settle(() => resolve(m.report!));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`fuzz worker for ${name} exited with code ${code}`))),
    );
  });
}

function hangReport(name: string, options: IsolatedOptions, index: number, ms: number): TargetReport {
  return {
    target: name,
    description: '',
    seed: options.seed,
    inputs: index + 1,
    accepted: 0,
    rejected: 0,
    rejectionKinds: {},
    slowestMs: ms,
    slowestInputBytes: 0,
    slowestPath: String(index),
    largestAllocation: { elements: 0, by: '', inputBytes: 0, ratio: 0 },
    durationMs: 0,
    failure: {
      message: `hang: input ${index} was still running after ${Math.round(ms)} ms (worker stopped)`,
      seed: options.seed,
      // Without shrinking, fast-check's path of the i-th generated input is "i".
      path: String(index),
      preview: '',
      inputBytes: 0,
    },
  };
}
