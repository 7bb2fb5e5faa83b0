/** Assembles the `Backend<JsTensor>` object from the engine, the primitive ops and the fused kernels. */

import type { Backend, DType } from '@recur/core';
import { Engine } from './engine.js';
import { createFusedKernels } from './fused/index.js';
import { binary } from './ops/binary.js';
import { gather } from './ops/gather.js';
import { reshape, transpose } from './ops/layout.js';
import { logSoftmax } from './ops/log-softmax.js';
import { matMul } from './ops/matmul.js';
import { max, sum } from './ops/reduce.js';
import { concat, slice } from './ops/slice-concat.js';
import { scale, unary } from './ops/unary.js';
import { allocArray, type JsTensor, sizeOf } from './tensor.js';

/** Options of {@link createJsBackend}. */
export interface JsBackendOptions {
  /**
   * Offer whole-sequence fused kernels (default true). With false the backend has no `fused` member,
   * so the frontend takes its composed path (useful to test that path, or to compare the two).
   */
  readonly fused?: boolean;
}

/**
 * Creates an independent pure-TypeScript backend: its own live-tensor count, `tidy` scopes and tape.
 * Runs anywhere JavaScript runs; no native code, no WebAssembly, no global state.
 */
export function createJsBackend(options: JsBackendOptions = {}): Backend<JsTensor> {
  const e = new Engine();
  const backend: Backend<JsTensor> = {
    name: 'js',
    dtypes: ['float32', 'float64'],

    fromData(data: ArrayLike<number>, shape: readonly number[], dtype: DType): JsTensor {
      const size = sizeOf(shape);
      if (data.length !== size) {
        throw new Error(`fromData: ${data.length} values do not fill shape [${shape.join(',')}] (${size})`);
      }
      const array = allocArray(dtype, size);
      for (let i = 0; i < size; i++) array[i] = data[i];
      return e.tensor(array, shape);
    },
    read(x: JsTensor) {
      // A copy: the backend shares buffers between tensors (reshape views), so callers must not write them.
      return x.data.slice();
    },

    matMul: (a, b, transposeA, transposeB) => matMul(e, a, b, transposeA, transposeB),
    binary: (op, a, b) => binary(e, op, a, b),
    unary: (op, x) => unary(e, op, x),
    scale: (x, factor) => scale(e, x, factor),
    sum: (x, axes, keepDims) => sum(e, x, axes, keepDims),
    max: (x, axes, keepDims) => max(e, x, axes, keepDims),
    logSoftmax: (x) => logSoftmax(e, x),
    reshape: (x, shape) => reshape(e, x, shape),
    transpose: (x, perm) => transpose(e, x, perm),
    slice: (x, begin, size) => slice(e, x, begin, size),
    concat: (xs, axis) => concat(e, xs, axis),
    gather: (x, indices) => gather(e, x, indices),

    valueAndGrads: (f, xs) => e.tape.valueAndGrads(f, xs),

    tidy: (fn, kept) => e.memory.tidy(fn, kept),
    keep: (x) => e.memory.keep(x),
    dispose: (x) => e.memory.dispose(x),
    liveTensors: () => e.memory.live,
  };
  if (options.fused === false) return backend;
  return { ...backend, fused: createFusedKernels(e) };
}
