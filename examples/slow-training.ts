/**
 * Limit 3 of recurrent networks, measured: a training step costs time linear in the sequence length,
 * because step t needs step t − 1. Times one LSTM training step at T = 16 … 512 on the fused path
 * (the backend's whole-sequence kernel) and the composed path (the cell built from primitives),
 * prints a table and writes an SVG chart to `--out`.
 *
 * Timed as `pnpm bench` times (`timeSteps` from `@recur/bench`). The loss reads the last step only, so
 * the gradient reaching early steps underflows; the backends flush it below the smallest normal float
 * rather than compute with subnormals (docs/math.md, "Subnormal gradients"), which on Intel CPUs made
 * T = 256 cost 8× T = 128.
 *
 * `pnpm example slow-training [--steps 9] [--hidden 32] [--batch 16]`
 */
import { join } from 'node:path';
import { timeSteps } from '@recur/bench';
import type { SequencePath } from '@recur/core';
import { Adam, Linear, LSTM, mseLoss, ops, randn } from '@recur/core';
import type { Point } from './lib/chart.js';
import { writeLineChart } from './lib/chart.js';
import { runExample } from './lib/cli.js';
import { Progress } from './lib/progress.js';
import { formatNumber } from './lib/result.js';
import { renderTable } from './lib/table.js';
import { optimisationStep } from './lib/train.js';

const lengths = [16, 32, 64, 128, 256, 512];
const inputSize = 8;

/**
 * Median seconds per training step at sequence length `steps`, timed as `pnpm bench` times (its
 * `timeSteps`: warm-up until one step ran and 500 ms passed, at most 100, then `repeats` timed steps),
 * so a first call at a new size is never charged to the table.
 */
function timeStep(path: SequencePath, steps: number, hidden: number, batch: number, repeats: number): number {
  const lstm = new LSTM({ inputSize, hiddenSize: hidden, path });
  const head = new Linear({ inFeatures: hidden, outFeatures: 1 });
  const params = [...lstm.parameters(), ...head.parameters()];
  const optimizer = new Adam(params, { lr: 1e-3 });
  const x = randn([steps, batch, inputSize]);
  const y = randn([batch, 1]);
  // The loss reads the last step only, as a sequence-to-one model's does: the gradient reaching early
  // steps decays towards zero (below 1e-38 after ~150 steps here), which BPTT must not make slow.
  const step = () =>
    optimisationStep(optimizer, params, () =>
      mseLoss(head.forward(ops.index0(lstm.forward(x)[0], steps - 1)), y),
    );
  const { median } = timeSteps(step, repeats);
  x.dispose();
  y.dispose();
  optimizer.dispose();
  for (const p of params) {
    p.zeroGrad();
    p.value.dispose();
  }
  return median / 1000;
}

await runExample(
  {
    name: 'slow-training',
    description: 'time per LSTM training step against sequence length, fused and composed paths',
    defaultSteps: 9,
    options: [
      { name: 'hidden', description: 'LSTM hidden size', default: 32 },
      { name: 'batch', description: 'batch size', default: 16 },
    ],
  },
  async (ctx) => {
    const { hidden, batch } = ctx.options as Record<string, number>;
    const paths: SequencePath[] = ctx.backend.fused?.cells.includes('lstm')
      ? ['fused', 'composed']
      : ['composed'];
    console.log(
      `LSTM, hidden ${hidden}, batch ${batch}, input ${inputSize}; median of ${ctx.steps} timed training steps per length ` +
        `(forward, backward through time, clipping, Adam)`,
    );
    const seconds: Record<string, number[]> = {};
    const progress = new Progress('timing', paths.length * lengths.length, 'seconds/step');
    let done = 0;
    for (const path of paths) {
      seconds[path] = lengths.map((t) => {
        const s = timeStep(path, t, hidden, batch, ctx.steps);
        progress.tick(++done, s);
        return s;
      });
    }
    progress.stop();
    const fused = seconds.fused;
    const composed = seconds.composed!;
    const rows = lengths.map((t, i) => [
      t,
      fused ? `${(fused[i]! * 1000).toFixed(1)}` : '-',
      `${(composed[i]! * 1000).toFixed(1)}`,
      fused ? `${Math.round((1 - fused[i]! / composed[i]!) * 100)}%` : '-',
      fused ? `${formatNumber((fused[i]! / t) * 1e6)}` : '-',
      `${formatNumber((composed[i]! / t) * 1e6)}`,
    ]);
    console.log(
      renderTable(
        [
          'T',
          'fused ms/step',
          'composed ms/step',
          'time fusing removes',
          'fused µs per t',
          'composed µs per t',
        ],
        rows,
      ),
    );
    const i64 = lengths.indexOf(64);
    const i512 = lengths.indexOf(512);
    for (const path of paths) {
      console.log(
        `${path}: T = 512 costs ${formatNumber(seconds[path]![i512]! / seconds[path]![i64]!)}× T = 64 (8× is linear)`,
      );
    }
    const points: Point[] = paths.flatMap((path) =>
      lengths.map((t, i) => ({ x: t, y: seconds[path]![i]! * 1000, series: path })),
    );
    const file = join(ctx.out, 'slow-training.svg');
    await writeLineChart(file, {
      title: `LSTM training step time against sequence length (${ctx.backend.name}, H = ${hidden}, N = ${batch})`,
      xTitle: 'sequence length T',
      yTitle: 'ms per training step',
      points,
    });
    console.log(`chart: ${file}`);
    if (!fused) {
      console.log(`backend ${ctx.backend.name} has no fused LSTM kernel: nothing to compare`);
      return [{ metric: 'fused_min_speedup', value: Number.NaN, op: '>', target: 1 }];
    }
    return [
      { metric: 't512_over_t64', value: fused[i512]! / fused[i64]!, op: '<=', target: 10 },
      {
        metric: 'fused_min_speedup',
        value: Math.min(...lengths.map((_, i) => composed[i]! / fused[i]!)),
        op: '>',
        target: 1,
      },
    ];
  },
);
