/**
 * Test support: the suites every Recur tfjs backend runs (adapter package on tfjs-cpu, and each
 * engine package through its own factory). Each engine test file is a few lines:
 * `describeTfjsBackend('wasm', () => createWasmBackend())`.
 */
import type { CellKind, SequenceArgs, SequenceResult, UnaryOp } from '@recur/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TfjsBackend } from '../adapter.js';
import type { TfTensor } from '../tfjs.js';
import { allAxes, checkGradient, expectClose, expectTensor } from './checks.js';
import { composedSequence } from './composed.js';
import {
  broadcastRef,
  concatRef,
  gatherRef,
  type Host,
  logSoftmaxRef,
  mapRef,
  matMulRef,
  reduceRef,
  seeded,
  sliceRef,
  transposeRef,
  uniform,
} from './host.js';

/** Makes the backend under test (called once per suite). */
export type TfjsBackendFactory = () => Promise<TfjsBackend>;

const VALUE_TOL = { atol: 1e-5, rtol: 1e-5 };

/** Creates the backend once for the enclosing describe block. */
function useBackend(factory: TfjsBackendFactory): () => TfjsBackend {
  let backend: TfjsBackend | undefined;
  beforeAll(async () => {
    backend = await factory();
  });
  return () => backend!;
}

const UNARY: Record<UnaryOp, { f: (v: number) => number; lo: number; hi: number; away: number }> = {
  neg: { f: (v) => -v, lo: -2, hi: 2, away: 0 },
  exp: { f: Math.exp, lo: -2, hi: 1, away: 0 },
  log: { f: Math.log, lo: 0.5, hi: 2, away: 0 },
  sqrt: { f: Math.sqrt, lo: 0.3, hi: 2, away: 0 },
  abs: { f: Math.abs, lo: -2, hi: 2, away: 0.1 },
  tanh: { f: Math.tanh, lo: -2, hi: 2, away: 0 },
  sigmoid: { f: (v) => 1 / (1 + Math.exp(-v)), lo: -3, hi: 3, away: 0 },
  relu: { f: (v) => Math.max(v, 0), lo: -2, hi: 2, away: 0.1 },
};

