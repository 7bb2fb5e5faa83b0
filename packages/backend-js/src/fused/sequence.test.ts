import type { Backend, CellKind, DType, SequenceArgs, SequenceResult } from '@recur/core';
import { describe, expect, it } from 'vitest';
import { Engine } from '../engine.js';
import { createJsBackend } from '../index.js';
import type { JsTensor } from '../tensor.js';
import { composedSequence } from '../testing/composed.js';
import { type CheckInput, checkGradients, expectClose, weightedSum } from '../testing/gradcheck.js';
import { count, rng, uniform } from '../testing/random.js';
import { runSequence } from './sequence.js';

const T = 4;
const N = 3;
const I = 2;
const H = 3;
/** Unsorted, with a length-1 row and a full-length row. */
const LENGTHS = Int32Array.from([2, 4, 1]);

interface Config {
  readonly cell: CellKind;
  readonly reverse: boolean;
  readonly lengths: Int32Array | undefined;
  readonly bias: boolean;
  /** LSTM projection size, 0 for none. */
  readonly proj: number;
}

const configs: Config[] = [];
for (const cell of ['rnn_tanh', 'rnn_relu', 'lstm', 'gru'] as const) {
  for (const reverse of [false, true]) {
    for (const lengths of [undefined, LENGTHS]) {
      for (const bias of [true, false]) {
        for (const proj of cell === 'lstm' ? [0, 2] : [0])
          configs.push({ cell, reverse, lengths, bias, proj });
      }
    }
  }
}

const GATES: Record<CellKind, number> = { rnn_tanh: 1, rnn_relu: 1, lstm: 4, gru: 3 };

/** Random float64 arguments of a config, in the order `argsFrom` consumes them. */
function inputsFor(config: Config, seed: number): { names: string[]; inputs: CheckInput[] } {
  const random = rng(seed);
  const GH = GATES[config.cell] * H;
  const Hout = config.proj > 0 ? config.proj : H;
  const shapes: [string, number[]][] = [
    ['input', [T, N, I]],
    ['h0', [N, Hout]],
  ];
  if (config.cell === 'lstm') shapes.push(['c0', [N, H]]);
  shapes.push(['weightIh', [GH, I]], ['weightHh', [GH, Hout]]);
  if (config.bias) shapes.push(['biasIh', [GH]], ['biasHh', [GH]]);
  if (config.proj > 0) shapes.push(['weightHr', [config.proj, H]]);
  return {
    names: shapes.map(([name]) => name),
    inputs: shapes.map(([, shape]) => ({ data: uniform(random, count(shape), -0.8, 0.8), shape })),
  };
}

function argsFrom(config: Config, names: string[], ts: readonly JsTensor[]): SequenceArgs<JsTensor> {
  const byName = Object.fromEntries(names.map((n, i) => [n, ts[i]]));
  return {
    cell: config.cell,
    reverse: config.reverse,
    lengths: config.lengths,
    input: byName.input,
    h0: byName.h0,
    c0: byName.c0,
    weightIh: byName.weightIh,
    weightHh: byName.weightHh,
    biasIh: byName.biasIh,
    biasHh: byName.biasHh,
    weightHr: byName.weightHr,
  };
}

/** A scalar touching every output (or only `hn`, so the output gradient is absent). */
function loss(b: Backend<JsTensor>, r: SequenceResult<JsTensor>, only?: 'hn'): JsTensor {
  let total = weightedSum(b, r.hn, 2);
  if (only === 'hn') return total;
  total = b.binary('add', total, weightedSum(b, r.output, 1));
  if (r.cn !== undefined) total = b.binary('add', total, weightedSum(b, r.cn, 3));
  return total;
}

function describeConfig(c: Config): string {
  const parts = [c.cell, c.reverse ? 'reverse' : 'forward', c.lengths ? 'lengths [2,4,1]' : 'full length'];
  if (!c.bias) parts.push('no bias');
  if (c.proj > 0) parts.push(`proj ${c.proj}`);
  return parts.join(', ');
}

/** Value and gradients of `loss` through `path`, read back as arrays, at `dtype`. */
function evaluate(
  b: Backend<JsTensor>,
  config: Config,
  names: string[],
  inputs: CheckInput[],
  dtype: DType,
  path: 'fused' | 'composed',
) {
  return b.tidy(
    () => {
      const ts = inputs.map((x) => b.fromData(x.data, x.shape, dtype));
      const args = argsFrom(config, names, ts);
      const run = () => (path === 'fused' ? b.fused!.sequence(args) : composedSequence(b, args));
      const r = run();
      const values = [r.output, r.hn, ...(r.cn ? [r.cn] : [])].map((t) => b.read(t));
      const { grads } = b.valueAndGrads(() => loss(b, run()), ts);
      return { values, grads: grads.map((g) => b.read(g)) };
    },
    () => [],
  );
}

