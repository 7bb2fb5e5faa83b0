/** Writing safetensors files that PyTorch's `safetensors.torch.load` (and our reader) accept. */
import type { Tensor, TensorData } from '@recur/core';
import { WeightFileError } from '../errors.js';
import { floatToBfloat16, floatToFloat16 } from '../half.js';
import type { StoredDType } from '../tensor-entry.js';
import { safetensorsDTypes } from './format.js';

/** Options of {@link writeSafetensors}. */
export interface WriteSafetensorsOptions {
  /** Element type to store (default `float32`). */
  readonly dtype?: StoredDType;
  /** String metadata for `__metadata__` (PyTorch's convention `format: "pt"` is added when absent). */
  readonly metadata?: Readonly<Record<string, string>>;
}

const codeOf: Record<StoredDType, string> = {
  float64: 'F64',
  float32: 'F32',
  float16: 'F16',
  bfloat16: 'BF16',
};

const fail = (message: string): never => {
  throw new WeightFileError('safetensors', message);
};

/**
 * Serialises tensors (a module's `stateDict()`, or `{shape, data}` entries) to safetensors bytes, in the
 * given order, with the header padded by spaces to a multiple of 8 bytes so every tensor is aligned.
 */
export function writeSafetensors(
  tensors: Readonly<Record<string, Tensor | TensorData>>,
  options: WriteSafetensorsOptions = {},
): Uint8Array {
  const stored = options.dtype ?? 'float32';
  const code = codeOf[stored];
  if (code === undefined) fail(`dtype must be float64, float32, float16 or bfloat16, got ${String(stored)}`);
  const itemBytes = safetensorsDTypes[code]!.bytes;
  const metadata: Record<string, string> = { format: 'pt', ...options.metadata };
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') fail(`metadata.${key} must be a string, got ${typeof value}`);
  }
  const header: Record<string, unknown> = { __metadata__: metadata };
  const values: ArrayLike<number>[] = [];
  let offset = 0;
  for (const [name, entry] of Object.entries(tensors)) {
    if (name === '__metadata__') fail('a tensor cannot be named __metadata__');
    const data = 'toArray' in entry ? entry.toArray() : entry.data;
    const shape = [...entry.shape];
    const size = shape.reduce((n, d) => n * d, 1);
    if (data.length !== size)
      fail(`tensor "${name}" has ${data.length} values for shape [${shape.join(', ')}]`);
    header[name] = { dtype: code, shape, data_offsets: [offset, offset + size * itemBytes] };
    values.push(data);
    offset += size * itemBytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length)
    json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padded - json.length));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const data of values) {
    for (let i = 0; i < data.length; i++, at += itemBytes) {
      const v = data[i]!;
      if (stored === 'float64') view.setFloat64(at, v, true);
      else if (stored === 'float32') view.setFloat32(at, v, true);
      else if (stored === 'float16') view.setUint16(at, floatToFloat16(v), true);
      else view.setUint16(at, floatToBfloat16(v), true);
    }
  }
  return out;
}
