/** `pnpm conformance --backend webgl`: case files run in headless Chromium, same recur-report/1. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chromiumPath, loadWebglRunner } from './browser/webgl.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.warn(`[recur-conformance] webgl tests SKIPPED — no Chromium at ${chromiumPath}`);

describe.skipIf(!hasChromium)('pnpm conformance --backend webgl', () => {
  it('runs given case files in the browser and reports per case, like every backend', () => {
    const dir = mkdtempSync(join(tmpdir(), 'recur-webgl-cases-'));
    const source = JSON.parse(
      readFileSync(join(root, 'fixtures/cases/lstm-l1-bi-proj1-n2-t4-i3h4-noh0.json'), 'utf8'),
    );
    writeFileSync(join(dir, 'mine.json'), JSON.stringify({ ...source, name: 'my-lstm' }));
    const wrong = structuredClone(source);
    wrong.name = 'my-wrong-lstm';
    wrong.expected.grad.weight_hr_l0.data[0] += 0.5;
    writeFileSync(join(dir, 'wrong.json'), JSON.stringify(wrong));
    writeFileSync(join(dir, 'broken.json'), '{ "format": "recur-case/1", ');
    const report = join(dir, 'report.json');

    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'packages/conformance/src/cli/bin.ts',
        '--backend',
        'webgl',
        '--cases',
        dir,
        '--json',
        report,
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(r.stdout).toMatch(/backend webgl: headless Chromium .*GL renderer \S+/);
    expect(r.status).toBe(1);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json.format).toBe('recur-report/1');
    expect(json.backends).toEqual([{ name: 'webgl', status: 'ok', w1TrainMs: expect.any(Number) }]);
    const byCase = Object.fromEntries(json.results.map((x: { case: string }) => [x.case, x]));
    expect(byCase['my-lstm']).toMatchObject({
      backend: 'webgl',
      dtype: 'float32',
      status: 'pass',
      path: 'fused',
    });
    expect(byCase['my-lstm'].errors['grad.weight_hr_l0'].maxAbs).toBeLessThan(1e-5);
    expect(byCase['my-wrong-lstm'].status).toBe('fail');
    expect(byCase['my-wrong-lstm'].message).toMatch(/grad\.weight_hr_l0/);
    expect(byCase.broken.status).toBe('error');
    expect(r.stdout).toMatch(/conformance: 1 passed, 2 failed, 0 backend\(s\) unavailable/);
  });

  it('lists webgl as unavailable, with the reason, when the browser gives no WebGL', async () => {
    const runner = await loadWebglRunner(['--disable-gpu', '--disable-software-rasterizer']);
    expect(runner).toEqual({
      unavailable: expect.stringMatching(/webgl: this browser gives no WebGL context/),
    });
  });
});
