/**
 * `pnpm soak` end to end on a short run: js, wasm and tfjs-cpu, each alone in its own process for 60
 * steps, judged and written as recur-soak/1; plus how backends are grouped into processes and how bad
 * arguments end. (The long runs and their figures are in README.md.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { scheduleFor } from './loop.js';
import { childConfigs } from './run.js';
import type { Sample } from './series.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'recur-soak-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function soak(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'tools/soak/src/main.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 90_000,
  });
}

interface BackendEntry {
  backend: string;
  status: string;
  verdict: 'PASS' | 'FAIL';
  mode: string;
  checks: { name: string; pass: boolean }[];
  samples: Sample[];
  stepsPerSecond: number;
}

describe('pnpm soak', () => {
  it('soaks js, wasm and tfjs-cpu alone for 60 steps: flat tensors, finite loss, PASS, JSON', () => {
    const json = join(scratch, 'soak.json');
    const run = soak(['--backend', 'js', '--backend', 'wasm,tfjs-cpu', '--steps', '60', '--json', json]);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    // A line per backend every tenth of the run: steps 0, 6, …, 60.
    for (const backend of ['js', 'wasm', 'tfjs-cpu']) {
      const lines = run.stdout.split('\n').filter((l) => l.startsWith(`${backend} `));
      expect(lines).toHaveLength(11);
      expect(lines.at(-1)).toMatch(
        /step 60\/60 {2}loss mse \S+ ce \S+ {2}live tensors 80 {2}heap \S+ MB {2}RSS \S+ MB/,
      );
    }
    expect(run.stdout).toMatch(/soak: 3 passed, 0 failed, 0 unavailable/);

    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.format).toBe('recur-soak/1');
    expect(doc.settings).toMatchObject({ steps: 60, interleave: false, schedule: scheduleFor(60) });
    const backends = doc.backends as BackendEntry[];
    expect(backends.map((b) => b.backend)).toEqual(['js', 'wasm', 'tfjs-cpu']);
    for (const b of backends) {
      expect(b).toMatchObject({ status: 'ran', verdict: 'PASS', mode: 'alone' });
      expect(b.checks.map((c) => c.name)).toEqual(['steps', 'loss', 'liveTensors', 'heap', 'rss']);
      // A sample after every step of a 60-step run; the models' tensors are all that stays alive.
      expect(b.samples.map((s) => s.step)).toEqual(Array.from({ length: 61 }, (_, i) => i));
      const live = new Set(b.samples.filter((s) => s.step >= 6).map((s) => s.liveTensors));
      expect([...live]).toEqual([80]);
      expect(b.samples.slice(1).every((s) => Number.isFinite(s.mse) && Number.isFinite(s.ce))).toBe(true);
      expect(b.stepsPerSecond).toBeGreaterThan(0);
    }
    // Same seed, same data, same initial weights: the backends agree on the first loss.
    const first = backends.map((b) => b.samples[1]!.mse);
    for (const m of first) expect(m).toBeCloseTo(first[0]!, 4);
  });

  it('runs each backend in a process of its own, or the Node ones together with --interleave', () => {
    const base = { steps: 100, seed: 0 };
    expect(childConfigs({ ...base, backends: ['js', 'wasm', 'webgl'], interleave: false })).toEqual([
      { ...base, backends: ['js'], interleave: false },
      { ...base, backends: ['wasm'], interleave: false },
      { ...base, backends: ['webgl'], interleave: false },
    ]);
    expect(
      childConfigs({ ...base, backends: ['js', 'wasm', 'tfjs-cpu', 'webgl'], interleave: true }),
    ).toEqual([
      { ...base, backends: ['js', 'wasm', 'tfjs-cpu'], interleave: true },
      { ...base, backends: ['webgl'], interleave: false },
    ]);
  });

  it('exits 2 with a one-line reason on a bad argument', () => {
    const unknown = soak(['--backend', 'cuda']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown backend "cuda"/);
    const steps = soak(['--steps', '5']);
    expect(steps.status).toBe(2);
    expect(steps.stderr).toMatch(/--steps must be an integer ≥ 20/);
  });
});
