/** Sequential / ModuleList / ModuleDict load PyTorch state dicts by PyTorch's keys; LayerNorm, Embedding.fromPretrained, requiresGrad. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createJsBackend } from '@recur/backend-js';
import { describe, expect, it } from 'vitest';
import {
  Adam,
  backward,
  clipGradNorm,
  Dropout,
  Embedding,
  Generator,
  GRU,
  indices,
  LayerNorm,
  Linear,
  LSTM,
  ModuleDict,
  ModuleList,
  RNN,
  randn,
  Sequential,
  SGD,
  type Tensor,
  tensor,
  valueAndGrads,
} from '../index.js';
import { mul, sum } from '../tensor/ops.js';

const backend = createJsBackend();
const dtype = 'float64' as const;
const on = { backend, dtype };
const dir = fileURLToPath(new URL('../../../../fixtures/nn/', import.meta.url));
// biome-ignore lint/suspicious/noExplicitAny: fixture JSON
const load = (name: string): any => JSON.parse(readFileSync(`${dir}${name}.json`, 'utf8'));
type TJ = { shape: number[]; data: number[] };
const t = (j: TJ) => tensor(j.data, j.shape, on);
const close = (actual: Tensor, expected: TJ, tol = 1e-12) => {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.toArray();
  expected.data.forEach((v, i) => {
    expect(Math.abs(a[i]! - v)).toBeLessThanOrEqual(tol * (1 + Math.abs(v)));
  });
};

describe('containers load PyTorch state dicts by PyTorch keys', () => {
  const modules = load('modules');
  const byName = (name: string) => modules.cases.find((c: { name: string }) => c.name === name);

  it('Sequential(Linear, LayerNorm, Dropout, LSTM): keys 0.weight … 3.weight_hh_l1, same output', () => {
    const c = byName('sequential');
    const model = new Sequential(
      new Linear({ inFeatures: 3, outFeatures: 5, ...on }),
      new LayerNorm(5, on),
      new Dropout({ p: 0.3, ...on }),
      new LSTM({ inputSize: 5, hiddenSize: 4, numLayers: 2, ...on }),
    );
    expect(Object.keys(model.stateDict())).toEqual(c.keys);
    model.loadStateDict(c.state);
    model.eval();
    const [out, [hn]] = model.forward<[Tensor, [Tensor, Tensor]]>(t(c.input));
    close(out, c.output);
    close(hn, c.hn);
    expect(model.length).toBe(4);
    expect(model.get(-1)).toBeInstanceOf(LSTM);
  });

  it('ModuleDict({layers: ModuleList([GRU, GRU]), head: Linear}): keys layers.1.weight_ih_l0 …', () => {
    const c = byName('module-list');
    const layers = new ModuleList([
      new GRU({ inputSize: 3, hiddenSize: 4, ...on }),
      new GRU({ inputSize: 4, hiddenSize: 4, bidirectional: true, ...on }),
    ]);
    const head = new Linear({ inFeatures: 8, outFeatures: 2, ...on });
    const model = new ModuleDict({ layers, head });
    expect(Object.keys(model.stateDict())).toEqual(c.keys);
    expect(c.keys).toContain('layers.1.weight_ih_l0');
    model.loadStateDict(c.state);
    let y = t(c.input);
    for (const layer of layers) [y] = (layer as GRU).forward(y);
    close(head.forward(y), c.output);
  });

  it('ModuleDict({dict: ModuleDict({key: Linear, norm: LayerNorm}), rnn: RNN}): keys dict.key.weight …', () => {
    const c = byName('module-dict');
    const inner = new ModuleDict([
      ['key', new Linear({ inFeatures: 3, outFeatures: 4, ...on })],
      ['norm', new LayerNorm(4, on)],
    ]);
    const model = new ModuleDict({
      dict: inner,
      rnn: new RNN({ inputSize: 4, hiddenSize: 3, nonlinearity: 'relu', ...on }),
    });
    expect(Object.keys(model.stateDict())).toEqual(c.keys);
    expect(c.keys[0]).toBe('dict.key.weight');
    model.loadStateDict(c.state);
    const y = (inner.get('norm') as LayerNorm).forward((inner.get('key') as Linear).forward(t(c.input)));
    const [out] = (model.get('rnn') as RNN).forward(y);
    close(out, c.output);
  });

  it('list and dict operations renumber and re-key like PyTorch', () => {
    const a = new Linear({ inFeatures: 1, outFeatures: 1, ...on });
    const b = new Linear({ inFeatures: 1, outFeatures: 2, ...on });
    const list = new ModuleList([a]).append(b).insert(0, new Dropout(on));
    expect(list.namedChildren().map(([n]) => n)).toEqual(['0', '1', '2']);
    expect(Object.keys(list.stateDict())).toEqual(['1.weight', '1.bias', '2.weight', '2.bias']);
    expect(list.pop(0)).toBeInstanceOf(Dropout);
    expect(Object.keys(list.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    const dict = new ModuleDict({ x: a });
    dict.set('y', b);
    dict.pop('x');
    expect(Object.keys(dict.stateDict())).toEqual(['y.weight', 'y.bias']);
    expect(() => dict.set('a.b', a)).toThrow(/ModuleDict.set: key must be a non-empty string without "."/);
    expect(() => new ModuleList([a, 3 as never])).toThrow(/ModuleList: modules\[1\] must be a Module, got 3/);
    expect(() => list.get(5)).toThrow(/ModuleList.get: index must be an integer in \[-2, 1\], got 5/);
    expect(() => dict.get('zz')).toThrow(/ModuleDict.get: key must be one of \["y"\], got "zz"/);
    expect(() => new Sequential(new ModuleList()).forward(1)).toThrow(
      /Sequential.forward: module 0 \(ModuleList\) has no forward/,
    );
  });

  it('eval/train and to() reach every child', () => {
    const model = new Sequential(
      new Dropout(on),
      new ModuleList([new Linear({ inFeatures: 1, outFeatures: 1, backend })]),
    );
    model.eval();
    expect(model.namedModules().every(([, m]) => m.training === false)).toBe(true);
    model.to(backend, 'float64');
    expect(model.parameters().every((p) => p.value.dtype === 'float64')).toBe(true);
  });
});

describe('LayerNorm against PyTorch (values and gradients)', () => {
  for (const c of load('layer-norm').cases) {
    it(c.name, () => {
      const ln = new LayerNorm(c.normalizedShape, {
        eps: c.eps,
        elementwiseAffine: c.elementwiseAffine,
        bias: c.bias,
        ...on,
      });
      const state: Record<string, TJ> = {};
      if (c.weight) state.weight = c.weight;
      if (c.biasValue) state.bias = c.biasValue;
      expect(Object.keys(ln.stateDict())).toEqual(Object.keys(state));
      ln.loadStateDict(state);
      const x = t(c.input);
      const up = t(c.upstream);
      close(ln.forward(x), c.output, 1e-10);
      const params = ln.parameters().map((p) => p.value);
      const { grads } = valueAndGrads(() => sum(mul(ln.forward(x), up)), [x, ...params]);
      close(grads[0]!, c.grad.input, 1e-9);
      if (c.weight) close(grads[1]!, c.grad.weight, 1e-10);
      if (c.biasValue) close(grads[2]!, c.grad.bias, 1e-10);
    });
  }
  it('initialises weight to ones and bias to zeros, and checks its input', () => {
    const ln = new LayerNorm([2, 3], on);
    expect(ln.weight!.value.toList()).toEqual([1, 1, 1, 1, 1, 1]);
    expect(ln.bias!.value.toList()).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() => ln.forward(randn([4, 3, 2], on))).toThrow(
      /LayerNorm.forward: x expected trailing dimensions normalizedShape = \[2, 3\], got shape \[4, 3, 2\]/,
    );
    expect(() => new LayerNorm(0)).toThrow(/LayerNorm: normalizedShape must be an integer ≥ 1/);
    expect(() => new LayerNorm(3, { eps: -1 })).toThrow(/LayerNorm: eps must be a finite number ≥ 0, got -1/);
  });
});

describe('Embedding.fromPretrained', () => {
  const c = load('modules').embedding[0];
  it('keeps the padding vector, gives it no gradient (PyTorch)', () => {
    const emb = Embedding.fromPretrained(t(c.weights), { freeze: false, paddingIdx: c.paddingIdx });
    expect(emb.weight.requiresGrad).toBe(true);
    const ids = indices(c.ids.data, c.ids.shape);
    close(emb.forward(ids), c.output);
    const up = t(c.upstream);
    backward(() => sum(mul(emb.forward(ids), up)), emb.parameters());
    close(emb.weight.grad!, c.grad.weight);
  });
  it('freezes by default and copies the tensor', () => {
    const w = t(c.weights);
    const emb = Embedding.fromPretrained(w);
    expect(emb.weight.requiresGrad).toBe(false);
    expect(emb.weight.value).not.toBe(w);
    expect(emb.weight.value.toList()).toEqual(w.toList());
    expect(() => Embedding.fromPretrained(randn([3], on))).toThrow(
      /Embedding.fromPretrained: embeddings expected a 2-D/,
    );
  });
});

describe('requiresGrad', () => {
  it('a frozen parameter gets no gradient; optimizers and clipping leave it alone', () => {
    const first = new Linear({ inFeatures: 2, outFeatures: 3, ...on, generator: new Generator(1) });
    const second = new Linear({ inFeatures: 3, outFeatures: 1, ...on, generator: new Generator(2) });
    const model = new Sequential(first, second);
    expect(first.requiresGrad(false)).toBe(first);
    const x = randn([4, 2], { ...on, generator: new Generator(3) });
    const before = first.parameters().map((p) => p.value.toList());
    const loss = () => sum(model.forward<Tensor>(x));
    backward(loss, model.parameters());
    expect(first.parameters().map((p) => p.grad)).toEqual([null, null]);
    expect(second.parameters().every((p) => p.grad !== null)).toBe(true);
    // Same gradient for the trainable ones as when nothing is frozen.
    const reference = valueAndGrads(
      loss,
      second.parameters().map((p) => p.value),
    ).grads;
    second.parameters().forEach((p, i) => {
      expect(p.grad!.toList()).toEqual(reference[i]!.toList());
    });
    clipGradNorm(model.parameters(), 0.1);
    new SGD(model.parameters(), { lr: 0.5 }).step();
    new Adam(model.parameters(), { lr: 0.5 }).step();
    expect(first.parameters().map((p) => p.value.toList())).toEqual(before);
    expect(first.parameters().map((p) => p.grad)).toEqual([null, null]);
    model.requiresGrad(false);
    expect(() => backward(loss, model.parameters())).toThrow(
      /backward: every one of the 4 parameters has requiresGrad false/,
    );
    model.requiresGrad();
    expect(model.parameters().every((p) => p.requiresGrad)).toBe(true);
    expect(() => model.requiresGrad('no' as never)).toThrow(
      /Sequential.requiresGrad: requiresGrad must be a boolean, got "no"/,
    );
  });
});