/** Every primitive against plain-loop values, and its gradient against finite differences. */
export function describePrimitives(label: string, factory: TfjsBackendFactory): void {
  describe(`${label}: primitives`, () => {
    const backend = useBackend(factory);
    const random = seeded(1);
    const host = (shape: number[], lo = -1, hi = 1, away = 0) => uniform(random, shape, lo, hi, away);
    const t = (h: Host) => backend().fromData(h.data, h.shape, 'float32');

    it('fromData copies, read copies, float64 is refused', () => {
      const b = backend();
      const data = new Float32Array([1, 2, 3]);
      const x = b.fromData(data, [3], 'float32');
      data[0] = 9;
      const read = b.read(x);
      expect(Array.from(read)).toEqual([1, 2, 3]);
      read[1] = 7;
      expect(Array.from(b.read(x))).toEqual([1, 2, 3]);
      expect(b.read(b.fromData([4], [], 'float32'))).toEqual(new Float32Array([4]));
      expect(() => b.fromData([1], [1], 'float64')).toThrow(/float32 only/);
      expect(b.dtypes).toEqual(['float32']);
      b.dispose(x);
      b.dispose(x); // twice is harmless
    });

    for (const [ta, tb] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      it(`matMul transposeA=${ta} transposeB=${tb}`, () => {
        const a = host(ta ? [4, 3] : [3, 4]);
        const bb = host(tb ? [2, 4] : [4, 2]);
        expectTensor(
          backend(),
          backend().matMul(t(a), t(bb), ta, tb),
          matMulRef(a, bb, ta, tb),
          VALUE_TOL,
          'matMul',
        );
        checkGradient(backend(), ([x, y]) => backend().matMul(x, y, ta, tb), [a, bb], 'matMul');
      });
    }

    const binaryShapes: [number[], number[]][] = [
      [
        [2, 3],
        [2, 3],
      ],
      [[2, 3], [3]],
      [
        [2, 1],
        [1, 3],
      ],
      [[3], [2, 3]],
      [[2, 3], []],
    ];
    const binaryOps = {
      add: (x: number, y: number) => x + y,
      sub: (x: number, y: number) => x - y,
      mul: (x: number, y: number) => x * y,
      div: (x: number, y: number) => x / y,
    };
    for (const [op, f] of Object.entries(binaryOps) as [keyof typeof binaryOps, typeof binaryOps.add][]) {
      for (const [sa, sb] of binaryShapes) {
        it(`binary ${op} [${sa}] with [${sb}]`, () => {
          const a = host(sa);
          const bb = op === 'div' ? host(sb, 0.5, 2) : host(sb);
          expectTensor(backend(), backend().binary(op, t(a), t(bb)), broadcastRef(a, bb, f), VALUE_TOL, op);
          checkGradient(backend(), ([x, y]) => backend().binary(op, x, y), [a, bb], op);
        });
      }
    }

    for (const [op, { f, lo, hi, away }] of Object.entries(UNARY) as [UnaryOp, (typeof UNARY)['neg']][]) {
      it(`unary ${op}`, () => {
        const x = host([2, 5], lo, hi, away);
        expectTensor(backend(), backend().unary(op, t(x)), mapRef(x, f), VALUE_TOL, op);
        checkGradient(backend(), ([v]) => backend().unary(op, v), [x], op);
      });
    }

    it("relu'(0) = 0 and abs'(0) = 0, as in PyTorch", () => {
      const b = backend();
      const x = b.fromData([0, 0], [2], 'float32');
      for (const op of ['relu', 'abs'] as const) {
        const { grads } = b.valueAndGrads(() => b.sum(b.unary(op, x), [0], false), [x]);
        expect(Array.from(b.read(grads[0])), op).toEqual([0, 0]);
      }
    });

    it('scale', () => {
      const x = host([2, 3]);
      expectTensor(
        backend(),
        backend().scale(t(x), -1.5),
        mapRef(x, (v) => v * -1.5),
        VALUE_TOL,
        'scale',
      );
      checkGradient(backend(), ([v]) => backend().scale(v, -1.5), [x], 'scale');
    });

    for (const axes of [[0], [1], [2], [0, 2], [0, 1, 2]]) {
      for (const keepDims of [false, true]) {
        it(`sum axes [${axes}] keepDims=${keepDims}`, () => {
          const x = host([2, 3, 4]);
          const want = reduceRef(x, axes, keepDims, 0, (s, v) => s + v);
          expectTensor(backend(), backend().sum(t(x), axes, keepDims), want, VALUE_TOL, 'sum');
          checkGradient(backend(), ([v]) => backend().sum(v, axes, keepDims), [x], 'sum');
        });
        it(`max axes [${axes}] keepDims=${keepDims} (a constant for autograd)`, () => {
          const b = backend();
          const x = host([2, 3, 4]);
          const want = reduceRef(x, axes, keepDims, Number.NEGATIVE_INFINITY, Math.max);
          expectTensor(b, b.max(t(x), axes, keepDims), want, VALUE_TOL, 'max');
          const xt = t(x);
          const { grads } = b.valueAndGrads(
            () => b.sum(b.max(xt, axes, keepDims), allAxes(b.max(xt, axes, keepDims)), false),
            [xt],
          );
          expect(Array.from(b.read(grads[0]))).toEqual(new Array(24).fill(0));
        });
      }
    }

    for (const shape of [
      [3, 5],
      [2, 2, 4],
    ]) {
      it(`logSoftmax [${shape}]`, () => {
        const x = host(shape, -3, 3);
        expectTensor(backend(), backend().logSoftmax(t(x)), logSoftmaxRef(x), VALUE_TOL, 'logSoftmax');
        checkGradient(backend(), ([v]) => backend().logSoftmax(v), [x], 'logSoftmax');
      });
    }

    it('reshape', () => {
      const x = host([2, 3, 4]);
      expectTensor(
        backend(),
        backend().reshape(t(x), [6, 4]),
        { data: x.data, shape: [6, 4] },
        VALUE_TOL,
        'reshape',
      );
      checkGradient(backend(), ([v]) => backend().reshape(v, [4, 6]), [x], 'reshape');
    });

    for (const [shape, perm] of [
      [
        [3, 4],
        [1, 0],
      ],
      [
        [2, 3, 4],
        [2, 0, 1],
      ],
    ]) {
      it(`transpose [${shape}] perm [${perm}]`, () => {
        const x = host(shape);
        expectTensor(
          backend(),
          backend().transpose(t(x), perm),
          transposeRef(x, perm),
          VALUE_TOL,
          'transpose',
        );
        checkGradient(backend(), ([v]) => backend().transpose(v, perm), [x], 'transpose');
      });
    }

    it('slice', () => {
      const x = host([3, 4, 5]);
      const begin = [1, 0, 2];
      const size = [2, 3, 2];
      expectTensor(
        backend(),
        backend().slice(t(x), begin, size),
        sliceRef(x, begin, size),
        VALUE_TOL,
        'slice',
      );
      checkGradient(backend(), ([v]) => backend().slice(v, begin, size), [x], 'slice');
    });

    for (const [shapes, axis] of [
      [
        [
          [2, 3],
          [1, 3],
        ],
        0,
      ],
      [
        [
          [2, 3],
          [2, 2],
          [2, 1],
        ],
        1,
      ],
      [[[2, 3]], 0],
    ] as [number[][], number][]) {
      it(`concat ${shapes.length} tensors on axis ${axis}`, () => {
        const xs = shapes.map((s) => host(s));
        expectTensor(backend(), backend().concat(xs.map(t), axis), concatRef(xs, axis), VALUE_TOL, 'concat');
        checkGradient(backend(), (vs) => backend().concat(vs, axis), xs, 'concat');
      });
    }

    for (const shape of [[5, 3], [6]]) {
      it(`gather rows of [${shape}] with repeated indices`, () => {
        const x = host(shape);
        const indices = new Int32Array([4, 0, 2, 2, 0]);
        expectTensor(backend(), backend().gather(t(x), indices), gatherRef(x, indices), VALUE_TOL, 'gather');
        checkGradient(backend(), ([v]) => backend().gather(v, indices), [x], 'gather');
      });
    }

    it('valueAndGrads gives zeros for inputs f does not use', () => {
      const b = backend();
      const x = b.fromData([1, 2], [2], 'float32');
      const unused = b.fromData([3, 4, 5], [3], 'float32');
      const { value, grads } = b.valueAndGrads(() => b.sum(b.binary('mul', x, x), [0], false), [x, unused]);
      expect(b.read(value)[0]).toBe(5);
      expect(Array.from(b.read(grads[0]))).toEqual([2, 4]);
      expect(Array.from(b.read(grads[1]))).toEqual([0, 0, 0]);
      const none = b.valueAndGrads(() => b.sum(x, [0], false), []);
      expect(b.read(none.value)[0]).toBe(3);
      expect(none.grads).toEqual([]);
    });

    it('tidy releases everything but what is kept', () => {
      const b = backend();
      const before = b.liveTensors();
      const kept = b.tidy(
        () => {
          const x = b.fromData([1, 2], [2], 'float32');
          const y = b.unary('exp', x);
          return { y, z: b.keep(b.scale(x, 2)), dropped: b.unary('neg', y) };
        },
        (r) => [r.y],
      );
      expect(b.liveTensors()).toBe(before + 2); // y, and z kept with keep()
      b.dispose(kept.y);
      b.dispose(kept.z);
      expect(b.liveTensors()).toBe(before);
    });
  });
}

