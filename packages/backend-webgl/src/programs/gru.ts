/**
 * GRU programs (docs/math.md: gates r, z, n; `n = tanh(gi_n + r⊙(W_hn·h + b_hn))`, `h' = (1−z)⊙n + z⊙h`).
 * Per step: ONE dispatch forward (recurrent product, gates and new state), ONE backward. Gate
 * factors and gate gradients run once per sequence over all steps stacked.
 */
import { ACTIVATIONS, frozenRow, paddedRow, type RecurProgram, STEP_UNIFORM } from './program.js';

/** Sizes of one GRU direction. */
export interface GruSizes {
  readonly batch: number;
  readonly hidden: number;
  readonly masked: boolean;
  /** Whether `b_hh` is given (it sits inside `r⊙(…)`, so it cannot be folded into `xp`). */
  readonly hiddenBias: boolean;
}

const withLengths = (names: string[], masked: boolean) => (masked ? [...names, 'lengths'] : names);

/** One forward step → `h_t` `[N, H]`. Inputs: `xp` (`x·W_ihᵀ + b_ih`, `[steps·N, 3H]`), `hs`, `whh` `[3H, H]`, `bhh` `[1, 3H]`. */
export function gruStep({ batch: N, hidden: H, masked, hiddenBias }: GruSizes): RecurProgram {
  const bias = (k: number) => (hiddenBias ? ` + getBhh(0, ${k * H} + j)` : '');
  return {
    name: 'RecurGruStep',
    variableNames: withLengths(hiddenBias ? ['xp', 'hs', 'whh', 'bhh'] : ['xp', 'hs', 'whh'], masked),
    outputShape: [N, H],
    customUniforms: STEP_UNIFORM,
    userCode: `
      ${ACTIVATIONS}
      void main() {
        ivec2 rc = getOutputCoords();
        int n = rc.x;
        int j = rc.y;
        float h = getHs(n, j);
        ${frozenRow(masked, 'n', 'h')}
        int row = recurT * ${N} + n;
        float gr = 0.0;
        float gz = 0.0;
        float gn = 0.0;
        for (int k = 0; k < ${H}; k++) {
          float hk = getHs(n, k);
          gr += hk * getWhh(j, k);
          gz += hk * getWhh(${H} + j, k);
          gn += hk * getWhh(${2 * H} + j, k);
        }
        float r = recurSigmoid(getXp(row, j) + gr${bias(0)});
        float z = recurSigmoid(getXp(row, ${H} + j) + gz${bias(1)});
        float nn = recurTanh(getXp(row, ${2 * H} + j) + r * (gn${bias(2)}));
        setOutput(nn + z * (h - nn));
      }
    `,
  };
}

/**
 * Backward factors of every step, `[steps·N, 5H]` = `[u⊙w | v | u | u⊙r | z]` with
 * `u = (1−z)⊙tanh'(n)`, `v = (h_{t−1} − n)⊙σ'(z)`, `w = gh_n⊙σ'(r)`, so that with `dh`:
 * `dgi = dh⊙[u⊙w | v | u]`, `dgh = dh⊙[u⊙w | v | u⊙r]`. Inputs: `xp`, `gh` (`h_{t−1}·W_hhᵀ + b_hh`),
 * `prev` (`h_{t−1}`), all stacked.
 */
export function gruFactors(rows: number, H: number): RecurProgram {
  return {
    name: 'RecurGruFactors',
    variableNames: ['xp', 'gh', 'prev'],
    outputShape: [rows, 5 * H],
    userCode: `
      ${ACTIVATIONS}
      void main() {
        ivec2 rc = getOutputCoords();
        int r = rc.x;
        int q = rc.y / ${H};
        int j = rc.y - q * ${H};
        float rg = recurSigmoid(getXp(r, j) + getGh(r, j));
        float z = recurSigmoid(getXp(r, ${H} + j) + getGh(r, ${H} + j));
        float ghn = getGh(r, ${2 * H} + j);
        float nn = recurTanh(getXp(r, ${2 * H} + j) + rg * ghn);
        float u = (1.0 - z) * (1.0 - nn * nn);
        float v = z;
        if (q == 0) v = u * ghn * rg * (1.0 - rg);
        else if (q == 1) v = (getPrev(r, j) - nn) * z * (1.0 - z);
        else if (q == 2) v = u;
        else if (q == 3) v = u * rg;
        setOutput(v);
      }
    `,
  };
}

/** One backward step: carried `dh` `[N, H]` → `dh_{t−1} = dh⊙z + dgh·W_hh`. */
export function gruStepBack({ batch: N, hidden: H, masked }: GruSizes): RecurProgram {
  return {
    name: 'RecurGruStepBack',
    variableNames: withLengths(['carry', 'dout', 'fac', 'whh'], masked),
    outputShape: [N, H],
    customUniforms: STEP_UNIFORM,
    userCode: `
      void main() {
        ivec2 rc = getOutputCoords();
        int n = rc.x;
        int k = rc.y;
        ${frozenRow(masked, 'n', 'getCarry(n, k)')}
        int row = recurT * ${N} + n;
        float acc = (getCarry(n, k) + getDout(row, k)) * getFac(row, ${4 * H} + k);
        for (int j = 0; j < ${H}; j++) {
          float dh = getCarry(n, j) + getDout(row, j);
          acc += dh * (getFac(row, j) * getWhh(j, k) + getFac(row, ${H} + j) * getWhh(${H} + j, k)
                       + getFac(row, ${3 * H} + j) * getWhh(${2 * H} + j, k));
        }
        setOutput(acc);
      }
    `,
  };
}

/** Gate gradients of every step, `[2, steps·N, 3H]`: `dgi` then `dgh` (each a free slice after). */
export function gruGateGrads(rows: number, { batch: N, hidden: H, masked }: GruSizes): RecurProgram {
  return {
    name: 'RecurGruGateGrads',
    variableNames: withLengths(['carry', 'dout', 'fac'], masked),
    outputShape: [2, rows, 3 * H],
    userCode: `
      void main() {
        ivec3 c = getOutputCoords();
        int r = c.y;
        int q = c.z / ${H};
        int j = c.z - q * ${H};
        if (${paddedRow(masked, 'r', N)}) { setOutput(0.0); return; }
        float dh = getCarry(r, j) + getDout(r, j);
        int block = q < 2 ? q : (c.x == 0 ? 2 : 3);
        setOutput(dh * getFac(r, block * ${H} + j));
      }
    `,
  };
}
