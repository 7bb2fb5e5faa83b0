/**
 * Limit 1 of vanilla RNNs, measured: ‖d loss / d x_t‖ relative to its value at the last step, against
 * the distance from the last step, for RNN, LSTM and GRU at initialisation and after training on the
 * adding problem. A table, and an SVG chart in `--out`.
 *
 * `pnpm example vanishing-gradients [--length 100] [--hidden 32] [--batch 64] [--lr 0.01]`
 */
import { join } from 'node:path';
import { Generator } from '@recur/core';
import type { AddingBatch, RecurrentKind } from './lib/adding.js';
import {
  AddingModel,
  addingBatch,
  addingOptions,
  gradientProfile,
  recurrentKinds,
  trainAdding,
} from './lib/adding.js';
import type { Point } from './lib/chart.js';
import { writeLineChart } from './lib/chart.js';
import { runExample } from './lib/cli.js';
import { formatNumber } from './lib/result.js';
import { renderTable } from './lib/table.js';

/** ‖d loss / d x_t‖ / ‖d loss / d x_{T−1}‖ for every distance d = T − 1 − t, over a whole batch. */
function gradientRatios(model: AddingModel, batch: AddingBatch): number[] {
  return gradientProfile(model, batch).ratios;
}

/** One colour per cell, as in the demo's panel: dashed at initialisation, solid once trained. */
const cellColours: Record<RecurrentKind, string> = { RNN: '#d62728', LSTM: '#1f77b4', GRU: '#2ca02c' };

await runExample(
  {
    name: 'vanishing-gradients',
    description: 'how d loss / d x_t shrinks with distance, for RNN, LSTM and GRU, before and after training',
    defaultSteps: 2000,
    options: addingOptions,
  },
  async (ctx) => {
    const { length, hidden, batch, lr } = ctx.options as Record<string, number>;
    const probe = addingBatch(length, 256, new Generator(ctx.seed + 2_000_003));
    const far = length - 1;
    const distances = [0, 1, 2, 5, 10, 20, 50, far].filter((d, i, a) => d <= far && a.indexOf(d) === i);
    console.log(
      `T = ${length}, hidden ${hidden}, PyTorch's default initialisation; training on the adding problem: ` +
        `batch ${batch}, Adam lr ${lr}, up to ${ctx.steps} steps each (stopping once validation MSE < 0.01)`,
    );
    const ratios = new Map<string, number[]>();
    const points: Point[] = [];
    /** Where a ratio underflowed float32 to 0 (no place on a log axis, so its line ends there). */
    const ends: string[] = [];
    const record = (kind: RecurrentKind, when: string, r: number[]) => {
      ratios.set(`${kind} ${when}`, r);
      r.forEach((y, x) => {
        points.push({ x, y, series: `${kind} ${when}`, group: kind, variant: when });
      });
      const zero = r.findIndex((y) => !(y > 0));
      if (zero >= 0) ends.push(`${kind} ${when} is 0 from distance ${zero} on`);
    };
    const trainedAt99: Record<string, number> = {};
    for (const kind of recurrentKinds) {
      const model = new AddingModel(kind, hidden);
      record(kind, 'at init', gradientRatios(model, probe));
      trainAdding(model, {
        length,
        hidden,
        batch,
        lr,
        steps: ctx.steps,
        stopBelow: 0.01,
        generator: ctx.generator,
      });
      const trained = gradientRatios(model, probe);
      record(kind, 'trained', trained);
      trainedAt99[kind] = trained[far]!;
      console.log(`${kind}: test MSE after training ${formatNumber(model.evaluate(probe))}`);
    }
    console.log(
      `‖d loss / d x_t‖ relative to the last step, by distance from the last step (T = ${length}):`,
    );
    console.log(
      renderTable(
        ['model', ...distances.map((d) => `d = ${d}`)],
        [...ratios].map(([name, r]) => [name, ...distances.map((d) => formatNumber(r[d]!))]),
      ),
    );
    const file = join(ctx.out, 'vanishing-gradients.svg');
    await writeLineChart(file, {
      title: `Gradient norm at step t relative to the last step (adding problem, T = ${length}, H = ${hidden})`,
      xTitle: 'distance from the last step',
      yTitle: 'gradient norm ratio (log scale)',
      points,
      logY: true,
      ...(ends.length === 0
        ? {}
        : { subtitle: `Lines end where the ratio underflows float32 to 0: ${ends.join('; ')}.` }),
      groups: cellColours,
      variants: { 'at init': [5, 4], trained: [] },
    });
    if (ends.length > 0)
      console.log(`note: float32 underflow, not drawn on the log axis: ${ends.join('; ')}`);
    console.log(`chart: ${file}`);
    return [
      {
        metric: `lstm_gru_min_ratio_d${far}`,
        value: Math.min(trainedAt99.LSTM!, trainedAt99.GRU!),
        op: '>=',
        target: 1e-2,
      },
      { metric: `rnn_ratio_d${far}`, value: trainedAt99.RNN!, op: '<', target: 1e-6 },
    ];
  },
);
