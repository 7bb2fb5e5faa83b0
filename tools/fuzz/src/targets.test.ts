/** Every registered reader holds the properties on a few thousand inputs (`pnpm fuzz` runs 100,000). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTargets } from './registry.js';
import { runTarget } from './run-target.js';
import { defaultLimits } from './target.js';

const targets = await loadTargets();

describe('fuzz targets', () => {
  it('registers the checkpoint, Keras, ONNX, recur-case/1, recur-train/1, safetensors, tfjs-layers and torch readers', () => {
    expect(targets.map((t) => t.name)).toEqual([
      'checkpoint',
      'keras',
      'onnx',
      'recur-case',
      'recur-train',
      'safetensors',
      'tfjs-layers',
      'torch',
    ]);
  });

  for (const target of targets) {
    it(`${target.name}: 3000 inputs give a valid value or the reader's own error, in time and memory`, () => {
      const r = runTarget(target, { runs: 3000, seed: 20261203, limits: defaultLimits });
      expect(r.failure).toBeNull();
      expect(r.inputs).toBe(3000);
      // Both outcomes are exercised: valid files are accepted and broken ones rejected.
      expect(r.accepted).toBeGreaterThan(0);
      expect(r.rejected).toBeGreaterThan(r.accepted);
    });
  }
});

describe('pnpm fuzz', () => {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'tools/fuzz/src/main.ts', ...args], {
      cwd: root,
      encoding: 'utf8',
    });

  it('runs the named targets in workers and prints a summary per target', () => {
    const r = cli('--target', 'recur-case', '--runs', '300', '--seed', '5');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^recur-case: /m);
    expect(r.stdout).toMatch(/inputs 300 in [\d.]+ s \(seed 5\)/);
    expect(r.stdout).toMatch(/fuzz: 1 passed, 0 failed/);
  });

  it('exits 2 on bad usage', () => {
    expect(cli('--target', 'nope').status).toBe(2);
    expect(cli('--runs', '0').status).toBe(2);
    expect(cli('--path', '3').status).toBe(2);
  });
});
