/**
 * The ONNX messages Recur reads and writes, as a protobuf schema built at run time, and their
 * decoding and encoding through `@bufbuild/protobuf`.
 *
 * Why `@bufbuild/protobuf` (see also the package README): it has no dependencies, is ESM with its own
 * types, passes the protobuf conformance suite, never generates code with `eval`/`new Function` (so
 * it runs under a strict Content-Security-Policy, unlike protobufjs's decoders), bounds nesting depth
 * while parsing, and reads int64 fields as `bigint`, so a dimension beyond 2^53 is seen as such rather
 * than rounded. `onnx-proto` was not taken: it is code generated for protobufjs 6 covering all of
 * onnx.proto.
 *
 * The descriptor below is a subset of onnx.proto (ONNX 1.12, `syntax = "proto2"`, package `onnx`),
 * with its published field numbers (github.com/onnx/onnx, onnx/onnx.proto). Fields left out
 * (subgraphs, sparse tensors, functions, training info, segments) are skipped when parsing, which is
 * safe: a model using them is refused later by what it lacks or by the node that needs them. Two
 * deliberate simplifications, both identical on the wire: enum-typed fields (`AttributeProto.type`)
 * are declared int32, so an unknown enum value is kept instead of dropped, and the members of
 * `oneof`s (`TensorShapeProto.Dimension.value`, `TypeProto.value`) are declared as plain proto2
 * optional fields.
 */
import type { DescMessage } from '@bufbuild/protobuf';
import {
  create,
  createFileRegistry,
  fromBinary,
  isFieldSet,
  type Message,
  toBinary,
} from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { WeightFileError } from '../errors.js';

/** `AttributeProto.AttributeType` values Recur reads. */
export const AttributeType = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
} as const;

/** `TensorProto.DataType` values Recur reads or names. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
} as const;

/** onnx.TensorProto (the fields Recur uses). */
export interface TensorProto {
  dims: bigint[];
  dataType: number;
  floatData: number[];
  int32Data: number[];
  int64Data: bigint[];
  name: string;
  rawData: Uint8Array;
  externalData: StringStringEntryProto[];
  dataLocation: number;
  doubleData: number[];
}

/** onnx.AttributeProto. */
export interface AttributeProto {
  name: string;
  type: number;
  f: number;
  i: bigint;
  s: Uint8Array;
  t?: TensorProto;
  floats: number[];
  ints: bigint[];
  strings: Uint8Array[];
}

/** onnx.NodeProto. */
export interface NodeProto {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attribute: AttributeProto[];
  docString: string;
}

/**
 * onnx.TensorShapeProto.Dimension (the `value` oneof as two optional fields). A decoded message reads
 * an unset field as its default (0, ''), so use {@link dimensionSize} to tell a fixed size.
 */
export interface DimensionProto {
  dimValue?: bigint;
  dimParam?: string;
}

/** onnx.TypeProto (tensor types only). */
export interface TypeProto {
  tensorType?: { elemType: number; shape?: { dim: DimensionProto[] } };
}

/** onnx.ValueInfoProto. */
export interface ValueInfoProto {
  name: string;
  type?: TypeProto;
  docString: string;
}

/** onnx.GraphProto. */
export interface GraphProto {
  node: NodeProto[];
  name: string;
  initializer: TensorProto[];
  docString: string;
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  valueInfo: ValueInfoProto[];
}

/** onnx.OperatorSetIdProto. */
export interface OperatorSetIdProto {
  domain: string;
  version: bigint;
}

/** onnx.StringStringEntryProto. */
export interface StringStringEntryProto {
  key: string;
  value: string;
}

