/** Bad arguments of `packPaddedSequence`, `PackedSequence` and `padPackedSequence`. */
import { LSTM, PackedSequence, packPaddedSequence, padPackedSequence } from '@recur/core';
import type { BadInputCase } from './types.js';
import { onStandardWorld, otherBackend } from './world.js';

const loose = (fn: unknown, ...args: unknown[]): unknown => (fn as (...a: unknown[]) => unknown)(...args);
const newPacked = (padded: unknown, lengths: unknown) =>
  new PackedSequence(padded as never, lengths as never);

/** Packed sequences. The world's `x` is `[T = 5, N = 2, 3]`. */
export const packedCases: BadInputCase[] = [
  onStandardWorld({
    name: 'packPaddedSequence: lengths of the wrong count',
    call: (w) => packPaddedSequence(w.x, [5, 3, 1]),
    expect: [/packPaddedSequence/, /\blengths\b/, /one entry per batch row \(2\)/, /got 3/],
  }),
  onStandardWorld({
    name: 'packPaddedSequence: a zero length',
    call: (w) => packPaddedSequence(w.x, [5, 0]),
    expect: [/packPaddedSequence/, /lengths\[1\]/, /an integer in \[1, 5\]/, /got 0/],
  }),
  onStandardWorld({
    name: 'packPaddedSequence: a length beyond T',
    call: (w) => packPaddedSequence(w.x, [6, 3]),
    expect: [/packPaddedSequence/, /lengths\[0\]/, /an integer in \[1, 5\]/, /got 6/],
  }),
  onStandardWorld({
    name: 'packPaddedSequence: unsorted lengths with enforceSorted',
    call: (w) => packPaddedSequence(w.x, [3, 5]),
    expect: [/packPaddedSequence/, /\blengths\b/, /decreasing order/, /got \[3, 5\]/, /enforceSorted: false/],
  }),
  onStandardWorld({
    name: 'packPaddedSequence (batchFirst): a length beyond T',
    // Batch-major [N = 5, T = 2, 3]: the check must come before the transpose to time-major.
    call: (w) => packPaddedSequence(w.x, [3, 1, 1, 1, 1], { batchFirst: true }),
    expect: [/packPaddedSequence/, /lengths\[0\]/, /an integer in \[1, 2\]/, /got 3/],
  }),
  onStandardWorld({
    name: 'packPaddedSequence: input of rank 2',
    args: (w) => w.make([5, 3]),
    call: (_, x) => packPaddedSequence(x, [5]),
    expect: [/packPaddedSequence/, /\binput\b/, /\[T, N, F\]/, /got shape \[5, 3\]/],
  }),
  onStandardWorld({
    name: 'packPaddedSequence: a disposed input',
    args: (w) => w.disposed([5, 2, 3]),
    call: (_, x) => packPaddedSequence(x, [5, 3]),
    expect: [/packPaddedSequence/, /\binput\b/, /Tensor\(\w+ \[5, 2, 3\]/, /has been disposed/],
  }),
  onStandardWorld({
    name: 'packPaddedSequence: enforceSorted is not a boolean',
    call: (w) => loose(packPaddedSequence, w.x, [5, 3], { enforceSorted: 'no' }),
    expect: [/packPaddedSequence/, /\benforceSorted\b/, /a boolean/, /got "no"/],
  }),
  onStandardWorld({
    // Rank 2 is PyTorch's packed data [Σ lengths, F] (with batchSizes); rank 3 the padded [T, N, F].
    name: 'new PackedSequence: padded of rank 1',
    args: (w) => w.make([5]),
    call: (_, padded) => newPacked(padded, Int32Array.from([5])),
    expect: [/PackedSequence/, /\bpadded\b/, /\[T, N, F\]/, /got shape \[5\]/],
  }),
  onStandardWorld({
    name: 'new PackedSequence: batchSizes that do not sum to the rows of data',
    args: (w) => w.make([5, 3]),
    call: (_, data) => newPacked(data, Int32Array.from([2, 2])),
    expect: [/PackedSequence/, /\bbatchSizes\b/, /sum to the 5 rows of data/, /got \[2, 2\] \(sum 4\)/],
  }),
  onStandardWorld({
    name: 'new PackedSequence: a length beyond T',
    call: (w) => newPacked(w.x, Int32Array.from([5, 6])),
    expect: [/PackedSequence/, /lengths\[1\]/, /an integer in \[1, 5\]/, /got 6/],
  }),
  onStandardWorld({
    name: 'new PackedSequence: lengths of the wrong count',
    call: (w) => newPacked(w.x, Int32Array.from([5])),
    expect: [/PackedSequence/, /\blengths\b/, /one entry per batch row \(2\)/, /got 1/],
  }),
  onStandardWorld({
    name: 'new PackedSequence: padded is not a tensor',
    call: () => newPacked([[1]], Int32Array.from([1])),
    expect: [/PackedSequence/, /\bpadded\b/, /must be a Tensor/, /got \[\[1\]\]/],
  }),
  onStandardWorld({
    name: 'LSTM.forward: a PackedSequence on another instance of the backend',
    needs: ['second instance'],
    args: (w) => packPaddedSequence(w.make([5, 2, 3], { on: otherBackend(w) }), [5, 3]),
    call: (w, packed) => w.lstm.forward(packed),
    expect: [/LSTM\.forward/, /\binput\b/, /lives on backend "[^"]+ #\d+"/],
  }),
  onStandardWorld({
    name: 'padPackedSequence: totalLength shorter than the longest sequence',
    args: (w) => packPaddedSequence(w.x, [5, 3]),
    call: (_, packed) => padPackedSequence(packed, { totalLength: 3 }),
    expect: [/padPackedSequence/, /\btotalLength\b/, /≥ the longest length 5/, /got 3/],
  }),
  onStandardWorld({
    name: 'LSTM.forward: a PackedSequence with the wrong feature size',
    args: (w) => ({
      packed: packPaddedSequence(w.make([5, 2, 4]), [5, 3]),
      lstm: w.adopt(new LSTM({ inputSize: 3, hiddenSize: 4, backend: w.backend, dtype: w.dtype })),
    }),
    call: (_, { packed, lstm }) => lstm.forward(packed),
    expect: [/LSTM\.forward/, /\binput\b/, /inputSize = 3/, /got shape \[5, 2, 4\]/],
  }),
];
