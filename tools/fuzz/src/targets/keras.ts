/**
 * Fuzz target: `@recur/io`'s Keras reader (`readKeras`: Keras 3 `.keras` zips and legacy `.h5` models,
 * HDF5 through jsfive). Inputs: the committed Keras-written files (`fixtures/keras3`) re-zipped with
 * their `model.weights.h5` byte-mutated (so the HDF5 parser, not the zip reader, sees most of the
 * damage) or their `config.json` structurally mutated, byte mutations of whole `.h5` and `.keras`
 * files, random bytes, and the files unchanged.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readKeras, WeightFileError } from '@recur/io';
import fc, { type Arbitrary } from 'fast-check';
import { unzipSync, zipSync } from 'fflate';
import { byteMutations } from '../byte-mutations.js';
import { randomInputs } from '../inputs.js';
import { jsonMutations } from '../json-mutations.js';
import type { FuzzTarget } from '../target.js';
import { weightFileInvariants } from '../weight-invariants.js';

const kerasDir = fileURLToPath(new URL('../../../../fixtures/keras3/', import.meta.url));

function files(ext: string): Uint8Array[] {
  return readdirSync(kerasDir)
    .filter((f) => f.endsWith(ext) && !f.endsWith('.weights.h5'))
    .sort()
    .map((f) => new Uint8Array(readFileSync(kerasDir + f)));
}

function inputs(): Arbitrary<Uint8Array> {
  const archives = files('.keras').map((bytes) => unzipSync(bytes));
  const h5 = files('.h5');
  const kerasFiles = files('.keras');
  const entry = (name: string) => archives.map((a) => a[name]!);
  const rezip = (name: string, mutations: Arbitrary<Uint8Array>) =>
    fc
      .tuple(fc.nat(archives.length - 1), mutations)
      .map(([i, bytes]) => zipSync({ ...archives[i]!, [name]: bytes }, { level: 0 }));
  return fc.oneof(
    { arbitrary: rezip('model.weights.h5', byteMutations(entry('model.weights.h5'))), weight: 35 },
    { arbitrary: rezip('config.json', jsonMutations(entry('config.json'))), weight: 15 },
    { arbitrary: byteMutations(h5), weight: 25 },
    { arbitrary: byteMutations(kerasFiles), weight: 10 },
    { arbitrary: randomInputs(), weight: 10 },
    { arbitrary: fc.constantFrom(...h5, ...kerasFiles), weight: 5 },
  );
}

const target: FuzzTarget = {
  name: 'keras',
  description: 'Keras 3 .keras and legacy .h5 models (@recur/io readKeras)',
  inputs,
  read: readKeras,
  isOwnError: (error) => error instanceof WeightFileError,
  checkAccepted: weightFileInvariants,
};

export default target;
