/**
 * `createTfjsAdapter`: a Recur `Backend` over any tfjs-core engine. The engine packages
 * (`@recur/backend-tfjs-cpu`, `@recur/backend-wasm`, `@recur/backend-tfjs-node`) register their tfjs
 * backend, activate it, and call this.
 */
import type { Backend, DType, FusedKernels } from '@recur/core';
import { createEngineGuard, type EngineGuard } from './engine.js';
import type { GateProducts } from './fused/cells.js';
import type { TfjsOpsKernelOptions } from './fused/sequence.js';
import {
  createSequence,
  type SequenceKernel,
  type StepRows,
  tfjsOpsSequenceKernel,
} from './fused/sequence.js';
import { createGradientReach } from './gradient-reach.js';
import { engineValueAndGrads } from './gradients.js';
import { createBinary, createScale, createUnary } from './ops/elementwise.js';
import { createMatMul, type ProductFn, productMatMul, rawMatMul } from './ops/linalg.js';
import { createLogSoftmax, createMax, createSum } from './ops/reduce.js';
import {
  createConcat,
  createGather,
  createReshape,
  createSlice,
  createTranspose,
  type GatherGradient,
} from './ops/shape.js';
import { scopedTidy } from './scopes.js';
import type { TfjsCore, TfTensor } from './tfjs.js';

/** Options of {@link createTfjsAdapter}. */
export interface TfjsAdapterOptions {
  /** The Recur backend's name in reports: `tfjs-cpu`, `wasm`, `tfjs-node`, `webgl`. */
  readonly name: string;
  /**
   * The tfjs backend to compute on (`cpu`, `wasm`, `tensorflow`, `webgl`); it must be registered and
   * initialized. Default: the tfjs backend active when the adapter is created.
   */
  readonly engine?: string;
  /** Offer the fused whole-sequence kernels as `fused` (default `true`). */
  readonly fused?: boolean;
  /**
   * Materialize transposed matmul operands instead of passing tfjs's transpose flags (default
   * `true`: tfjs-wasm's flagged matmul is ~10× slower). Engines whose flagged matmul is as fast as the
   * plain one pass `false`: tfjs-node, webgl, and tfjs-cpu (whose transposes are the slow part).
   */
  readonly explicitTranspose?: boolean;
  /**
   * Zero-pad an odd shared matmul dimension to even first (default `false`). webgl passes `true`:
   * tfjs-webgl's packed matmul would also sum the texture padding, which other packed ops leave
   * non-zero (see `rawMatMul`).
   */
  readonly padOddSharedDim?: boolean;
  /**
   * How `gather`'s gradient scatters rows (default `auto`: `segment-sum` where the engine has an
   * `UnsortedSegmentSum` kernel, else `one-hot`, e.g. on wasm).
   */
  readonly gatherGradient?: 'auto' | GatherGradient;
  /**
   * How the fused kernels read each step's rows of time-stacked tensors (default `slice`; tfjs-wasm
   * passes `host`, see {@link StepRows}).
   */
  readonly stepRows?: StepRows;
  /**
   * How the default fused kernel forms gate pre-activations (default `joint`; tfjs-cpu passes
   * `per-gate`, see {@link GateProducts}).
   */
  readonly gateProducts?: GateProducts;
  /** Add the default fused kernel's input biases inside its projection matmul (see {@link TfjsOpsKernelOptions}). */
  readonly biasInProduct?: boolean;
  /**
   * The engine's own matrix product (see {@link ProductFn}), e.g. tfjs-cpu's Recur kernel: then every
   * matmul the adapter runs (primitive, fused, gradients) goes through it, and `explicitTranspose`,
   * `padOddSharedDim` and `biasInProduct` no longer apply. Default: tfjs's `matMul`/`fused.matMul`.
   */
  readonly product?: ProductFn;
  /**
   * The engine's own fused sequence kernel (default: {@link tfjsOpsSequenceKernel} with `stepRows`),
   * e.g. webgl's one-shader-program-per-step kernel. The adapter still checks the arguments, plans
   * the steps, and wraps the kernel in one differentiable node.
   */
  readonly sequenceKernel?: SequenceKernel;
  /**
   * Throws when the engine can no longer compute correct numbers (e.g. a lost WebGL context). Called
   * before every operation and after every `read`, so a failing engine gives an error, never values.
   */
  readonly assertUsable?: () => void;
}

/** A Recur backend over tfjs tensors, with the tfjs details a runner may want to print. */
export interface TfjsBackend extends Backend<TfTensor> {
  /** The tfjs backend it computes on (`cpu`, `wasm`, `tensorflow`, ...). */
  readonly engine: string;
  /** How `gather`'s gradient is computed on this engine. */
  readonly gatherGradient: GatherGradient;
}

const DTYPES: readonly DType[] = ['float32'];

