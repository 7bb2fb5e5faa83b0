/**
 * Fuzz target: `@recur/io`'s safetensors reader. Inputs: the committed PyTorch-written files with their
 * JSON header mutated structurally (wrong dtypes, shapes, offsets, huge numbers) and re-framed with the
 * right or a wrong header length, byte-level mutations of whole files, and random bytes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readSafetensors, WeightFileError } from '@recur/io';
import fc, { type Arbitrary } from 'fast-check';
import { byteMutations } from '../byte-mutations.js';
import { randomInputs } from '../inputs.js';
import { jsonMutations } from '../json-mutations.js';
import type { FuzzTarget } from '../target.js';
import { weightFileInvariants } from '../weight-invariants.js';

const weightsDir = fileURLToPath(new URL('../../../../fixtures/weights/', import.meta.url));

/** A safetensors file split into its header JSON and its data bytes. */
interface Parts {
  header: Uint8Array;
  data: Uint8Array;
}

function split(file: Uint8Array): Parts {
  const length = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  return { header: file.subarray(8, 8 + length), data: file.subarray(8 + length) };
}

/** Header length field, header, data: `lengthDelta` shifts the declared length from the true one. */
function frame(header: Uint8Array, data: Uint8Array, lengthDelta: bigint): Uint8Array {
  const out = new Uint8Array(8 + header.length + data.length);
  const declared = BigInt(header.length) + lengthDelta;
  new DataView(out.buffer).setBigUint64(0, declared < 0n ? 0n : declared % 2n ** 64n, true);
  out.set(header, 8);
  out.set(data, 8 + header.length);
  return out;
}

function samples(): Uint8Array[] {
  return readdirSync(weightsDir)
    .filter((f) => f.endsWith('.safetensors'))
    .sort()
    .map((f) => new Uint8Array(readFileSync(weightsDir + f)));
}

function inputs(): Arbitrary<Uint8Array> {
  const files = samples();
  const parts = files.map(split);
  const headerMutations = fc
    .tuple(
      fc.nat(parts.length - 1),
      jsonMutations(parts.map((p) => p.header)),
      fc.oneof(
        { arbitrary: fc.constant(0n), weight: 6 },
        fc.bigInt(-64n, 64n),
        fc.bigInt(0n, 2n ** 64n - 1n),
      ),
    )
    .map(([i, header, delta]) => frame(header, parts[i]!.data, delta));
  return fc.oneof(
    { arbitrary: headerMutations, weight: 45 },
    { arbitrary: byteMutations(files), weight: 35 },
    { arbitrary: randomInputs(), weight: 15 },
    { arbitrary: fc.constantFrom(...files), weight: 5 },
  );
}

const target: FuzzTarget = {
  name: 'safetensors',
  description: 'safetensors weight files (@recur/io readSafetensors)',
  inputs,
  read: readSafetensors,
  isOwnError: (error) => error instanceof WeightFileError,
  checkAccepted: weightFileInvariants,
};

export default target;
