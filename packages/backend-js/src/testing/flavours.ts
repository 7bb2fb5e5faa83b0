/** Backends on a chosen kernel tier and flavour, for tests that compare tiers. */

import { backendOn, type JsBackend } from '../backend.js';
import { Engine } from '../engine.js';
import { detectFlavour, type KernelFlavour } from '../wasm/module.js';
import { WasmRuntime } from '../wasm/runtime.js';

/**
 * A SIMD-tier backend running `flavour`'s kernels (mul+add ones too, on an engine that has FMA).
 * With `eagerThreads`, two-thread work is split however small it is, to exercise the worker.
 */
export function simdBackend(flavour: KernelFlavour, threads: 1 | 2 = 1, eagerThreads = false): JsBackend {
  detectFlavour(); // enables relaxed SIMD where it sits behind a flag
  const runtime = new WasmRuntime(
    flavour,
    threads,
    eagerThreads ? { flops: 0, units: 0, rows: 2 } : undefined,
  );
  return backendOn(new Engine({ kernel: 'simd', detail: runtime.describe(), runtime }), true);
}

/** The engine behind a backend made by {@link simdBackend} is not reachable; this one is. */
export function simdEngine(flavour: KernelFlavour): Engine {
  detectFlavour();
  const runtime = new WasmRuntime(flavour, 1);
  return new Engine({ kernel: 'simd', detail: runtime.describe(), runtime });
}
