/**
 * `@recur/backend-js/gemm`: the plain-JavaScript matrix product of backend-js's `scalar` tier, for
 * other engines that keep their tensors in typed arrays (`@recur/backend-tfjs-cpu` registers it as a
 * tfjs `cpu` kernel). 4×4 register tiles over strided operands: transposed operands are read in
 * place, never copied. Loads none of the backend itself.
 *
 * ```ts
 * import { createJsGemm } from '@recur/backend-js/gemm';
 * const gemm = createJsGemm();
 * // C[2×3] = A[2×4]·B[3×4]ᵀ
 * gemm.gemm(2, 3, 4, a, 0, false, b, 0, true, c, 0, false);
 * ```
 *
 * @packageDocumentation
 */
export { createJsGemm } from './gemm/js-gemm.js';
export type { GemmTier, PackedMatrix } from './gemm/tier.js';
