import type { CellKind, SequenceArgs, SequenceResult } from '@recur/core';
import { describe, expect, it } from 'vitest';
import { backendOn, type JsBackend } from '../../backend.js';
import { Engine } from '../../engine.js';
import { createJsBackend } from '../../index.js';
import type { JsTensor } from '../../tensor.js';
import { simdBackend, simdEngine } from '../../testing/flavours.js';
import { weightedSum } from '../../testing/gradcheck.js';
import { count, rng, uniform } from '../../testing/random.js';
import { PLAIN_FLAVOUR, RELAXED_FLAVOUR } from '../../wasm/module.js';
import { WasmRuntime } from '../../wasm/runtime.js';
import { createFusedKernels } from '../index.js';
import { GATE_COUNT } from '../shared.js';

interface Config {
  readonly cell: CellKind;
  readonly T: number;
  readonly N: number;
  readonly I: number;
  readonly H: number;
  readonly reverse: boolean;
  readonly lengths?: readonly number[];
  readonly bias: boolean;
  readonly proj: number;
}

/** Shapes that hit the kernels' edges: batch 1 (GEMV), batches not a multiple of the tile, odd H (tails). */
const SHAPES = [
  { T: 5, N: 4, I: 3, H: 5, lengths: [5, 2, 4, 1] },
  { T: 6, N: 1, I: 7, H: 9 },
  { T: 4, N: 13, I: 20, H: 17, lengths: [4, 4, 3, 4, 1, 2, 4, 4, 4, 3, 4, 2, 4] },
];

const configs: Config[] = [];
for (const cell of ['rnn_tanh', 'rnn_relu', 'lstm', 'gru'] as const) {
  for (const shape of SHAPES) {
    for (const reverse of [false, true]) {
      configs.push({ cell, ...shape, reverse, bias: !reverse, proj: 0 });
      if (cell === 'lstm') configs.push({ cell, ...shape, reverse, bias: true, proj: 3 });
    }
  }
}

/** Random float64 arguments of a config by name. */
function inputsFor(c: Config, seed: number): Record<string, { data: Float64Array; shape: number[] }> {
  const random = rng(seed);
  const GH = GATE_COUNT[c.cell] * c.H;
  const Hout = c.proj > 0 ? c.proj : c.H;
  const shapes: Record<string, number[]> = {
    input: [c.T, c.N, c.I],
    h0: [c.N, Hout],
    weightIh: [GH, c.I],
    weightHh: [GH, Hout],
  };
  if (c.cell === 'lstm') shapes.c0 = [c.N, c.H];
  if (c.bias) Object.assign(shapes, { biasIh: [GH], biasHh: [GH] });
  if (c.proj > 0) shapes.weightHr = [c.proj, c.H];
  return Object.fromEntries(
    Object.entries(shapes).map(([name, shape]) => [
      name,
      { data: uniform(random, count(shape), -0.7, 0.7), shape },
    ]),
  );
}

/** Outputs and the gradient of every argument, read back, on backend `b` at `dtype`. */
function evaluate(
  b: JsBackend,
  c: Config,
  inputs: ReturnType<typeof inputsFor>,
  dtype: 'float32' | 'float64',
) {
  return b.tidy(
    () => {
      const names = Object.keys(inputs);
      const ts = names.map((n) => b.fromData(inputs[n].data, inputs[n].shape, dtype));
      const byName = Object.fromEntries(names.map((n, i) => [n, ts[i]]));
      const args = {
        cell: c.cell,
        reverse: c.reverse,
        lengths: c.lengths === undefined ? undefined : Int32Array.from(c.lengths),
        ...byName,
      } as unknown as SequenceArgs<JsTensor>;
      const loss = (r: SequenceResult<JsTensor>) => {
        let total = b.binary('add', weightedSum(b, r.output, 1), weightedSum(b, r.hn, 2));
        if (r.cn !== undefined) total = b.binary('add', total, weightedSum(b, r.cn, 3));
        return total;
      };
      const r = b.fused!.sequence(args);
      const values = [r.output, r.hn, ...(r.cn ? [r.cn] : [])].map((t) => b.read(t));
      const { grads } = b.valueAndGrads(() => loss(b.fused!.sequence(args)), ts);
      return { values, grads: grads.map((g, i) => ({ name: names[i], data: b.read(g) })) };
    },
    () => [],
  );
}

