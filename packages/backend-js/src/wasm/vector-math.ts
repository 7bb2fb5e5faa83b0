/**
 * Four-lane float32 expressions for kernel emitters, including `exp`, `sigmoid` and `tanh`
 * (WebAssembly has no transcendental instructions, so they are polynomials here).
 *
 * An {@link Expr} appends code that leaves exactly one v128 on the stack. Composite expressions may
 * park intermediate values in locals along the way (a `local.set` mid-expression is legal and leaves
 * the values below it alone), so `sigmoid(add(x, y))` reads like the math it computes.
 *
 * Accuracy (float32, checked against float64 in tests): `exp` follows Cephes' `expf` (range
 * reduction by ln 2 in two parts, degree-6 polynomial, ~1 ulp); `expm1` shares it and keeps its
 * relative accuracy near 0; `tanh` is `expm1(2x)/(expm1(2x) + 2)` (≤ 2.5·10⁻⁷ relative error, tested),
 * which needs one exponential where `1 − 2/(e^{2|x|}+1)` needed a second polynomial for small |x|
 * (it loses relative accuracy there). NaN propagates and ±∞ saturate, as in PyTorch.
 */

import { type Code, type FunctionBuilder, SimdOp, V128 } from './assembler.js';

/** Appends code that pushes one v128. */
export type Expr = (c: Code) => void;

/** `exp` input range whose result and 2^n scale stay normal floats (n = round(x·log2 e) ∈ [−126, 127]). */
const EXP_LO = -87.3;
const EXP_HI = 88.0;
/** ln 2 split so that `n·LN2_HI` is exact for |n| ≤ 128 (9 significant bits). */
const LN2_HI = 0.693359375;
const LN2_LO = -2.1219444e-4;
/** 1.5·2^23: adding it rounds a float of magnitude < 2^22 to an integer held in the low mantissa bits. */
const ROUND_MAGIC = 12582912;
/** Cephes `expf` polynomial for e^r − 1 − r on |r| ≤ ln2/2, highest degree first. */
const EXP_POLY = [
  1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1,
];
/**
 * Beyond 10, tanh is ±1 in float32 (1 − 4·10⁻⁹ rounds to 1); inputs are clamped there so that
 * expm1(2x) stays finite, and `e/(e + 2)` gives exactly ±1 at the clamp (e + 2 rounds to e).
 */
const TANH_CLAMP = 10;
/** The smallest normal float32; below it (in magnitude) a value is subnormal. */
export const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;

/** Expression builders for one function; `relaxed` selects `f32x4.relaxed_madd` for {@link VectorMath.fma}. */
export class VectorMath {
  constructor(
    readonly fn: FunctionBuilder,
    readonly relaxed: boolean,
  ) {}

  /** A fresh v128 local. */
  temp(): number {
    return this.fn.local(V128);
  }
  get(local: number): Expr {
    return (c) => c.get(local);
  }
  /** Four equal lanes. */
  splat(value: number): Expr {
    return (c) => c.f32x4(value);
  }
  /** Evaluates `x` once into a new local; use the returned getter as often as needed. */
  bind(c: Code, x: Expr): Expr {
    const t = this.temp();
    x(c);
    c.set(t);
    return this.get(t);
  }

  add(a: Expr, b: Expr): Expr {
    return this.#binary(a, b, SimdOp.f32x4_add);
  }
  sub(a: Expr, b: Expr): Expr {
    return this.#binary(a, b, SimdOp.f32x4_sub);
  }
  mul(a: Expr, b: Expr): Expr {
    return this.#binary(a, b, SimdOp.f32x4_mul);
  }
  div(a: Expr, b: Expr): Expr {
    return this.#binary(a, b, SimdOp.f32x4_div);
  }
  /** `b < a ? b : a` (one instruction; a NaN `a` passes through, so put the variable first). */
  pmin(a: Expr, b: Expr): Expr {
    return this.#binary(a, b, SimdOp.f32x4_pmin);
  }
  /** `a < b ? b : a` (one instruction; a NaN `a` passes through, so put the variable first). */
  pmax(a: Expr, b: Expr): Expr {
    return this.#binary(a, b, SimdOp.f32x4_pmax);
  }
  /** Lane mask of `a > b` (all ones or zeros). */
  gt(a: Expr, b: Expr): Expr {
    return this.#binary(a, b, SimdOp.f32x4_gt);
  }
  and(a: Expr, b: Expr): Expr {
    return this.#binary(a, b, SimdOp.v128_and);
  }
  /** Lane mask of `a < b` (all ones or zeros; false when either is NaN). */
  lt(a: Expr, b: Expr): Expr {
    return this.#binary(a, b, SimdOp.f32x4_lt);
  }
  /** `a & ~b`, bitwise. */
  andNot(a: Expr, b: Expr): Expr {
    return this.#binary(a, b, SimdOp.v128_andnot);
  }
  /**
   * `a` with subnormal lanes (and −0) replaced by +0; NaN and ±∞ pass through. Gradients carried back
   * through time decay geometrically and spend dozens of steps as subnormals before they reach 0;
   * x86 CPUs (Intel's above all) run subnormal arithmetic tens of times slower, and WebAssembly cannot
   * turn on flush-to-zero, so BPTT flushes what it carries (see docs/math.md, "Subnormal gradients").
   */
  flushSubnormal(a: Expr): Expr {
    return (c) => {
      const t = this.temp();
      a(c);
      c.set(t);
      c.get(t);
      this.lt(this.abs(this.get(t)), this.splat(FLOAT32_MIN_NORMAL))(c);
      c.simd(SimdOp.v128_andnot);
    };
  }
  abs(a: Expr): Expr {
    return (c) => {
      a(c);
      c.simd(SimdOp.f32x4_abs);
    };
  }
  /** `a·b + c`: one FMA with relaxed SIMD, else a multiply and an add. */
  fma(a: Expr, b: Expr, addend: Expr): Expr {
    return (c) => {
      a(c);
      b(c);
      if (this.relaxed) {
        addend(c);
        c.simd(SimdOp.f32x4_relaxed_madd);
      } else {
        c.simd(SimdOp.f32x4_mul);
        addend(c);
        c.simd(SimdOp.f32x4_add);
      }
    };
  }
  /** `1 − a`. */
  oneMinus(a: Expr): Expr {
    return this.sub(this.splat(1), a);
  }
  /** `a·(1 − a)`: the derivative of the logistic function in terms of its value. */
  logisticSlope(a: Expr): Expr {
    return this.mul(a, this.oneMinus(a));
  }
  /** `1 − a²`: the derivative of tanh in terms of its value. */
  tanhSlope(a: Expr): Expr {
    return this.oneMinus(this.mul(a, a));
  }

