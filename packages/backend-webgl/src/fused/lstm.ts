/**
 * The fused LSTM sequence on WebGL: per step ONE shader dispatch forward and ONE backward (two each
 * with a projection). See `programs/lstm.ts` for the math; this file wires the steps.
 */
import type { SequenceGrads, SequenceNode, SequencePlan, TfTensor } from '@recur/backend-tfjs';
import {
  type LstmSizes,
  lstmFactors,
  lstmGateGrads,
  lstmProject,
  lstmProjectBack,
  lstmStep,
  lstmStepBack,
} from '../programs/lstm.js';
import {
  columnSums,
  inputGradient,
  isMasked,
  lengthsInput,
  packValue,
  projectInput,
  splitGradient,
  zeroPadding,
} from './common.js';
import { dim, enteringStates, type Gpu } from './gpu.js';

/** One direction of one LSTM layer. */
export function lstmSequence(gpu: Gpu, plan: SequencePlan): SequenceNode {
  const { tf, mm, args, schedule, recording, hidden: H } = plan;
  const batch = dim(args.input, 1);
  const hOut = dim(args.h0, 1);
  const projected = args.weightHr !== undefined;
  const rows = schedule.active * batch;
  const sizes: LstmSizes = { batch, hidden: H, hOut, masked: isMasked(plan) };
  const lengths = lengthsInput(plan);

  const { x, xp } = projectInput(gpu, plan, true);
  const whh = gpu.unpacked(args.weightHh);
  const whr = projected ? gpu.unpacked(args.weightHr!) : undefined;
  const c0 = args.c0 ?? tf.zeros([batch, H]);
  // The state is `[m | c]` `[N, 2H]`; without projection `h = m` is read from its first columns.
  const mc0 = gpu.join(projected ? tf.zeros([batch, H]) : args.h0, c0);
  const h0 = projected ? gpu.unpacked(args.h0) : mc0;
  let mc = mc0;
  let h = h0;
  const mcAfter: TfTensor[] = new Array(schedule.active);
  const hAfter: TfTensor[] = new Array(schedule.active);
  for (const t of schedule.order) {
    mc = gpu.run(lstmStep(sizes), { xp, hs: h, cs: mc, whh, lengths }, t);
    h = projected ? gpu.run(lstmProject(sizes), { mc, whr, hold: h, lengths }, t) : mc;
    mcAfter[t] = mc;
    hAfter[t] = h;
  }

  const mcSteps = gpu.stack(mcAfter);
  const hSteps = projected ? gpu.stack(hAfter) : tf.slice(mcSteps, [0, 0], [rows, H]);
  const hn = projected ? h : tf.slice(mc, [0, 0], [batch, H]);
  const value = packValue(plan, hSteps, hn, tf.slice(mc, [0, H], [batch, H]));
  if (!recording) return { value };

  // Recompute every step's gate pre-activations in one product; the factors follow in one dispatch.
  const mcPrev = enteringStates(gpu, mcSteps, mc0, args.reverse);
  const hPrev = projected
    ? enteringStates(gpu, hSteps, h0, args.reverse)
    : tf.slice(mcPrev, [0, 0], [rows, H]);
  const fac = gpu.run(lstmFactors(rows, H), { a: tf.add(xp, mm(hPrev, whh, false, true)), prev: mcPrev });
  const save = [x, hPrev, fac, args.weightIh, whh, ...(projected ? [whr!, mcSteps] : [])];

  return {
    value,
    save,
    grad: (dy, saved): SequenceGrads => {
      // The forward's tensors are released when it returns; the backward makes its own.
      const lengths = lengthsInput(plan);
      const [sx, sPrev, sFac, sWih, sWhh, sWhr, sMc] = saved;
      const { dout, dhn, dcn } = splitGradient(gpu, plan, dy, hOut);
      let carry = gpu.join(dhn, dcn!);
      const carries: TfTensor[] = new Array(schedule.active);
      for (let k = schedule.order.length - 1; k >= 0; k--) {
        const t = schedule.order[k];
        carries[t] = carry;
        const dm = projected
          ? gpu.run(lstmProjectBack(sizes), { carry, dout, whr: sWhr, lengths }, t)
          : undefined;
        carry = gpu.run(lstmStepBack(sizes), { carry, dout, fac: sFac, whh: sWhh, dm, lengths }, t);
      }
      const stacked = gpu.stack(carries);
      // With a projection, dW_hr and dm need every step's dh at once.
      const dhAll = projected
        ? zeroPadding(
            plan,
            tf.add(tf.slice(stacked, [0, 0], [rows, hOut]), tf.slice(dout, [0, 0], [rows, hOut])),
          )
        : undefined;
      const dmAll = dhAll === undefined ? undefined : mm(dhAll, sWhr, false, false);
      const da = gpu.run(lstmGateGrads(rows, sizes), { carry: stacked, dout, fac: sFac, dm: dmAll, lengths });
      const dBias = columnSums(plan, da);
      const grads: SequenceGrads = {
        input: inputGradient(plan, da, sWih),
        h0: tf.slice(carry, [0, 0], [batch, hOut]),
        c0: tf.slice(carry, [0, hOut], [batch, H]),
        weightIh: mm(da, sx, true, false),
        weightHh: mm(da, sPrev, true, false),
        biasIh: dBias,
        // A tensor of its own: the frontend disposes and replaces each parameter's gradient.
        biasHh: tf.clone(dBias),
      };
      if (dhAll !== undefined) grads.weightHr = mm(dhAll, tf.slice(sMc, [0, 0], [rows, H]), true, false);
      return grads;
    },
  };
}
