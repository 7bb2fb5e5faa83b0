/** Bad constructor options and forward arguments of the recurrent modules, `Linear` and `Embedding`. */
import type { Module } from '@recur/core';
import { Dropout, Embedding, GRU, Linear, LSTM, LSTMCell, packPaddedSequence, RNN } from '@recur/core';
import type { BadInputCase } from './types.js';
import type { StandardWorld } from './world.js';
import { onStandardWorld, otherBackend, otherDtype } from './world.js';

const at = (w: StandardWorld) => ({ backend: w.backend, dtype: w.dtype });

/** Loosely typed `forward`, so a case can pass what the types forbid (as JavaScript callers can). */
const forward = (module: { forward: unknown }, ...args: unknown[]): unknown =>
  (module.forward as (...a: unknown[]) => unknown).apply(module, args);

/** `new Kind(options)` for a recurrent module with options TypeScript would refuse. */
function construct(kind: 'RNN' | 'LSTM' | 'GRU', w: StandardWorld, options: Record<string, unknown>) {
  const o = { inputSize: 3, hiddenSize: 4, ...at(w), ...options } as never;
  return kind === 'RNN' ? new RNN(o) : kind === 'LSTM' ? new LSTM(o) : new GRU(o);
}

const constructorCases: BadInputCase[] = [
  ['LSTM', { inputSize: 0 }, [/LSTM/, /inputSize/, /an integer ≥ 1/, /got 0/]],
  ['GRU', { inputSize: 1.5 }, [/GRU/, /inputSize/, /an integer ≥ 1/, /got 1\.5/]],
  ['RNN', { inputSize: '3' }, [/RNN/, /inputSize/, /an integer ≥ 1/, /got "3"/]],
  ['LSTM', { inputSize: Number.NaN }, [/inputSize/, /an integer ≥ 1/, /got NaN/]],
  ['GRU', { hiddenSize: 0 }, [/hiddenSize/, /an integer ≥ 1/, /got 0/]],
  ['LSTM', { hiddenSize: -4 }, [/hiddenSize/, /an integer ≥ 1/, /got -4/]],
  ['RNN', { numLayers: 0 }, [/numLayers/, /an integer ≥ 1/, /got 0/]],
  ['GRU', { numLayers: 2.5 }, [/numLayers/, /an integer ≥ 1/, /got 2\.5/]],
  ['LSTM', { numLayers: 2, dropout: 1.5 }, [/dropout/, /a number in \[0, 1\]/, /got 1\.5/]],
  ['GRU', { numLayers: 2, dropout: -0.1 }, [/dropout/, /a number in \[0, 1\]/, /got -0\.1/]],
  ['GRU', { projSize: 2 }, [/GRU/, /projSize/, /0 \(only LSTM projects\)/, /got 2/]],
  ['LSTM', { projSize: 4 }, [/projSize/, /\[0, hiddenSize\) = \[0, 4\)/, /got 4/]],
  ['RNN', { nonlinearity: 'sigmoid' }, [/nonlinearity/, /"tanh" or "relu"/, /got "sigmoid"/]],
  ['LSTM', { bias: 1 }, [/bias/, /a boolean/, /got 1/]],
  ['GRU', { batchFirst: 'yes' }, [/batchFirst/, /a boolean/, /got "yes"/]],
  ['RNN', { bidirectional: 'true' }, [/bidirectional/, /a boolean/, /got "true"/]],
  ['GRU', { dtype: 'float16' }, [/dtype/, /one of/, /got "float16"/]],
].map(([kind, options, expect]) =>
  onStandardWorld({
    name: `new ${kind}(${JSON.stringify(options, (_, v) => (Number.isNaN(v) ? 'NaN' : v))})`,
    call: (w) => construct(kind as 'RNN', w, options as Record<string, unknown>),
    expect: expect as RegExp[],
  }),
);

