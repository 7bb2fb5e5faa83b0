/** The fused GRU sequence on WebGL: per step ONE shader dispatch forward and ONE backward. */
import type { SequenceNode, SequencePlan, TfTensor } from '@recur/backend-tfjs';
import { type GruSizes, gruFactors, gruGateGrads, gruStep, gruStepBack } from '../programs/gru.js';
import {
  columnSums,
  inputGradient,
  isMasked,
  lengthsInput,
  packValue,
  projectInput,
  splitGradient,
} from './common.js';
import { dim, enteringStates, type Gpu } from './gpu.js';

/** One direction of one GRU layer. */
export function gruSequence(gpu: Gpu, plan: SequencePlan): SequenceNode {
  const { tf, mm, args, schedule, recording, hidden: H } = plan;
  const batch = dim(args.input, 1);
  const rows = schedule.active * batch;
  const sizes: GruSizes = { batch, hidden: H, masked: isMasked(plan), hiddenBias: args.biasHh !== undefined };
  const lengths = lengthsInput(plan);

  // b_hh sits inside r⊙(…): only b_ih folds into the projection.
  const { x, xp } = projectInput(gpu, plan, false);
  const whh = gpu.unpacked(args.weightHh);
  const bhh = args.biasHh === undefined ? undefined : gpu.unpacked(args.biasHh, 1);
  const h0 = gpu.unpacked(args.h0);
  let h = h0;
  const hAfter: TfTensor[] = new Array(schedule.active);
  for (const t of schedule.order) {
    h = gpu.run(gruStep(sizes), { xp, hs: h, whh, bhh, lengths }, t);
    hAfter[t] = h;
  }
  const hSteps = gpu.stack(hAfter);
  const value = packValue(plan, hSteps, h);
  if (!recording) return { value };

  const hPrev = enteringStates(gpu, hSteps, h0, args.reverse);
  const hh = mm(hPrev, whh, false, true);
  const fac = gpu.run(gruFactors(rows, H), { xp, gh: bhh === undefined ? hh : tf.add(hh, bhh), prev: hPrev });

  return {
    value,
    save: [x, hPrev, fac, args.weightIh, whh],
    grad: (dy, [sx, sPrev, sFac, sWih, sWhh]) => {
      // The forward's tensors are released when it returns; the backward makes its own.
      const lengths = lengthsInput(plan);
      const { dout, dhn } = splitGradient(gpu, plan, dy, H);
      let carry = dhn;
      const carries: TfTensor[] = new Array(schedule.active);
      for (let k = schedule.order.length - 1; k >= 0; k--) {
        const t = schedule.order[k];
        carries[t] = carry;
        carry = gpu.run(gruStepBack(sizes), { carry, dout, fac: sFac, whh: sWhh, lengths }, t);
      }
      const both = gpu.run(gruGateGrads(rows, sizes), {
        carry: gpu.stack(carries),
        dout,
        fac: sFac,
        lengths,
      });
      // Unpacked leading-axis slices share the texture: no dispatch.
      const dgi = tf.reshape(tf.slice(both, [0, 0, 0], [1, rows, 3 * H]), [rows, 3 * H]);
      const dgh = tf.reshape(tf.slice(both, [1, 0, 0], [1, rows, 3 * H]), [rows, 3 * H]);
      return {
        input: inputGradient(plan, dgi, sWih),
        h0: carry,
        weightIh: mm(dgi, sx, true, false),
        weightHh: mm(dgh, sPrev, true, false),
        biasIh: columnSums(plan, dgi),
        biasHh: columnSums(plan, dgh),
      };
    },
  };
}
