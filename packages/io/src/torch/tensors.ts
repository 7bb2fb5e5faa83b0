/**
 * Tensors from storages: a tensor is `(storage, storage_offset, size, stride)`, a strided view that may
 * be non-contiguous (a transposed weight) or share its storage with other tensors (flattened weights).
 * Every view is checked to stay inside its storage before a byte is read.
 */
import { bfloat16ToFloat, float16ToFloat } from '../half.js';
import type { WeightTensor } from '../tensor-entry.js';
import { fail } from './fail.js';
import type { TensorRef } from './globals.js';

/**
 * The number of elements `ref` holds, after checking that every element it reaches lies inside the part
 * of its storage it may see (the whole storage, or a legacy storage view).
 */
export function viewElements(name: string, ref: TensorRef): number {
  const { shape, stride, offset, storage } = ref;
  const where = `tensor "${name}" [${shape.join(', ')}] (stride [${stride.join(', ')}], offset ${offset})`;
  let elements = 1;
  for (const d of shape) elements *= d;
  if (elements === 0) {
    if (offset > storage.numel) fail(`${where} begins past the end of ${storage.describe()}`);
    return 0;
  }
  // The furthest element is offset + Σ (size − 1)·stride; each term is checked before it is added, so no
  // sum leaves the safe-integer range.
  let last = offset;
  for (let i = 0; i < shape.length; i++) {
    const reach = (shape[i]! - 1) * stride[i]!;
    if (reach > storage.numel || last + reach >= storage.numel) {
      fail(`${where} reaches past the ${storage.numel} elements of ${storage.describe()}`);
    }
    last += reach;
  }
  if (last >= storage.numel)
    fail(`${where} reaches past the ${storage.numel} elements of ${storage.describe()}`);
  return elements;
}

/**
 * Reads the tensor `ref` (already checked by {@link viewElements}) from `storage`, the bytes of its whole
 * storage, little-endian. Float64 gives a Float64Array; float32, float16 and bfloat16 a Float32Array.
 */
export function readView(ref: TensorRef, storage: Uint8Array, elements: number): WeightTensor {
  const { shape, stride } = ref;
  const type = ref.storage.type;
  const view = new DataView(storage.buffer, storage.byteOffset, storage.byteLength);
  const data = type.dtype === 'float64' ? new Float64Array(elements) : new Float32Array(elements);
  const read =
    type.dtype === 'float64'
      ? (at: number) => view.getFloat64(at, true)
      : type.dtype === 'float32'
        ? (at: number) => view.getFloat32(at, true)
        : type.dtype === 'float16'
          ? (at: number) => float16ToFloat(view.getUint16(at, true))
          : (at: number) => bfloat16ToFloat(view.getUint16(at, true));
  // Row-major walk with an odometer over the dimensions: `at` is the storage element of `index`.
  const index = new Array<number>(shape.length).fill(0);
  let at = ref.storage.offset + ref.offset;
  for (let i = 0; i < elements; i++) {
    data[i] = read(at * type.bytes);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) {
        at += stride[d]!;
        break;
      }
      at -= (shape[d]! - 1) * stride[d]!;
      index[d] = 0;
    }
  }
  return { shape: [...shape], data, stored: type.dtype };
}
