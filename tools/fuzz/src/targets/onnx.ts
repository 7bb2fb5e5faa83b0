/**
 * Fuzz target: `@recur/io`'s ONNX reader (protobuf decoding, graph tracing, initializer checks).
 * Inputs: byte mutations of the committed `torch.onnx.export` models (a flipped varint or length
 * prefix reaches the decoder's bounds, a changed attribute or dim the reader's own checks), the models
 * unchanged, and random bytes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readOnnx, WeightFileError } from '@recur/io';
import fc, { type Arbitrary } from 'fast-check';
import { byteMutations } from '../byte-mutations.js';
import { randomInputs } from '../inputs.js';
import type { FuzzTarget } from '../target.js';

const onnxDir = fileURLToPath(new URL('../../../../fixtures/onnx/', import.meta.url));

function inputs(): Arbitrary<Uint8Array> {
  const files = readdirSync(onnxDir)
    .filter((f) => f.endsWith('.onnx'))
    .sort()
    .map((f) => new Uint8Array(readFileSync(onnxDir + f)));
  return fc.oneof(
    { arbitrary: byteMutations(files), weight: 80 },
    { arbitrary: randomInputs(), weight: 15 },
    { arbitrary: fc.constantFrom(...files), weight: 5 },
  );
}

/** What the reader promises: every tensor has as many float values as its shape says. */
function checkAccepted(value: unknown): string | undefined {
  const { tensors } = value as { tensors: Record<string, { shape: number[]; data: ArrayLike<number> }> };
  for (const [name, t] of Object.entries(tensors)) {
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return `${name}: bad shape`;
    if (t.shape.reduce((n, d) => n * d, 1) !== t.data.length) return `${name}: size differs from shape`;
    if (!(t.data instanceof Float32Array || t.data instanceof Float64Array))
      return `${name}: not a float array`;
  }
  return undefined;
}

const target: FuzzTarget = {
  name: 'onnx',
  description: 'ONNX models with RNN/LSTM/GRU nodes (@recur/io readOnnx)',
  inputs,
  read: readOnnx,
  isOwnError: (error) => error instanceof WeightFileError,
  checkAccepted,
};

export default target;
