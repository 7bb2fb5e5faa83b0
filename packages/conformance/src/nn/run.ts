/** Runs one `recur-nn/1` case on a backend and lists every difference from PyTorch. */
import {
  type AnyBackend,
  type DType,
  LayerNorm,
  ops,
  PackedSequence,
  packPaddedSequence,
  packSequence,
  padPackedSequence,
  padSequence,
  type Tensor,
  tensor,
  tidy,
  unpackSequence,
  unpadSequence,
  valueAndGrads,
} from '@recur/core';
import { compareValues, type Tolerance } from '../compare.js';
import type { LayerNormCase, NnTensor, SequenceCase } from './format.js';

/** The outcome of one case: empty `problems` means it matched PyTorch. */
export interface NnCaseResult {
  /** One line per mismatch (shape or values), naming the tensor and the worst error. */
  readonly problems: string[];
}

function checker(tolerance: Tolerance) {
  const problems: string[] = [];
  const check = (what: string, actual: Tensor, expected: NnTensor) => {
    if (
      actual.shape.length !== expected.shape.length ||
      actual.shape.some((d, i) => d !== expected.shape[i])
    ) {
      problems.push(`${what}: shape [${actual.shape.join(', ')}], expected [${expected.shape.join(', ')}]`);
      return;
    }
    const r = compareValues(actual.toArray(), expected.data, tolerance);
    if (!r.pass) problems.push(`${what}: max abs error ${r.maxAbs}, max rel error ${r.maxRel}`);
  };
  const equal = (what: string, actual: ArrayLike<number>, expected: readonly number[]) => {
    if (Array.from(actual).join() !== expected.join())
      problems.push(`${what}: [${Array.from(actual).join(', ')}], expected [${expected.join(', ')}]`);
  };
  return { problems, check, equal };
}

/** LayerNorm forward and gradients of input, weight and bias. */
export function runLayerNormCase(
  backend: AnyBackend,
  c: LayerNormCase,
  dtype: DType,
  tolerance: Tolerance,
): NnCaseResult {
  const { problems, check } = checker(tolerance);
  const ln = new LayerNorm([...c.normalizedShape], {
    eps: c.eps,
    elementwiseAffine: c.elementwiseAffine,
    bias: c.bias,
    backend,
    dtype,
  });
  try {
    const state: Record<string, NnTensor> = {};
    if (c.weight) state.weight = c.weight;
    if (c.biasValue) state.bias = c.biasValue;
    ln.loadStateDict(state);
    tidy(() => {
      const x = tensor(c.input.data, c.input.shape, { backend, dtype });
      const up = tensor(c.upstream.data, c.upstream.shape, { backend, dtype });
      check('output', ln.forward(x), c.output);
      const params = ln.parameters().map((p) => p.value);
      const { grads } = valueAndGrads(() => ops.sum(ops.mul(ln.forward(x), up)), [x, ...params]);
      check('grad input', grads[0]!, c.grad.input);
      if (c.grad.weight) check('grad weight', grads[1]!, c.grad.weight);
      if (c.grad.bias) check('grad bias', grads[2]!, c.grad.bias);
    });
  } finally {
    ln.dispose();
  }
  return { problems };
}

/** One sequence-utility case: values, packed layout and gradients through the op. */
export function runSequenceCase(
  backend: AnyBackend,
  c: SequenceCase,
  dtype: DType,
  tolerance: Tolerance,
): NnCaseResult {
  const { problems, check, equal } = checker(tolerance);
  const make = (j: unknown) => tensor((j as NnTensor).data, (j as NnTensor).shape, { backend, dtype });
  const weighted = (outs: Tensor[], ups: Tensor[]) =>
    outs.map((o, i) => ops.sum(ops.mul(o, ups[i]!))).reduce((a, b) => ops.add(a, b));
  // biome-ignore lint/suspicious/noExplicitAny: the case's fields depend on its op (see format.ts)
  const k = c as any;
  tidy(() => {
    switch (c.op) {
      case 'padSequence': {
        const seqs: Tensor[] = k.sequences.map(make);
        const up = make(k.upstream);
        check('output', padSequence(seqs, k.options), k.output);
        const { grads } = valueAndGrads(() => ops.sum(ops.mul(padSequence(seqs, k.options), up)), seqs);
        grads.forEach((g, i) => {
          check(`grad sequences[${i}]`, g, k.grad.sequences[i]);
        });
        break;
      }
      case 'packSequence': {
        const seqs: Tensor[] = k.sequences.map(make);
        const packed = packSequence(seqs, k.options);
        check('data', packed.data, k.data);
        equal('batchSizes', packed.batchSizes, k.batchSizes);
        equal('sortedIndices', packed.sortedIndices, k.sortedIndices);
        equal('unsortedIndices', packed.unsortedIndices, k.unsortedIndices);
        const up = make(k.upstream);
        const { grads } = valueAndGrads(() => ops.sum(ops.mul(packSequence(seqs, k.options).data, up)), seqs);
        grads.forEach((g, i) => {
          check(`grad sequences[${i}]`, g, k.grad.sequences[i]);
        });
        unpackSequence(packed).forEach((s, i) => {
          check(`unpackSequence[${i}]`, s, k.sequences[i]);
        });
        break;
      }
      case 'packPaddedSequence': {
        const x = make(k.input);
        const packed = packPaddedSequence(x, k.lengths, k.options);
        check('data', packed.data, k.data);
        equal('batchSizes', packed.batchSizes, k.batchSizes);
        equal('sortedIndices', packed.sortedIndices, k.sortedIndices);
        const up = make(k.upstream);
        const { grads } = valueAndGrads(
          () => ops.sum(ops.mul(packPaddedSequence(x, k.lengths, k.options).data, up)),
          [x],
        );
        check('grad input', grads[0]!, k.grad.input);
        break;
      }
      case 'unpadSequence': {
        const padded = make(k.padded);
        unpadSequence(padded, k.lengths, k.options).forEach((o, i) => {
          check(`outputs[${i}]`, o, k.outputs[i]);
        });
        const ups: Tensor[] = k.upstream.map(make);
        const { grads } = valueAndGrads(
          () => weighted(unpadSequence(padded, k.lengths, k.options), ups),
          [padded],
        );
        check('grad padded', grads[0]!, k.grad.padded);
        break;
      }
      case 'unpackSequence': {
        const data = make(k.data);
        const build = () => new PackedSequence(data, k.batchSizes, k.sortedIndices);
        const packed = build();
        equal('lengths', packed.lengths, k.lengths);
        unpackSequence(packed).forEach((o, i) => {
          check(`outputs[${i}]`, o, k.outputs[i]);
        });
        const total = k.batchSizes.length + 1;
        check(
          'padPackedSequence',
          padPackedSequence(packed, { paddingValue: -2, totalLength: total })[0],
          k.paddedTotal,
        );
        const ups: Tensor[] = k.upstream.map(make);
        const { grads } = valueAndGrads(() => weighted(unpackSequence(build()), ups), [data]);
        check('grad data', grads[0]!, k.grad.data);
        break;
      }
      default:
        problems.push(`unknown op ${JSON.stringify(c.op)}`);
    }
  });
  return { problems };
}
