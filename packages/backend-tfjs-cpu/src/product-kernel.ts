/**
 * Recur's matrix product as a kernel of tfjs's `cpu` backend.
 *
 * Why: tfjs-cpu 4.22's `BatchMatMul` walks every operand through index strides one multiply-add at a
 * time and runs at ~0.8 GFLOP/s here, so every RNN on tfjs-cpu (ours and tfjs-layers') is bound by
 * it. The same arithmetic in 4×4 register tiles (`@recur/gemm`, backend-js's plain tier)
 * runs at 3.5–4 GFLOP/s, and 2–2.5 for one row (measured 2026-12-02 on the 2-core machine). It
 * stays plain JavaScript over tfjs-cpu's own typed arrays, like the kernel it replaces: tensors, memory
 * and every other op remain tfjs-cpu's. The epilogue adds a bias and applies the gate activation in
 * the same pass, so a gate pre-activation is one kernel instead of three.
 *
 * The kernel is registered under its own name (`RecurFusedMatMul`), so tfjs's `matMul` (and with it
 * tfjs-layers) is untouched.
 */

import type { ProductActivation, ProductFn, TfjsCore, TfTensor } from '@recur/backend-tfjs';
import { createJsGemm } from '@recur/gemm';

/** The kernel's name in tfjs's registry (backend `cpu`). */
export const PRODUCT_KERNEL = 'RecurFusedMatMul';

/** What the kernel needs of tfjs-cpu's `MathBackendCPU`: its typed arrays, and making a tensor. */
interface CpuBackend {
  readonly data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

interface TensorInfo {
  readonly dataId: object;
  readonly shape: readonly number[];
  readonly dtype: string;
}

interface ProductAttrs {
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  readonly activation: ProductActivation;
}

const gemm = createJsGemm();

/** A tensor's float32 values in tfjs-cpu's store (read in place, never written). */
function valuesOf(backend: CpuBackend, x: TensorInfo, name: string): Float32Array {
  const values = backend.data.get(x.dataId).values;
  if (!(values instanceof Float32Array)) {
    throw new TypeError(`${PRODUCT_KERNEL}: '${name}' must be float32, got ${x.dtype}`);
  }
  return values;
}

/** `activation(op(A)·op(B) + bias)` into a new tfjs-cpu tensor. */
function productKernel(args: {
  inputs: Record<string, TensorInfo | undefined>;
  backend: unknown;
  attrs?: Record<string, unknown>;
}): TensorInfo {
  const backend = args.backend as CpuBackend;
  const { a, b, bias } = args.inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo };
  const { transposeA, transposeB, activation } = args.attrs as unknown as ProductAttrs;
  const [m, k] = transposeA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const n = transposeB ? b.shape[0] : b.shape[1];
  const c = new Float32Array(m * n);
  gemm.gemm(
    m,
    n,
    k,
    valuesOf(backend, a, 'a'),
    0,
    transposeA,
    valuesOf(backend, b, 'b'),
    0,
    transposeB,
    c,
    0,
    false,
  );
  if (bias !== undefined) addBias(c, valuesOf(backend, bias, 'bias'), n);
  activate(c, activation);
  return backend.makeTensorInfo([m, n], 'float32', c);
}

/** `c += bias`, with `bias` either `[M, N]` (as long as `c`) or `[N]` for every row. */
function addBias(c: Float32Array, bias: Float32Array, n: number): void {
  if (bias.length === c.length) {
    for (let i = 0; i < c.length; i++) c[i] += bias[i];
    return;
  }
  for (let row = 0; row < c.length; row += n) {
    for (let j = 0; j < n; j++) c[row + j] += bias[j];
  }
}

/** Applies the activation in place, with the formulas of tfjs-cpu's own kernels. */
function activate(c: Float32Array, activation: ProductActivation): void {
  switch (activation) {
    case 'linear':
      return;
    case 'sigmoid':
      for (let i = 0; i < c.length; i++) c[i] = 1 / (1 + Math.exp(-c[i]));
      return;
    case 'tanh':
      for (let i = 0; i < c.length; i++) c[i] = Math.tanh(c[i]);
      return;
    case 'relu':
      // Math.max keeps NaN as NaN, as PyTorch's relu does.
      for (let i = 0; i < c.length; i++) c[i] = Math.max(c[i], 0);
      return;
  }
}

/** Shape of `x` as plain numbers (tfjs types `shape` as a union of tuples). */
const shapeOf = (x: TfTensor): readonly number[] => x.shape as readonly number[];

/**
 * Registers the kernel on tfjs's `cpu` backend (once per tfjs-core instance) and returns the
 * adapter's product over it. Shapes are checked before any work: operands must be 2-D with matching
 * inner extents, and a bias `[M, N]` or `[N]`.
 */
export function cpuProduct(tf: TfjsCore): ProductFn {
  if (tf.getKernel(PRODUCT_KERNEL, 'cpu') === undefined) {
    tf.registerKernel({
      kernelName: PRODUCT_KERNEL,
      backendName: 'cpu',
      kernelFunc: productKernel as unknown as Parameters<TfjsCore['registerKernel']>[0]['kernelFunc'],
    });
  }
  return ({ a, b, transposeA = false, transposeB = false, bias, activation = 'linear' }) => {
    const as = shapeOf(a);
    const bs = shapeOf(b);
    if (as.length !== 2 || bs.length !== 2) {
      throw new RangeError(
        `${PRODUCT_KERNEL}: operands must be 2-D, got a [${as.join(', ')}] and b [${bs.join(', ')}]`,
      );
    }
    const [m, k] = transposeA ? [as[1], as[0]] : [as[0], as[1]];
    const [kb, n] = transposeB ? [bs[1], bs[0]] : [bs[0], bs[1]];
    if (k !== kb) {
      throw new RangeError(
        `${PRODUCT_KERNEL}: inner extents differ: op(a) is [${m}, ${k}], op(b) is [${kb}, ${n}]`,
      );
    }
    if (bias !== undefined) {
      const s = shapeOf(bias);
      const fits = (s.length === 2 && s[0] === m && s[1] === n) || (s.length === 1 && s[0] === n);
      if (!fits) {
        throw new RangeError(`${PRODUCT_KERNEL}: bias must be [${m}, ${n}] or [${n}], got [${s.join(', ')}]`);
      }
    }
    const inputs: Record<string, TfTensor> = bias === undefined ? { a, b } : { a, b, bias };
    const attrs = { transposeA, transposeB, activation };
    return tf.engine().runKernel(PRODUCT_KERNEL, inputs, attrs as never) as TfTensor;
  };
}
