/**
 * `@recur/gemm`: the plain-JavaScript matrix product of backend-js's `scalar` tier, for any engine
 * that keeps its tensors in typed arrays (`@recur/backend-js` runs it as its plain tier,
 * `@recur/backend-tfjs-cpu` registers it as a tfjs `cpu` kernel). 4×4 register tiles over strided
 * operands: transposed operands are read in place, never copied. A package of its own so that
 * backends share the kernel without importing each other.
 *
 * ```ts
 * import { createJsGemm } from '@recur/gemm';
 * const gemm = createJsGemm();
 * // C[2×3] = A[2×4]·B[3×4]ᵀ
 * gemm.gemm(2, 3, 4, a, 0, false, b, 0, true, c, 0, false);
 * ```
 *
 * @packageDocumentation
 */
export { createJsGemm } from './js-gemm.js';
export type { GemmTier, PackedMatrix } from './tier.js';
