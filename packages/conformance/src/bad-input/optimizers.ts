/** Bad options and bad steps of the optimizers, `clipGradNorm` and `backward`. */
import type { Parameter, Tensor } from '@recur/core';
import { Adam, AdamW, backward, clipGradNorm, ops, SGD } from '@recur/core';
import type { BadInputCase } from './types.js';
import type { StandardWorld } from './world.js';
import { onStandardWorld, otherBackend, otherDtype } from './world.js';

const loose = (fn: unknown, ...args: unknown[]): unknown => (fn as (...a: unknown[]) => unknown)(...args);

/** Replaces the gradient of `p` (setup only: the world's snapshot is taken after it). */
function setGrad(p: Parameter, grad: Tensor): void {
  p.zeroGrad();
  p.grad = grad;
}

/** Moves the LSTM to `backend`/`dtype` and gives its parameters gradients there, so Adam has work. */
function moveLstm(w: StandardWorld, backend: StandardWorld['backend'], dtype = w.dtype): void {
  w.lstm.to(backend, dtype);
  const x = w.make([5, 2, 3], { on: backend, dtype });
  backward(() => ops.sum(w.lstm.forward(x)[0]), w.lstm.parameters()).dispose();
}

const optionCases: BadInputCase[] = [
  onStandardWorld({
    name: 'new Adam([p, p]): a parameter listed twice',
    call: (w) => new Adam([w.params[0]!, w.params[0]!]),
    expect: [/Adam/, /\bparams\b/, /each parameter once/, /params\[0\] and params\[1\]/],
  }),
  onStandardWorld({
    name: 'new Adam(): lr Infinity',
    call: (w) => new Adam(w.params, { lr: Number.POSITIVE_INFINITY }),
    expect: [/Adam/, /\blr\b/, /a finite number ≥ 0/, /got Infinity/],
  }),
  onStandardWorld({
    name: 'new SGD(): lr NaN',
    call: (w) => new SGD(w.params, { lr: Number.NaN }),
    expect: [/SGD/, /\blr\b/, /a finite number ≥ 0/, /got NaN/],
  }),
  onStandardWorld({
    name: 'new AdamW(): lr -1',
    call: (w) => new AdamW(w.params, { lr: -1 }),
    expect: [/AdamW/, /\blr\b/, /a finite number ≥ 0/, /got -1/],
  }),
  onStandardWorld({
    name: 'new Adam(): betas[1] = 1',
    call: (w) => new Adam(w.params, { betas: [0.9, 1] }),
    expect: [/Adam/, /betas\[1\]/, /in \[0, 1\)/, /got 1/],
  }),
  onStandardWorld({
    name: 'new Adam(): betas of length 3',
    call: (w) =>
      loose((p: Parameter[], o: unknown) => new Adam(p, o as never), w.params, { betas: [0.9, 0.99, 0.9] }),
    expect: [/Adam/, /\bbetas\b/, /a pair \[β1, β2\]/, /got \[0\.9, 0\.99, 0\.9\]/],
  }),
  onStandardWorld({
    name: 'new Adam(): eps negative',
    call: (w) => new Adam(w.params, { eps: -1e-8 }),
    expect: [/Adam/, /\beps\b/, /a finite number ≥ 0/, /got -1e-8/],
  }),
  onStandardWorld({
    name: 'new SGD(): nesterov without momentum',
    call: (w) => new SGD(w.params, { lr: 0.1, nesterov: true }),
    expect: [/SGD/, /\bnesterov\b/, /momentum > 0 and dampening = 0/, /got momentum 0/],
  }),
  onStandardWorld({
    name: 'new SGD(): params is not an array',
    call: (w) => loose((p: unknown) => new SGD(p as never, { lr: 0.1 }), w.params[0]),
    expect: [/SGD/, /\bparams\b/, /a non-empty array of parameters/, /got Parameter/],
  }),
];

