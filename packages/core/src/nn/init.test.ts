/**
 * `init`: gains and fans against PyTorch's (fixtures/nn/init.json); distributions tested statistically
 * (PyTorch's random stream cannot be matched), with tolerances of several standard errors.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createJsBackend } from '@recur/backend-js';
import { describe, expect, it } from 'vitest';
import {
  Generator,
  init,
  Linear,
  LSTM,
  manualSeed,
  type Nonlinearity,
  Parameter,
  type Tensor,
  zeros,
} from '../index.js';

const backend = createJsBackend();
const on = { backend, dtype: 'float64' as const };
const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../../fixtures/nn/init.json', import.meta.url)), 'utf8'),
);

/** Mean and (population) standard deviation. */
function stats(values: ArrayLike<number>) {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i]!;
  mean /= values.length;
  let v = 0;
  for (let i = 0; i < values.length; i++) v += (values[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(v / values.length), n: values.length };
}

/** Draws `repeats` times into a parameter of `shape` and pools the values. */
function pooled(shape: number[], repeats: number, draw: (p: Parameter, g: Generator) => void): Float64Array {
  const g = new Generator(123);
  const p = new Parameter(zeros(shape, on));
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(size * repeats);
  for (let r = 0; r < repeats; r++) {
    draw(p, g);
    out.set(p.value.toArray(), r * size);
  }
  return out;
}

/**
 * Sample mean within 5 standard errors (σ/√n) of 0 and sample std within 5 standard errors of `std`:
 * SE(s) ≈ σ·√((κ − 1) / 4n), κ the kurtosis (3 normal, 1.8 uniform).
 */
function expectDistribution(values: Float64Array, center: number, std: number, kurtosis: number) {
  const s = stats(values);
  expect(Math.abs(s.mean - center)).toBeLessThan((5 * std) / Math.sqrt(s.n));
  expect(Math.abs(s.std - std)).toBeLessThan(5 * std * Math.sqrt((kurtosis - 1) / (4 * s.n)));
}

describe('calculateGain and fans match PyTorch', () => {
  for (const g of fixture.gains) {
    it(`${g.nonlinearity}(${g.param})`, () => {
      expect(init.calculateGain(g.nonlinearity, g.param)).toBeCloseTo(g.gain, 14);
    });
  }
  it('fan_in / fan_out for 2-D, RNN and convolution shapes', () => {
    for (const f of fixture.fans) {
      expect(init.calculateFanInAndFanOut(f.shape)).toEqual({ fanIn: f.fanIn, fanOut: f.fanOut });
    }
    // An LSTM's weight_ih_l0 [4H, I]: fan_in I, fan_out 4H.
    const lstm = new LSTM({ inputSize: 5, hiddenSize: 3, ...on });
    const [, w] = lstm.namedParameters()[0]!;
    expect(init.calculateFanInAndFanOut(w.value.shape)).toEqual({ fanIn: 5, fanOut: 12 });
  });
  it('refuses unknown nonlinearities, bad slopes and 1-D fans', () => {
    expect(() => init.calculateGain('swish' as Nonlinearity)).toThrow(
      /init.calculateGain: nonlinearity must be one of 'linear'.*'selu', got "swish"/,
    );
    expect(() => init.calculateGain('leaky_relu', Number.NaN)).toThrow(
      /init.calculateGain: param must be a finite number/,
    );
    expect(() => init.kaimingUniform(zeros([4], on))).toThrow(
      /init.kaimingUniform: fan in and fan out need a tensor of at least 2 dimensions, got shape \[4\]/,
    );
  });
});

describe('kaiming and xavier: PyTorch std and bounds, statistically', () => {
  for (const s of fixture.stds) {
    const label =
      s.init === 'kaiming'
        ? `kaiming a=${s.a.toFixed(3)} ${s.mode} ${s.nonlinearity}`
        : `xavier gain=${s.gain.toFixed(3)}`;
    it(`${label} on ${JSON.stringify(s.shape)}`, () => {
      const repeats = Math.ceil(8000 / s.shape.reduce((a: number, b: number) => a * b, 1));
      const opts = (generator: Generator) =>
        s.init === 'kaiming'
          ? { a: s.a, mode: s.mode, nonlinearity: s.nonlinearity, generator }
          : { generator };
      const uni = pooled(s.shape, repeats, (p, generator) => {
        if (s.init === 'kaiming') init.kaimingUniform(p, opts(generator));
        else init.xavierUniform(p, s.gain, { generator });
      });
      const max = uni.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(max).toBeLessThanOrEqual(s.bound);
      expect(max).toBeGreaterThan(0.99 * s.bound); // P(all 8000 below) = 0.99^8000 ≈ e^−80
      expectDistribution(uni, 0, s.std, 1.8);
      const gauss = pooled(s.shape, repeats, (p, generator) => {
        if (s.init === 'kaiming') init.kaimingNormal(p, opts(generator));
        else init.xavierNormal(p, s.gain, { generator });
      });
      expectDistribution(gauss, 0, s.std, 3);
    });
  }
});

