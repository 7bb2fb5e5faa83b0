/**
 * Fuzz target: `@recur/io`'s torch.save reader (zip and legacy layouts, restricted unpickler). Inputs:
 * the committed PyTorch-written checkpoints re-zipped with their `data.pkl` pickle mutated (so the
 * unpickler, not the zip reader, sees most of the damage), byte mutations of whole zip and legacy
 * files, and random bytes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readTorch, WeightFileError } from '@recur/io';
import fc, { type Arbitrary } from 'fast-check';
import { unzipSync, zipSync } from 'fflate';
import { byteMutations } from '../byte-mutations.js';
import { randomInputs } from '../inputs.js';
import type { FuzzTarget } from '../target.js';
import { weightFileInvariants } from '../weight-invariants.js';

const weightsDir = fileURLToPath(new URL('../../../../fixtures/weights/', import.meta.url));

function samples(): Uint8Array[] {
  return readdirSync(weightsDir)
    .filter((f) => f.endsWith('.pt'))
    .sort()
    .map((f) => new Uint8Array(readFileSync(weightsDir + f)));
}

/** The zip checkpoints as entry maps, with the name of each one's pickle. */
function archives(files: readonly Uint8Array[]): { entries: Record<string, Uint8Array>; pickle: string }[] {
  const out: { entries: Record<string, Uint8Array>; pickle: string }[] = [];
  for (const file of files) {
    if (file[0] !== 0x50 || file[1] !== 0x4b) continue; // legacy files are not zips
    const entries = unzipSync(file);
    const pickle = Object.keys(entries).find((name) => name.endsWith('/data.pkl'));
    if (pickle !== undefined) out.push({ entries, pickle });
  }
  return out;
}

function inputs(): Arbitrary<Uint8Array> {
  const files = samples();
  const zips = archives(files);
  const pickles = zips.map((z) => z.entries[z.pickle]!);
  const mutatedPickles = fc
    .tuple(fc.nat(zips.length - 1), byteMutations(pickles))
    .map(([i, pickle]) => zipSync({ ...zips[i]!.entries, [zips[i]!.pickle]: pickle }, { level: 0 }));
  return fc.oneof(
    { arbitrary: mutatedPickles, weight: 45 },
    { arbitrary: byteMutations(files), weight: 35 },
    { arbitrary: randomInputs(), weight: 15 },
    { arbitrary: fc.constantFrom(...files), weight: 5 },
  );
}

const target: FuzzTarget = {
  name: 'torch',
  description: 'torch.save checkpoints, zip and legacy (@recur/io readTorch)',
  inputs,
  read: readTorch,
  isOwnError: (error) => error instanceof WeightFileError,
  checkAccepted: weightFileInvariants,
};

export default target;