/** onnx.ModelProto. */
export interface ModelProto {
  irVersion: bigint;
  opsetImport: OperatorSetIdProto[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: bigint;
  docString: string;
  graph?: GraphProto;
  metadataProps: StringStringEntryProto[];
}

// google.protobuf.FieldDescriptorProto.Type and .Label values.
const FLOAT = 2;
const INT64 = 3;
const INT32 = 5;
const STRING = 9;
const MESSAGE = 11;
const BYTES = 12;
const DOUBLE = 1;
const UINT64 = 4;
const OPTIONAL = 1;
const REPEATED = 3;

type FieldSpec = [name: string, number: number, type: number, label: number, message?: string];

/** Message name → fields, as in onnx.proto; `packed` below lists the `[packed = true]` ones. */
const messages: Record<string, FieldSpec[]> = {
  AttributeProto: [
    ['name', 1, STRING, OPTIONAL],
    ['type', 20, INT32, OPTIONAL],
    ['f', 2, FLOAT, OPTIONAL],
    ['i', 3, INT64, OPTIONAL],
    ['s', 4, BYTES, OPTIONAL],
    ['t', 5, MESSAGE, OPTIONAL, 'TensorProto'],
    ['floats', 7, FLOAT, REPEATED],
    ['ints', 8, INT64, REPEATED],
    ['strings', 9, BYTES, REPEATED],
  ],
  ValueInfoProto: [
    ['name', 1, STRING, OPTIONAL],
    ['type', 2, MESSAGE, OPTIONAL, 'TypeProto'],
    ['doc_string', 3, STRING, OPTIONAL],
  ],
  NodeProto: [
    ['input', 1, STRING, REPEATED],
    ['output', 2, STRING, REPEATED],
    ['name', 3, STRING, OPTIONAL],
    ['op_type', 4, STRING, OPTIONAL],
    ['domain', 7, STRING, OPTIONAL],
    ['attribute', 5, MESSAGE, REPEATED, 'AttributeProto'],
    ['doc_string', 6, STRING, OPTIONAL],
  ],
  ModelProto: [
    ['ir_version', 1, INT64, OPTIONAL],
    ['opset_import', 8, MESSAGE, REPEATED, 'OperatorSetIdProto'],
    ['producer_name', 2, STRING, OPTIONAL],
    ['producer_version', 3, STRING, OPTIONAL],
    ['domain', 4, STRING, OPTIONAL],
    ['model_version', 5, INT64, OPTIONAL],
    ['doc_string', 6, STRING, OPTIONAL],
    ['graph', 7, MESSAGE, OPTIONAL, 'GraphProto'],
    ['metadata_props', 14, MESSAGE, REPEATED, 'StringStringEntryProto'],
  ],
  StringStringEntryProto: [
    ['key', 1, STRING, OPTIONAL],
    ['value', 2, STRING, OPTIONAL],
  ],
  GraphProto: [
    ['node', 1, MESSAGE, REPEATED, 'NodeProto'],
    ['name', 2, STRING, OPTIONAL],
    ['initializer', 5, MESSAGE, REPEATED, 'TensorProto'],
    ['doc_string', 10, STRING, OPTIONAL],
    ['input', 11, MESSAGE, REPEATED, 'ValueInfoProto'],
    ['output', 12, MESSAGE, REPEATED, 'ValueInfoProto'],
    ['value_info', 13, MESSAGE, REPEATED, 'ValueInfoProto'],
  ],
  TensorProto: [
    ['dims', 1, INT64, REPEATED],
    ['data_type', 2, INT32, OPTIONAL],
    ['float_data', 4, FLOAT, REPEATED],
    ['int32_data', 5, INT32, REPEATED],
    ['int64_data', 7, INT64, REPEATED],
    ['name', 8, STRING, OPTIONAL],
    ['raw_data', 9, BYTES, OPTIONAL],
    ['external_data', 13, MESSAGE, REPEATED, 'StringStringEntryProto'],
    ['data_location', 14, INT32, OPTIONAL],
    ['double_data', 10, DOUBLE, REPEATED],
    ['uint64_data', 11, UINT64, REPEATED],
  ],
  'TensorShapeProto.Dimension': [
    ['dim_value', 1, INT64, OPTIONAL],
    ['dim_param', 2, STRING, OPTIONAL],
  ],
  TensorShapeProto: [['dim', 1, MESSAGE, REPEATED, 'TensorShapeProto.Dimension']],
  'TypeProto.Tensor': [
    ['elem_type', 1, INT32, OPTIONAL],
    ['shape', 2, MESSAGE, OPTIONAL, 'TensorShapeProto'],
  ],
  TypeProto: [
    ['tensor_type', 1, MESSAGE, OPTIONAL, 'TypeProto.Tensor'],
    ['denotation', 6, STRING, OPTIONAL],
  ],
  OperatorSetIdProto: [
    ['domain', 1, STRING, OPTIONAL],
    ['version', 2, INT64, OPTIONAL],
  ],
};
const packed = new Set([
  'TensorProto.float_data',
  'TensorProto.int32_data',
  'TensorProto.int64_data',
  'TensorProto.double_data',
  'TensorProto.uint64_data',
]);

/** A `google.protobuf.DescriptorProto` as `create` takes it. */
interface MessageDescription {
  name: string;
  field: Record<string, unknown>[];
  nestedType: MessageDescription[];
}

function describe(name: string, nested: string[] = []): MessageDescription {
  return {
    name,
    field: messages[[...nested, name].join('.')]!.map(([field, number, type, label, message]) => ({
      name: field,
      number,
      type,
      label,
      ...(message === undefined ? {} : { typeName: `.onnx.${message}` }),
      ...(packed.has(`${[...nested, name].join('.')}.${field}`) ? { options: { packed: true } } : {}),
    })),
    nestedType: Object.keys(messages)
      .filter((key) => key.startsWith(`${[...nested, name].join('.')}.`))
      .map((key) => describe(key.split('.').at(-1)!, [...nested, name])),
  };
}

const registry = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: 'onnx/onnx.proto',
    package: 'onnx',
    syntax: 'proto2',
    messageType: Object.keys(messages)
      .filter((key) => !key.includes('.'))
      .map((key) => describe(key)),
  }),
  () => undefined,
);
const modelSchema: DescMessage = registry.getMessage('onnx.ModelProto')!;
const dimensionSchema: DescMessage = registry.getMessage('onnx.TensorShapeProto.Dimension')!;

/** The fixed size of a decoded dimension, or undefined when it is symbolic (`dim_param`) or unknown. */
export function dimensionSize(dimension: DimensionProto): number | undefined {
  const field = dimensionSchema.field.dimValue!;
  if (!isFieldSet(dimension as unknown as Message, field)) return undefined;
  const value = dimension.dimValue!;
  return value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}

/** Nesting limit while parsing: the subset above nests at most 6 deep (model, graph, node, attribute, tensor). */
const MAX_DEPTH = 16;

/** Parses a serialized `onnx.ModelProto`, or throws a WeightFileError saying what the bytes broke. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  try {
    return fromBinary(modelSchema, bytes, {
      readUnknownFields: false,
      recursionLimit: MAX_DEPTH,
    }) as unknown as ModelProto;
  } catch (error) {
    throw new WeightFileError(
      'onnx',
      `the bytes are not a valid ONNX ModelProto (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/**
 * Serializes a model built from the interfaces above (unset optional fields are not written). Plain
 * objects and decoded messages may be mixed: `create` converts only plain objects, so decoded ones are
 * first copied to plain objects (byte arrays are shared, not copied).
 */
export function encodeModel(model: Partial<ModelProto>): Uint8Array {
  return toBinary(modelSchema, create(modelSchema, plain(model) as never));
}

function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value))
    if (key !== '$typeName' && v !== undefined) out[key] = plain(v);
  return out;
}
