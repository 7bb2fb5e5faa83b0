/**
 * The limit in the same run: the machine's WebAssembly SIMD128 peak per thread
 * (`measureWasmSimdPeak` from `@recur/backend-js`), and each recur-js / recur-wasm figure as a share
 * of that peak times the threads the system computes on.
 */
import type { SimdPeak } from '@recur/backend-js';
import type { ResultRow } from './results.js';

/** The systems whose figures are compared with the SIMD128 peak (their kernels are wasm SIMD128). */
export const peakSystems = ['recur-js', 'recur-wasm'] as const;

/** The `machine.wasmSimdPeak` entry of the JSON. */
export interface PeakInfo {
  /** GFLOP/s of one thread (the best variant). */
  gflopsPerThread: number;
  best: { accumulators: number; relaxed: boolean };
  variants: { accumulators: number; relaxed: boolean; gflops: number }[];
  /** 1-minute load average when it was measured (a busy core lowers it). */
  load: number;
  /** The run measures the peak before and after; the lower of the two, when it came first. */
  earlier?: number;
  /** The lower of the two, when it came last. */
  later?: number;
}

/** The JSON entry for a measured peak (GFLOP/s rounded to 0.1). */
export function peakInfo(p: SimdPeak, load: number): PeakInfo {
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    gflopsPerThread: r(p.gflops),
    best: { accumulators: p.best.accumulators, relaxed: p.best.relaxed },
    variants: p.variants.map((v) => ({
      accumulators: v.accumulators,
      relaxed: v.relaxed,
      gflops: r(v.gflops),
    })),
    load,
  };
}

/**
 * Threads a Recur system computes on: recur-js from its kernel description (`…, 2 threads (auto)`),
 * recur-wasm 1 (tfjs-backend-wasm runs without threads in Node).
 */
export function threadsOf(system: string, kernels: Readonly<Record<string, string>>): number {
  const m = /(\d+) threads?\b/.exec(kernels[system] ?? '');
  return m === null ? 1 : Number(m[1]);
}

/** Sets `peakShare` (GFLOP/s over peak × threads) and `threads` on the `ok` rows of {@link peakSystems}. */
export function attachPeakShares(
  rows: ResultRow[],
  peakGflops: number,
  kernels: Readonly<Record<string, string>>,
): void {
  for (const r of rows) {
    if (!(peakSystems as readonly string[]).includes(r.system) || r.gflops === null) continue;
    const threads = threadsOf(r.system, kernels);
    r.threads = threads;
    r.peakShare = Number((r.gflops / (peakGflops * threads)).toFixed(4));
  }
}

/** `71% of 2×peak`. */
export function formatShare(share: number, threads: number): string {
  const pct = share * 100;
  return `${pct >= 10 ? pct.toFixed(0) : pct.toFixed(1)}% of ${threads === 1 ? '' : `${threads}×`}peak`;
}