describe('uniform, normal, constant, zeros, ones, eye', () => {
  it('uniform(a, b) and normal(mean, std)', () => {
    const u = pooled([50, 40], 4, (p, generator) => init.uniform(p, -2, 3, { generator }));
    expect(u.every((v) => v >= -2 && v < 3)).toBe(true);
    expectDistribution(u, 0.5, 5 / Math.sqrt(12), 1.8);
    const n = pooled([50, 40], 4, (p, generator) => init.normal(p, 1.5, 0.3, { generator }));
    expectDistribution(n, 1.5, 0.3, 3);
  });
  it('constant, zeros, ones, eye', () => {
    const p = new Parameter(zeros([2, 3], on));
    expect(init.constant(p, 0.25).value.toList()).toEqual([0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);
    expect(init.ones(p).value.toList()).toEqual([1, 1, 1, 1, 1, 1]);
    expect(init.zeros(p).value.toList()).toEqual([0, 0, 0, 0, 0, 0]);
    expect(init.eye(p).value.toList()).toEqual([1, 0, 0, 0, 1, 0]);
    expect(() => init.eye(zeros([2, 2, 2], on))).toThrow(
      /init.eye: tensor must be 2-D, got shape \[2, 2, 2\]/,
    );
    expect(() => init.uniform(p, 1, 0)).toThrow(/init.uniform: b must be a number ≥ a \(1\), got 0/);
    expect(() => init.normal(p, 0, -1)).toThrow(/init.normal: std must be a number ≥ 0, got -1/);
  });
});

describe('orthogonal', () => {
  const product = (t: Tensor, gain: number) => {
    const [rows] = t.shape as [number];
    const cols = t.size / rows;
    const a = t.toArray();
    // QᵀQ when rows ≥ cols, else QQᵀ: the small Gram matrix, which must be gain²·I.
    const k = Math.min(rows, cols);
    let worst = 0;
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) {
        let dot = 0;
        if (rows >= cols) for (let r = 0; r < rows; r++) dot += a[r * cols + i]! * a[r * cols + j]!;
        else for (let c = 0; c < cols; c++) dot += a[i * cols + c]! * a[j * cols + c]!;
        worst = Math.max(worst, Math.abs(dot - (i === j ? gain * gain : 0)));
      }
    return worst;
  };
  for (const [shape, gain] of [
    [[6, 4], 1],
    [[4, 6], 1],
    [[12, 5], Math.sqrt(2)],
    [[3, 2, 2], 5 / 3],
    [[8, 8], 1],
  ] as [number[], number][]) {
    it(`${JSON.stringify(shape)} gain ${gain.toFixed(3)}: QᵀQ = gain²·I to 1e-5`, () => {
      const p = new Parameter(zeros(shape, on));
      init.orthogonal(p, gain, { generator: new Generator(7) });
      expect(p.value.shape).toEqual(shape);
      expect(product(p.value, gain)).toBeLessThan(1e-5);
    });
  }
  it('also in float32', () => {
    const p = new Parameter(zeros([16, 8], { backend }));
    init.orthogonal(p);
    expect(product(p.value, 1)).toBeLessThan(1e-5);
  });
});

describe('in place on parameters, seeded', () => {
  it('assigns a Parameter (same shape, backend, dtype) and returns it; returns a new Tensor for a tensor', () => {
    const linear = new Linear({ inFeatures: 4, outFeatures: 3, ...on });
    const old = linear.weight.value;
    expect(init.xavierUniform(linear.weight)).toBe(linear.weight);
    expect(linear.weight.value).not.toBe(old);
    expect(old.isDisposed).toBe(true);
    expect(linear.weight.value.shape).toEqual([3, 4]);
    expect(linear.weight.value.dtype).toBe('float64');
    const t = zeros([3, 4], on);
    const u = init.ones(t);
    expect(u).not.toBe(t);
    expect(t.toList().every((v) => v === 0)).toBe(true);
    expect(u.toList().every((v) => v === 1)).toBe(true);
  });
  it('is reproducible through a generator and through manualSeed', () => {
    const draw = (g?: Generator) => init.kaimingNormal(zeros([5, 3], on), { generator: g }).toList();
    expect(draw(new Generator(3))).toEqual(draw(new Generator(3)));
    expect(draw(new Generator(3))).not.toEqual(draw(new Generator(4)));
    manualSeed(11);
    const a = draw();
    manualSeed(11);
    expect(draw()).toEqual(a);
  });
});
