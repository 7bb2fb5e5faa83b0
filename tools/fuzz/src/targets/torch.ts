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
  name: 'torch',
  description: 'torch.save checkpoints, zip and legacy (@recur/io readTorch)',
  inputs,
  read: readTorch,
  isOwnError: (error) => error instanceof WeightFileError,
  checkAccepted,
};

export default target;
