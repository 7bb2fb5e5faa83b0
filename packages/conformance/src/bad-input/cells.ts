/** Bad arguments of the cells (`RNNCell`, `LSTMCell`, `GRUCell`). */
import { GRUCell, LSTMCell, RNNCell } from '@recur/core';
import type { BadInputCase } from './types.js';
import type { StandardWorld } from './world.js';
import { onStandardWorld, otherBackend } from './world.js';

/** The three cells (inputSize 3, hiddenSize 4), adopted by the world so their parameters are watched. */
function cells(w: StandardWorld) {
  const options = { inputSize: 3, hiddenSize: 4, backend: w.backend, dtype: w.dtype };
  return {
    rnn: w.adopt(new RNNCell(options)),
    lstm: w.adopt(new LSTMCell(options)),
    gru: w.adopt(new GRUCell(options)),
  };
}

const forward = (module: { forward: unknown }, ...args: unknown[]): unknown =>
  (module.forward as (...a: unknown[]) => unknown).apply(module, args);

/** Cell forward passes. */
export const cellCases: BadInputCase[] = [
  onStandardWorld({
    name: 'RNNCell.forward: input with the wrong feature size',
    args: (w) => ({ ...cells(w), x: w.make([2, 5]) }),
    call: (_, a) => a.rnn.forward(a.x),
    expect: [/RNNCell\.forward/, /\binput\b/, /\[N, 3\] or unbatched \[3\]/, /got shape \[2, 5\]/],
  }),
  onStandardWorld({
    name: 'GRUCell.forward: input of rank 3',
    args: (w) => ({ ...cells(w), x: w.make([1, 2, 3]) }),
    call: (_, a) => a.gru.forward(a.x),
    expect: [/GRUCell\.forward/, /\binput\b/, /\[N, 3\]/, /got shape \[1, 2, 3\]/],
  }),
  onStandardWorld({
    name: 'GRUCell.forward: h of the wrong batch size',
    args: (w) => ({ ...cells(w), x: w.make([2, 3]), h: w.make([3, 4]) }),
    call: (_, a) => a.gru.forward(a.x, a.h),
    expect: [/GRUCell\.forward/, /\bh\b/, /shape \[2, 4\]/, /got shape \[3, 4\]/],
  }),
  onStandardWorld({
    name: 'RNNCell.forward: batched h for unbatched input',
    args: (w) => ({ ...cells(w), x: w.make([3]), h: w.make([1, 4]) }),
    call: (_, a) => a.rnn.forward(a.x, a.h),
    expect: [/RNNCell\.forward/, /\bh\b/, /shape \[4\]/, /got shape \[1, 4\]/],
  }),
  onStandardWorld({
    name: 'LSTMCell.forward: c of the wrong size',
    args: (w) => ({ ...cells(w), x: w.make([2, 3]), h: w.make([2, 4]), c: w.make([2, 3]) }),
    call: (_, a) => a.lstm.forward(a.x, [a.h, a.c]),
    expect: [/LSTMCell\.forward/, /hx\[1\] \(c\)/, /shape \[2, 4\]/, /got shape \[2, 3\]/],
  }),
  onStandardWorld({
    name: 'LSTMCell.forward(x, [h, undefined]): PyTorch requires both',
    args: (w) => ({ ...cells(w), x: w.make([2, 3]), h: w.make([2, 4]) }),
    call: (_, a) => forward(a.lstm, a.x, [a.h, undefined]),
    expect: [/LSTMCell\.forward/, /hx\[1\] \(c\)/, /must be a Tensor/, /got undefined/],
  }),
  onStandardWorld({
    name: 'LSTMCell.forward: a disposed h',
    args: (w) => ({ ...cells(w), x: w.make([2, 3]), h: w.disposed([2, 4]), c: w.make([2, 4]) }),
    call: (_, a) => a.lstm.forward(a.x, [a.h, a.c]),
    expect: [/LSTMCell\.forward/, /hx\[0\] \(h\)/, /Tensor\(\w+ \[2, 4\]/, /has been disposed/],
  }),
  onStandardWorld({
    name: 'GRUCell.forward: a disposed input',
    args: (w) => ({ ...cells(w), x: w.disposed([2, 3]) }),
    call: (_, a) => a.gru.forward(a.x),
    expect: [/GRUCell\.forward/, /\binput\b/, /has been disposed/],
  }),
  onStandardWorld({
    name: 'RNNCell.forward: input from another instance of the backend',
    needs: ['second instance'],
    args: (w) => ({ ...cells(w), x: w.make([2, 3], { on: otherBackend(w) }) }),
    call: (_, a) => a.rnn.forward(a.x),
    expect: [
      /RNNCell\.forward/,
      /\binput\b/,
      /lives on backend "[^"]+ #\d+"/,
      /parameters live on "[^"]+ #\d+"/,
    ],
  }),
];
