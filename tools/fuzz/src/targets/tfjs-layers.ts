/**
 * Fuzz target: `@recur/io`'s tfjs-layers / Keras `model.json` reader. The input is the `model.json`
 * (structurally or byte-mutated, or random); its weight shards are the committed ones of the sample
 * models (`fixtures/keras`, written by tfjs-layers), found by file name as `recur inspect` finds them
 * beside the JSON, so a mutated manifest meets real shards of the wrong size, count or name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readTfjsLayersFiles, WeightFileError } from '@recur/io';
import fc, { type Arbitrary } from 'fast-check';
import { byteMutations } from '../byte-mutations.js';
import { randomInputs } from '../inputs.js';
import { jsonMutations } from '../json-mutations.js';
import type { FuzzTarget } from '../target.js';
import { weightFileInvariants } from '../weight-invariants.js';

const kerasDir = fileURLToPath(new URL('../../../../fixtures/keras/', import.meta.url));

/** Every sample model's JSON, and the union of their shards by file name (the first one wins). */
function samples(): { models: Uint8Array[]; shards: Map<string, Uint8Array> } {
  const models: Uint8Array[] = [];
  const shards = new Map<string, Uint8Array>();
  for (const dir of readdirSync(kerasDir).sort()) {
    for (const file of readdirSync(`${kerasDir}${dir}`).sort()) {
      const bytes = new Uint8Array(readFileSync(`${kerasDir}${dir}/${file}`));
      if (file === 'model.json') models.push(bytes);
      else if (!shards.has(file)) shards.set(file, bytes);
    }
  }
  return { models, shards };
}

const { models, shards } = samples();

/** The shards beside the model: a missing one is the reader's own error, as a missing file is. */
function neighbour(path: string): Uint8Array {
  const bytes = shards.get(path);
  if (bytes === undefined)
    throw new WeightFileError('tfjs-layers', `no weight file "${path}" beside model.json`);
  return bytes;
}

function inputs(): Arbitrary<Uint8Array> {
  return fc.oneof(
    { arbitrary: jsonMutations(models), weight: 50 },
    { arbitrary: byteMutations(models), weight: 30 },
    { arbitrary: randomInputs(), weight: 15 },
    { arbitrary: fc.constantFrom(...models), weight: 5 },
  );
}

const target: FuzzTarget = {
  name: 'tfjs-layers',
  description: 'tfjs-layers / Keras model.json with shards (@recur/io readTfjsLayersFiles)',
  inputs,
  read: (bytes) => readTfjsLayersFiles(bytes, neighbour),
  isOwnError: (error) => error instanceof WeightFileError,
  checkAccepted: weightFileInvariants,
};

export default target;
