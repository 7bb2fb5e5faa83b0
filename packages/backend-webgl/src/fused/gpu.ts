/** What the fused sequence kernels need around the programs: running them, stacking, unpacking. */
import type { TfjsCore, TfTensor } from '@recur/backend-tfjs';
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { runProgram } from '../programs/kernels.js';
import { copy, joinColumns, stackRows } from '../programs/layout.js';
import type { RecurProgram } from '../programs/program.js';

/** Extent of axis `axis` of `x` (tfjs types `shape` as a union of tuples). */
export const dim = (x: TfTensor, axis: number): number => (x.shape as readonly number[])[axis];

/** Helpers bound to one tfjs instance whose active backend is `webgl`. */
export interface Gpu {
  readonly tf: TfjsCore;
  /** Runs a program (by variable name) at time step `step`. */
  run(program: RecurProgram, inputs: Readonly<Record<string, TfTensor | undefined>>, step?: number): TfTensor;
  /** Stacks `[rows_i, W]` matrices along rows: ⌈n / textures per shader⌉ dispatches, plus merges. */
  stack(xs: readonly TfTensor[]): TfTensor;
  /** `[R, w0] ‖ [R, w1]` along columns, one dispatch. */
  join(a: TfTensor, b: TfTensor): TfTensor;
  /**
   * `x` as a `[rows, cols]` unpacked texture: itself (reshaped) when it is one already, else one
   * copy. Per-step programs read unpacked textures; a packed input would be unpacked at every step.
   */
  unpacked(x: TfTensor, rows?: number): TfTensor;
}

/** Builds the helpers. `maxInputs`: textures one shader may sample (`WEBGL_MAX_TEXTURES_IN_SHADER`). */
export function createGpu(tf: TfjsCore): Gpu {
  const maxInputs = Math.max(2, Math.min(16, tf.env().getNumber('WEBGL_MAX_TEXTURES_IN_SHADER')));
  const run: Gpu['run'] = (program, inputs, step) => {
    const given: Record<string, TfTensor> = {};
    for (const [name, x] of Object.entries(inputs)) if (x !== undefined) given[name] = x;
    return runProgram(tf, program, given, step);
  };
  const stack = (xs: readonly TfTensor[]): TfTensor => {
    if (xs.length === 1) return xs[0];
    if (xs.length > maxInputs) {
      const groups: TfTensor[] = [];
      for (let i = 0; i < xs.length; i += maxInputs) groups.push(stack(xs.slice(i, i + maxInputs)));
      return stack(groups);
    }
    const rows = xs.map((x) => dim(x, 0));
    const inputs = Object.fromEntries(xs.map((x, i) => [`s${i}`, x]));
    return run(stackRows(rows, dim(xs[0], 1)), inputs);
  };
  return {
    tf,
    run,
    stack,
    join: (a, b) => run(joinColumns(dim(a, 0), dim(a, 1), dim(b, 1)), { left: a, right: b }),
    unpacked(x, rows = x.rank === 1 ? 1 : dim(x, 0)) {
      const cols = x.size / rows;
      const flat = x.rank === 2 && dim(x, 0) === rows ? x : tf.reshape(x, [rows, cols]);
      const data = (tf.backend() as MathBackendWebGL).texData.get(flat.dataId);
      return data?.isPacked === true ? run(copy(rows, cols), { x: flat }) : flat;
    },
  };
}

/**
 * The states entering each step, stacked in time order, from `after` (the state after each step,
 * stacked in time order) and the initial state: forward `[init, after₀ … after_{A−2}]`, reverse
 * `[after₁ … after_{A−1}, init]`. Row slices of an unpacked texture are free (shared storage).
 */
export function enteringStates(gpu: Gpu, after: TfTensor, init: TfTensor, reverse: boolean): TfTensor {
  const batch = dim(init, 0);
  const steps = dim(after, 0) / batch;
  if (steps === 1) return init;
  const width = dim(after, 1);
  const { tf } = gpu;
  const rest = tf.slice(after, [reverse ? batch : 0, 0], [(steps - 1) * batch, width]);
  return gpu.stack(reverse ? [rest, init] : [init, rest]);
}
