import { describe, expect, it } from 'vitest';
import { sigmoid } from '../ops/unary.js';
import { rng, uniform } from '../testing/random.js';
import { detectFlavour, PLAIN_FLAVOUR, RELAXED_FLAVOUR } from './module.js';
import { WasmRuntime } from './runtime.js';

/** Runs a kernel on float32 copies of `inputs` (one heap block each) and returns every block afterwards. */
function runOn(rt: WasmRuntime, inputs: Float64Array[], call: (ptrs: number[]) => void): Float32Array[] {
  const ptrs = inputs.map((x) => {
    const p = rt.heap.allocF32(x.length);
    rt.heap.write(p, Float32Array.from(x));
    return p;
  });
  call(ptrs);
  const out = ptrs.map((p, i) => rt.heap.read(p, inputs[i].length));
  for (const p of ptrs) rt.heap.free(p);
  return out;
}

/** float32 inputs as float64, so references see exactly what the kernel saw. */
function f32(x: Float64Array): Float64Array {
  return Float64Array.from(Float32Array.from(x));
}

function expectNear(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    // A few float32 roundings of values of order one.
    if (!(Math.abs(got[i] - want[i]) <= 2e-6 * (1 + Math.abs(want[i])))) {
      expect.fail(`${what}[${i}]: got ${got[i]}, expected ${want[i]}`);
    }
  }
}

