/** Default comparison tolerances per dtype (a backend may declare its own). */
import type { DType } from '@recur/core';
import type { Tolerance } from './compare.js';

/** float32: atol 1e-5, rtol 1e-4; float64: 1e-10 both (references are computed in float64). */
export const defaultTolerances: Record<DType, Tolerance> = {
  float32: { atol: 1e-5, rtol: 1e-4 },
  float64: { atol: 1e-10, rtol: 1e-10 },
};