/** One fused-vs-composed configuration. */
interface SequenceCase {
  readonly cell: CellKind;
  readonly reverse: boolean;
  readonly lengths?: Int32Array;
  readonly projection: boolean;
  readonly bias: boolean;
}

function sequenceCases(): SequenceCase[] {
  const cases: SequenceCase[] = [];
  const lengthsOptions = [undefined, new Int32Array([3, 1, 4]), new Int32Array([5, 2, 1])];
  for (const cell of ['rnn_tanh', 'rnn_relu', 'lstm', 'gru'] as const) {
    for (const reverse of [false, true]) {
      for (const lengths of lengthsOptions) {
        for (const projection of cell === 'lstm' ? [false, true] : [false]) {
          for (const bias of [true, false]) cases.push({ cell, reverse, lengths, projection, bias });
        }
      }
    }
  }
  return cases;
}

const caseName = (c: SequenceCase) =>
  `${c.cell}${c.reverse ? ' reverse' : ''}${c.lengths ? ` lengths [${c.lengths}]` : ''}` +
  `${c.projection ? ' proj' : ''}${c.bias ? '' : ' no-bias'}`;

const SHAPE = { steps: 5, batch: 3, input: 4, hidden: 3, proj: 2 };

/** Host data of one case's arguments. */
function caseArgs(c: SequenceCase, seed: number): Record<string, Host> {
  const random = seeded(seed);
  const { steps, batch, input, hidden, proj } = SHAPE;
  const gates = { rnn_tanh: 1, rnn_relu: 1, lstm: 4, gru: 3 }[c.cell];
  const hOut = c.projection ? proj : hidden;
  const u = (shape: number[]) => uniform(random, shape, -0.8, 0.8);
  const args: Record<string, Host> = {
    input: u([steps, batch, input]),
    h0: u([batch, hOut]),
    weightIh: u([gates * hidden, input]),
    weightHh: u([gates * hidden, hOut]),
  };
  if (c.cell === 'lstm') args.c0 = u([batch, hidden]);
  if (c.bias) {
    args.biasIh = u([gates * hidden]);
    args.biasHh = u([gates * hidden]);
  }
  if (c.projection) args.weightHr = u([proj, hidden]);
  return args;
}

