/** Cases that name a weight file (`"weights"`) instead of inline parameters: read through @recur/io. */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCase } from './case-format.js';
import { committedWeightCasesDir, listCaseFiles, loadCases } from './load-cases.js';

const files = listCaseFiles([committedWeightCasesDir]);

describe('weight-file cases', () => {
  it('cover ONNX, safetensors and torch.save (zip, legacy, strided, shared, protocol 4, keep_vars) and 16-bit dtypes', () => {
    const names = files.map((f) => f.split('/').pop()!);
    for (const kind of [
      'onnx',
      'safetensors',
      '-pt.',
      'legacy-pt',
      'strided-pt',
      'shared-pt',
      'shared-legacy-pt',
      'protocol4-pt',
      'keepvars-pt',
      'f16',
      'bf16',
      'f64',
    ]) {
      expect(
        names.some((n) => n.includes(kind)),
        kind,
      ).toBe(true);
    }
  });

  it('every committed one loads, its parameters read from the file it names', () => {
    const loaded = loadCases([committedWeightCasesDir]);
    expect(loaded.filter((c) => 'error' in c)).toEqual([]);
    for (const c of loaded) {
      if (!('case' in c)) continue;
      expect(c.case.weights).toMatch(/^\.\.\/(weights|onnx|keras3)\/.+\.(pt|safetensors|onnx|keras|h5)$/);
      expect(Object.keys(c.case.parameters).length).toBeGreaterThan(0);
    }
  });

  it('a missing, malformed or absolute weight file is a per-case error naming "weights"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'recur-weight-cases-'));
    const source = JSON.parse(readFileSync(files[0]!, 'utf8'));
    writeFileSync(join(dir, 'missing.json'), JSON.stringify({ ...source, weights: 'nope.safetensors' }));
    writeFileSync(join(dir, 'bad.safetensors'), new Uint8Array([1, 2, 3]));
    writeFileSync(join(dir, 'malformed.json'), JSON.stringify({ ...source, weights: 'bad.safetensors' }));
    writeFileSync(join(dir, 'absolute.json'), JSON.stringify({ ...source, weights: '/etc/passwd' }));
    copyFileSync(
      join(committedWeightCasesDir, '../weights/lstm-l1-i3h4.safetensors'),
      join(dir, 'lstm.safetensors'),
    );
    writeFileSync(join(dir, 'wrong-module.json'), JSON.stringify({ ...source, weights: 'lstm.safetensors' }));
    const { parameters: _, ...noParameters } = source;
    writeFileSync(
      join(dir, 'both.json'),
      JSON.stringify({ ...noParameters, parameters: {}, weights: 'lstm.safetensors' }),
    );
    const errors = Object.fromEntries(
      loadCases([dir]).map((c) => [c.file.split('/').pop(), 'error' in c ? c.error : 'loaded']),
    );
    expect(errors['missing.json']).toMatch(/^weights "nope\.safetensors" cannot be read: ENOENT/);
    expect(errors['malformed.json']).toMatch(
      /^weights "bad\.safetensors" cannot be read: safetensors: the file has 3 bytes/,
    );
    expect(errors['absolute.json']).toMatch(
      /^weights "\/etc\/passwd" cannot be read: the path must be relative to the case file/,
    );
    expect(errors['wrong-module.json']).toMatch(/^parameters/);
    expect(errors['both.json']).toMatch(/^weights and parameters are both given/);
  });

  it('without a file reader (a browser) such a case is refused, not run without weights', () => {
    const raw = JSON.parse(readFileSync(files[0]!, 'utf8'));
    expect(() => parseCase(raw)).toThrow(
      /^weights names the file "\.\.\/(weights|onnx|keras3)\/.*", but this loader cannot read files/,
    );
  });
});
