/**
 * ONNX `TensorProto` ↔ numbers. Reading checks every dimension and the length of the data field in
 * use against the element count before any array is allocated; writing stores little-endian
 * `raw_data`, as PyTorch's exporter does.
 */
import { MAX_TENSOR_ELEMENTS } from '@recur/core';
import { WeightFileError } from '../errors.js';
import { bfloat16ToFloat, float16ToFloat } from '../half.js';
import type { StoredDType, WeightTensor } from '../tensor-entry.js';
import type { TensorProto } from './proto.js';
import { DataType } from './proto.js';

const fail = (message: string): never => {
  throw new WeightFileError('onnx', message);
};

const typeNames: Record<number, string> = Object.fromEntries(
  Object.entries(DataType).map(([name, code]) => [code, name]),
);

/** The name of an ONNX data type code (`FLOAT`, `INT64`, …), for messages. */
export function dataTypeName(code: number): string {
  return typeNames[code] ?? `unknown (${code})`;
}

const floatTypes: Record<number, { stored: StoredDType; bytes: number }> = {
  [DataType.FLOAT]: { stored: 'float32', bytes: 4 },
  [DataType.DOUBLE]: { stored: 'float64', bytes: 8 },
  [DataType.FLOAT16]: { stored: 'float16', bytes: 2 },
  [DataType.BFLOAT16]: { stored: 'bfloat16', bytes: 2 },
};

/** Whether `code` is a floating-point type Recur reads. */
export function isFloatType(code: number): boolean {
  return floatTypes[code] !== undefined;
}

/** Dimensions as numbers: each an integer in [0, MAX_TENSOR_ELEMENTS], their product too. */
export function tensorDims(tensor: TensorProto, where: string): number[] {
  const dims: number[] = [];
  let size = 1;
  for (const [i, d] of tensor.dims.entries()) {
    if (d < 0n || d > BigInt(MAX_TENSOR_ELEMENTS)) {
      fail(`${where}: dims[${i}] must be in [0, ${MAX_TENSOR_ELEMENTS}], got ${d}`);
    }
    dims.push(Number(d));
    size *= Number(d);
  }
  if (size > MAX_TENSOR_ELEMENTS) {
    fail(`${where}: dims [${dims.join(', ')}] hold ${size} elements, more than ${MAX_TENSOR_ELEMENTS}`);
  }
  return dims;
}

/** Elements that `tensor` declares, after {@link tensorDims}' checks (for size budgets). */
export function tensorSize(tensor: TensorProto, where: string): number {
  return tensorDims(tensor, where).reduce((n, d) => n * d, 1);
}

function checkLocation(tensor: TensorProto, where: string): void {
  if (tensor.dataLocation !== 0 || tensor.externalData.length > 0) {
    const location = tensor.externalData.find((e) => e.key === 'location')?.value;
    fail(
      `${where}: the data is stored outside the model (data_location = EXTERNAL${location ? `, location "${location}"` : ''}); readOnnx reads a single .onnx file: save the model with its weights inside`,
    );
  }
}

/** Checks that the typed data field in use holds exactly `size` elements. */
function checkLength(found: number, size: number, field: string, dims: number[], where: string): void {
  if (found !== size) {
    fail(`${where}: ${field} holds ${found} elements, but dims [${dims.join(', ')}] need ${size}`);
  }
}

function checkRaw(found: number, size: number, bytes: number, dims: number[], where: string): void {
  if (found !== size * bytes) {
    fail(
      `${where}: raw_data has ${found} bytes, but dims [${dims.join(', ')}] need ${size * bytes} (${size} × ${bytes})`,
    );
  }
}

/**
 * A floating-point tensor's values: FLOAT, FLOAT16 and BFLOAT16 as Float32Array (16-bit values widened
 * exactly), DOUBLE as Float64Array. `where` names the tensor in errors.
 */
