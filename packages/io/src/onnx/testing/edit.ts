/**
 * Hand edits of PyTorch-exported models for the refusal and malformed-input tests: decode a fixture,
 * change one thing, encode it again, so each test shows exactly what differs from a valid model.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AttributeProto, ModelProto, NodeProto, TensorProto } from '../proto.js';
import { AttributeType, decodeModel, encodeModel } from '../proto.js';

const dir = fileURLToPath(new URL('../../../../../fixtures/onnx/', import.meta.url));

/** The bytes of `fixtures/onnx/<name>`. */
export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(dir + name));
}

/** `name` decoded, changed by `change`, encoded again. */
export function edited(name: string, change: (model: ModelProto) => void): Uint8Array {
  const model = decodeModel(fixtureBytes(name));
  change(model);
  return encodeModel(model);
}

/** The model's recurrent nodes (RNN, GRU, LSTM), in graph order. */
export function recurrentNodes(model: ModelProto): NodeProto[] {
  return model.graph!.node.filter((n) => ['RNN', 'GRU', 'LSTM'].includes(n.opType));
}

/** The initializer named `name`. */
export function initializer(model: ModelProto, name: string): TensorProto {
  const t = model.graph!.initializer.find((i) => i.name === name);
  if (t === undefined) throw new Error(`no initializer ${name}`);
  return t;
}

/** Sets (or replaces) an attribute on `node`. */
export function setAttribute(node: NodeProto, attribute: Partial<AttributeProto> & { name: string }): void {
  const blank: AttributeProto = {
    name: attribute.name,
    type: 0,
    f: 0,
    i: 0n,
    s: new Uint8Array(),
    floats: [],
    ints: [],
    strings: [],
  };
  node.attribute = [...node.attribute.filter((a) => a.name !== attribute.name), { ...blank, ...attribute }];
}

/** Attribute values as the decoder gives them. */
export const attribute = {
  int: (name: string, value: number) => ({ name, type: AttributeType.INT, i: BigInt(value) }),
  float: (name: string, value: number) => ({ name, type: AttributeType.FLOAT, f: value }),
  string: (name: string, value: string) => ({
    name,
    type: AttributeType.STRING,
    s: new TextEncoder().encode(value),
  }),
  strings: (name: string, values: string[]) => ({
    name,
    type: AttributeType.STRINGS,
    strings: values.map((v) => new TextEncoder().encode(v)),
  }),
  floats: (name: string, values: number[]) => ({ name, type: AttributeType.FLOATS, floats: values }),
};

/** A FLOAT initializer in float_data. */
export function floatInitializer(name: string, dims: number[], values: number[]): TensorProto {
  return {
    name,
    dims: dims.map(BigInt),
    dataType: 1,
    floatData: values,
    int32Data: [],
    int64Data: [],
    rawData: new Uint8Array(),
    externalData: [],
    dataLocation: 0,
    doubleData: [],
  };
}