  /** `e^x` per lane (Cephes `expf`). */
  exp(x: Expr): Expr {
    return this.#exp(x, false);
  }

  /**
   * `e^x − 1` per lane, accurate near 0 too: with x = n·ln2 + r and q = e^r − 1 from the same
   * polynomial, `2^n·q + (2^n − 1)` is one FMA whose addend is exact for the n that matter (|n| ≤ 24),
   * so no `1 + q − 1` cancellation happens where the result is small.
   */
  expm1(x: Expr): Expr {
    return this.#exp(x, true);
  }

  #exp(x: Expr, minusOne: boolean): Expr {
    const xs = this.temp();
    const t = this.temp();
    const n = this.temp();
    const r = this.temp();
    const p = this.temp();
    const scale = this.temp();
    return (c) => {
      // Clamp with pmin/pmax (one instruction each); x first, so a NaN x passes through unchanged.
      this.pmax(this.pmin(x, this.splat(EXP_HI)), this.splat(EXP_LO))(c);
      c.set(xs);
      // n = round(x·log2 e): adding 1.5·2^23 leaves n in the low mantissa bits of t (exact for |n| < 2^22).
      this.fma(this.get(xs), this.splat(Math.LOG2E), this.splat(ROUND_MAGIC))(c);
      c.set(t);
      this.sub(this.get(t), this.splat(ROUND_MAGIC))(c);
      c.set(n);
      // r = x − n·ln2, in two parts so that the first product is exact.
      this.fma(this.get(n), this.splat(-LN2_HI), this.get(xs))(c);
      c.set(r);
      this.fma(this.get(n), this.splat(-LN2_LO), this.get(r))(c);
      c.set(r);
      c.f32x4(EXP_POLY[0]).set(p);
      for (const coefficient of EXP_POLY.slice(1)) {
        this.fma(this.get(p), this.get(r), this.splat(coefficient))(c);
        c.set(p);
      }
      // 2^n = float with exponent bits n + 127: the low bits of t, shifted.
      c.get(t).i32x4(127).simd(SimdOp.i32x4_add).i32(23).simd(SimdOp.i32x4_shl).set(scale);
      if (minusOne) {
        // q = e^r − 1 ≈ p·r² + r; then 2^n·q + (2^n − 1).
        this.fma(this.get(p), this.mul(this.get(r), this.get(r)), this.get(r))(c);
        c.set(p);
        this.fma(this.get(scale), this.get(p), this.sub(this.get(scale), this.splat(1)))(c);
      } else {
        // e^r ≈ p·r² + r + 1, times 2^n.
        this.fma(this.get(p), this.mul(this.get(r), this.get(r)), this.add(this.get(r), this.splat(1)))(c);
        c.get(scale);
        c.simd(SimdOp.f32x4_mul);
      }
    };
  }

  /** `1 / (1 + e^{−x})`: accurate for every x in float32 (no cancellation on either side). */
  sigmoid(x: Expr): Expr {
    return this.div(this.splat(1), this.add(this.splat(1), this.exp(this.neg(x))));
  }

  neg(a: Expr): Expr {
    return (c) => {
      a(c);
      c.simd(SimdOp.f32x4_neg);
    };
  }

  /**
   * `tanh(x) = e/(e + 2)` with `e = expm1(2x)`: accurate at every scale (expm1 keeps relative accuracy
   * near 0, and `e + 2 > 1` never cancels), one exponential and one division. |x| is clamped to
   * {@link TANH_CLAMP} first so e stays finite; NaN passes through the clamp. The sign of x is or-ed
   * in at the end so that tanh(−0) = −0, as in PyTorch (e is +0 there).
   */
  tanh(x: Expr): Expr {
    const xv = this.temp();
    const e = this.temp();
    return (c) => {
      x(c);
      c.set(xv);
      const clamped = this.pmax(this.pmin(this.get(xv), this.splat(TANH_CLAMP)), this.splat(-TANH_CLAMP));
      this.expm1(this.add(clamped, clamped))(c);
      c.set(e);
      this.div(this.get(e), this.add(this.get(e), this.splat(2)))(c);
      c.get(xv).i32x4(-0x80000000).simd(SimdOp.v128_and).simd(SimdOp.v128_or);
    };
  }

  #binary(a: Expr, b: Expr, op: number): Expr {
    return (c) => {
      a(c);
      b(c);
      c.simd(op);
    };
  }
}
