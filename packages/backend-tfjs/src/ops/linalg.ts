/** `matMul` and its gradient. */
import type { TfjsCore, TfTensor } from '../tfjs.js';
import { differentiable } from './differentiable.js';

/**
 * `op(a)·op(b)`. With `explicitTranspose`, transposed operands are materialized first: tfjs-wasm's
 * matmul with a transpose flag runs ~10× slower than a transpose plus a plain matmul.
 */
export type MatMulFn = (a: TfTensor, b: TfTensor, transposeA: boolean, transposeB: boolean) => TfTensor;

/** The activations a {@link ProductFn}'s epilogue applies. */
export type ProductActivation = 'linear' | 'sigmoid' | 'relu' | 'tanh';

/** The arguments of a {@link ProductFn}. */
export interface ProductArgs {
  /** Left operand, 2-D: `[M, K]`, or `[K, M]` with `transposeA`. */
  readonly a: TfTensor;
  /** Right operand, 2-D: `[K, N]`, or `[N, K]` with `transposeB`. */
  readonly b: TfTensor;
  /** Use `a` transposed, read in place (default false). */
  readonly transposeA?: boolean;
  /** Use `b` transposed, read in place (default false). */
  readonly transposeB?: boolean;
  /** Added to the product: `[M, N]`, or `[N]` for every row. */
  readonly bias?: TfTensor;
  /** Applied last (default `linear`). */
  readonly activation?: ProductActivation;
}

/**
 * `activation(op(A)·op(B) + bias)` on 2-D operands as ONE engine kernel, not differentiable: an
 * engine package's own matrix product (tfjs-cpu's is ~4× slower than a register-tiled JavaScript
 * one), used by the adapter for every matmul it runs and by the fused kernels for whole gate
 * pre-activations. Without one, the adapter uses tfjs's `matMul` and `fused.matMul`.
 */
export type ProductFn = (args: ProductArgs) => TfTensor;

/** A {@link MatMulFn} over an engine's own {@link ProductFn}: its transposed operands are read in place. */
export function productMatMul(product: ProductFn): MatMulFn {
  return (a, b, transposeA, transposeB) => product({ a, b, transposeA, transposeB });
}

/**
 * tfjs's own `fused.matMul` as a {@link ProductFn}. `tanh` and `relu` run as a second op: tfjs-core
 * 4.22 has no fused `tanh`, and tfjs-wasm's fused `relu` is a clamp that turns NaN into 0 (a diverged
 * model would look converged), where `tf.relu` keeps NaN as PyTorch does.
 */
export function tfjsProduct(tf: TfjsCore): ProductFn {
  return ({ a, b, transposeA = false, transposeB = false, bias, activation = 'linear' }) => {
    if (activation === 'tanh') return tf.tanh(tf.fused.matMul({ a, b, transposeA, transposeB, bias }));
    if (activation === 'relu') return tf.relu(tf.fused.matMul({ a, b, transposeA, transposeB, bias }));
    return tf.fused.matMul({ a, b, transposeA, transposeB, bias, activation });
  };
}

/** Per-op overhead of a transpose, in elements copied (tfjs-wasm, measured: a few µs). */
const TRANSPOSE_OVERHEAD = 2048;

/**
 * A raw (non-differentiable) matmul following the explicit-transpose policy. A transposed product
 * can be formed two ways: transpose the flagged operand(s), or compute the swapped product and
 * transpose the result (`Aᵀ·B = (Bᵀ·A)ᵀ`, `A·Bᵀ = (B·Aᵀ)ᵀ`, `Aᵀ·Bᵀ = (B·A)ᵀ`); the one that copies
 * fewer elements wins. For BPTT's `dW = dGᵀ·X` with many rows, the second is ~2–3× cheaper.
 */
export function rawMatMul(tf: TfjsCore, explicitTranspose: boolean, padOddSharedDim = false): MatMulFn {
  const mm = transposePolicy(tf, explicitTranspose);
  return padOddSharedDim ? evenSharedDim(tf, mm) : mm;
}

function transposePolicy(tf: TfjsCore, explicitTranspose: boolean): MatMulFn {
  if (!explicitTranspose) return (a, b, ta, tb) => tf.matMul(a, b, ta, tb);
  const t = (x: TfTensor) => tf.transpose(x);
  const cost = (...sizes: number[]) => sizes.reduce((s, n) => s + n + TRANSPOSE_OVERHEAD, 0);
  return (a, b, ta, tb) => {
    if (!ta && !tb) return tf.matMul(a, b);
    const [m, k] = (ta ? [a.shape[1], a.shape[0]] : a.shape) as number[];
    const n = (tb ? b.shape[0] : b.shape[1]) as number;
    if (ta && tb) return cost(m * n) < cost(k * m, k * n) ? t(tf.matMul(b, a)) : tf.matMul(t(a), t(b));
    if (ta) return cost(k * n, m * n) < cost(k * m) ? t(tf.matMul(t(b), a)) : tf.matMul(t(a), b);
    return cost(m * k, m * n) < cost(n * k) ? t(tf.matMul(b, t(a))) : tf.matMul(a, t(b));
  };
}

/**
 * Pads an odd shared dimension with one zero slice on both operands. tfjs-webgl 4.22's packed
 * matmul reads the shared dimension two at a time, so with an odd extent it also sums the texture's
 * padding texel, which packed elementwise ops leave non-zero (`exp` writes e⁰ = 1 there): e.g.
 * `exp(A)·exp(B)` with A `[12, 5]` comes out off by 1.0. `tf.pad` writes real zeros there.
 */
function evenSharedDim(tf: TfjsCore, mm: MatMulFn): MatMulFn {
  return (a, b, ta, tb) => {
    const shared = a.shape[ta ? 0 : 1] as number;
    if (shared % 2 === 0) return mm(a, b, ta, tb);
    const padA: [number, number][] = ta
      ? [
          [0, 1],
          [0, 0],
        ]
      : [
          [0, 0],
          [0, 1],
        ];
    const padB: [number, number][] = tb
      ? [
          [0, 0],
          [0, 1],
        ]
      : [
          [0, 1],
          [0, 0],
        ];
    return mm(tf.pad(a, padA), tf.pad(b, padB), ta, tb);
  };
}

/** The differentiable matMul primitive. */
export function createMatMul(tf: TfjsCore, mm: MatMulFn): MatMulFn {
  return (a, b, ta, tb) =>
    differentiable(tf, [a, b], () => ({
      value: mm(a, b, ta, tb),
      save: [a, b],
      grad: (dy, [sa, sb]) => {
        // C = op(A)·op(B): dop(A) = dC·op(B)ᵀ, dop(B) = op(A)ᵀ·dC, then undo each op.
        if (!ta && !tb) return [mm(dy, sb, false, true), mm(sa, dy, true, false)];
        if (!ta && tb) return [mm(dy, sb, false, false), mm(dy, sa, true, false)];
        if (ta && !tb) return [mm(sb, dy, false, true), mm(sa, dy, false, false)];
        return [mm(sb, dy, true, true), mm(dy, sa, true, true)];
      },
    }));
}
