/**
 * The inference peers run Recur's own model (exported with writeOnnx) and are checked against Recur's
 * outputs before timing; a mismatch is refused. No timing is asserted.
 */
import { describe, expect, it } from 'vitest';
import type { Workload } from '../workloads.js';
import { compareOutputs, ortTolerance, startOnnxruntime } from './onnxruntime.js';

const f = (...v: number[]) => Float32Array.from(v);

describe('compareOutputs', () => {
  it('passes within atol + rtol·|ref| and reports the largest error', () => {
    const r = compareOutputs([f(1, -2, 0)], [f(1 + 1e-4, -2, 5e-5)]);
    expect(r.pass).toBe(true);
    expect(r.maxAbs).toBeCloseTo(1e-4, 6);
  });
  it('fails beyond the tolerance, on NaN and on a different shape or count', () => {
    expect(compareOutputs([f(1)], [f(1 + 2 * (ortTolerance.atol + ortTolerance.rtol))]).pass).toBe(false);
    const nan = compareOutputs([f(Number.NaN)], [f(0)]);
    expect(nan.pass).toBe(false);
    expect(nan.maxAbs).toBeNaN();
    expect(compareOutputs([f(1, 2)], [f(1)]).pass).toBe(false);
    expect(compareOutputs([f(1)], [f(1), f(1)]).pass).toBe(false);
  });
});

const tiny: Workload = {
  name: 'tiny',
  batch: 2,
  steps: 3,
  inputSize: 4,
  hiddenSize: 5,
  layers: 2,
  modes: ['forward'],
  defaultReps: 1,
};
const stream: Workload = { ...tiny, name: 'stream', batch: 1, steps: 1, layers: 1, calls: 5 };

describe('startOnnxruntime', () => {
  it('runs Recur-exported models on onnxruntime-node, checked before timing, sequence and streaming', async () => {
    const session = await startOnnxruntime(['onnxruntime-node']);
    try {
      expect(session.contenders.map((c) => c.system)).toEqual(['onnxruntime-node-1t', 'onnxruntime-node-2t']);
      const c = session.contenders[0]!;
      expect(c.modes).toEqual(['forward']);
      if (c.unavailable !== undefined) {
        console.warn(`[recur bench] onnxruntime-node test SKIPPED — ${c.unavailable}`);
        return;
      }
      for (const cell of ['lstm', 'gru', 'rnn'] as const) {
        for (const w of [tiny, stream]) {
          const prepared = await c.prepare(cell, w, 'forward');
          expect(await prepared.step()).toBeGreaterThan(0);
          await prepared.dispose();
        }
      }
      const setup = session.setups()['onnxruntime-node-1t']!;
      expect(setup.checks).toHaveLength(6);
      expect(setup.note).toMatch(/outputs checked against Recur's before timing/);
    } finally {
      await session.close();
    }
  }, 60_000);
});
