/**
 * Test support: the meaning of one recurrent layer direction, composed step by step from the
 * backend's own primitives (docs/math.md), to hold the fused kernel against. Deliberately naive.
 */
import type { SequenceArgs, SequenceResult } from '@recur/core';
import type { TfjsBackend } from '../adapter.js';
import type { TfTensor } from '../tfjs.js';

const GATES = { rnn_tanh: 1, rnn_relu: 1, lstm: 4, gru: 3 } as const;

export function composedSequence(b: TfjsBackend, a: SequenceArgs<TfTensor>): SequenceResult<TfTensor> {
  const [steps, batch, inSize] = a.input.shape;
  const hidden = a.weightHh.shape[0] / GATES[a.cell];
  const one = b.fromData([1], [1], 'float32');
  const col = (x: TfTensor, k: number) => b.slice(x, [0, k * hidden], [batch, hidden]);
  const linear = (x: TfTensor, w: TfTensor, bias?: TfTensor) => {
    const y = b.matMul(x, w, false, true);
    return bias === undefined ? y : b.binary('add', y, bias);
  };
  let h = a.h0;
  let c = a.cell === 'lstm' ? a.c0 : undefined;
  const outs: TfTensor[] = new Array(steps);
  for (let k = 0; k < steps; k++) {
    const t = a.reverse ? steps - 1 - k : k;
    const x = b.reshape(b.slice(a.input, [t, 0, 0], [1, batch, inSize]), [batch, inSize]);
    const gi = linear(x, a.weightIh, a.biasIh);
    const gh = linear(h, a.weightHh, a.biasHh);
    let hNew: TfTensor;
    let cNew: TfTensor | undefined;
    if (a.cell === 'rnn_tanh' || a.cell === 'rnn_relu') {
      hNew = b.unary(a.cell === 'rnn_tanh' ? 'tanh' : 'relu', b.binary('add', gi, gh));
    } else if (a.cell === 'lstm') {
      const pre = b.binary('add', gi, gh);
      const i = b.unary('sigmoid', col(pre, 0));
      const f = b.unary('sigmoid', col(pre, 1));
      const g = b.unary('tanh', col(pre, 2));
      const o = b.unary('sigmoid', col(pre, 3));
      cNew = b.binary('add', b.binary('mul', f, c!), b.binary('mul', i, g));
      const m = b.binary('mul', o, b.unary('tanh', cNew));
      hNew = a.weightHr === undefined ? m : b.matMul(m, a.weightHr, false, true);
    } else {
      const r = b.unary('sigmoid', b.binary('add', col(gi, 0), col(gh, 0)));
      const z = b.unary('sigmoid', b.binary('add', col(gi, 1), col(gh, 1)));
      const n = b.unary('tanh', b.binary('add', col(gi, 2), b.binary('mul', r, col(gh, 2))));
      hNew = b.binary('add', b.binary('mul', b.binary('sub', one, z), n), b.binary('mul', z, h));
    }
    let out = hNew;
    if (a.lengths !== undefined) {
      const valid = Array.from(a.lengths, (len) => (t < len ? 1 : 0));
      const keep = b.fromData(valid, [batch, 1], 'float32');
      const hold = b.binary('sub', one, keep);
      const blend = (fresh: TfTensor, old: TfTensor) =>
        b.binary('add', b.binary('mul', keep, fresh), b.binary('mul', hold, old));
      out = b.binary('mul', keep, hNew);
      hNew = blend(hNew, h);
      if (cNew !== undefined) cNew = blend(cNew, c!);
    }
    outs[t] = b.reshape(out, [1, ...out.shape]);
    h = hNew;
    c = cNew;
  }
  const output = b.concat(outs, 0);
  return c === undefined ? { output, hn: h } : { output, hn: h, cn: c };
}
