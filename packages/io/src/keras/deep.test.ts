/** Untrusted nesting is described, never walked into (found by pnpm fuzz: a stack overflow). */
import { describe, expect, it } from 'vitest';
import { WeightFileError } from '../errors.js';
import { readTfjsLayersFiles } from './read.js';

const encode = (text: string) => new TextEncoder().encode(text);
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe('deeply nested model.json', () => {
  it.each([
    ['the whole file', deep(20_000)],
    ['the topology', `{"format":"layers-model","modelTopology":${deep(20_000)},"weightsManifest":[]}`],
    [
      'a layer config',
      `{"modelTopology":{"class_name":"Sequential","config":{"layers":[{"class_name":"LSTM","config":${deep(20_000)}}]}},"weightsManifest":[]}`,
    ],
  ])('%s gets a WeightFileError, not a stack overflow', (_, text) => {
    let error: unknown;
    try {
      readTfjsLayersFiles(encode(text), () => new Uint8Array());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WeightFileError);
    expect((error as Error).message).toMatch(/^tfjs-layers: .*an array of 1 item/);
  });
});
