/** The fused Elman RNN sequence on WebGL: per step ONE shader dispatch forward and ONE backward. */
import type { SequenceNode, SequencePlan, TfTensor } from '@recur/backend-tfjs';
import { type RnnSizes, rnnGateGrads, rnnStep, rnnStepBack } from '../programs/rnn.js';
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

/** One direction of one RNN layer (`rnn_tanh` or `rnn_relu`). */
export function rnnSequence(gpu: Gpu, plan: SequencePlan): SequenceNode {
  const { tf, mm, args, schedule, recording, hidden: H } = plan;
  const batch = dim(args.input, 1);
  const rows = schedule.active * batch;
  const activation = args.cell === 'rnn_relu' ? 'relu' : 'tanh';
  const sizes: RnnSizes = { batch, hidden: H, masked: isMasked(plan), activation };
  const lengths = lengthsInput(plan);

  const { x, xp } = projectInput(gpu, plan, true);
  const whh = gpu.unpacked(args.weightHh);
  const h0 = gpu.unpacked(args.h0);
  let h = h0;
  const hAfter: TfTensor[] = new Array(schedule.active);
  for (const t of schedule.order) {
    h = gpu.run(rnnStep(sizes), { xp, hs: h, whh, lengths }, t);
    hAfter[t] = h;
  }
  const hSteps = gpu.stack(hAfter);
  const value = packValue(plan, hSteps, h);
  if (!recording) return { value };

  const hPrev = enteringStates(gpu, hSteps, h0, args.reverse);
  return {
    value,
    // The step outputs give act'(a): 1 − h² (tanh) or [h > 0] (relu).
    save: [x, hPrev, hSteps, args.weightIh, whh],
    grad: (dy, [sx, sPrev, sOut, sWih, sWhh]) => {
      // The forward's tensors are released when it returns; the backward makes its own.
      const lengths = lengthsInput(plan);
      const { dout, dhn } = splitGradient(gpu, plan, dy, H);
      let carry = dhn;
      const carries: TfTensor[] = new Array(schedule.active);
      for (let k = schedule.order.length - 1; k >= 0; k--) {
        const t = schedule.order[k];
        carries[t] = carry;
        carry = gpu.run(rnnStepBack(sizes), { carry, dout, hsteps: sOut, whh: sWhh, lengths }, t);
      }
      const da = gpu.run(rnnGateGrads(rows, sizes), {
        carry: gpu.stack(carries),
        dout,
        hsteps: sOut,
        lengths,
      });
      const dBias = columnSums(plan, da);
      return {
        input: inputGradient(plan, da, sWih),
        h0: carry,
        weightIh: mm(da, sx, true, false),
        weightHh: mm(da, sPrev, true, false),
        biasIh: dBias,
        // A tensor of its own: the frontend disposes and replaces each parameter's gradient.
        biasHh: tf.clone(dBias),
      };
    },
  };
}
