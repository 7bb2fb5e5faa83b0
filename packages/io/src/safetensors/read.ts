/** Reading safetensors files: every length, offset and dtype is checked before anything is allocated. */
import { WeightFileError } from '../errors.js';
import { bfloat16ToFloat, float16ToFloat } from '../half.js';
import type { WeightFile, WeightTensor } from '../tensor-entry.js';
import { MAX_HEADER_BYTES, otherSafetensorsDTypes, safetensorsDTypes } from './format.js';

const fail = (message: string): never => {
  throw new WeightFileError('safetensors', message);
};

interface HeaderEntry {
  readonly name: string;
  readonly code: string;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/**
 * Parses a safetensors file. Float64 tensors come back as Float64Array, float32, float16 and bfloat16
 * as Float32Array (16-bit values widened exactly). Throws {@link WeightFileError} for anything else:
 * a header length past the end of the file, a header that is not a JSON object, an unknown or
 * non-floating dtype, a shape whose size does not match its byte range, overlapping or out-of-range
 * offsets, or bytes not covered by any tensor.
 */
export function readSafetensors(bytes: Uint8Array): WeightFile {
  if (!(bytes instanceof Uint8Array)) fail(`expected the file's bytes as a Uint8Array, got ${typeof bytes}`);
  if (bytes.length < 8) fail(`the file has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8) {
    fail(`the header length is ${headerLength} bytes, but the file has only ${bytes.length - 8} after it`);
  }
  if (headerLength > MAX_HEADER_BYTES)
    fail(`the header length ${headerLength} exceeds ${MAX_HEADER_BYTES} bytes`);
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)),
    );
  } catch (error) {
    fail(`the header is not UTF-8 JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    fail(`the header must be a JSON object, got ${Array.isArray(header) ? 'an array' : String(header)}`);
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata = readMetadata((header as Record<string, unknown>).__metadata__);
  const entries = Object.entries(header as Record<string, unknown>)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, value]) => readEntry(name, value, dataLength));
  checkCoverage(entries, dataLength);
  const tensors: Record<string, WeightTensor> = Object.create(null);
  for (const e of entries)
    tensors[e.name] = decode(e, bytes.subarray(dataStart + e.begin, dataStart + e.end));
  return { tensors, metadata };
}

function readMetadata(value: unknown): Record<string, string> {
  const metadata: Record<string, string> = Object.create(null);
  if (value === undefined) return metadata;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail('__metadata__ must be an object of strings');
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') fail(`__metadata__.${key} must be a string, got ${typeof v}`);
    metadata[key] = v as string;
  }
  return metadata;
}

function readEntry(name: string, value: unknown, dataLength: number): HeaderEntry {
  const where = `tensor "${name}"`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`${where} must be an object`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string') fail(`${where}: dtype must be a string, got ${typeof dtype}`);
  const code = dtype as string;
  const type = safetensorsDTypes[code];
  if (type === undefined) {
    fail(
      otherSafetensorsDTypes.includes(code)
        ? `${where}: dtype ${code} is not a floating-point type; Recur reads F64, F32, F16 and BF16`
        : `${where}: unknown dtype ${JSON.stringify(code).slice(0, 40)}; Recur reads F64, F32, F16 and BF16`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`${where}: shape must be an array of non-negative integers`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    fail(`${where}: data_offsets must be [begin, end] with 0 ≤ begin ≤ end`);
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataLength) fail(`${where}: data_offsets end ${end} is past the ${dataLength} data bytes`);
  // The byte range bounds the size, so this product cannot name more elements than the file holds.
  let elements = 1;
  for (const d of shape as number[]) elements *= d;
  if (elements * type!.bytes !== end - begin) {
    fail(
      `${where}: shape [${(shape as number[]).join(', ')}] of ${code} needs ${elements * type!.bytes} bytes, data_offsets give ${end - begin}`,
    );
  }
  return { name, code, shape: shape as number[], begin, end };
}

/** The tensors must tile the data region exactly: sorted by offset, no overlap, no gap, no tail. */
function checkCoverage(entries: readonly HeaderEntry[], dataLength: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at) {
      fail(
        e.begin < at
          ? `tensor "${e.name}" overlaps the tensor before it (begins at ${e.begin}, previous ends at ${at})`
          : `bytes ${at}–${e.begin} of the data belong to no tensor`,
      );
    }
    at = e.end;
  }
  if (at !== dataLength) fail(`the last ${dataLength - at} bytes of the data belong to no tensor`);
}

function decode(e: HeaderEntry, raw: Uint8Array): WeightTensor {
  const type = safetensorsDTypes[e.code]!;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const count = raw.byteLength / type.bytes;
  if (type.stored === 'float64') {
    const data = new Float64Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat64(i * 8, true);
    return { shape: e.shape, data, stored: type.stored };
  }
  const data = new Float32Array(count);
  if (type.stored === 'float32') for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
  else if (type.stored === 'float16')
    for (let i = 0; i < count; i++) data[i] = float16ToFloat(view.getUint16(i * 2, true));
  else for (let i = 0; i < count; i++) data[i] = bfloat16ToFloat(view.getUint16(i * 2, true));
  return { shape: e.shape, data, stored: type.stored };
}
