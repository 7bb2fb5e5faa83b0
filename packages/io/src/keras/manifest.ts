/**
 * tfjs weight specs (`weightsManifest[*].weights`, or the in-memory handler's `weightSpecs`) and the
 * bytes they describe. tfjs lays the weights end to end, in spec order, over the shards in manifest
 * order; each is `float32` little-endian, or quantized (`quantization.dtype` `float16`, or `uint8` /
 * `uint16` with `value = q · scale + min`, computed in float32 as tfjs dequantizes). Every name, shape
 * and byte length is checked against the bytes present before anything is allocated.
 */
import { MAX_TENSOR_ELEMENTS } from '@recur/core';
import { float16ToFloat } from '../half.js';
import type { StoredDType } from '../tensor-entry.js';
import { array, fail, integer, isObject, number, object, show, string } from './json.js';

/** One weight spec, checked. */
export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** tfjs' dtype (the type after dequantization). */
  readonly dtype: string;
  /** Elements (the product of `shape`). */
  readonly size: number;
  /** How the values are stored: plain float32, or quantized. */
  readonly encoding: 'float32' | 'float16' | 'uint8' | 'uint16';
  readonly scale: number;
  readonly min: number;
  /** Byte offset in the concatenated weight data. */
  readonly offset: number;
  readonly byteLength: number;
  /** tfjs' `group` (`"optimizer"` for optimizer state saved with `includeOptimizer`). */
  readonly group?: string;
}

/** A decoded weight: row-major float32 values in the spec's shape, and how the file stored them. */
export interface DecodedWeight {
  readonly shape: readonly number[];
  readonly data: Float32Array;
  readonly stored: StoredDType;
  /** Set for uint8/uint16 weights: tfjs' dequantized values, which is what tfjs computes with. */
  readonly quantized?: 'uint8' | 'uint16';
}

/** Bytes per element of the dtypes tfjs can store, to skip weights Recur does not use (optimizer state). */
const plainBytes: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const quantizedBytes: Record<string, number> = { float16: 2, uint8: 1, uint16: 2 };

/** Checks `specs` (where they came from is `where`) and lays them out over `dataLength` bytes. */
export function readWeightSpecs(specs: readonly unknown[], where: string, dataLength: number): WeightSpec[] {
  const out: WeightSpec[] = [];
  const names = new Set<string>();
  let offset = 0;
  for (const [i, raw] of specs.entries()) {
    const at = `${where}[${i}]`;
    const spec = object(raw, at);
    const name = string(spec.name, `${at}.name`);
    if (names.has(name)) fail(`${at}: weight "${name}" is listed twice`);
    names.add(name);
    const shapeList = array(spec.shape, `${at}.shape ("${name}")`);
    const shape = shapeList.map((d, k) =>
      integer(d, `${at}.shape[${k}] ("${name}")`, 0, MAX_TENSOR_ELEMENTS),
    );
    const size = shape.reduce((n, d) => n * d, 1);
    if (size > MAX_TENSOR_ELEMENTS)
      fail(`${at}: "${name}" has shape [${shape.join(', ')}], more than ${MAX_TENSOR_ELEMENTS} elements`);
    const dtype = string(spec.dtype, `${at}.dtype ("${name}")`);
    const group =
      spec.group === undefined || spec.group === null ? undefined : string(spec.group, `${at}.group`);
    let encoding: WeightSpec['encoding'] = 'float32';
    let scale = 1;
    let min = 0;
    let bytes: number | undefined = plainBytes[dtype];
    if (spec.quantization !== undefined && spec.quantization !== null) {
      const q = object(spec.quantization, `${at}.quantization ("${name}")`);
      const qType = string(q.dtype, `${at}.quantization.dtype ("${name}")`);
      bytes = quantizedBytes[qType];
      if (bytes === undefined)
        fail(
          `${at}: "${name}" has quantization.dtype ${show(qType)}; tfjs quantizes to float16, uint8 or uint16`,
        );
      if (dtype !== 'float32')
        fail(`${at}: "${name}" is a quantized ${show(dtype)} weight; Recur reads float32 weights`);
      encoding = qType as WeightSpec['encoding'];
      if (qType !== 'float16') {
        scale = number(q.scale, `${at}.quantization.scale ("${name}")`);
        min = number(q.min, `${at}.quantization.min ("${name}")`);
      }
    }
    if (bytes === undefined) {
      fail(
        `${at}: "${name}" has dtype ${show(dtype)}; tfjs stores float32, int32, bool or complex64 weights by size (string weights have no fixed size)`,
      );
    }
    const byteLength = size * bytes!;
    if (offset + byteLength > dataLength) {
      fail(
        `${at}: "${name}" needs bytes ${offset}–${offset + byteLength} of the weight data, which has only ${dataLength} bytes`,
      );
    }
    out.push({ name, shape, dtype, size, encoding, scale, min, offset, byteLength, group });
    offset += byteLength;
  }
  if (offset !== dataLength) {
    fail(
      `the weight specs describe ${offset} bytes, but the weight data has ${dataLength}: the specs and the shards do not belong together`,
    );
  }
  return out;
}

/** Refuses a weight Recur would use that is not float32 (quantized or plain). */
export function expectFloat32(spec: Pick<WeightSpec, 'name' | 'dtype'>, where: string): void {
  if (spec.dtype !== 'float32')
    fail(`${where}: "${spec.name}" is stored as ${show(spec.dtype)}; Recur reads float32 weights`);
}

/** Decodes one float32 weight (plain or quantized) from `data`, which its spec was checked against. */
export function decodeWeight(spec: WeightSpec, data: Uint8Array): DecodedWeight {
  const view = new DataView(data.buffer, data.byteOffset + spec.offset, spec.byteLength);
  const values = new Float32Array(spec.size);
  switch (spec.encoding) {
    case 'float32':
      for (let i = 0; i < spec.size; i++) values[i] = view.getFloat32(i * 4, true);
      return { shape: spec.shape, data: values, stored: 'float32' };
    case 'float16':
      for (let i = 0; i < spec.size; i++) values[i] = float16ToFloat(view.getUint16(i * 2, true));
      return { shape: spec.shape, data: values, stored: 'float16' };
    case 'uint8':
      for (let i = 0; i < spec.size; i++) values[i] = view.getUint8(i) * spec.scale + spec.min;
      return { shape: spec.shape, data: values, stored: 'float32', quantized: 'uint8' };
    case 'uint16':
      for (let i = 0; i < spec.size; i++) values[i] = view.getUint16(i * 2, true) * spec.scale + spec.min;
      return { shape: spec.shape, data: values, stored: 'float32', quantized: 'uint16' };
  }
}

/** The weight data as one byte array (shards concatenated in order, as tfjs does). */
export function concatenateWeightData(
  data: Uint8Array | ArrayBuffer | readonly (Uint8Array | ArrayBuffer)[],
): Uint8Array {
  const asBytes = (part: unknown, where: string): Uint8Array => {
    if (part instanceof Uint8Array) return part;
    if (part instanceof ArrayBuffer) return new Uint8Array(part);
    return fail(
      `${where} must be a Uint8Array or an ArrayBuffer, got ${isObject(part) ? 'an object' : show(part)}`,
    );
  };
  if (!Array.isArray(data)) return asBytes(data, 'the weight data');
  const parts = (data as readonly unknown[]).map((p, i) => asBytes(p, `weight data shard ${i}`));
  if (parts.length === 1) return parts[0]!;
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
