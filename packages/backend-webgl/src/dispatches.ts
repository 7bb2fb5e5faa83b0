/**
 * Counting shader dispatches (draw calls) on tfjs's webgl backend: per-step dispatches, not
 * arithmetic, are what makes recurrent nets slow there. Used by the tests and the benchmarks.
 */
import type { TfjsCore } from '@recur/backend-tfjs';
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';

/** How many shader programs ran, in total and by program name. */
export interface DispatchCount {
  /** Every shader pass executed, uploads and (un)packing included. */
  readonly total: number;
  /** The same passes by tfjs program name (`unknown` for a pass outside any named program); sums to `total`. */
  readonly byProgram: Readonly<Record<string, number>>;
}

/**
 * Runs `fn` and counts the shader programs tfjs's active webgl backend dispatched meanwhile
 * (including uploads, packing and unpacking, which are shader passes too). Not reentrant.
 */
export function countDispatches<R>(
  tf: TfjsCore,
  fn: () => R,
): {
  /** What `fn` returned. */
  result: R;
  /** The dispatches made while `fn` ran. */
  count: DispatchCount;
} {
  const backend = tf.backend() as MathBackendWebGL;
  const gpgpu = backend.gpgpu;
  const byProgram: Record<string, number> = {};
  const running: string[] = [];
  let total = 0;
  const { runWebGLProgram } = backend;
  const { executeProgram } = gpgpu;
  backend.runWebGLProgram = function (program: GPGPUProgram, ...rest) {
    running.push((program as { name?: string }).name ?? program.constructor.name);
    try {
      return runWebGLProgram.call(this, program, ...rest);
    } finally {
      running.pop();
    }
  };
  gpgpu.executeProgram = function () {
    total++;
    const name = running[running.length - 1] ?? 'unknown';
    byProgram[name] = (byProgram[name] ?? 0) + 1;
    return executeProgram.call(this);
  };
  try {
    const result = fn();
    return { result, count: { total, byProgram } };
  } finally {
    // The wrappers are own properties over the prototype's methods: removing them restores those.
    delete (backend as Partial<MathBackendWebGL>).runWebGLProgram;
    delete (gpgpu as Partial<typeof gpgpu>).executeProgram;
  }
}
