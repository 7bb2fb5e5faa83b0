/**
 * The machine's WebAssembly SIMD128 peak: the most float32 operations per second one thread gets out
 * of `f32x4` arithmetic, the ceiling every kernel of this package is measured against.
 *
 * The probe keeps `n` independent accumulators in registers and updates each as `acc = acc·a + b`
 * (`f32x4.mul` then `f32x4.add`, or one `f32x4.relaxed_madd` where the engine has relaxed SIMD), with
 * `a` and `b` run-time values so nothing folds. The multiply–add chain of one accumulator is latency
 * bound; 8–12 of them in flight fill the vector units. The best of every accumulator count and flavour
 * is the peak. Each update is 8 flops (4 lanes × multiply and add), as a product kernel counts them.
 */
import { assembleModule, type Code, F32, FunctionBuilder, I32, SimdOp, V128 } from './assembler.js';
import { detectFlavour } from './module.js';

/** One probe variant and what it reached. */
export interface SimdPeakVariant {
  /** Independent accumulators (registers) in flight. */
  readonly accumulators: number;
  /** `f32x4.relaxed_madd` (fused) instead of `f32x4.mul` + `f32x4.add`. */
  readonly relaxed: boolean;
  /** Best GFLOP/s over the repetitions. */
  readonly gflops: number;
}

/** Result of {@link measureWasmSimdPeak}. */
export interface SimdPeak {
  /** GFLOP/s of the best variant, one thread. */
  readonly gflops: number;
  /** The variant that reached it. */
  readonly best: SimdPeakVariant;
  /** Every variant measured. */
  readonly variants: readonly SimdPeakVariant[];
  /** Whether the engine validated relaxed SIMD (the FMA variants ran). */
  readonly relaxedAvailable: boolean;
}

/** Options of {@link measureWasmSimdPeak}. */
export interface SimdPeakOptions {
  /** Accumulator counts to try (default 8, 10, 12). */
  readonly accumulators?: readonly number[];
  /** Timed runs per variant; the best counts (default 5). */
  readonly repeats?: number;
  /** Length of one timed run in milliseconds (default 20). */
  readonly runMs?: number;
}

/** Updates of every accumulator per loop iteration (unrolled, so the loop's own cost is negligible). */
const UNROLL = 4;

/**
 * The probe module: `peak(iterations, a, b) → f32` runs `iterations × UNROLL` updates of each of
 * `accumulators` registers and returns a sum of them (so the work stays observable).
 */
export function emitPeakModule(accumulators: number, relaxed: boolean): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(accumulators) || accumulators < 1 || accumulators > 32) {
    throw new RangeError(`emitPeakModule: accumulators must be an integer in [1, 32], got ${accumulators}`);
  }
  const f = new FunctionBuilder('peak', [I32, F32, F32], [F32]);
  const c: Code = f.code;
  const [iterations, aScalar, bScalar] = [f.param(0), f.param(1), f.param(2)];
  const counter = f.local(I32);
  const a = f.local(V128);
  const b = f.local(V128);
  const acc = Array.from({ length: accumulators }, () => f.local(V128));
  c.get(aScalar).simd(SimdOp.f32x4_splat).set(a);
  c.get(bScalar).simd(SimdOp.f32x4_splat).set(b);
  acc.forEach((r, i) => {
    c.f32x4(1 + i / 64).set(r);
  });
  c.countDown(counter, iterations, 1, () => {
    for (let u = 0; u < UNROLL; u++) {
      for (const r of acc) {
        if (relaxed) c.get(r).get(a).get(b).simd(SimdOp.f32x4_relaxed_madd).set(r);
        else c.get(r).get(a).simd(SimdOp.f32x4_mul).get(b).simd(SimdOp.f32x4_add).set(r);
      }
    }
  });
  c.get(acc[0]!);
  for (const r of acc.slice(1)) c.get(r).simd(SimdOp.f32x4_add);
  c.simd(SimdOp.f32x4_extract_lane).op(0);
  return assembleModule([f], { initial: 1, shared: false });
}

type Peak = (iterations: number, a: number, b: number) => number;

function instantiate(accumulators: number, relaxed: boolean): Peak | null {
  const bytes = emitPeakModule(accumulators, relaxed);
  if (!WebAssembly.validate(bytes)) return null;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return instance.exports.peak as Peak;
}

/** Best GFLOP/s of one variant: calibrate the iterations to `runMs`, then time `repeats` runs. */
function timeVariant(peak: Peak, accumulators: number, repeats: number, runMs: number): number {
  const flopsPerIteration = accumulators * UNROLL * 8;
  let iterations = 1000;
  // Calibrate (this also lets the engine tier the function up).
  for (;;) {
    const start = performance.now();
    peak(iterations, 0.9999, 1e-3);
    const ms = performance.now() - start;
    if (ms >= runMs / 4 || iterations > 1e9) {
      iterations = Math.max(1, Math.round((iterations * runMs) / Math.max(ms, 1e-3)));
      break;
    }
    iterations *= 4;
  }
  let best = 0;
  for (let k = 0; k < repeats; k++) {
    const start = performance.now();
    peak(iterations, 0.9999, 1e-3);
    const ms = performance.now() - start;
    best = Math.max(best, (flopsPerIteration * iterations) / (ms * 1e6));
  }
  return best;
}

/**
 * Measures this thread's WebAssembly SIMD128 peak: the better of mul+add and relaxed FMA with 8, 10
 * and 12 accumulators (about 0.5 s). Run it on a quiet machine: other work on the core lowers it.
 * Throws where the engine has no SIMD128.
 *
 * @example
 * const { gflops, best } = measureWasmSimdPeak();
 * console.log(`${gflops.toFixed(1)} GFLOP/s per thread (${best.relaxed ? 'FMA' : 'mul+add'}, ${best.accumulators} accumulators)`);
 */
export function measureWasmSimdPeak(options: SimdPeakOptions = {}): SimdPeak {
  const counts = options.accumulators ?? [8, 10, 12];
  const repeats = options.repeats ?? 5;
  const runMs = options.runMs ?? 20;
  detectFlavour(); // sets V8's relaxed-SIMD flag in Node 20 before anything relaxed is validated
  const variants: SimdPeakVariant[] = [];
  let relaxedAvailable = false;
  for (const relaxed of [false, true]) {
    for (const accumulators of counts) {
      const peak = instantiate(accumulators, relaxed);
      if (peak === null) {
        if (!relaxed) throw new Error('this engine has no WebAssembly SIMD128');
        continue;
      }
      if (relaxed) relaxedAvailable = true;
      variants.push({ accumulators, relaxed, gflops: timeVariant(peak, accumulators, repeats, runMs) });
    }
  }
  const best = variants.reduce((x, y) => (y.gflops > x.gflops ? y : x));
  return { gflops: best.gflops, best, variants, relaxedAvailable };
}
