/** padSequence / packSequence / unpadSequence / unpackSequence and PackedSequence(data, batchSizes) against PyTorch. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createJsBackend } from '@recur/backend-js';
import { describe, expect, it } from 'vitest';
import {
  Generator,
  GRU,
  PackedSequence,
  packPaddedSequence,
  packSequence,
  padPackedSequence,
  padSequence,
  randn,
  type Tensor,
  tensor,
  unpackSequence,
  unpadSequence,
  valueAndGrads,
} from '../index.js';
import { add, mul, sum } from '../tensor/ops.js';

const backend = createJsBackend();
const file = fileURLToPath(new URL('../../../../fixtures/nn/sequences.json', import.meta.url));
// biome-ignore lint/suspicious/noExplicitAny: fixture JSON
const fixture: { cases: any[] } = JSON.parse(readFileSync(file, 'utf8'));
type TJ = { shape: number[]; data: number[] };
const t = (j: TJ) => tensor(j.data, j.shape, { backend, dtype: 'float64' });
const close = (actual: Tensor, expected: TJ, tol = 1e-12) => {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.toArray();
  expected.data.forEach((v, i) => {
    expect(Math.abs(a[i]! - v)).toBeLessThanOrEqual(tol * (1 + Math.abs(v)));
  });
};
const weighted = (outs: Tensor[], ups: Tensor[]) =>
  outs.map((o, i) => sum(mul(o, ups[i]!))).reduce((acc, s) => add(acc, s));
const byOp = (op: string) => fixture.cases.filter((c) => c.op === op);

describe('padSequence', () => {
  for (const c of byOp('padSequence')) {
    it(`${c.name}: values and gradients match torch`, () => {
      const seqs: Tensor[] = c.sequences.map(t);
      const up = t(c.upstream);
      close(padSequence(seqs, c.options), c.output);
      const { grads } = valueAndGrads(() => sum(mul(padSequence(seqs, c.options), up)), seqs);
      grads.forEach((g, i) => {
        close(g, c.grad.sequences[i]);
      });
    });
  }
  it('refuses bad input, naming the function and argument', () => {
    const a = randn([2, 3], { backend });
    const b = randn([2, 4], { backend });
    expect(() => padSequence([a, b])).toThrow(
      /padSequence: sequences\[1\] expected shape \[\*, 3\].*got shape \[2, 4\]/,
    );
    expect(() => padSequence([])).toThrow(/padSequence: sequences must be a non-empty array/);
    expect(() => padSequence([a], { paddingSide: 'top' as 'left' })).toThrow(
      /padSequence: options.paddingSide must be 'left' or 'right', got "top"/,
    );
    expect(() => padSequence([a, 3 as unknown as Tensor])).toThrow(/sequences\[1\] must be a Tensor, got 3/);
    const other = randn([2, 3], { backend, dtype: 'float64' });
    expect(() => padSequence([a, other])).toThrow(/padSequence: mixed dtypes/);
  });
});

describe('packSequence', () => {
  for (const c of byOp('packSequence')) {
    it(`${c.name}: data, batchSizes, indices and gradients match torch`, () => {
      const seqs: Tensor[] = c.sequences.map(t);
      const packed = packSequence(seqs, c.options);
      close(packed.data, c.data);
      expect([...packed.batchSizes]).toEqual(c.batchSizes);
      expect([...packed.sortedIndices]).toEqual(c.sortedIndices);
      expect([...packed.unsortedIndices]).toEqual(c.unsortedIndices);
      const up = t(c.upstream);
      const { grads } = valueAndGrads(() => sum(mul(packSequence(seqs, c.options).data, up)), seqs);
      grads.forEach((g, i) => {
        close(g, c.grad.sequences[i]);
      });
      // unpackSequence inverts it.
      unpackSequence(packed).forEach((s, i) => {
        close(s, c.sequences[i]);
      });
    });
  }
  it('enforces sorted lengths unless told otherwise', () => {
    const seqs = [randn([1, 2], { backend }), randn([3, 2], { backend })];
    expect(() => packSequence(seqs)).toThrow(
      /packSequence: .*decreasing length.*\[1, 3\].*enforceSorted: false/,
    );
    expect(() => packSequence([randn([3], { backend })])).toThrow(
      /packSequence: sequences\[0\] expected \[L, F\]/,
    );
  });
});

describe('packPaddedSequence with enforceSorted false', () => {
  for (const c of byOp('packPaddedSequence')) {
    it(`${c.name}: matches torch, gradient included`, () => {
      const x = t(c.input);
      const packed = packPaddedSequence(x, c.lengths, c.options);
      close(packed.data, c.data);
      expect([...packed.batchSizes]).toEqual(c.batchSizes);
      expect([...packed.sortedIndices]).toEqual(c.sortedIndices);
      expect([...packed.unsortedIndices]).toEqual(c.unsortedIndices);
      const up = t(c.upstream);
      const { grads } = valueAndGrads(
        () => sum(mul(packPaddedSequence(x, c.lengths, c.options).data, up)),
        [x],
      );
      close(grads[0]!, c.grad.input);
    });
  }
});

describe('unpadSequence', () => {
  for (const c of byOp('unpadSequence')) {
    it(`${c.name}: values and gradients match torch`, () => {
      const padded = t(c.padded);
      unpadSequence(padded, c.lengths, c.options).forEach((o, i) => {
        close(o, c.outputs[i]);
      });
      const ups: Tensor[] = c.upstream.map(t);
      const { grads } = valueAndGrads(
        () => weighted(unpadSequence(padded, c.lengths, c.options), ups),
        [padded],
      );
      close(grads[0]!, c.grad.padded);
    });
  }
  it('refuses lengths beyond T', () => {
    const padded = randn([3, 2, 1], { backend });
    expect(() => unpadSequence(padded, [4, 1])).toThrow(
      /unpadSequence: lengths\[0\] must be an integer in \[1, 3\]/,
    );
  });
});

describe('PackedSequence(data, batchSizes, sortedIndices, unsortedIndices)', () => {
  for (const c of byOp('unpackSequence')) {
    it(`${c.name}: unpackSequence and padPackedSequence match torch, gradient to data`, () => {
      const data = t(c.data);
      const make = () => new PackedSequence(data, c.batchSizes, c.sortedIndices);
      const packed = make();
      expect([...packed.lengths]).toEqual(c.lengths);
      expect([...packed.batchSizes]).toEqual(c.batchSizes);
      close(packed.data, c.data);
      unpackSequence(packed).forEach((o, i) => {
        close(o, c.outputs[i]);
      });
      const total = c.batchSizes.length + 1;
      close(padPackedSequence(packed, { paddingValue: -2, totalLength: total })[0], c.paddedTotal);
      const ups: Tensor[] = c.upstream.map(t);
      const { grads } = valueAndGrads(() => weighted(unpackSequence(make()), ups), [data]);
      close(grads[0]!, c.grad.data);
    });
  }
  it('checks batchSizes and the indices', () => {
    const data = randn([5, 2], { backend });
    expect(() => new PackedSequence(data, [2, 3])).toThrow(
      /PackedSequence: batchSizes\[1\] must be an integer in \[1, 2\]/,
    );
    expect(() => new PackedSequence(data, [3, 1])).toThrow(
      /PackedSequence: batchSizes must sum to the 5 rows of data/,
    );
    expect(() => new PackedSequence(data, [3, 2], [0, 0, 1])).toThrow(
      /PackedSequence: sortedIndices\[1\] must be a distinct integer/,
    );
    expect(() => new PackedSequence(data, [3, 2], [2, 0, 1], [0, 1, 2])).toThrow(
      /PackedSequence: unsortedIndices must be the inverse of sortedIndices, \[1, 2, 0\]/,
    );
  });
  it('a recurrent module accepts it and returns a PackedSequence', () => {
    const gru = new GRU({
      inputSize: 2,
      hiddenSize: 3,
      backend,
      dtype: 'float64',
      generator: new Generator(1),
    });
    const seqs = [3, 1, 2].map((n, i) =>
      randn([n, 2], { backend, dtype: 'float64', generator: new Generator(i) }),
    );
    const packed = packSequence(seqs, { enforceSorted: false });
    const [out] = gru.forward(new PackedSequence(packed.data, packed.batchSizes, packed.sortedIndices));
    expect(out).toBeInstanceOf(PackedSequence);
    const [ref] = gru.forward(padSequence(seqs), null, { lengths: [3, 1, 2] });
    expect(padPackedSequence(out as PackedSequence)[0].toList()).toEqual(ref.toList());
  });
});
