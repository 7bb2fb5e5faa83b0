/**
 * The safetensors layout: an 8-byte little-endian header length N, N bytes of JSON
 * (`{"__metadata__": {string: string}, name: {"dtype", "shape", "data_offsets": [begin, end]}}`, offsets
 * relative to the end of the header), then the tensors' bytes, little-endian, row-major, with no gaps.
 */
import type { StoredDType } from '../tensor-entry.js';

/** Bytes per element of each dtype code Recur reads. */
export const safetensorsDTypes: Readonly<Record<string, { stored: StoredDType; bytes: number }>> = {
  F64: { stored: 'float64', bytes: 8 },
  F32: { stored: 'float32', bytes: 4 },
  F16: { stored: 'float16', bytes: 2 },
  BF16: { stored: 'bfloat16', bytes: 2 },
};

/** The dtype codes of the safetensors format that are not floating point (refused by name). */
export const otherSafetensorsDTypes = [
  'I64',
  'I32',
  'I16',
  'I8',
  'U64',
  'U32',
  'U16',
  'U8',
  'BOOL',
  'F8_E4M3',
  'F8_E5M2',
];

/** Largest header accepted: the reference implementation's limit (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;