/** float32 results against the float64 reference, relative to each array's scale. */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length).toBe(want.length);
  let scale = 1e-3;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= 2e-5 * scale)) expect.fail(`${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

describe('fused sequences on the SIMD tier match the scalar float64 kernels', () => {
  const reference = createJsBackend({ kernel: 'scalar' });
  const flavours = [
    { name: 'relaxed FMA', backend: simdBackend(RELAXED_FLAVOUR) },
    { name: 'mul+add', backend: simdBackend(PLAIN_FLAVOUR) },
    { name: 'relaxed FMA, 2 threads', backend: simdBackend(RELAXED_FLAVOUR, 2, true) },
  ];
  configs.forEach((c, index) => {
    const title =
      `${c.cell} T${c.T} N${c.N} I${c.I} H${c.H}${c.reverse ? ' reverse' : ''}` +
      `${c.lengths ? ' lengths' : ''}${c.bias ? '' : ' no bias'}${c.proj ? ` proj ${c.proj}` : ''}`;
    it(title, () => {
      const inputs = inputsFor(c, 1000 + index);
      const want = evaluate(reference, c, inputs, 'float64');
      for (const { name, backend } of flavours) {
        const got = evaluate(backend, c, inputs, 'float32');
        for (const [i, v] of got.values.entries()) expectClose(v, want.values[i], `${name} output ${i}`);
        for (const [i, g] of got.grads.entries())
          expectClose(g.data, want.grads[i].data, `${name} d${g.name}`);
      }
    });
  });

  it('leaves nothing allocated in wasm memory after forward-only and training calls but the packed weights, freed with their tensors', () => {
    const e = simdEngine(RELAXED_FLAVOUR);
    const heap = e.wasm!.heap;
    const kept = heap.liveBytes;
    const fused = createFusedKernels(e);
    const c: Config = { cell: 'lstm', T: 5, N: 4, I: 3, H: 5, reverse: false, bias: true, proj: 2 };
    const inputs = inputsFor(c, 9);
    const ts = Object.entries(inputs).map(
      ([name, x]) => [name, e.tensor(Float32Array.from(x.data), x.shape)] as const,
    );
    const args = {
      cell: c.cell,
      reverse: false,
      ...Object.fromEntries(ts),
    } as unknown as SequenceArgs<JsTensor>;
    fused.sequence(args); // not recorded: caches are freed at once
    // W_ih, W_hh and W_hr stay packed for the next call with the same tensors.
    expect(e.wasm!.weights.size).toBe(3);
    const withWeights = heap.liveBytes;
    expect(withWeights).toBeGreaterThan(kept);
    e.tape.valueAndGrads(() => {
      const r = fused.sequence(args);
      return e.tensor(Float32Array.of(r.hn.data[0]), []); // backward never reaches the node
    }, [args.weightHh]);
    expect(heap.liveBytes).toBe(withWeights);
    expect(() =>
      e.tape.valueAndGrads(() => {
        fused.sequence(args);
        throw new Error('user code failed');
      }, [args.weightHh]),
    ).toThrow('user code failed');
    expect(heap.liveBytes).toBe(withWeights);
    for (const [, t] of ts) e.memory.dispose(t);
    expect(e.wasm!.weights.size).toBe(0);
    expect(heap.liveBytes).toBe(kept);
  });
});

describe('a batch split between two threads (each runs every step of its half)', () => {
  // Rows never meet inside a recurrence, and each product row sees the same k order whatever the
  // tiling: the split must change nothing, to the bit, against one thread on the same kernels.
  const one = simdBackend(RELAXED_FLAVOUR, 1);
  const runtime = new WasmRuntime(RELAXED_FLAVOUR, 2, { flops: 0, units: 0, rows: 2 });
  const split = backendOn(new Engine({ kernel: 'simd', detail: runtime.describe(), runtime }), true);
  const shapes = [
    { T: 7, N: 9, I: 5, H: 12, lengths: [7, 3, 7, 1, 6, 7, 2, 5, 4] },
    { T: 3, N: 14, I: 260, H: 20 }, // two k blocks in the projection; halves of 7 rows
  ];
  for (const cell of ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as const) {
    for (const [s, shape] of shapes.entries()) {
      for (const reverse of [false, true]) {
        const proj = cell === 'lstm' && reverse ? 4 : 0;
        const c: Config = { cell, ...shape, reverse, bias: s === 0, proj };
        it(`${cell} T${c.T} N${c.N} H${c.H}${reverse ? ' reverse' : ''}${c.lengths ? ' lengths' : ''}${proj ? ' proj' : ''}: identical to one thread`, () => {
          const inputs = inputsFor(c, 77 + s);
          const jobs = runtime.threadPool!.programJobs;
          const got = evaluate(split, c, inputs, 'float32');
          // At least the two forward loops (the values, then under the tape) and the BPTT loop (large
          // products split their rows with programs too).
          expect(runtime.threadPool!.programJobs).toBeGreaterThanOrEqual(jobs + 3);
          expect(got).toEqual(evaluate(one, c, inputs, 'float32'));
        });
      }
    }
  }

  it('the worker really runs programs once it has started', async () => {
    const c: Config = { cell: 'gru', T: 40, N: 16, I: 8, H: 32, reverse: false, bias: true, proj: 0 };
    const inputs = inputsFor(c, 5);
    const before = runtime.threadPool!.workerChunks;
    const deadline = Date.now() + 10_000;
    do {
      evaluate(split, c, inputs, 'float32');
      await new Promise((resolve) => setTimeout(resolve, 5));
    } while (runtime.threadPool!.workerChunks === before && Date.now() < deadline);
    expect(runtime.threadPool!.workerChunks).toBeGreaterThan(before);
  });
});

describe('batch-first sequences on the SIMD tier', () => {
  // The kernels work time-major; batch-first input and output are moved in and out (or, with one
  // batch row or one step, where both layouts are the same array, passed as they are). Either way
  // the numbers must be those of the time-major call, to the bit.
  const b = simdBackend(RELAXED_FLAVOUR);
  /** `[A, B, W]` → `[B, A, W]`. */
  const swap = (data: ArrayLike<number>, A: number, B: number, W: number) => {
    const out = new Float64Array(A * B * W);
    for (let a = 0; a < A; a++)
      for (let r = 0; r < B; r++)
        for (let w = 0; w < W; w++) out[(r * A + a) * W + w] = data[(a * B + r) * W + w];
    return out;
  };
  const run = (c: Config, inputs: ReturnType<typeof inputsFor>, batchFirst: boolean) =>
    b.tidy(
      () => {
        const names = Object.keys(inputs);
        const ts = names.map((n) => {
          const { data, shape } = inputs[n];
          return n === 'input' && batchFirst
            ? b.fromData(swap(data, c.T, c.N, c.I), [c.N, c.T, c.I], 'float32')
            : b.fromData(data, shape, 'float32');
        });
        const args = {
          cell: c.cell,
          reverse: c.reverse,
          ...(batchFirst ? { batchFirst } : {}),
          ...Object.fromEntries(names.map((n, i) => [n, ts[i]])),
        } as unknown as SequenceArgs<JsTensor>;
        const r = b.fused!.sequence(args);
        const out = b.read(r.output);
        const output = batchFirst ? swap(out, c.N, c.T, c.H) : Float64Array.from(out);
        // Weights by time-major position, laid out like the output: one loss in either layout.
        const w = new Float64Array(c.T * c.N * c.H).map((_, k) => 0.5 + ((k * 0.618) % 1));
        const weights = batchFirst
          ? b.fromData(swap(w, c.T, c.N, c.H), [c.N, c.T, c.H], 'float32')
          : b.fromData(w, [c.T, c.N, c.H], 'float32');
        const loss = (y: JsTensor) => b.sum(b.binary('mul', y, weights), [0, 1, 2], false);
        const { grads } = b.valueAndGrads(() => loss(b.fused!.sequence(args).output), ts);
        const dInput = b.read(grads[0]);
        return {
          output,
          hn: Array.from(b.read(r.hn)),
          dInput: batchFirst ? swap(dInput, c.N, c.T, c.I) : Float64Array.from(dInput),
          dRest: grads.slice(1).map((g) => Array.from(b.read(g))),
        };
      },
      () => [],
    );
  for (const shape of [
    { T: 5, N: 1, I: 4, H: 6 },
    { T: 1, N: 4, I: 4, H: 6 },
    { T: 3, N: 4, I: 4, H: 6 },
  ]) {
    for (const cell of ['lstm', 'gru'] as const) {
      it(`${cell} T${shape.T} N${shape.N}: the time-major call's outputs and gradients, to the bit`, () => {
        const c: Config = { cell, ...shape, reverse: false, bias: true, proj: 0 };
        const inputs = inputsFor(c, 31);
        const tm = run(c, inputs, false);
        const bf = run(c, inputs, true);
        expect(bf).toEqual(tm);
      });
    }
  }
});
