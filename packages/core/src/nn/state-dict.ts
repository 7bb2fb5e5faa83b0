/** State dicts: PyTorch-named tensors that move weights between modules, backends and files. */
import type { Tensor } from '../tensor/tensor.js';

/** A tensor as plain data, as stored in JSON (`{ shape, data }`, row-major). */
export interface TensorData {
  /** Dimensions. */
  shape: readonly number[];
  /** Row-major values. */
  data: ArrayLike<number>;
}

/** Parameter name (PyTorch's `state_dict` key) → tensor or plain data. */
export type StateDict = Record<string, Tensor | TensorData>;

/** Converts a state dict to plain JSON-serialisable data (for saving weights). */
export function stateDictToJSON(state: StateDict): Record<string, { shape: number[]; data: number[] }> {
  const out: Record<string, { shape: number[]; data: number[] }> = {};
  for (const [name, entry] of Object.entries(state)) {
    out[name] = {
      shape: [...entry.shape],
      data: Array.from('toArray' in entry ? entry.toArray() : entry.data),
    };
  }
  return out;
}