export function readFloatTensor(tensor: TensorProto, where: string): WeightTensor {
  const type = floatTypes[tensor.dataType];
  if (type === undefined) {
    fail(
      `${where}: data_type must be FLOAT, DOUBLE, FLOAT16 or BFLOAT16, got ${dataTypeName(tensor.dataType)}`,
    );
  }
  const { stored, bytes } = type!;
  checkLocation(tensor, where);
  const shape = tensorDims(tensor, where);
  const size = shape.reduce((n, d) => n * d, 1);
  const raw = tensor.rawData;
  if (raw.length > 0) {
    checkRaw(raw.length, size, bytes, shape, where);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const data = stored === 'float64' ? new Float64Array(size) : new Float32Array(size);
    for (let i = 0; i < size; i++) {
      if (stored === 'float64') data[i] = view.getFloat64(i * 8, true);
      else if (stored === 'float32') data[i] = view.getFloat32(i * 4, true);
      else if (stored === 'float16') data[i] = float16ToFloat(view.getUint16(i * 2, true));
      else data[i] = bfloat16ToFloat(view.getUint16(i * 2, true));
    }
    return { shape, data, stored };
  }
  if (stored === 'float64') {
    checkLength(tensor.doubleData.length, size, 'double_data', shape, where);
    return { shape, data: Float64Array.from(tensor.doubleData), stored };
  }
  if (stored === 'float32') {
    checkLength(tensor.floatData.length, size, 'float_data', shape, where);
    return { shape, data: Float32Array.from(tensor.floatData), stored };
  }
  // 16-bit types keep their bit patterns in int32_data (onnx.proto, TensorProto.int32_data).
  checkLength(tensor.int32Data.length, size, 'int32_data', shape, where);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const bits = tensor.int32Data[i]!;
    if (bits < 0 || bits > 0xffff) fail(`${where}: int32_data[${i}] = ${bits} is not a 16-bit pattern`);
    data[i] = stored === 'float16' ? float16ToFloat(bits) : bfloat16ToFloat(bits);
  }
  return { shape, data, stored };
}

/**
 * An integer tensor's values (INT64 or INT32, as the axes, shapes and indices of glue nodes are
 * stored), each within ±2^53. `where` names the tensor in errors.
 */
export function readIntTensor(tensor: TensorProto, where: string): { shape: number[]; data: number[] } {
  const code = tensor.dataType;
  if (code !== DataType.INT64 && code !== DataType.INT32) {
    fail(`${where}: data_type must be INT64 or INT32, got ${dataTypeName(code)}`);
  }
  checkLocation(tensor, where);
  const shape = tensorDims(tensor, where);
  const size = shape.reduce((n, d) => n * d, 1);
  const bytes = code === DataType.INT64 ? 8 : 4;
  const raw = tensor.rawData;
  let values: bigint[];
  if (raw.length > 0) {
    checkRaw(raw.length, size, bytes, shape, where);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    values = Array.from({ length: size }, (_, i) =>
      code === DataType.INT64 ? view.getBigInt64(i * 8, true) : BigInt(view.getInt32(i * 4, true)),
    );
  } else if (code === DataType.INT64) {
    checkLength(tensor.int64Data.length, size, 'int64_data', shape, where);
    values = tensor.int64Data;
  } else {
    checkLength(tensor.int32Data.length, size, 'int32_data', shape, where);
    values = tensor.int32Data.map((v) => BigInt(v));
  }
  return { shape, data: values.map(clampToNumber) };
}

/** int64 → number; values past ±2^53 are only ever "very large" (INT64_MAX as "to the end"). */
function clampToNumber(value: bigint): number {
  const limit = BigInt(Number.MAX_SAFE_INTEGER);
  if (value > limit) return Number.MAX_SAFE_INTEGER;
  if (value < -limit) return -Number.MAX_SAFE_INTEGER;
  return Number(value);
}

/** A TensorProto of `values` stored as little-endian raw_data in FLOAT or DOUBLE. */
export function floatTensorProto(
  name: string,
  shape: readonly number[],
  values: ArrayLike<number>,
  dtype: 'float32' | 'float64',
): Partial<TensorProto> {
  const bytes = dtype === 'float64' ? 8 : 4;
  const raw = new Uint8Array(values.length * bytes);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) {
    if (dtype === 'float64') view.setFloat64(i * 8, values[i]!, true);
    else view.setFloat32(i * 4, values[i]!, true);
  }
  return {
    name,
    dims: shape.map(BigInt),
    dataType: dtype === 'float64' ? DataType.DOUBLE : DataType.FLOAT,
    rawData: raw,
  };
}

/** An INT64 TensorProto (shapes, axes, slice bounds of glue nodes). */
export function int64TensorProto(name: string, shape: readonly number[], values: readonly number[]) {
  return { name, dims: shape.map(BigInt), dataType: DataType.INT64, int64Data: values.map(BigInt) };
}
