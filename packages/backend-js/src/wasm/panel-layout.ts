/** The panel geometry shared by the kernel emitters and their JavaScript drivers. */

/** Columns per B panel and per micro-tile: two f32x4 vectors (see `gemm-kernels.ts` for why). */
export const NR = 8;

/** Bytes of the scratch tile each thread passes to `macro`/`gemv` for partial tiles (≥ 6 × 8 floats). */
export const TILE_BYTES = 256;
