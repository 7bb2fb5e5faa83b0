/**
 * LSTM programs (docs/math.md: gates i, f, g, o; `c' = f⊙c + i⊙g`, `m = o⊙tanh(c')`, `h = m` or `m·W_hrᵀ`).
 *
 * Per step, forward: ONE dispatch computes the recurrent product `h·W_hhᵀ`, the four gates and the
 * new `[m | c]` state (plus one for `h = m·W_hrᵀ` with a projection). Backward: ONE dispatch maps
 * the carried `[dh | dc]` to the previous step's (plus one for `dm = dh·W_hr` with a projection).
 * Everything that does not depend on the carry (gate factors, gate gradients, weight gradients)
 * runs once per sequence over all steps stacked, in `lstmFactors` and `lstmGateGrads`.
 */
import { ACTIVATIONS, frozenRow, paddedRow, type RecurProgram, STEP_UNIFORM } from './program.js';

/** Sizes of one LSTM direction: batch N, hidden H, output size `hOut` (= H, or P with a projection). */
export interface LstmSizes {
  readonly batch: number;
  readonly hidden: number;
  readonly hOut: number;
  /** Whether rows have lengths (packed sequences): frozen rows keep their state. */
  readonly masked: boolean;
}

const withLengths = (names: string[], masked: boolean) => (masked ? [...names, 'lengths'] : names);

/**
 * One forward step → `[N, 2H]` = `[m | c]` (`m = h` without projection). Inputs: `xp` (every step's
 * input projection with both biases, `[steps·N, 4H]`), `hs` (`h_{t−1}` in columns 0…Hout), `cs`
 * (`c_{t−1}` in columns H…2H: the previous state), `whh` `[4H, Hout]`.
 */
export function lstmStep({ batch: N, hidden: H, hOut: HO, masked }: LstmSizes): RecurProgram {
  const projected = HO !== H;
  return {
    name: 'RecurLstmStep',
    variableNames: withLengths(['xp', 'hs', 'cs', 'whh'], masked),
    outputShape: [N, 2 * H],
    customUniforms: STEP_UNIFORM,
    userCode: `
      ${ACTIVATIONS}
      void main() {
        ivec2 rc = getOutputCoords();
        int n = rc.x;
        bool isCell = rc.y >= ${H};
        int j = isCell ? rc.y - ${H} : rc.y;
        float cPrev = getCs(n, ${H} + j);
        ${frozenRow(masked, 'n', `isCell ? cPrev : ${projected ? '0.0' : 'getHs(n, j)'}`)}
        int row = recurT * ${N} + n;
        float ai = getXp(row, j);
        float af = getXp(row, ${H} + j);
        float ag = getXp(row, ${2 * H} + j);
        float ao = getXp(row, ${3 * H} + j);
        for (int k = 0; k < ${HO}; k++) {
          float hk = getHs(n, k);
          ai += hk * getWhh(j, k);
          af += hk * getWhh(${H} + j, k);
          ag += hk * getWhh(${2 * H} + j, k);
          ao += hk * getWhh(${3 * H} + j, k);
        }
        float c = recurSigmoid(af) * cPrev + recurSigmoid(ai) * recurTanh(ag);
        setOutput(isCell ? c : recurSigmoid(ao) * recurTanh(c));
      }
    `,
  };
}

/** With a projection: `h = m·W_hrᵀ` `[N, P]` from the step's `[m | c]`; frozen rows keep `hold`. */
export function lstmProject({ batch: N, hidden: H, hOut: P, masked }: LstmSizes): RecurProgram {
  return {
    name: 'RecurLstmProject',
    variableNames: withLengths(['mc', 'whr', 'hold'], masked),
    outputShape: [N, P],
    customUniforms: STEP_UNIFORM,
    userCode: `
      void main() {
        ivec2 rc = getOutputCoords();
        ${frozenRow(masked, 'rc.x', 'getHold(rc.x, rc.y)')}
        float acc = 0.0;
        for (int j = 0; j < ${H}; j++) acc += getMc(rc.x, j) * getWhr(rc.y, j);
        setOutput(acc);
      }
    `,
  };
}

/**
 * Backward factors of every step at once, `[steps·N, 6H]` = `[g·σ'_i | c_{t−1}·σ'_f | i·tanh'_g |
 * tanh(c)·σ'_o | o·tanh'(c) | f]`, from the pre-activations `a` `[steps·N, 4H]` and the states
 * entering each step `prev` (`c_{t−1}` in columns H…2H). Then per step
 * `dc = dc_carried + dm⊙factor₄` and `da = [dc | dc | dc | dm] ⊙ factors₀…₃`.
 */
export function lstmFactors(rows: number, H: number): RecurProgram {
  return {
    name: 'RecurLstmFactors',
    variableNames: ['a', 'prev'],
    outputShape: [rows, 6 * H],
    userCode: `
      ${ACTIVATIONS}
      void main() {
        ivec2 rc = getOutputCoords();
        int r = rc.x;
        int q = rc.y / ${H};
        int j = rc.y - q * ${H};
        float i = recurSigmoid(getA(r, j));
        float f = recurSigmoid(getA(r, ${H} + j));
        float g = recurTanh(getA(r, ${2 * H} + j));
        float o = recurSigmoid(getA(r, ${3 * H} + j));
        float cPrev = getPrev(r, ${H} + j);
        float tc = recurTanh(f * cPrev + i * g);
        float v = f;
        if (q == 0) v = g * i * (1.0 - i);
        else if (q == 1) v = cPrev * f * (1.0 - f);
        else if (q == 2) v = i * (1.0 - g * g);
        else if (q == 3) v = tc * o * (1.0 - o);
        else if (q == 4) v = o * (1.0 - tc * tc);
        setOutput(v);
      }
    `,
  };
}

