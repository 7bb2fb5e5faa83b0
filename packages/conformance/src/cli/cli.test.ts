/** `pnpm conformance` on case files it has never seen: good, malformed, unknown module, bad option. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'packages/conformance/src/cli/bin.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
  });

describe('pnpm conformance', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recur-cases-'));
  const source = JSON.parse(readFileSync(join(root, 'fixtures/cases/gru-l2-bi-n2-t4-i3h4.json'), 'utf8'));
  writeFileSync(join(dir, 'renamed.json'), JSON.stringify({ ...source, name: 'my-own-gru' }));
  const wrong = structuredClone(source);
  wrong.name = 'my-wrong-gru';
  wrong.expected.grad.weight_hh_l1.data[3] += 0.5;
  writeFileSync(join(dir, 'wrong.json'), JSON.stringify(wrong));
  writeFileSync(
    join(dir, 'unknown-module.json'),
    JSON.stringify({ ...source, name: 'a-transformer', module: 'Transformer' }),
  );
  writeFileSync(
    join(dir, 'bad-option.json'),
    JSON.stringify({ ...source, name: 'bad-layers', options: { ...source.options, numLayers: 0 } }),
  );
  writeFileSync(join(dir, 'broken.json'), '{ "format": "recur-case/1", ');

  it('runs any case files, reports every problem per case, and writes recur-report/1', () => {
    const report = join(dir, 'report.json');
    const r = cli('--cases', dir, '--backend', 'js', '--json', report);
    expect(r.status).toBe(1);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json.format).toBe('recur-report/1');
    expect(json.backends).toEqual([{ name: 'js', status: 'ok', w1TrainMs: expect.any(Number) }]);
    const byCase = Object.fromEntries(json.results.map((x: { case: string }) => [x.case, x]));
    expect(byCase['my-own-gru'].status).toBe('pass');
    expect(byCase['my-own-gru'].errors['grad.weight_ih_l0'].maxAbs).toBeLessThan(1e-5);
    expect(byCase['my-wrong-gru'].status).toBe('fail');
    expect(byCase['my-wrong-gru'].message).toMatch(/grad\.weight_hh_l1/);
    expect(byCase['a-transformer'].status).toBe('error');
    expect(byCase['a-transformer'].message).toMatch(/unknown module "Transformer"/);
    expect(byCase['bad-layers'].status).toBe('error');
    expect(byCase['bad-layers'].message).toMatch(/numLayers must be an integer ≥ 1, got 0/);
    expect(byCase.broken.status).toBe('error');
    expect(r.stdout).toMatch(/conformance: 1 passed, 4 failed/);
  });

  it('exits 0 when everything passes, and lists unavailable backends with a reason', () => {
    const r = cli('--cases', join(dir, 'renamed.json'), '--backend', 'js,tfjs-node');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/backend tfjs-node: unavailable/);
  });

  it('rejects an unknown backend or a missing path with exit code 2', () => {
    expect(cli('--backend', 'cuda').status).toBe(2);
    const missing = cli('--cases', join(dir, 'nope'), '--backend', 'js');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cases path not found/);
  });
});