/** The fused kernel against the composed reference: values and gradients of every argument. */
export function describeFusedVsComposed(label: string, factory: TfjsBackendFactory): void {
  describe(`${label}: fused sequence ≡ composed`, () => {
    const backend = useBackend(factory);
    const tol = { atol: 2e-5, rtol: 2e-4 };

    it('offers every cell', () => {
      expect([...(backend().fused?.cells ?? [])].sort()).toEqual(['gru', 'lstm', 'rnn_relu', 'rnn_tanh']);
    });

    describePaddingIsIgnored(backend);

    sequenceCases().forEach((c, k) => {
      it(caseName(c), () => {
        const b = backend();
        const before = b.liveTensors();
        b.tidy(
          () => {
            const hosts = caseArgs(c, 100 + k);
            const names = Object.keys(hosts);
            const xs = names.map((n) => b.fromData(hosts[n].data, hosts[n].shape, 'float32'));
            const args = {
              cell: c.cell,
              reverse: c.reverse,
              lengths: c.lengths,
              ...Object.fromEntries(names.map((n, i) => [n, xs[i]])),
            } as unknown as SequenceArgs<TfTensor>;
            const random = seeded(7 + k);
            const weightsFor = (x: TfTensor) => {
              const h = uniform(random, x.shape);
              return b.fromData(h.data, h.shape, 'float32');
            };
            const probe = b.fused!.sequence(args);
            const w = {
              output: weightsFor(probe.output),
              hn: weightsFor(probe.hn),
              cn: probe.cn && weightsFor(probe.cn),
            };
            const loss = (r: SequenceResult<TfTensor>) => {
              const term = (x: TfTensor, wx: TfTensor) => b.sum(b.binary('mul', x, wx), allAxes(x), false);
              let l = b.binary('add', term(r.output, w.output), term(r.hn, w.hn));
              if (r.cn !== undefined) l = b.binary('add', l, term(r.cn, w.cn!));
              return l;
            };
            // valueAndGrads releases what f creates, so read the results inside f.
            type Values = Partial<
              Record<'output' | 'hn' | 'cn', { shape: number[]; data: ArrayLike<number> }>
            >;
            const record = (r: SequenceResult<TfTensor>, into: Values) => {
              for (const key of ['output', 'hn', 'cn'] as const) {
                const x = r[key];
                if (x !== undefined) into[key] = { shape: x.shape, data: b.read(x) };
              }
              return r;
            };
            const fusedValues: Values = {};
            const composedValues: Values = {};
            const fused = b.valueAndGrads(() => loss(record(b.fused!.sequence(args), fusedValues)), xs);
            const composed = b.valueAndGrads(
              () => loss(record(composedSequence(b, args), composedValues)),
              xs,
            );
            for (const key of ['output', 'hn', 'cn'] as const) {
              const f = fusedValues[key];
              const r = composedValues[key];
              expect(f === undefined, key).toBe(r === undefined);
              expect(probe[key] === undefined, key).toBe(r === undefined);
              if (f !== undefined && r !== undefined) {
                expect(f.shape, key).toEqual(r.shape);
                expectClose(f.data, r.data, tol, key);
                // Outside valueAndGrads the kernel takes its non-recording path: same values.
                expectClose(b.read(probe[key]!), r.data, tol, `${key} (not recording)`);
              }
            }
            expectClose(b.read(fused.value), b.read(composed.value), tol, 'loss');
            names.forEach((n, i) => {
              expect(fused.grads[i].shape, `d${n} shape`).toEqual(xs[i].shape);
              expectClose(b.read(fused.grads[i]), b.read(composed.grads[i]), tol, `d${n}`);
            });
            if (c.lengths !== undefined) expectLengthSemantics(b, c, probe);
            return undefined;
          },
          () => [],
        );
        expect(b.liveTensors(), 'tensors leaked').toBe(before);
      });
    });
  });
}