describe('wasm cell kernels against float64 references', () => {
  detectFlavour();
  for (const flavour of [RELAXED_FLAVOUR, PLAIN_FLAVOUR]) {
    describe(flavour.relaxed ? 'relaxed FMA' : 'mul+add', () => {
      const rt = new WasmRuntime(flavour, 1);
      const k = rt.kernels;
      const random = rng(5);
      // Widths with and without a tail (H mod 4), and more than one row.
      for (const [rows, H] of [
        [1, 1],
        [3, 3],
        [2, 4],
        [4, 9],
        [5, 16],
      ] as const) {
        const n = rows * H;
        it(`lstm forward and backward, ${rows} rows × ${H}`, () => {
          const gates = f32(uniform(random, 4 * n, -3, 3));
          const cPrev = f32(uniform(random, n));
          const [gOut, , cNext, h] = runOn(
            rt,
            [gates, cPrev, new Float64Array(n), new Float64Array(n)],
            ([g, cp, cn, ho]) => k.lstmForward(rows, H, g, cp, cn, ho),
          );
          const act = new Float64Array(4 * n);
          const wantC = new Float64Array(n);
          const wantH = new Float64Array(n);
          for (let r = 0; r < rows; r++) {
            for (let j = 0; j < H; j++) {
              const g = r * 4 * H;
              const [i, f, gg, o] = [
                sigmoid(gates[g + j]),
                sigmoid(gates[g + H + j]),
                Math.tanh(gates[g + 2 * H + j]),
                sigmoid(gates[g + 3 * H + j]),
              ];
              [act[g + j], act[g + H + j], act[g + 2 * H + j], act[g + 3 * H + j]] = [i, f, gg, o];
              wantC[r * H + j] = f * cPrev[r * H + j] + i * gg;
              wantH[r * H + j] = o * Math.tanh(wantC[r * H + j]);
            }
          }
          expectNear(gOut, act, 'gates');
          expectNear(cNext, wantC, 'c');
          expectNear(h, wantH, 'h');

          const dm = f32(uniform(random, n));
          const dc = f32(uniform(random, n));
          const acts = f32(Float64Array.from(gOut));
          const cN = f32(Float64Array.from(cNext));
          const [, , , , dcOut, da] = runOn(rt, [acts, cPrev, cN, dm, dc, new Float64Array(4 * n)], (p) =>
            k.lstmBackward(rows, H, p[0], p[1], p[2], p[3], p[4], p[5]),
          );
          const wantDa = new Float64Array(4 * n);
          const wantDc = new Float64Array(n);
          for (let r = 0; r < rows; r++) {
            for (let j = 0; j < H; j++) {
              const g = r * 4 * H;
              const [i, f, gg, o] = [acts[g + j], acts[g + H + j], acts[g + 2 * H + j], acts[g + 3 * H + j]];
              const tc = Math.tanh(cN[r * H + j]);
              const d = dc[r * H + j] + dm[r * H + j] * o * (1 - tc * tc);
              wantDa[g + j] = d * gg * i * (1 - i);
              wantDa[g + H + j] = d * cPrev[r * H + j] * f * (1 - f);
              wantDa[g + 2 * H + j] = d * i * (1 - gg * gg);
              wantDa[g + 3 * H + j] = dm[r * H + j] * tc * o * (1 - o);
              wantDc[r * H + j] = d * f;
            }
          }
          expectNear(da, wantDa, 'da');
          expectNear(dcOut, wantDc, 'dc');
        });

        it(`gru forward and backward, ${rows} rows × ${H}`, () => {
          const gi = f32(uniform(random, 3 * n, -3, 3));
          const gh = f32(uniform(random, 3 * n, -3, 3));
          const bhn = f32(uniform(random, H));
          const hPrev = f32(uniform(random, n));
          const [gOut, , , , hNext, ghn] = runOn(
            rt,
            [gi, gh, bhn, hPrev, new Float64Array(n), new Float64Array(n)],
            (p) => k.gruForward(rows, H, p[0], p[1], p[2], p[3], p[4], p[5]),
          );
          const act = new Float64Array(3 * n);
          const wantH = new Float64Array(n);
          const wantGhn = new Float64Array(n);
          for (let r = 0; r < rows; r++) {
            for (let j = 0; j < H; j++) {
              const g = r * 3 * H;
              const rr = sigmoid(gi[g + j] + gh[g + j]);
              const z = sigmoid(gi[g + H + j] + gh[g + H + j]);
              const ghnv = gh[g + 2 * H + j] + bhn[j];
              const nn = Math.tanh(gi[g + 2 * H + j] + rr * ghnv);
              [act[g + j], act[g + H + j], act[g + 2 * H + j]] = [rr, z, nn];
              wantGhn[r * H + j] = ghnv;
              wantH[r * H + j] = (1 - z) * nn + z * hPrev[r * H + j];
            }
          }
          expectNear(gOut, act, 'gates');
          expectNear(hNext, wantH, 'h');
          expectNear(ghn, wantGhn, 'ghn');

          const acts = f32(Float64Array.from(gOut));
          const ghnF = f32(Float64Array.from(ghn));
          const dh = f32(uniform(random, n));
          const [, , , , da, dgh, dhPrev] = runOn(
            rt,
            [acts, ghnF, hPrev, dh, new Float64Array(3 * n), new Float64Array(3 * n), new Float64Array(n)],
            (p) => k.gruBackward(rows, H, p[0], p[1], p[2], p[3], p[4], p[5], p[6]),
          );
          const wantDa = new Float64Array(3 * n);
          const wantDgh = new Float64Array(3 * n);
          const wantDhPrev = new Float64Array(n);
          for (let r = 0; r < rows; r++) {
            for (let j = 0; j < H; j++) {
              const g = r * 3 * H;
              const [rr, z, nn] = [acts[g + j], acts[g + H + j], acts[g + 2 * H + j]];
              const d = dh[r * H + j];
              const an = d * (1 - z) * (1 - nn * nn);
              const ar = an * ghnF[r * H + j] * rr * (1 - rr);
              const az = d * (hPrev[r * H + j] - nn) * z * (1 - z);
              [wantDa[g + j], wantDa[g + H + j], wantDa[g + 2 * H + j]] = [ar, az, an];
              [wantDgh[g + j], wantDgh[g + H + j], wantDgh[g + 2 * H + j]] = [ar, az, an * rr];
              wantDhPrev[r * H + j] = d * z;
            }
          }
          expectNear(da, wantDa, 'da');
          expectNear(dgh, wantDgh, 'dgh');
          expectNear(dhPrev, wantDhPrev, 'dhPrev');
        });

        it(`rnn tanh/relu forward and backward, ${rows} rows × ${H}`, () => {
          const a = f32(uniform(random, n, -3, 3));
          const dh = f32(uniform(random, n));
          for (const relu of [false, true]) {
            const [, h] = runOn(rt, [a, new Float64Array(n)], ([pa, ph]) =>
              (relu ? k.reluForward : k.tanhForward)(rows, H, pa, ph),
            );
            expectNear(
              h,
              Array.from(a, (x) => (relu ? Math.max(x, 0) : Math.tanh(x))),
              'h',
            );
            const hF = f32(Float64Array.from(h));
            const [, , da] = runOn(rt, [hF, dh, new Float64Array(n)], ([ph, pd, pa]) =>
              (relu ? k.reluBackward : k.tanhBackward)(rows, H, ph, pd, pa),
            );
            expectNear(
              da,
              Array.from(hF, (x, i) => (relu ? (x > 0 ? dh[i] : 0) : dh[i] * (1 - x * x))),
              'da',
            );
          }
        });
      }

      it('addInto and columnSums (float64 accumulation), with odd widths', () => {
        for (const width of [1, 2, 7, 12]) {
          const rows = 33;
          const x = f32(uniform(random, rows * width));
          const y = f32(uniform(random, rows * width));
          const [sum] = runOn(rt, [x, y], ([px, py]) => k.addInto(rows, width, px, py));
          expectNear(
            sum,
            Array.from(x, (v, i) => v + y[i]),
            'sum',
          );
          const [, , cols] = runOn(
            rt,
            [x, new Float64Array(2 * width), new Float64Array(width)],
            ([px, pacc, pd]) => k.columnSums(rows, width, px, pacc, pd),
          );
          const want = new Float64Array(width);
          for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) want[j] += x[r * width + j];
          // Accumulated in float64: only the final rounding to float32 remains.
          for (let j = 0; j < width; j++) expect(cols[j]).toBe(Math.fround(want[j]));
        }
      });

      it('tanh and sigmoid stay within a few ulp over the whole range, and NaN/±∞ behave', () => {
        const xs = [
          ...Array.from({ length: 4000 }, (_, i) => -40 + (80 * i) / 4000),
          ...Array.from({ length: 400 }, (_, i) => (i - 200) * 1e-5),
          0,
          -0,
          1e-30,
          -1e-30,
          1e-40, // subnormal
          0.625,
          -0.625,
          9,
          -9,
          9.5,
          -9.5,
          10,
          -10,
          20,
          -20,
          88,
          -88,
          100,
          -100,
          1e30,
          -1e30,
          Number.POSITIVE_INFINITY,
          Number.NEGATIVE_INFINITY,
          Number.NaN,
        ];
        const x = f32(Float64Array.from(xs));
        const n = x.length;
        const [, th] = runOn(rt, [x, new Float64Array(n)], ([px, ph]) => k.tanhForward(1, n, px, ph));
        // Sigmoid via the LSTM input gate (the other gates zero).
        const gates = new Float64Array(4 * n);
        gates.set(x);
        const [act] = runOn(rt, [gates, new Float64Array(n), new Float64Array(n), new Float64Array(n)], (p) =>
          k.lstmForward(1, n, p[0], p[1], p[2], p[3]),
        );
        for (let i = 0; i < n; i++) {
          const wantT = Math.tanh(x[i]);
          const wantS = 1 / (1 + Math.exp(-x[i]));
          if (Number.isNaN(x[i])) {
            expect(th[i]).toBeNaN();
            expect(act[i]).toBeNaN();
            continue;
          }
          expect(Math.abs(th[i] - wantT)).toBeLessThanOrEqual(2.5e-7 * Math.max(Math.abs(wantT), 2 ** -20));
          expect(Math.abs(act[i] - wantS)).toBeLessThanOrEqual(2.5e-7 * Math.max(wantS, 2 ** -100));
          // Where float32 tanh is ±1, exactly ±1; tanh keeps the sign of a zero, as PyTorch does.
          if (Math.fround(wantT) === 1 || Math.fround(wantT) === -1) expect(th[i]).toBe(Math.fround(wantT));
          if (x[i] === 0) expect(Object.is(th[i], x[i])).toBe(true);
        }
      });

      it('BPTT kernels flush subnormal gradients to +0 and keep NaN and ±∞', () => {
        // Lanes: subnormal carried gradients (±1e-39, the smallest ±1.4e-45), normal ones small enough
        // that their products underflow (2e-38), a normal one, NaN and ±∞; H = 9 leaves a scalar tail.
        const tiny = [
          1e-39,
          -1e-39,
          1.4e-45,
          -1.4e-45,
          2e-38,
          -2e-38,
          0.5,
          Number.NaN,
          Number.POSITIVE_INFINITY,
        ];
        const H = tiny.length;
        const carried = f32(Float64Array.from(tiny));
        const isSubnormal = (v: number) => v !== 0 && Math.abs(v) < 1.1754943508222875e-38;
        const expectFlushed = (out: Float32Array, what: string) => {
          out.forEach((v, i) => {
            if (isSubnormal(v)) expect.fail(`${what}[${i}] = ${v} is subnormal`);
          });
        };
        // Gate values strictly inside (0, 1) and a cell state with tanh' < 1: every product shrinks.
        const acts = f32(new Float64Array(4 * H).fill(0.3));
        const half = f32(new Float64Array(H).fill(0.4));
        const [, , , , dc, da] = runOn(
          rt,
          [acts, half, half, carried, carried, new Float64Array(4 * H)],
          (p) => k.lstmBackward(1, H, p[0], p[1], p[2], p[3], p[4], p[5]),
        );
        expectFlushed(dc, 'lstm dc');
        expectFlushed(da, 'lstm da');
        expect(dc[0]).toBe(0);
        expect(Object.is(dc[1], 0)).toBe(true); // +0, not −0
        expect(dc[6]).not.toBe(0);
        expect(dc[7]).toBeNaN();
        expect(dc[8]).toBe(Number.POSITIVE_INFINITY);
        const [, , , , gda, dgh, dhPrev] = runOn(
          rt,
          [
            f32(new Float64Array(3 * H).fill(0.3)),
            half,
            half,
            carried,
            new Float64Array(3 * H),
            new Float64Array(3 * H),
            new Float64Array(H),
          ],
          (p) => k.gruBackward(1, H, p[0], p[1], p[2], p[3], p[4], p[5], p[6]),
        );
        for (const [out, what] of [
          [gda, 'gru da'],
          [dgh, 'gru dgh'],
          [dhPrev, 'gru dhPrev'],
        ] as const)
          expectFlushed(out, what);
        expect(dhPrev[0]).toBe(0);
        expect(dhPrev[7]).toBeNaN();
        for (const relu of [false, true]) {
          const [, , rda] = runOn(rt, [half, carried, new Float64Array(H)], ([ph, pd, pa]) =>
            (relu ? k.reluBackward : k.tanhBackward)(1, H, ph, pd, pa),
          );
          expectFlushed(rda, relu ? 'relu da' : 'tanh da');
          expect(rda[0]).toBe(0);
          expect(rda[6]).not.toBe(0);
          expect(rda[7]).toBeNaN();
          expect(rda[8]).toBe(Number.POSITIVE_INFINITY);
        }
      });
    });
  }
});