describe('fused sequence kernels', () => {
  const b = createJsBackend();

  configs.forEach((config, index) => {
    describe(describeConfig(config), () => {
      const { names, inputs } = inputsFor(config, 100 + index);

      it('values match the composed cell built from primitives', () => {
        const fused = evaluate(b, config, names, inputs, 'float64', 'fused');
        const composed = evaluate(b, config, names, inputs, 'float64', 'composed');
        for (const [i, v] of fused.values.entries()) expectClose(v, composed.values[i], 1e-12, 1e-14);
        // The composed gradients are a second, independent opinion besides finite differences.
        for (const [i, g] of fused.grads.entries()) expectClose(g, composed.grads[i], 1e-10, 1e-13);
      });

      it('gradients of every argument match finite differences', () => {
        checkGradients(b, (ts) => loss(b, b.fused!.sequence(argsFrom(config, names, ts))), inputs);
      });

      it('float32 results are close to float64 ones', () => {
        const f64 = evaluate(b, config, names, inputs, 'float64', 'fused');
        const f32 = evaluate(b, config, names, inputs, 'float32', 'fused');
        expect(f32.values[0]).toBeInstanceOf(Float32Array);
        expect(f32.grads[0]).toBeInstanceOf(Float32Array);
        for (const [i, v] of f32.values.entries()) expectClose(v, f64.values[i], 1e-5, 1e-6);
        for (const [i, g] of f32.grads.entries()) expectClose(g, f64.grads[i], 1e-4, 1e-5);
      });
    });
  });

  for (const cell of ['lstm', 'gru'] as const) {
    it(`${cell}: gradients when only hn is used (no output gradient)`, () => {
      const config: Config = { cell, reverse: true, lengths: LENGTHS, bias: true, proj: 0 };
      const { names, inputs } = inputsFor(config, 7);
      checkGradients(b, (ts) => loss(b, b.fused!.sequence(argsFrom(config, names, ts)), 'hn'), inputs);
    });
  }

  it('padded steps output zeros and hn holds each row’s state at its last valid step', () => {
    const config: Config = { cell: 'gru', reverse: false, lengths: LENGTHS, bias: true, proj: 0 };
    const { names, inputs } = inputsFor(config, 3);
    const ts = inputs.map((x) => b.fromData(x.data, x.shape, 'float64'));
    const r = b.fused!.sequence(argsFrom(config, names, ts));
    const out = b.read(r.output);
    const hn = b.read(r.hn);
    for (let row = 0; row < N; row++) {
      const len = LENGTHS[row];
      for (let t = len; t < T; t++) {
        expect(Array.from(out.subarray((t * N + row) * H, (t * N + row + 1) * H))).toEqual([0, 0, 0]);
      }
      const last = (len - 1) * N + row;
      expect(Array.from(hn.subarray(row * H, (row + 1) * H))).toEqual(
        Array.from(out.subarray(last * H, (last + 1) * H)),
      );
    }
  });

  it('has no fused member when created with { fused: false }', () => {
    expect('fused' in createJsBackend({ fused: false })).toBe(false);
    expect(b.fused!.cells).toEqual(['rnn_tanh', 'rnn_relu', 'lstm', 'gru']);
  });

  it('records one tape node, and only inside valueAndGrads with a tracked argument', () => {
    const e = new Engine();
    const config: Config = { cell: 'lstm', reverse: false, lengths: undefined, bias: true, proj: 0 };
    const { names, inputs } = inputsFor(config, 5);
    const ts = inputs.map((x) => e.tensor(x.data, x.shape));
    const args = argsFrom(config, names, ts);
    runSequence(e, args);
    expect(e.tape.nodeCount).toBe(0);
    const seen: number[] = [];
    const scalar = (r: SequenceResult<JsTensor>) => e.tensor(new Float64Array([r.hn.data[0]]), []);
    const other = e.tensor(new Float64Array([1]), []);
    e.tape.valueAndGrads(() => {
      const r = runSequence(e, args); // no argument is tracked
      seen.push(e.tape.nodeCount);
      return scalar(r);
    }, [other]);
    e.tape.valueAndGrads(() => {
      const r = runSequence(e, args);
      seen.push(e.tape.nodeCount);
      return scalar(r);
    }, [ts[names.indexOf('weightHh')]]);
    expect(seen).toEqual([0, 1]);
  });
});