/** Whatever the padding holds (here NaN) changes no value and no gradient. */
function describePaddingIsIgnored(backend: () => TfjsBackend): void {
  for (const cell of ['rnn_relu', 'lstm', 'gru'] as const) {
    it(`${cell}: NaN padding changes nothing`, () => {
      const b = backend();
      const c: SequenceCase = {
        cell,
        reverse: true,
        lengths: new Int32Array([3, 1, 4]),
        projection: false,
        bias: true,
      };
      const hosts = caseArgs(c, 5);
      const { steps, batch, input } = SHAPE;
      const poisoned = Float32Array.from(hosts.input.data);
      for (let t = 0; t < steps; t++) {
        c.lengths!.forEach((len, row) => {
          if (t >= len) poisoned.fill(Number.NaN, (t * batch + row) * input, (t * batch + row + 1) * input);
        });
      }
      const run = (inputData: Float32Array) =>
        b.tidy(
          () => {
            const names = Object.keys(hosts);
            const xs = names.map((n) =>
              b.fromData(n === 'input' ? inputData : hosts[n].data, hosts[n].shape, 'float32'),
            );
            const args = {
              cell,
              reverse: true,
              lengths: c.lengths,
              ...Object.fromEntries(names.map((n, i) => [n, xs[i]])),
            } as unknown as SequenceArgs<TfTensor>;
            let values: ArrayLike<number>[] = [];
            const { grads } = b.valueAndGrads(() => {
              const r = b.fused!.sequence(args);
              values = [b.read(r.output), b.read(r.hn)];
              return b.binary('add', b.sum(r.output, [0, 1, 2], false), b.sum(r.hn, [0, 1], false));
            }, xs);
            return [...values, ...grads.map((g) => b.read(g))];
          },
          () => [],
        );
      const clean = run(hosts.input.data);
      const dirty = run(poisoned);
      clean.forEach((v, i) => {
        expect(Array.from(dirty[i]), `result ${i}`).toEqual(Array.from(v));
      });
    });
  }
}