const stepCases: BadInputCase[] = [
  onStandardWorld({
    name: 'Adam.step: a gradient of the wrong shape',
    args: (w) => setGrad(w.params[0]!, w.make([2, 2])),
    call: (w) => w.adam.step(),
    expect: [/Adam\.step/, /params\[0\]\.grad/, /shape \[2, 2\]/, /params\[0\] has shape \[16, 3\]/],
  }),
  onStandardWorld({
    name: 'Adam.step: a disposed gradient (the last parameter)',
    args: (w) => setGrad(w.lstm.parameters()[3]!, w.disposed([16])),
    call: (w) => w.adam.step(),
    expect: [/Adam\.step/, /params\[3\]\.grad/, /Tensor\(\w+ \[16\]/, /has been disposed/],
  }),
  onStandardWorld({
    name: 'SGD.step: a gradient on another instance of the backend',
    needs: ['second instance'],
    args: (w) => setGrad(w.head.parameters()[1]!, w.make([2], { on: otherBackend(w) })),
    call: (w) => w.sgd.step(),
    expect: [
      /SGD\.step/,
      /params\[1\]\.grad/,
      /lives on backend "[^"]+ #\d+"/,
      /params\[1\] lives on "[^"]+ #\d+"/,
    ],
  }),
  onStandardWorld({
    name: 'Adam.step: a gradient in the other dtype',
    needs: ['second dtype'],
    args: (w) => setGrad(w.params[2]!, w.make([16], { dtype: otherDtype(w) })),
    call: (w) => w.adam.step(),
    expect: [/Adam\.step/, /params\[2\]\.grad/, /has dtype float(32|64)/, /params\[2\] is float(32|64)/],
  }),
  onStandardWorld({
    name: 'Adam.step after optimizer.lr = NaN',
    args: (w) => {
      w.adam.lr = Number.NaN;
    },
    call: (w) => w.adam.step(),
    expect: [/Adam\.step/, /\blr\b/, /a finite number ≥ 0/, /got NaN/],
  }),
  onStandardWorld({
    name: 'SGD.step after optimizer.lr = -0.1',
    args: (w) => {
      w.sgd.lr = -0.1;
    },
    call: (w) => w.sgd.step(),
    expect: [/SGD\.step/, /\blr\b/, /a finite number ≥ 0/, /got -0\.1/],
  }),
  onStandardWorld({
    name: 'Adam.step after module.to(another instance): the parameters moved',
    needs: ['second instance'],
    args: (w) => moveLstm(w, otherBackend(w)),
    call: (w) => w.adam.step(),
    expect: [/Adam\.step/, /parameters moved/, /params\[0\] now lives on "[^"]+ #\d+"/, /create a new Adam/],
  }),
  onStandardWorld({
    name: 'Adam.step after module.to(the other dtype): the parameters moved',
    needs: ['second dtype'],
    args: (w) => moveLstm(w, w.backend, otherDtype(w)),
    call: (w) => w.adam.step(),
    expect: [
      /Adam\.step/,
      /parameters moved/,
      /params\[0\] now lives on .* \(float(32|64)\)/,
      /create a new Adam/,
    ],
  }),
];

