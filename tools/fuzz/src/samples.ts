/** Valid sample files for the mutation-based inputs: read once, on first use, as bytes. */
import { readFileSync } from 'node:fs';
import { listCaseFiles } from './readers.js';

const cache = new Map<string, Uint8Array[]>();

/** The bytes of every JSON file under `dir` (cached). */
export function sampleFiles(dir: string): Uint8Array[] {
  let samples = cache.get(dir);
  if (samples === undefined) {
    samples = listCaseFiles([dir]).map((file) => new Uint8Array(readFileSync(file)));
    cache.set(dir, samples);
  }
  return samples;
}
