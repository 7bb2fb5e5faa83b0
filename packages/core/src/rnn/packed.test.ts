/** PackedSequence helpers follow torch.nn.utils.rnn semantics. */
import { createJsBackend } from '@recur/backend-js';
import { describe, expect, it } from 'vitest';
import {
  Generator,
  GRU,
  PackedSequence,
  packPaddedSequence,
  padPackedSequence,
  randn,
  tensor,
} from '../index.js';

const backend = createJsBackend();

describe('packPaddedSequence / padPackedSequence', () => {
  // x[t, b] = 10·t + b, so every packed row says where it came from.
  const x = tensor(
    Array.from({ length: 4 * 3 }, (_, i) => 10 * Math.floor(i / 3) + (i % 3)),
    [4, 3, 1],
    { backend },
  );

  it('packs step by step in decreasing-length order, like torch', () => {
    const packed = packPaddedSequence(x, [2, 4, 1], { enforceSorted: false });
    expect([...packed.sortedIndices]).toEqual([1, 0, 2]);
    expect([...packed.unsortedIndices]).toEqual([1, 0, 2]);
    expect([...packed.batchSizes]).toEqual([3, 2, 1, 1]);
    // t=0: rows 1,0,2; t=1: rows 1,0; t=2: row 1; t=3: row 1.
    expect(packed.data.toList()).toEqual([1, 0, 2, 11, 10, 21, 31]);
  });

  it('enforces sorted lengths unless told otherwise', () => {
    expect(() => packPaddedSequence(x, [2, 4, 1])).toThrow(
      /sorted in decreasing order.*\[2, 4, 1\].*enforceSorted: false/,
    );
  });

  it('pads back with paddingValue and totalLength', () => {
    const packed = packPaddedSequence(x, [2, 4, 1], { enforceSorted: false });
    const [padded, lengths] = padPackedSequence(packed, {
      batchFirst: true,
      paddingValue: -1,
      totalLength: 5,
    });
    expect(padded.shape).toEqual([3, 5, 1]);
    expect([...lengths]).toEqual([2, 4, 1]);
    expect(padded.toList()).toEqual([0, 10, -1, -1, -1, 1, 11, 21, 31, -1, 2, -1, -1, -1, -1]);
  });

  it('a module given a PackedSequence equals the same module given lengths', () => {
    const gru = new GRU({
      inputSize: 2,
      hiddenSize: 3,
      bidirectional: true,
      backend,
      generator: new Generator(1),
    });
    const input = randn([4, 3, 2], { backend, generator: new Generator(2) });
    const [packedOut, hnPacked] = gru.forward(packPaddedSequence(input, [2, 4, 1], { enforceSorted: false }));
    const [out, hn] = gru.forward(input, null, { lengths: [2, 4, 1] });
    expect(padPackedSequence(packedOut, { totalLength: 4 })[0].toList()).toEqual(out.toList());
    expect(hnPacked.toList()).toEqual(hn.toList());
  });

  it('a module returns its input order: tied lengths keep the caller-given sortedIndices', () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, backend, generator: new Generator(1) });
    const input = randn([3, 3, 2], { backend, generator: new Generator(2) });
    // Rows 0 and 2 tie (length 3): PyTorch keeps whichever order the caller packed them in.
    const packed = new PackedSequence(input, [3, 1, 3], [2, 0, 1]);
    const [out] = gru.forward(packed);
    expect([...(out as PackedSequence).sortedIndices]).toEqual([2, 0, 1]);
  });
});