const sizeCases: BadInputCase[] = [
  onStandardWorld({
    name: 'new LSTM({ inputSize: 1e5, hiddenSize: 1e6 }): too large, refused before allocating',
    call: (w) => new LSTM({ inputSize: 1e5, hiddenSize: 1e6, ...at(w) }),
    expect: [/LSTM/, /weight_ih_l0/, /shape \[4000000, 100000\]/, /4\.000e\+11 elements/, /2147483647/],
  }),
  onStandardWorld({
    name: 'new Linear({ inFeatures: 0 })',
    call: (w) => new Linear({ inFeatures: 0, outFeatures: 2, ...at(w) }),
    expect: [/Linear/, /inFeatures/, /an integer ≥ 1/, /got 0/],
  }),
  onStandardWorld({
    name: 'new Embedding({ numEmbeddings: 5, embeddingDim: 3, paddingIdx: 5 })',
    call: (w) => new Embedding({ numEmbeddings: 5, embeddingDim: 3, paddingIdx: 5, ...at(w) }),
    expect: [/Embedding/, /paddingIdx/, /\[-5, 5\)/, /got 5/],
  }),
  onStandardWorld({
    name: 'new Dropout({ p: 2 })',
    call: (w) => new Dropout({ p: 2, ...at(w) }),
    expect: [/Dropout/, /\bp\b/, /a number in \[0, 1\]/, /got 2/],
  }),
];

