/**
 * The meaning of a fused sequence kernel, written step by step from the backend's own primitives,
 * following docs/math.md literally (no folded biases, no cached gates, masks as arithmetic). The fused
 * tests compare against it; its primitives are checked against naive loops and finite differences.
 */

import type { Backend, SequenceArgs, SequenceResult } from '@recur/core';
import type { JsTensor } from '../tensor.js';

type B = Backend<JsTensor>;

/** `x·Wᵀ (+ bias)`. */
function linear(b: B, x: JsTensor, w: JsTensor, bias: JsTensor | undefined): JsTensor {
  const y = b.matMul(x, w, false, true);
  return bias === undefined ? y : b.binary('add', y, bias);
}

/** Columns `[k·H, (k+1)·H)` of a `[N, G·H]` matrix: gate chunk k. */
function chunk(b: B, a: JsTensor, k: number, H: number): JsTensor {
  return b.slice(a, [0, k * H], [a.shape[0], H]);
}

/** One cell step; returns the new h (and c for an LSTM). */
function step(b: B, args: SequenceArgs<JsTensor>, x: JsTensor, h: JsTensor, c: JsTensor | undefined) {
  const { weightIh, weightHh, biasIh, biasHh, weightHr } = args;
  const gi = linear(b, x, weightIh, biasIh);
  const gh = linear(b, h, weightHh, biasHh);
  switch (args.cell) {
    case 'rnn_tanh':
      return { h: b.unary('tanh', b.binary('add', gi, gh)) };
    case 'rnn_relu':
      return { h: b.unary('relu', b.binary('add', gi, gh)) };
    case 'lstm': {
      const H = weightIh.shape[0] / 4;
      const a = b.binary('add', gi, gh);
      const i = b.unary('sigmoid', chunk(b, a, 0, H));
      const f = b.unary('sigmoid', chunk(b, a, 1, H));
      const g = b.unary('tanh', chunk(b, a, 2, H));
      const o = b.unary('sigmoid', chunk(b, a, 3, H));
      const cNew = b.binary('add', b.binary('mul', f, c!), b.binary('mul', i, g));
      const m = b.binary('mul', o, b.unary('tanh', cNew));
      return { h: weightHr === undefined ? m : b.matMul(m, weightHr, false, true), c: cNew };
    }
    case 'gru': {
      const H = weightIh.shape[0] / 3;
      const r = b.unary('sigmoid', b.binary('add', chunk(b, gi, 0, H), chunk(b, gh, 0, H)));
      const z = b.unary('sigmoid', b.binary('add', chunk(b, gi, 1, H), chunk(b, gh, 1, H)));
      const n = b.unary('tanh', b.binary('add', chunk(b, gi, 2, H), b.binary('mul', r, chunk(b, gh, 2, H))));
      const one = b.fromData([1], [], x.dtype);
      return { h: b.binary('add', b.binary('mul', b.binary('sub', one, z), n), b.binary('mul', z, h)) };
    }
  }
}

/** `mask ⊙ fresh + (1 − mask) ⊙ old`, with a `[N, 1]` 0/1 mask. */
function select(b: B, mask: JsTensor, notMask: JsTensor, fresh: JsTensor, old: JsTensor): JsTensor {
  return b.binary('add', b.binary('mul', mask, fresh), b.binary('mul', notMask, old));
}

/** The composed sequence: T cell steps, with padded rows masked as SequenceArgs describes. */
export function composedSequence(b: B, args: SequenceArgs<JsTensor>): SequenceResult<JsTensor> {
  const [T, N, I] = args.input.shape;
  let h = args.h0;
  let c = args.c0;
  const outputs = new Array<JsTensor>(T);
  for (let s = 0; s < T; s++) {
    const t = args.reverse ? T - 1 - s : s;
    const x = b.reshape(b.slice(args.input, [t, 0, 0], [1, N, I]), [N, I]);
    const next = step(b, args, x, h, c);
    let out = next.h;
    if (args.lengths === undefined) {
      h = next.h;
      c = next.c;
    } else {
      const valid = Array.from(args.lengths, (len) => (t < len ? 1 : 0));
      const mask = b.fromData(valid, [N, 1], x.dtype);
      const notMask = b.fromData(
        valid.map((v) => 1 - v),
        [N, 1],
        x.dtype,
      );
      out = b.binary('mul', mask, next.h);
      h = select(b, mask, notMask, next.h, h);
      if (c !== undefined) c = select(b, mask, notMask, next.c!, c);
    }
    outputs[t] = b.reshape(out, [1, ...out.shape]);
  }
  const output = b.concat(outputs, 0);
  return c === undefined || args.cell !== 'lstm' ? { output, hn: h } : { output, hn: h, cn: c };
}
