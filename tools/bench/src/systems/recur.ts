/** Recur backends as benchmark contenders: `recur-<backend>` on the fused (auto) or composed path. */
import type { AnyBackend } from '@recur/core';
import { backendEngine, type LoadedBackend, type NodeBackendName } from './backends.js';
import { prepareRecurStep, prepareRecurStream } from './recur-step.js';
import type { Contender, Kernel, PreparedStep } from './types.js';

/** The js backend's kernel as it reports it (`scalar` until a backend says otherwise); `null` elsewhere. */
export function kernelOf(name: string, backend: AnyBackend | undefined): Kernel {
  if (name !== 'js') return null;
  const kernel = (backend as { kernel?: string } | undefined)?.kernel ?? 'scalar';
  return kernel === 'simd' ? 'simd' : 'scalar';
}

/**
 * A Recur contender. `path: 'fused'` builds modules with `path: 'auto'` (the fused kernel where the
 * backend has one) and reports what `module.lastPath` says was taken; `composed` forces the composed cell.
 */
export function recurContender(
  name: NodeBackendName,
  loaded: LoadedBackend,
  path: 'fused' | 'composed',
): Contender {
  const backend = 'backend' in loaded ? loaded.backend : undefined;
  return {
    system: `recur-${name}`,
    requestedPath: path,
    kernel: kernelOf(name, backend),
    group: backendEngine[name] ?? 'host',
    streams: true,
    unavailable: 'unavailable' in loaded ? loaded.unavailable : undefined,
    async prepare(cell, workload, mode): Promise<PreparedStep> {
      if (backend === undefined) throw new Error(`recur-${name} is unavailable`);
      if (workload.calls !== undefined) {
        const stream = prepareRecurStream(backend, cell, workload);
        const calls = workload.calls;
        return {
          async step() {
            return timeCalls(calls, () => stream.call());
          },
          path: () => stream.module.lastPath,
          async dispose() {
            stream.dispose();
          },
        };
      }
      const prepared = prepareRecurStep(
        backend,
        cell,
        workload,
        mode,
        path === 'fused' ? 'auto' : 'composed',
      );
      return {
        async step() {
          const start = performance.now();
          prepared.run();
          return performance.now() - start;
        },
        path: () => prepared.path,
        async dispose() {
          prepared.dispose();
        },
      };
    },
  };
}

/** Makes `calls` calls of `call`, each timed, and returns the median per call in milliseconds. */
export function timeCalls(calls: number, call: () => void): number {
  const times = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    call();
    times[i] = performance.now() - start;
  }
  times.sort();
  const mid = calls >> 1;
  return calls % 2 === 1 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
}
