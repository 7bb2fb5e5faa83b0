/**
 * A minimal Recur backend, written from the contract alone (`Backend<T>` in @recur/core): plain
 * typed-array tensors (`tensor.ts`), the primitives (`ops.ts`), a small reverse-mode tape and
 * `tidy`-style scopes (`engine.ts`). No fused kernels: the frontend composes every recurrent cell
 * from the primitives. Walkthrough: docs/write-a-backend.md.
 *
 * ```sh
 * npx recur-conformance --backend-module ./src/index.ts   # or the built .js
 * ```
 */
import type { Backend, DType } from '@recur/core';
import { Engine } from './engine.js';
import { primitives } from './ops.js';
import type { MinimalTensor } from './tensor.js';

export type { MinimalTensor } from './tensor.js';

/** A new minimal backend (each has its own tensors, scopes and tape). */
export function createMinimalBackend(): Backend<MinimalTensor> {
  const engine = new Engine();
  return {
    name: 'minimal',
    dtypes: ['float64', 'float32'],

    // ---- data
    fromData: (data: ArrayLike<number>, shape: readonly number[], dtype: DType) =>
      engine.make(data, shape, dtype),
    read: (x: MinimalTensor) => x.data.slice(),

    // ---- primitives
    ...primitives(engine),

    // ---- autograd
    valueAndGrads: (f: () => MinimalTensor, xs: readonly MinimalTensor[]) => engine.valueAndGrads(f, xs),

    // ---- memory
    tidy: <R>(fn: () => R, kept: (result: R) => readonly unknown[]) => engine.scoped(fn, kept),
    keep(x: MinimalTensor) {
      x.kept = true;
      return x;
    },
    dispose: (x: MinimalTensor) => engine.dispose(x),
    isDisposed: (x: MinimalTensor) => x.disposed,
    liveTensors: () => engine.liveTensors(),
  };
}

/** `recur-conformance --backend-module` takes the default export: a backend, or a function making one. */
export default createMinimalBackend;