/** GLSL for `dm` at column `j` of batch row `n` (row `row` of the stacked tensors). */
const dmAt = (projected: boolean) =>
  projected ? (j: string) => `getDm(n, ${j})` : (j: string) => `(getCarry(n, ${j}) + getDout(row, ${j}))`;

/**
 * One backward step: the carried `[dh | dc]` `[N, Hout + H]` (gradients w.r.t. `h_t`, `c_t`) →
 * the previous step's. `dh_{t−1} = da·W_hh` with `da` formed on the fly from the factors; `dc_{t−1}
 * = (dc + dm⊙factor₄)⊙f`. Inputs: `carry`, `dout` (the output gradient, `[T·N, Hout]`), `fac`
 * (`lstmFactors`), `whh` `[4H, Hout]`, and with a projection `dm` (`lstmProjectBack`).
 */
export function lstmStepBack({ batch: N, hidden: H, hOut: HO, masked }: LstmSizes): RecurProgram {
  const projected = HO !== H;
  const dm = dmAt(projected);
  return {
    name: 'RecurLstmStepBack',
    variableNames: withLengths(
      projected ? ['carry', 'dout', 'fac', 'whh', 'dm'] : ['carry', 'dout', 'fac', 'whh'],
      masked,
    ),
    outputShape: [N, HO + H],
    customUniforms: STEP_UNIFORM,
    userCode: `
      void main() {
        ivec2 rc = getOutputCoords();
        int n = rc.x;
        int col = rc.y;
        ${frozenRow(masked, 'n', 'getCarry(n, col)')}
        int row = recurT * ${N} + n;
        if (col < ${HO}) {
          float acc = 0.0;
          for (int j = 0; j < ${H}; j++) {
            float dm = ${dm('j')};
            float dc = getCarry(n, ${HO} + j) + dm * getFac(row, ${4 * H} + j);
            acc += dc * (getFac(row, j) * getWhh(j, col) + getFac(row, ${H} + j) * getWhh(${H} + j, col)
                         + getFac(row, ${2 * H} + j) * getWhh(${2 * H} + j, col))
                 + dm * getFac(row, ${3 * H} + j) * getWhh(${3 * H} + j, col);
          }
          setOutput(acc);
        } else {
          int j = col - ${HO};
          float dm = ${dm('j')};
          setOutput((getCarry(n, ${HO} + j) + dm * getFac(row, ${4 * H} + j)) * getFac(row, ${5 * H} + j));
        }
      }
    `,
  };
}

/** With a projection, before `lstmStepBack`: `dm = (dh_carried + dout_t)·W_hr` `[N, H]`; 0 on frozen rows. */
export function lstmProjectBack({ batch: N, hidden: H, hOut: P, masked }: LstmSizes): RecurProgram {
  return {
    name: 'RecurLstmProjectBack',
    variableNames: withLengths(['carry', 'dout', 'whr'], masked),
    outputShape: [N, H],
    customUniforms: STEP_UNIFORM,
    userCode: `
      void main() {
        ivec2 rc = getOutputCoords();
        int n = rc.x;
        ${frozenRow(masked, 'n', '0.0')}
        int row = recurT * ${N} + n;
        float acc = 0.0;
        for (int p = 0; p < ${P}; p++) acc += (getCarry(n, p) + getDout(row, p)) * getWhr(p, rc.y);
        setOutput(acc);
      }
    `,
  };
}

/**
 * Gate gradients of every step at once, `da` `[steps·N, 4H]`, from the stacked carries `carry`
 * `[steps·N, Hout + H]` (what entered each backward step), the output gradient `dout`, the factors,
 * and with a projection the stacked `dm` (already zero on padded rows).
 */
export function lstmGateGrads(
  rows: number,
  { batch: N, hidden: H, hOut: HO, masked }: LstmSizes,
): RecurProgram {
  const projected = HO !== H;
  const padded = paddedRow(masked, 'r', N);
  return {
    name: 'RecurLstmGateGrads',
    variableNames: withLengths(projected ? ['carry', 'dout', 'fac', 'dm'] : ['carry', 'dout', 'fac'], masked),
    outputShape: [rows, 4 * H],
    userCode: `
      void main() {
        ivec2 rc = getOutputCoords();
        int r = rc.x;
        int q = rc.y / ${H};
        int j = rc.y - q * ${H};
        if (${padded}) { setOutput(0.0); return; }
        float dm = ${projected ? 'getDm(r, j)' : 'getCarry(r, j) + getDout(r, j)'};
        float dc = getCarry(r, ${HO} + j) + dm * getFac(r, ${4 * H} + j);
        setOutput((q < 3 ? dc : dm) * getFac(r, q * ${H} + j));
      }
    `,
  };
}