const forwardCases: BadInputCase[] = [
  onStandardWorld({
    name: 'LSTM.forward: input of rank 4',
    args: (w) => w.make([5, 2, 3, 1]),
    call: (w, x) => w.lstm.forward(x),
    expect: [/LSTM\.forward/, /input/, /\[T, N, inputSize\]/, /got shape \[5, 2, 3, 1\]/],
  }),
  onStandardWorld({
    name: 'LSTM.forward: input with the wrong inputSize',
    args: (w) => w.make([5, 2, 4]),
    call: (w, x) => w.lstm.forward(x),
    expect: [/input/, /inputSize = 3/, /got shape \[5, 2, 4\]/],
  }),
  onStandardWorld({
    name: 'LSTM.forward: no time steps (T = 0)',
    args: (w) => w.make([0, 2, 3]),
    call: (w, x) => w.lstm.forward(x),
    expect: [/input/, /at least one time step and one batch row/, /got shape \[0, 2, 3\]/],
  }),
  onStandardWorld({
    name: 'LSTM.forward: no batch rows (N = 0)',
    args: (w) => w.make([5, 0, 3]),
    call: (w, x) => w.lstm.forward(x),
    expect: [/input/, /at least one time step and one batch row/, /got shape \[5, 0, 3\]/],
  }),
  onStandardWorld({
    name: 'LSTM.forward: input is not a tensor',
    call: (w) => forward(w.lstm, [1, 2, 3]),
    expect: [/input/, /must be a Tensor/, /got \[1, 2, 3\]/],
  }),
  onStandardWorld({
    name: 'LSTM.forward: h0 of the wrong batch size',
    args: (w) => w.make([1, 3, 4]),
    call: (w, h0) => w.lstm.forward(w.x, [h0, w.c0]),
    expect: [/\bh0\b/, /shape \[1, 2, 4\]/, /got shape \[1, 3, 4\]/],
  }),
  onStandardWorld({
    name: 'LSTM.forward: c0 of the wrong size',
    args: (w) => w.make([1, 2, 5]),
    call: (w, c0) => w.lstm.forward(w.x, [w.h0, c0]),
    expect: [/\bc0\b/, /shape \[1, 2, 4\]/, /got shape \[1, 2, 5\]/],
  }),
  onStandardWorld({
    name: 'LSTM.forward: h0 from another instance of the backend',
    needs: ['second instance'],
    args: (w) => w.make([1, 2, 4], { on: otherBackend(w) }),
    call: (w, h0) => w.lstm.forward(w.x, [h0, w.c0]),
    expect: [/\bh0\b/, /lives on backend "[^"]+ #\d+"/, /parameters live on "[^"]+ #\d+"/],
  }),
  onStandardWorld({
    name: 'LSTM.forward: input from another instance of the backend',
    needs: ['second instance'],
    args: (w) => w.make([5, 2, 3], { on: otherBackend(w) }),
    call: (w, x) => w.lstm.forward(x),
    expect: [/\binput\b/, /lives on backend "[^"]+ #\d+"/, /parameters live on "[^"]+ #\d+"/],
  }),
  onStandardWorld({
    name: 'LSTM.forward: a disposed input',
    args: (w) => w.disposed([5, 2, 3]),
    call: (w, x) => w.lstm.forward(x),
    expect: [/LSTM\.forward/, /\binput\b/, /Tensor\(\w+ \[5, 2, 3\]/, /has been disposed/],
  }),
  onStandardWorld({
    name: 'LSTM.forward: a disposed h0',
    args: (w) => w.disposed([1, 2, 4]),
    call: (w, h0) => w.lstm.forward(w.x, [h0, w.c0]),
    expect: [/\bh0\b/, /Tensor\(\w+ \[1, 2, 4\]/, /has been disposed/],
  }),
  onStandardWorld({
    name: 'LSTM.forward: input in the other dtype',
    needs: ['second dtype'],
    args: (w) => w.make([5, 2, 3], { dtype: otherDtype(w) }),
    call: (w, x) => w.lstm.forward(x),
    expect: [/\binput\b/, /has dtype float(32|64)/, /parameters are float(32|64)/],
  }),
  onStandardWorld({
    name: 'LSTM.forward(x, [h0, undefined]): PyTorch requires both',
    call: (w) => forward(w.lstm, w.x, [w.h0, undefined]),
    expect: [/hx\[1\] \(c0\)/, /must be a Tensor/, /got undefined/, /pass both h0 and c0/],
  }),
  onStandardWorld({
    name: 'LSTM.forward(x, [h0])',
    call: (w) => forward(w.lstm, w.x, [w.h0]),
    expect: [/\bhx\b/, /\[h0, c0\] \(two tensors\)/, /got \[Tensor\]/],
  }),
  onStandardWorld({
    name: 'LSTM.forward: lengths out of range',
    call: (w) => w.lstm.forward(w.x, null, { lengths: [6, 2] }),
    expect: [/lengths\[0\]/, /an integer in \[1, 5\]/, /got 6/],
  }),
  onStandardWorld({
    name: 'LSTM.forward: lengths with a zero',
    call: (w) => w.lstm.forward(w.x, null, { lengths: [5, 0] }),
    expect: [/lengths\[1\]/, /an integer in \[1, 5\]/, /got 0/],
  }),
  onStandardWorld({
    name: 'LSTM.forward: lengths of the wrong count',
    call: (w) => w.lstm.forward(w.x, null, { lengths: [5] }),
    expect: [/\blengths\b/, /one entry per batch row \(2\)/, /got 1/],
  }),
  onStandardWorld({
    name: 'LSTM.forward: non-integer lengths',
    call: (w) => w.lstm.forward(w.x, null, { lengths: [5, 2.5] }),
    expect: [/lengths\[1\]/, /an integer in \[1, 5\]/, /got 2\.5/],
  }),
  onStandardWorld({
    name: 'LSTM.forward: lengths with unbatched input',
    args: (w) => w.make([5, 3]),
    call: (w, x) => w.lstm.forward(x, null, { lengths: [5] }),
    expect: [/\blengths\b/, /batched input/, /rank 3/, /got unbatched input of shape \[5, 3\]/],
  }),
  onStandardWorld({
    name: 'LSTM.forward: lengths together with a PackedSequence',
    args: (w) => packPaddedSequence(w.x, [5, 3]),
    call: (w, packed) => w.lstm.forward(packed, null, { lengths: [5, 5] }),
    expect: [/\blengths\b/, /PackedSequence/, /its own lengths \[5, 3\]/, /got \[5, 5\]/],
  }),
  onStandardWorld({
    name: 'GRU.forward: h0 for unbatched input given batched',
    args: (w) => ({
      gru: w.adopt(new GRU({ inputSize: 3, hiddenSize: 4, ...at(w) })),
      x: w.make([5, 3]),
      h0: w.make([1, 1, 4]),
    }),
    call: (_, { gru, x, h0 }) => gru.forward(x, h0),
    expect: [/GRU\.forward/, /\bh0\b/, /shape \[1, 4\]/, /got shape \[1, 1, 4\]/],
  }),
  onStandardWorld({
    name: 'Linear.forward: x with the wrong last dimension',
    args: (w) => w.make([2, 3]),
    call: (w, x) => w.head.forward(x),
    expect: [/Linear\.forward/, /\bx\b/, /inFeatures = 4/, /got shape \[2, 3\]/],
  }),
  onStandardWorld({
    name: 'Embedding.forward: an id out of range',
    args: (w) => w.adopt(new Embedding({ numEmbeddings: 5, embeddingDim: 3, ...at(w) })),
    call: (_, embedding) => embedding.forward([1, 7, 2]),
    expect: [/Embedding\.forward/, /ids\[1\]/, /out of range \[0, 5\)/, /= 7/],
  }),
  onStandardWorld({
    name: 'Embedding.forward: a non-integer id',
    args: (w) => w.adopt(new Embedding({ numEmbeddings: 5, embeddingDim: 3, ...at(w) })),
    call: (_, embedding) => embedding.forward([1, 2.5]),
    expect: [/Embedding\.forward/, /ids\[1\]/, /an integer/, /got 2\.5/],
  }),
];

/** A module of the world, disposed (its parameters stay in the snapshot, unreadable before and after). */
function disposedModule<M extends Module>(w: StandardWorld, module: M): M {
  w.adopt(module);
  module.dispose();
  return module;
}

const lifecycleCases: BadInputCase[] = [
  onStandardWorld({
    name: 'GRU.forward on a disposed module',
    args: (w) => disposedModule(w, new GRU({ inputSize: 3, hiddenSize: 4, ...at(w) })),
    call: (w, gru) => gru.forward(w.x),
    expect: [/GRU\.forward/, /parameter weight_ih_l0/, /has been disposed/, /was the module disposed/],
  }),
  onStandardWorld({
    name: 'LSTMCell.forward on a disposed module',
    args: (w) => ({
      cell: disposedModule(w, new LSTMCell({ inputSize: 3, hiddenSize: 4, ...at(w) })),
      x: w.make([2, 3]),
    }),
    call: (_, { cell, x }) => cell.forward(x),
    expect: [/LSTMCell\.forward/, /parameter weight_ih/, /has been disposed/, /was the module disposed/],
  }),
  onStandardWorld({
    name: 'Linear.forward on a disposed module',
    args: (w) => ({
      linear: disposedModule(w, new Linear({ inFeatures: 3, outFeatures: 2, ...at(w) })),
      x: w.make([2, 3]),
    }),
    call: (_, { linear, x }) => linear.forward(x),
    expect: [/Linear\.forward/, /parameter weight/, /has been disposed/, /was the module disposed/],
  }),
  onStandardWorld({
    name: 'Embedding.forward on a disposed module',
    args: (w) => disposedModule(w, new Embedding({ numEmbeddings: 5, embeddingDim: 3, ...at(w) })),
    call: (_, embedding) => embedding.forward([1, 2]),
    expect: [/Embedding\.forward/, /parameter weight/, /has been disposed/, /was the module disposed/],
  }),
  onStandardWorld({
    name: 'module.to(something that is not a backend)',
    call: (w) => w.lstm.to({ name: 'js' } as never),
    expect: [/LSTM\.to/, /\bbackend\b/, /a Recur backend/, /got Object/],
  }),
  onStandardWorld({
    name: 'module.to(backend, an unknown dtype)',
    call: (w) => w.lstm.to(w.backend, 'float16' as never),
    expect: [/LSTM\.to/, /\bdtype\b/, /one of float/, /got "float16"/],
  }),
];

/** Constructors, forward passes and moves of the modules. */
export const moduleCases: BadInputCase[] = [
  ...constructorCases,
  ...sizeCases,
  ...forwardCases,
  ...lifecycleCases,
];