/**
 * Builds a Recur backend that computes with `tf` on one tfjs backend.
 *
 * - dtypes: `float32` only (tfjs has no float64); `fromData` refuses other dtypes.
 * - Autograd: every primitive is a `tf.customGrad` node with its gradient written in this package, so
 *   no tfjs gradient registration is needed (or used); `valueAndGrads` runs tfjs's engine gradients.
 * - Memory: `tidy`/`keep`/`dispose` are tfjs's; `liveTensors()` is `tf.memory().numTensors`, which
 *   counts every tensor of the process's tfjs engine (all tfjs backends together).
 * - Engine: every call first makes `engine` the active tfjs backend (switching back if another Recur
 *   tfjs backend switched away) and refuses tensors whose data lives on another tfjs backend.
 *   Switching is correct but costs a kernel re-setup, so don't interleave two tfjs backends op by op.
 */
export function createTfjsAdapter(tf: TfjsCore, options: TfjsAdapterOptions): TfjsBackend {
  const engine = options.engine ?? tf.getBackend();
  const guard = createEngineGuard(tf, options.name, engine, options.assertUsable);
  const mm =
    options.product !== undefined
      ? productMatMul(options.product)
      : rawMatMul(tf, options.explicitTranspose ?? true, options.padOddSharedDim ?? false);
  const reach = createGradientReach(tf);
  const gatherGradient: GatherGradient =
    options.gatherGradient === undefined || options.gatherGradient === 'auto'
      ? tf.getKernel('UnsortedSegmentSum', engine) === undefined
        ? 'host'
        : 'segment-sum'
      : options.gatherGradient;

  const matMul = createMatMul(tf, mm);
  const binary = createBinary(tf);
  const unary = createUnary(tf);
  const scale = createScale(tf);
  const sum = createSum(tf);
  const max = createMax(tf);
  const logSoftmax = createLogSoftmax(tf);
  const reshape = createReshape(tf);
  const transpose = createTranspose(tf);
  const slice = createSlice(tf);
  const concat = createConcat(tf);
  const gather = createGather(tf, mm, gatherGradient);

  const fused: FusedKernels<TfTensor> | undefined =
    options.fused === false
      ? undefined
      : {
          cells: ['rnn_tanh', 'rnn_relu', 'lstm', 'gru'],
          sequence: createSequence(
            tf,
            mm,
            guard,
            reach,
            { slice, reshape },
            options.sequenceKernel ??
              tfjsOpsSequenceKernel({
                stepRows: options.stepRows,
                gateProducts: options.gateProducts,
                biasInProduct: options.biasInProduct,
              }),
            options.product,
          ),
        };

  /** Activates the engine and checks every tensor argument. */
  const enter = (g: EngineGuard, op: string, ...xs: unknown[]): void => {
    g.activate();
    xs.forEach((x, i) => {
      g.check(x, `${op} argument ${i}`);
    });
  };

  return {
    name: options.name,
    engine,
    gatherGradient,
    dtypes: DTYPES,
    fused,

    fromData(data, shape, dtype) {
      if (dtype !== 'float32') {
        throw new Error(`${options.name}: tfjs computes in float32 only, not ${dtype}`);
      }
      guard.activate();
      // Copy: tfjs-cpu would otherwise alias the caller's Float32Array.
      return tf.tensor(new Float32Array(data), [...shape], 'float32');
    },
    read(x) {
      enter(guard, 'read', x);
      // Copy: tfjs-cpu's dataSync returns the tensor's own storage.
      const values = new Float32Array(x.dataSync());
      // The engine may have failed during the read (a lost context reads back zeros).
      options.assertUsable?.();
      return values;
    },

    matMul(a, b, transposeA, transposeB) {
      enter(guard, 'matMul', a, b);
      return matMul(a, b, transposeA, transposeB);
    },
    binary(op, a, b) {
      enter(guard, op, a, b);
      return binary(op, a, b);
    },
    unary(op, x) {
      enter(guard, op, x);
      return unary(op, x);
    },
    scale(x, factor) {
      enter(guard, 'scale', x);
      return scale(x, factor);
    },
    sum(x, axes, keepDims) {
      enter(guard, 'sum', x);
      return sum(x, axes, keepDims);
    },
    max(x, axes, keepDims) {
      enter(guard, 'max', x);
      return max(x, axes, keepDims);
    },
    logSoftmax(x) {
      enter(guard, 'logSoftmax', x);
      return logSoftmax(x);
    },
    reshape(x, shape) {
      enter(guard, 'reshape', x);
      return reshape(x, shape);
    },
    transpose(x, perm) {
      enter(guard, 'transpose', x);
      return transpose(x, perm);
    },
    slice(x, begin, size) {
      enter(guard, 'slice', x);
      return slice(x, begin, size);
    },
    concat(xs, axis) {
      enter(guard, 'concat', ...xs);
      return concat(xs, axis);
    },
    gather(x, indices) {
      enter(guard, 'gather', x);
      return gather(x, indices);
    },

    valueAndGrads(f, xs) {
      enter(guard, 'valueAndGrads', ...xs);
      return engineValueAndGrads(tf, options.name, reach, f, xs);
    },

    tidy(fn, kept) {
      guard.activate();
      return scopedTidy(tf, fn, kept);
    },
    keep(x) {
      return tf.keep(x);
    },
    dispose(x) {
      tf.dispose(x);
    },
    isDisposed(x) {
      return x.isDisposed;
    },
    liveTensors() {
      return tf.memory().numTensors;
    },
  };
}
