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
import { weightFileInvariants } from '../weight-invariants.js';

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

const target: FuzzTarget = {
  name: 'onnx',
  description: 'ONNX models with RNN/LSTM/GRU nodes (@recur/io readOnnx)',
  inputs,
  read: readOnnx,
  isOwnError: (error) => error instanceof WeightFileError,
  checkAccepted: weightFileInvariants,
};

export default target;
