/**
 * Smoke test of `pnpm bench`: it runs end to end on a tiny selection and writes well-formed JSON and
 * a report; bad arguments exit 2 with a one-line error. No timing is asserted (timings never are).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { chromiumPath } from './browser/chromium.js';
import type { BenchDocument } from './results.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const scratch = mkdtempSync(join(tmpdir(), 'recur-bench-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function bench(args: string[]) {
  return spawnSync(tsx, ['tools/bench/src/main.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 90_000,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
}

describe('pnpm bench', () => {
  it('runs W1 rnn on js with the references and writes recur-bench/1 JSON and a report', () => {
    const json = join(scratch, 'bench.json');
    const report = join(scratch, 'report');
    const run = bench([
      '--workload',
      'W1',
      '--cell',
      'rnn',
      '--backend',
      'js',
      '--reps',
      '1',
      '--json',
      json,
      '--report',
      report,
    ]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('recur-js');

    const doc = JSON.parse(readFileSync(json, 'utf8')) as BenchDocument;
    expect(doc.format).toBe('recur-bench/1');
    expect(doc.machine).toMatchObject({ cores: expect.any(Number), node: process.version });
    for (const key of ['cpu', 'torch', 'tfjs', 'date'] as const) expect(doc.machine).toHaveProperty(key);
    expect(Number.isNaN(Date.parse(doc.machine.date))).toBe(false);

    const systems = new Set(doc.results.map((r) => r.system));
    const peers = ['onnxruntime-node-1t', 'onnxruntime-node-2t', 'onnxruntime-web-1t', 'onnxruntime-web-2t'];
    // PyTorch on one thread runs beside it where PyTorch runs at all on several cores.
    const torch1t = systems.has('torch-1t');
    const both = ['recur-js', 'tfjs-layers-cpu', 'torch', ...(torch1t ? ['torch-1t'] : [])];
    expect([...systems].sort()).toEqual([...peers, ...both].sort());
    expect(doc.results).toHaveLength(both.length * 2 + peers.length); // forward/train each, the peers forward only
    for (const r of doc.results.filter((x) => peers.includes(x.system))) expect(r.mode).toBe('forward');
    for (const r of doc.results) {
      expect(r).toMatchObject({ cell: 'rnn', workload: 'W1' });
      expect(['forward', 'train']).toContain(r.mode);
      expect(['ok', 'failed', 'skipped']).toContain(r.status);
      if (r.status === 'ok') {
        expect(r.ms!.min).toBeGreaterThan(0);
        expect(r.ms!.min).toBeLessThanOrEqual(r.ms!.median);
        expect(r.ms!.median).toBeLessThanOrEqual(r.ms!.max);
        expect(r.gflops).toBeGreaterThan(0);
        expect(r.reps).toBe(1);
      } else {
        expect(r.ms).toBeNull();
        expect(typeof r.reason).toBe('string');
      }
    }
    // Recur and tfjs-layers always run here; torch runs when /usr/bin/python3 imports it.
    for (const r of doc.results.filter((x) => x.system === 'recur-js' || x.system === 'tfjs-layers-cpu'))
      expect(r.status).toBe('ok');
    for (const r of doc.results.filter((x) => x.system === 'recur-js')) {
      expect(r.path).toBe('fused');
      expect(['simd', 'scalar']).toContain(r.kernel);
    }
    for (const r of doc.results.filter((x) => x.system !== 'recur-js')) {
      expect(r.path).toBeNull();
      expect(r.kernel).toBeNull();
    }
    const torchRan = doc.results.some((r) => r.system === 'torch' && r.status === 'ok');
    if (torch1t) expect(torchRan && doc.machine.torchThreads! > 1).toBe(true);
    expect(doc.machine.torch !== null).toBe(torchRan);
    // The torch reference says which BLAS kernel it ran on, and whether ratios against it count.
    if (torchRan) {
      expect(doc.references.torch).toMatchObject({ fair: expect.any(Boolean), note: expect.any(String) });
      expect(doc.references.torch).toHaveProperty('detected.corename');
      expect(run.stdout).toContain('torch: ');
    }
    // The limit: the SIMD128 peak, and recur-js as a share of it.
    expect(doc.machine.wasmSimdPeak?.gflopsPerThread).toBeGreaterThan(0);
    expect(run.stdout).toContain('WebAssembly SIMD128 peak');
    for (const r of doc.results.filter((x) => x.system === 'recur-js')) {
      expect(r.peakShare).toBeGreaterThan(0);
      expect(r.threads).toBeGreaterThanOrEqual(1);
    }

    const okPeers = doc.results.filter((r) => peers.includes(r.system) && r.status === 'ok').length;
    expect(doc.ratios.length).toBe((torchRan ? 4 : 2) + okPeers);
    for (const q of doc.ratios) {
      expect(q.system).toBe('recur-js');
      expect(['torch', 'tfjs-layers-cpu', ...peers]).toContain(q.reference);
      expect(q.ratio).toBeGreaterThan(0);
      // Against PyTorch's faster configuration on that row.
      if (q.reference === 'torch') {
        const torchMs = doc.results
          .filter((r) => r.system.startsWith('torch') && r.mode === q.mode && r.status === 'ok')
          .map((r) => r.ms!.median);
        const recurMs = doc.results.find((r) => r.system === 'recur-js' && r.mode === q.mode)!.ms!.median;
        expect(q.ratio).toBeCloseTo(Math.min(...torchMs) / recurMs, 10);
      }
    }
    if (okPeers > 0) expect(run.stdout).toContain('vs onnxruntime');

    const markdown = readFileSync(join(report, 'report.md'), 'utf8');
    expect(markdown).toContain('## Ratios');
    expect(existsSync(join(report, 'charts', 'gflops-train.svg'))).toBe(true);
    expect(readFileSync(join(report, 'charts', 'gflops-train.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('runs a shape of its own, one mode, and records it in the settings', () => {
    const json = join(scratch, 'custom.json');
    const run = bench([
      ...['--workload', 'b3t5i2h4l2', '--mode', 'train', '--cell', 'gru'],
      ...['--backend', 'js', '--reference', 'none', '--reps', '1', '--no-peak', '--json', json],
    ]);
    expect(run.status, run.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(json, 'utf8')) as BenchDocument;
    expect(doc.machine.wasmSimdPeak).toBeNull();
    expect(doc.results[0]?.peakShare).toBeUndefined();
    expect(doc.settings.workloads).toEqual([
      { name: 'B3T5I2H4L2', batch: 3, steps: 5, inputSize: 2, hiddenSize: 4, layers: 2, modes: ['train'] },
    ]);
    expect(doc.results).toHaveLength(1);
    expect(doc.results[0]).toMatchObject({
      system: 'recur-js',
      workload: 'B3T5I2H4L2',
      cell: 'gru',
      mode: 'train',
      status: 'ok',
    });
  });

  it('runs the streaming workload W5 with the state carried, against the peers', () => {
    const json = join(scratch, 'w5.json');
    const run = bench([
      ...[
        '--workload',
        'W5',
        '--cell',
        'gru',
        '--backend',
        'js',
        '--reps',
        '1',
        '--no-peak',
        '--cold-runs',
        '1',
      ],
      ...['--reference', 'onnxruntime-node,onnxruntime-web', '--json', json],
    ]);
    expect(run.status, run.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(json, 'utf8')) as BenchDocument;
    expect(doc.settings.workloads[0]).toMatchObject({ name: 'W5', batch: 1, steps: 1, calls: 2000 });
    const recur = doc.results.find((r) => r.system === 'recur-js')!;
    expect(recur).toMatchObject({ status: 'ok', workload: 'W5', mode: 'forward' });
    for (const r of doc.results.filter((x) => x.system.startsWith('onnxruntime') && x.status === 'ok')) {
      expect(doc.references[r.system]?.note).toMatch(/checked against Recur's/);
    }
    // Cold start: a fresh process per system, import → first output.
    expect(doc.coldStart?.rows.map((r) => r.system)).toEqual([
      'recur-js',
      'onnxruntime-node',
      'onnxruntime-web',
    ]);
    const recurCold = doc.coldStart!.rows[0]!;
    expect(recurCold).toMatchObject({ cell: 'gru', status: 'ok', runs: 1 });
    expect(recurCold.ms!.median).toBeGreaterThan(0);
    expect(run.stdout).toContain('Cold start');
  });

  // webgl runs in Debian's Chromium (.ci/run installs it); without it the test says so and is skipped.
  const hasChromium = existsSync(chromiumPath);
  if (!hasChromium) console.warn(`[recur bench] webgl test SKIPPED — no Chromium at ${chromiumPath}`);
  it.skipIf(!hasChromium)('runs recur-webgl against tfjs-layers-webgl in headless Chromium', () => {
    const json = join(scratch, 'webgl.json');
    const run = bench([
      ...['--backend', 'webgl', '--workload', 'B2T3I2H3', '--cell', 'lstm', '--reps', '1'],
      ...['--reference', 'tfjs-layers', '--json', json],
    ]);
    expect(run.status, run.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(json, 'utf8')) as BenchDocument;
    expect(doc.machine.recurKernels['recur-webgl']).toMatch(/^headless Chromium .*GL renderer/);
    expect(doc.results.map((r) => `${r.system} ${r.mode} ${r.status}`).sort()).toEqual([
      'recur-webgl forward ok',
      'recur-webgl train ok',
      'tfjs-layers-webgl forward ok',
      'tfjs-layers-webgl train ok',
    ]);
    for (const r of doc.results.filter((x) => x.system === 'recur-webgl')) expect(r.path).toBe('fused');
    expect(doc.ratios.map((q) => `${q.system} ${q.reference}`)).toEqual([
      'recur-webgl tfjs-layers-webgl',
      'recur-webgl tfjs-layers-webgl',
    ]);
  });

  it.each([
    [['--backend', 'nope'], /unknown backend "nope"/],
    [['--workload', 'W9'], /unknown workload "W9"/],
    [['--workload', 'B0T4I2H3'], /B must be an integer ≥ 1, got 0/],
    [['--workload', 'W4', '--mode', 'train'], /nothing to measure/],
    [['--mode', 'backward'], /unknown mode "backward"/],
    [['--reps', 'abc'], /--reps must be an integer/],
    [['--path', 'sideways'], /fused, composed or both/],
    [['--frobnicate'], /unknown option/],
  ])('exits 2 with a one-line error for %j', (args, message) => {
    const run = bench(args);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^pnpm bench: /);
    expect(lines[0]).toMatch(message);
  });
});
