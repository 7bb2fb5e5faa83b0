/**
 * The minimal backend against the whole conformance suite: `describeBackend` (every PyTorch case,
 * finite-difference checks of every primitive, engine guarantees, the bad-input matrix, training
 * fixtures, leak checks) in float64 and float32, and the `recur-conformance` command line on it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { committedCasesDir, committedWeightCasesDir, listCaseFiles } from '@recur/conformance';
import { describeBackend } from '@recur/conformance/vitest';
import { describe, expect, it } from 'vitest';
import { createMinimalBackend } from './index.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
// The cases @recur/conformance ships: PyTorch's cases, and the cases naming weight files (PyTorch's,
// ONNX, Keras).
const caseCount = listCaseFiles([committedCasesDir, committedWeightCasesDir]).length;

describeBackend('minimal', () => createMinimalBackend());

describe('recur-conformance --backend-module examples/backend-minimal/src/index.ts', () => {
  it('runs every case on the module, exits 0 and writes recur-report/1', () => {
    const report = join(mkdtempSync(join(tmpdir(), 'recur-minimal-')), 'report.json');
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'packages/conformance/src/cli/bin.ts',
        '--backend-module',
        'examples/backend-minimal/src/index.ts',
        '--json',
        report,
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json.format).toBe('recur-report/1');
    expect(json.backends).toEqual([{ name: 'minimal', status: 'ok', w1TrainMs: expect.any(Number) }]);
    expect(json.results).toHaveLength(caseCount);
    expect(json.results.every((x: { status: string; dtype: string }) => x.status === 'pass')).toBe(true);
    expect(json.results[0]).toMatchObject({ backend: 'minimal', dtype: 'float64', path: 'composed' });
    expect(r.stdout).toContain(`conformance: ${caseCount} passed, 0 failed, 0 backend(s) unavailable`);
  });
});