/** Rows past their length output zeros; `hn` is each row's state at its last valid step. */
function expectLengthSemantics(b: TfjsBackend, c: SequenceCase, r: SequenceResult<TfTensor>): void {
  const [steps, batch, hOut] = r.output.shape;
  const out = b.read(r.output);
  const hn = b.read(r.hn);
  c.lengths!.forEach((len, row) => {
    for (let t = len; t < steps; t++) {
      for (let j = 0; j < hOut; j++)
        expect(out[(t * batch + row) * hOut + j], `output[${t}][${row}]`).toBe(0);
    }
    const last = c.reverse ? 0 : len - 1;
    for (let j = 0; j < hOut; j++) {
      expect(hn[row * hOut + j], `hn[${row}]`).toBe(out[(last * batch + row) * hOut + j]);
    }
  });
}

/** gather's gradient accumulates repeated rows (this needs a workaround on wasm). */
export function describeGatherGradient(label: string, factory: TfjsBackendFactory): void {
  describe(`${label}: gather gradient`, () => {
    const backend = useBackend(factory);
    it('accumulates repeated indices, like an embedding', () => {
      const b = backend();
      const table = b.fromData(uniform(seeded(3), [6, 4]).data, [6, 4], 'float32');
      const indices = new Int32Array([5, 1, 1, 0, 5, 5]);
      const w = uniform(seeded(4), [6, 4]);
      const { grads } = b.valueAndGrads(
        () =>
          b.sum(
            b.binary('mul', b.gather(table, indices), b.fromData(w.data, w.shape, 'float32')),
            [0, 1],
            false,
          ),
        [table],
      );
      const want = new Float32Array(24);
      indices.forEach((row, k) => {
        for (let j = 0; j < 4; j++) want[row * 4 + j] += w.data[k * 4 + j];
      });
      expectClose(b.read(grads[0]), want, VALUE_TOL, 'd table');
    });
  });
}

/** A long training loop through the fused LSTM keeps the engine's tensor count flat. */
export function describeNoLeaks(label: string, factory: TfjsBackendFactory, iterations = 2000): void {
  describe(`${label}: memory`, () => {
    const backend = useBackend(factory);
    it(`${iterations} SGD steps of a tiny fused LSTM leak no tensor`, () => {
      const b = backend();
      const random = seeded(11);
      const make = (shape: number[]) => {
        const h = uniform(random, shape, -0.5, 0.5);
        return b.fromData(h.data, h.shape, 'float32');
      };
      const [steps, batch, input, hidden] = [3, 2, 2, 3];
      const x = make([steps, batch, input]);
      const target = make([steps, batch, hidden]);
      const h0 = make([batch, hidden]);
      const c0 = make([batch, hidden]);
      let params = [
        make([4 * hidden, input]),
        make([4 * hidden, hidden]),
        make([4 * hidden]),
        make([4 * hidden]),
      ];
      const lengths = new Int32Array([3, 2]);
      const step = () => {
        const next = b.tidy(
          () => {
            const { grads } = b.valueAndGrads(() => {
              const [weightIh, weightHh, biasIh, biasHh] = params;
              const r = b.fused!.sequence({
                cell: 'lstm',
                input: x,
                h0,
                c0,
                weightIh,
                weightHh,
                biasIh,
                biasHh,
                reverse: false,
                lengths,
              });
              const diff = b.binary('sub', r.output, target);
              return b.binary(
                'add',
                b.sum(b.binary('mul', diff, diff), [0, 1, 2], false),
                b.sum(r.cn!, [0, 1], false),
              );
            }, params);
            return params.map((p, i) => b.binary('sub', p, b.scale(grads[i], 0.05)));
          },
          (r) => r,
        );
        for (const p of params) b.dispose(p);
        params = next;
      };
      step();
      const before = b.liveTensors();
      for (let i = 1; i < iterations; i++) {
        step();
        if (i === 10) expect(b.liveTensors(), 'after 10 steps').toBe(before);
      }
      expect(b.liveTensors(), `after ${iterations} steps`).toBe(before);
    });
  });
}

/** Every suite above, for one engine package's factory. */
export function describeTfjsBackend(label: string, factory: TfjsBackendFactory): void {
  describePrimitives(label, factory);
  describeFusedVsComposed(label, factory);
  describeGatherGradient(label, factory);
  describeNoLeaks(label, factory);
}
