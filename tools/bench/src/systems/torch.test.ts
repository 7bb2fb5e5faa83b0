/**
 * The torch reference's BLAS set-up end to end, with a stand-in for Python (a shell script speaking
 * the script's protocol), so that the override and its refusal run on any machine, without torch.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeWaitPolicy } from '../report/markdown.js';
import { computeRatios, OPENMP_DEFAULT_WAIT, type ResultRow } from '../results.js';
import type { CpuFeatures } from './blas.js';
import { startTorch, torchReference } from './torch.js';

const scratch = mkdtempSync(join(tmpdir(), 'recur-bench-torch-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const xeon512: CpuFeatures = { vendor: 'GenuineIntel', flags: new Set(['avx', 'fma', 'avx2', 'avx512f']) };

/**
 * A fake interpreter: kernel Prescott unless OPENBLAS_CORETYPE is set; `verify` answers `error`; its
 * version names the OMP_WAIT_POLICY it was started with.
 */
function fakePython(error: string): string {
  const path = join(scratch, `python-${error}`);
  writeFileSync(
    path,
    `#!/bin/sh
core=\${OPENBLAS_CORETYPE:-Prescott}
echo '{"ready": true, "torch": "0.0-fake omp='"\${OMP_WAIT_POLICY-unset}"'", "threads": 2, "blas": {"library": "/fake/libopenblas.so", "corename": "'"$core"'", "config": "OpenBLAS 0.3.21 DYNAMIC_ARCH", "coretypeEnv": null, "torchConfig": "BLAS_INFO=open"}}'
while read -r line; do
  case "$line" in
    *verify*) echo '{"ok": true, "productRelError": ${error}, "lstmMaxAbsError": 1e-8}' ;;
    *) echo '{"ok": true}' ;;
  esac
done
`,
  );
  chmodSync(path, 0o755);
  return path;
}

describe('startTorch on a generic OpenBLAS kernel', () => {
  it('re-runs with the best kernel when it verifies against float64, and says so', async () => {
    const session = await startTorch(fakePython('3e-7'), 2, xeon512);
    try {
      const info = session.info;
      if ('unavailable' in info) throw new Error(info.unavailable);
      expect(info.blas).toMatchObject({
        kernel: 'SkylakeX',
        coretypeEnv: 'SkylakeX',
        fair: true,
        override: { coretype: 'SkylakeX', corename: 'SkylakeX', accepted: true },
      });
      const setup = torchReference(info)!;
      expect(setup.fair).toBe(true);
      expect(setup.note).toMatch(/generic Prescott kernel; re-run with OPENBLAS_CORETYPE=SkylakeX/);
    } finally {
      session.close();
    }
  });

  it('keeps the generic kernel when the override gives wrong results, and reports no ratio against it', async () => {
    const session = await startTorch(fakePython('0.5'), 2, xeon512);
    try {
      const info = session.info;
      if ('unavailable' in info) throw new Error(info.unavailable);
      expect(info.blas).toMatchObject({ kernel: 'Prescott', fair: false, override: { accepted: false } });
      expect(info.blas.override?.reason).toMatch(/productRelError 0.5 > 0.0001/);
      const setup = torchReference(info)!;
      expect(setup.note).toMatch(/no ratio against it is reported/);
      const row = (system: string, median: number): ResultRow => ({
        system,
        path: null,
        requested: null,
        kernel: null,
        cell: 'lstm',
        workload: 'W1',
        mode: 'forward',
        ms: { min: median, median, max: median },
        gflops: 1,
        status: 'ok',
        reps: 1,
        warmup: 1,
      });
      const rows = [row('recur-js', 1), row('torch', 2), row('tfjs-layers-cpu', 4)];
      expect(computeRatios(rows).map((r) => r.reference)).toEqual(['torch', 'tfjs-layers-cpu']);
      expect(computeRatios(rows, new Set(['torch'])).map((r) => r.reference)).toEqual(['tfjs-layers-cpu']);
    } finally {
      session.close();
    }
  });
});

describe("PyTorch's OpenMP wait policy", () => {
  // PASSIVE (workers sleep at once after every parallel region) made PyTorch's W2 RNN forward pass about
  // twice as slow here, so the bench leaves the policy as the caller has it and reports what it was.
  const saved = process.env.OMP_WAIT_POLICY;
  afterAll(() => {
    if (saved === undefined) delete process.env.OMP_WAIT_POLICY;
    else process.env.OMP_WAIT_POLICY = saved;
  });
  for (const policy of [undefined, 'ACTIVE', 'PASSIVE']) {
    it(`${policy ?? 'unset'}: the process runs with it and the report says so`, async () => {
      if (policy === undefined) delete process.env.OMP_WAIT_POLICY;
      else process.env.OMP_WAIT_POLICY = policy;
      const session = await startTorch(fakePython('3e-7'), 2, xeon512);
      try {
        const info = session.info;
        if ('unavailable' in info) throw new Error(info.unavailable);
        expect(info.version).toBe(`0.0-fake omp=${policy ?? 'unset'}`);
        expect(info.waitPolicy).toBe(policy ?? OPENMP_DEFAULT_WAIT);
        expect(describeWaitPolicy(info.waitPolicy)).toBe(
          policy === undefined ? "OMP_WAIT_POLICY unset (OpenMP's default)" : `OMP_WAIT_POLICY=${policy}`,
        );
      } finally {
        session.close();
      }
    });
  }
});
