/**
 * Malformed models: every size is checked before anything is allocated, and nothing but a
 * WeightFileError ever leaves readOnnx, whatever the bytes.
 */
import { describe, expect, it } from 'vitest';
import { WeightFileError } from '../errors.js';
import type { ModelProto, TensorProto } from './proto.js';
import { readOnnx } from './read.js';
import { edited, fixtureBytes, initializer, recurrentNodes } from './testing/edit.js';

const small = 'rnn-tanh-l1-i3h4-op14.onnx';
const W = (m: ModelProto): TensorProto => initializer(m, recurrentNodes(m)[0]!.input[1]!);

const cases: [string, (model: ModelProto) => void, RegExp][] = [
  [
    'raw_data shorter than dims need',
    (m) => {
      W(m).rawData = W(m).rawData.subarray(4);
    },
    /RNN node "\/RNN" input W: raw_data has 44 bytes, but dims \[1, 4, 3\] need 48 \(12 × 4\)/,
  ],
  [
    'a negative dimension',
    (m) => {
      W(m).dims = [1n, -4n, 3n];
    },
    /RNN node "\/RNN" input W: dims\[1\] must be in \[0, 2147483647\], got -4/,
  ],
  [
    'dimensions too large to allocate (checked before reading)',
    (m) => {
      W(m).dims = [1n, 4n, 2n ** 40n];
    },
    /dims\[2\] must be in \[0, 2147483647\], got 1099511627776/,
  ],
  [
    'dimensions whose product is too large',
    (m) => {
      W(m).dims = [65536n, 65536n, 3n];
    },
    /dims \[65536, 65536, 3\] hold 12884901888 elements, more than 2147483647/,
  ],
  [
    'W of a shape hidden_size does not allow',
    (m) => {
      W(m).dims = [1n, 3n, 4n];
    },
    /input W \(\[directions, 1·hidden_size, input_size\]\) has dims \[1, 3, 4\], expected \[1, 4, 4\]/,
  ],
  [
    'W as integers',
    (m) => {
      W(m).dataType = 7;
    },
    /input W: data_type must be FLOAT, DOUBLE, FLOAT16 or BFLOAT16, got INT64/,
  ],
  [
    'float_data of the wrong length',
    (m) => {
      Object.assign(W(m), { rawData: new Uint8Array(), floatData: [1, 2, 3] });
    },
    /input W: float_data holds 3 elements, but dims \[1, 4, 3\] need 12/,
  ],
  [
    'float16 bit patterns out of range',
    (m) => {
      Object.assign(W(m), { rawData: new Uint8Array(), dataType: 10, int32Data: new Array(12).fill(70000) });
    },
    /input W: int32_data\[0\] = 70000 is not a 16-bit pattern/,
  ],
  [
    'weights in an external file',
    (m) => {
      Object.assign(W(m), {
        rawData: new Uint8Array(),
        dataLocation: 1,
        externalData: [{ key: 'location', value: 'w.bin' }],
      });
    },
    /the data is stored outside the model \(data_location = EXTERNAL, location "w.bin"\)/,
  ],
  [
    'W missing',
    (m) => {
      m.graph!.initializer = m.graph!.initializer.filter((t) => t !== W(m));
    },
    /"onnx::RNN_\d+" is used before any node produces it/,
  ],
  [
    'no graph',
    (m) => {
      delete m.graph;
    },
    /the model has no graph/,
  ],
  [
    'no recurrent node',
    (m) => {
      m.graph!.node = [];
    },
    /the graph has no RNN, GRU or LSTM node/,
  ],
  [
    'no opset',
    (m) => {
      m.opsetImport = [];
    },
    /imports no version of the default ONNX operator set/,
  ],
  [
    'a tensor defined twice',
    (m) => {
      m.graph!.initializer.push(W(m));
    },
    /initializer "onnx::RNN_\d+" is defined twice/,
  ],
];

describe('readOnnx on malformed models', () => {
  it.each(cases)('%s', (_, change, message) => {
    const bytes = edited(small, change);
    expect(() => readOnnx(bytes)).toThrow(WeightFileError);
    expect(() => readOnnx(bytes)).toThrow(message);
  });

  it('refuses bytes that are not a ModelProto, and what is not bytes', () => {
    expect(() => readOnnx(new Uint8Array([0x0a, 0xff, 0xff]))).toThrow(
      /onnx: the bytes are not a valid ONNX ModelProto/,
    );
    expect(() => readOnnx('model.onnx' as never)).toThrow(
      /expected the model's bytes as a Uint8Array, got string/,
    );
  });

  it('throws only WeightFileError for every truncation of a model', () => {
    const bytes = fixtureBytes(small);
    for (let n = 0; n < bytes.length; n++) {
      expect(() => readOnnx(bytes.subarray(0, n)), `first ${n} bytes`).toThrow(WeightFileError);
    }
  });

  it('throws only WeightFileError (or reads) for byte mutations of every model kind', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const file of [small, 'lstm-l2-bi-bf-i3h4-op14.onnx', 'gru-l2-bi-bf-i2h3-h0-op17.onnx']) {
      const original = fixtureBytes(file);
      for (let trial = 0; trial < 300; trial++) {
        const bytes = original.slice();
        for (let k = 1 + Math.floor(random() * 4); k > 0; k--) {
          bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
        }
        try {
          readOnnx(bytes);
        } catch (error) {
          if (!(error instanceof WeightFileError))
            throw new Error(`${file}, trial ${trial}: ${String(error)}`);
        }
      }
    }
  });
});
