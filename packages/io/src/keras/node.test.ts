/**
 * A model.json with its weight shards in a folder, by path: `readWeightFile` (which hands the reader
 * the files beside it) and the `recur` command line.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../cli/run.js';
import { readWeightFile } from '../node.js';
import { readTfjsLayers } from './read.js';
import { type Artifacts, modelJson, save, seeded, tfl, useCpu } from './testing/tfjs.js';

let saved: Artifacts;
const dir = mkdtempSync(join(tmpdir(), 'recur-tfjs-'));
const modelPath = join(dir, 'model', 'model.json');

beforeAll(async () => {
  await useCpu();
  const model = tfl.sequential();
  model.add(
    tfl.layers.lstm({
      units: 3,
      returnSequences: true,
      recurrentActivation: 'sigmoid',
      inputShape: [4, 2],
      ...seeded(3),
    }),
  );
  model.add(tfl.layers.lstm({ units: 3, recurrentActivation: 'sigmoid', ...seeded(4) }));
  saved = await save(model);
  model.dispose();
  const { json, shards } = modelJson(saved, 64);
  mkdirSync(join(dir, 'model'));
  writeFileSync(modelPath, json);
  for (const [name, bytes] of shards) writeFileSync(join(dir, 'model', name), bytes);
});

function recur(...argv: string[]): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = run(
    argv,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out, err };
}

describe('model.json by path', () => {
  it('readWeightFile reads the shards beside model.json', () => {
    const file = readWeightFile(modelPath);
    expect(file.tensors).toEqual(readTfjsLayers(saved).tensors);
    expect(file.metadata['recur.module']).toBe('LSTM');
  });

  it('recur inspect names the format and the module', () => {
    const r = recur('inspect', modelPath);
    expect(r).toMatchObject({ code: 0, err: [] });
    expect(r.out[0]).toMatch(/model\.json: tfjs-layers, 8 tensors/);
    expect(r.out.join('\n')).toMatch(/module: LSTM .*"batchFirst":true/);
  });

  it('recur convert writes safetensors with the module, and refuses to write model.json', () => {
    const out = join(dir, 'lstm.safetensors');
    expect(recur('convert', modelPath, out)).toMatchObject({ code: 0, err: [] });
    const file = readWeightFile(out);
    expect(JSON.parse(file.metadata['recur.options']!)).toMatchObject({ numLayers: 2, batchFirst: true });
    expect(file.metadata['keras.output']).toBe('final-state');
    const back = recur('convert', out, join(dir, 'model.json'));
    expect(back.code).toBe(2);
    expect(back.err.join('\n')).toMatch(/Recur reads tfjs-layers models but does not write them/);
  });

  it('a missing shard is named', () => {
    const lonely = join(dir, 'lonely', 'model.json');
    mkdirSync(join(dir, 'lonely'));
    writeFileSync(lonely, modelJson(saved).json);
    const r = recur('inspect', lonely);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(
      /weight file "group1-shard1of1.bin" named by weightsManifest\[0\] cannot be read: ENOENT/,
    );
  });
});
