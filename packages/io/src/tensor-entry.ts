/** A tensor read from or written to a weight file, host-side. */
import type { TensorData } from '@recur/core';

/** Element types weight files store that Recur reads (16-bit ones are widened to float32 on load). */
export type StoredDType = 'float64' | 'float32' | 'float16' | 'bfloat16';

/** One named tensor of a weight file: its values (row-major), shape and the type it was stored as. */
export interface WeightTensor extends TensorData {
  /** Row-major values: float64 files give a Float64Array, every other type a Float32Array. */
  readonly data: Float32Array | Float64Array;
  /** Dimensions. */
  readonly shape: readonly number[];
  /** The element type in the file. */
  readonly stored: StoredDType;
}

/** What a reader returns: tensors by their state-dict names, in file order, and the file's metadata. */
export interface WeightFile {
  /** Tensors by PyTorch state-dict name (`weight_ih_l0`, …); pass it to `module.loadStateDict`. */
  readonly tensors: Record<string, WeightTensor>;
  /** String metadata the file carries (e.g. safetensors' `__metadata__`), or an empty object. */
  readonly metadata: Record<string, string>;
}
