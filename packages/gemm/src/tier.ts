/**
 * The internal matrix-product interface every op and fused kernel goes through.
 *
 * It is deliberately small (one general product, plus pack-once/multiply-many for weights that stay
 * fixed for a whole sequence) so that a WebAssembly SIMD tier can implement the same three methods
 * later and be swapped in per engine. All matrices are row-major and contiguous from an offset;
 * transposed operands are read in place, never materialised.
 */

import type { TypedArray } from '@recur/core';

/**
 * A right-hand operand `op(B)` (`k × n`) rearranged once into the layout a tier's kernel streams
 * fastest. Opaque to callers: only the tier that packed it may read it.
 */
export interface PackedMatrix {
  /** Inner (reduction) dimension. */
  readonly k: number;
  /** Number of output columns. */
  readonly n: number;
  /** Tier-specific layout. */
  readonly data: TypedArray;
}

/** Dense `C = op(A)·op(B)` (or `C += …`) over typed arrays. */
export interface GemmTier {
  /** Short name for reports (`js`, later `wasm-simd`). */
  readonly name: string;
  /**
   * `C[m×n] (+)= op(A)[m×k] · op(B)[k×n]`. `A` is stored `m×k` (or `k×m` when `transA`) from `aOff`,
   * `B` is stored `k×n` (or `n×k` when `transB`) from `bOff`, `C` is `m×n` from `cOff`.
   * With `accumulate` the product is added to `C`; otherwise `C` is overwritten.
   */
  gemm(
    m: number,
    n: number,
    k: number,
    a: TypedArray,
    aOff: number,
    transA: boolean,
    b: TypedArray,
    bOff: number,
    transB: boolean,
    c: TypedArray,
    cOff: number,
    accumulate: boolean,
  ): void;
  /** Packs `op(B)` (`k×n`, stored as for {@link GemmTier.gemm}) for repeated products. */
  pack(b: TypedArray, bOff: number, transB: boolean, k: number, n: number): PackedMatrix;
  /** {@link GemmTier.gemm} with a right-hand side packed by this tier's {@link GemmTier.pack}. */
  gemmPacked(
    m: number,
    a: TypedArray,
    aOff: number,
    transA: boolean,
    b: PackedMatrix,
    c: TypedArray,
    cOff: number,
    accumulate: boolean,
  ): void;
}