const clipCases: BadInputCase[] = [
  onStandardWorld({
    name: 'clipGradNorm: maxNorm negative',
    call: (w) => clipGradNorm(w.params, -1),
    expect: [/clipGradNorm/, /\bmaxNorm\b/, /a number ≥ 0/, /got -1/],
  }),
  onStandardWorld({
    name: 'clipGradNorm: maxNorm NaN',
    call: (w) => clipGradNorm(w.params, Number.NaN),
    expect: [/clipGradNorm/, /\bmaxNorm\b/, /a number ≥ 0/, /got NaN/],
  }),
  onStandardWorld({
    name: 'clipGradNorm: normType 0.5',
    call: (w) => clipGradNorm(w.params, 1, 0.5),
    expect: [/clipGradNorm/, /\bnormType\b/, /≥ 1 or Infinity/, /got 0\.5/],
  }),
  onStandardWorld({
    name: 'clipGradNorm: parameters is not an array',
    call: (w) => loose(clipGradNorm, w.lstm, 1),
    expect: [/clipGradNorm/, /\bparameters\b/, /an array of parameters/, /got LSTM/],
  }),
  onStandardWorld({
    name: 'clipGradNorm: a disposed gradient (the last parameter)',
    args: (w) => setGrad(w.params[w.params.length - 1]!, w.disposed([2])),
    call: (w) => clipGradNorm(w.params, 1e-3),
    expect: [/clipGradNorm/, /parameters\[5\]\.grad/, /Tensor\(\w+ \[2\]/, /has been disposed/],
  }),
];

const boom = 'boom: thrown on purpose by the bad-input matrix';

const backwardCases: BadInputCase[] = [
  onStandardWorld({
    name: 'backward: a parameter listed twice',
    call: (w) => backward(w.loss, [...w.params, w.params[1]!]),
    expect: [/backward/, /parameters\[6\]/, /same parameter as parameters\[1\]/, /each parameter once/],
  }),
  onStandardWorld({
    name: 'backward: an empty parameter list',
    call: (w) => backward(w.loss, []),
    expect: [/backward/, /\bparameters\b/, /a non-empty array of parameters/, /got \[\]/],
  }),
  onStandardWorld({
    name: 'backward: lossFn returns a non-scalar',
    args: (w) => w.make([2, 4]),
    call: (w, x) => backward(() => w.head.forward(x), w.params),
    expect: [/backward/, /\blossFn\b/, /a scalar/, /got shape \[2, 2\]/],
  }),
  onStandardWorld({
    name: 'backward: lossFn returns something that is not a tensor',
    call: (w) => backward(() => 0.5 as never, w.params),
    expect: [/backward/, /\blossFn\b/, /a scalar/, /got 0\.5/],
  }),
  onStandardWorld({
    name: 'backward: lossFn throws half-way (nothing changes, nothing leaks)',
    call: (w) =>
      backward(() => {
        w.loss();
        throw new Error(boom);
      }, w.params),
    expect: [new RegExp(boom)],
  }),
  onStandardWorld({
    name: 'backward: a gradient of the wrong shape',
    args: (w) => setGrad(w.params[0]!, w.make([2, 2])),
    call: (w) => backward(w.loss, w.params),
    expect: [/backward/, /parameters\[0\]\.grad/, /its value's shape \[16, 3\]/, /got shape \[2, 2\]/],
  }),
  onStandardWorld({
    name: 'backward: a gradient on another instance of the backend',
    needs: ['second instance'],
    args: (w) => setGrad(w.params[0]!, w.make([16, 3], { on: otherBackend(w) })),
    call: (w) => backward(w.loss, w.params),
    expect: [
      /backward/,
      /parameters\[0\]\.grad/,
      /lives on backend "[^"]+ #\d+"/,
      /value lives on "[^"]+ #\d+"/,
    ],
  }),
  onStandardWorld({
    name: 'backward: a gradient in the other dtype',
    needs: ['second dtype'],
    args: (w) => setGrad(w.params[0]!, w.make([16, 3], { dtype: otherDtype(w) })),
    call: (w) => backward(w.loss, w.params),
    expect: [/backward/, /parameters\[0\]\.grad/, /has dtype float(32|64)/, /its value is float(32|64)/],
  }),
  onStandardWorld({
    name: 'backward: lossFn is not a function',
    call: (w) => loose(backward, w.x, w.params),
    expect: [/backward/, /\blossFn\b/, /a function/, /got Tensor/],
  }),
];

/** Optimizer options and steps, gradient clipping and `backward`. */
export const optimizerCases: BadInputCase[] = [...optionCases, ...stepCases, ...clipCases, ...backwardCases];
