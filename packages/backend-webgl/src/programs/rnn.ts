/** Elman RNN programs (`h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)`): ONE dispatch per step each way. */
import { ACTIVATIONS, frozenRow, paddedRow, type RecurProgram, STEP_UNIFORM } from './program.js';

/** Sizes of one RNN direction. */
export interface RnnSizes {
  readonly batch: number;
  readonly hidden: number;
  readonly masked: boolean;
  readonly activation: 'tanh' | 'relu';
}

const withLengths = (names: string[], masked: boolean) => (masked ? [...names, 'lengths'] : names);

/** act'(a) from the step's output h: `1 − h²` for tanh; `[h > 0]` for relu (relu'(0) = 0, as PyTorch). */
const slope = (activation: RnnSizes['activation'], h: string) =>
  activation === 'tanh' ? `(1.0 - ${h} * ${h})` : `(${h} > 0.0 ? 1.0 : 0.0)`;

/** One forward step → `h_t` `[N, H]`. Inputs: `xp` (both biases folded, `[steps·N, H]`), `hs`, `whh`. */
export function rnnStep({ batch: N, hidden: H, masked, activation }: RnnSizes): RecurProgram {
  return {
    name: 'RecurRnnStep',
    variableNames: withLengths(['xp', 'hs', 'whh'], masked),
    outputShape: [N, H],
    customUniforms: STEP_UNIFORM,
    userCode: `
      ${ACTIVATIONS}
      void main() {
        ivec2 rc = getOutputCoords();
        int n = rc.x;
        int j = rc.y;
        ${frozenRow(masked, 'n', 'getHs(n, j)')}
        float a = getXp(recurT * ${N} + n, j);
        for (int k = 0; k < ${H}; k++) a += getHs(n, k) * getWhh(j, k);
        setOutput(${activation === 'tanh' ? 'recurTanh(a)' : 'recurRelu(a)'});
      }
    `,
  };
}

/** One backward step: carried `dh` → `dh_{t−1} = (dh⊙act')·W_hh`. `out`: every step's output, stacked. */
export function rnnStepBack({ batch: N, hidden: H, masked, activation }: RnnSizes): RecurProgram {
  return {
    name: 'RecurRnnStepBack',
    variableNames: withLengths(['carry', 'dout', 'hsteps', 'whh'], masked),
    outputShape: [N, H],
    customUniforms: STEP_UNIFORM,
    userCode: `
      void main() {
        ivec2 rc = getOutputCoords();
        int n = rc.x;
        int k = rc.y;
        ${frozenRow(masked, 'n', 'getCarry(n, k)')}
        int row = recurT * ${N} + n;
        float acc = 0.0;
        for (int j = 0; j < ${H}; j++) {
          float h = getHsteps(row, j);
          acc += (getCarry(n, j) + getDout(row, j)) * ${slope(activation, 'h')} * getWhh(j, k);
        }
        setOutput(acc);
      }
    `,
  };
}

/** Gate gradients of every step, `da` `[steps·N, H]`. */
export function rnnGateGrads(
  rows: number,
  { batch: N, hidden: H, masked, activation }: RnnSizes,
): RecurProgram {
  return {
    name: 'RecurRnnGateGrads',
    variableNames: withLengths(['carry', 'dout', 'hsteps'], masked),
    outputShape: [rows, H],
    userCode: `
      void main() {
        ivec2 rc = getOutputCoords();
        int r = rc.x;
        if (${paddedRow(masked, 'r', N)}) { setOutput(0.0); return; }
        float h = getHsteps(r, rc.y);
        setOutput((getCarry(r, rc.y) + getDout(r, rc.y)) * ${slope(activation, 'h')});
      }
    `,
  };
}
