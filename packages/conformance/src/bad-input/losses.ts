/** Bad arguments of the losses. */
import { crossEntropy, mseLoss } from '@recur/core';
import type { BadInputCase } from './types.js';
import { onStandardWorld, otherBackend } from './world.js';

const loose = (fn: unknown, ...args: unknown[]): unknown => (fn as (...a: unknown[]) => unknown)(...args);

/** `mseLoss` and `crossEntropy`. */
export const lossCases: BadInputCase[] = [
  onStandardWorld({
    name: 'mseLoss: target of another shape',
    args: (w) => [w.make([2, 2]), w.make([2, 3])] as const,
    call: (_, [input, target]) => mseLoss(input, target),
    expect: [/mseLoss/, /\btarget\b/, /input's shape \[2, 2\]/, /got shape \[2, 3\]/],
  }),
  onStandardWorld({
    name: 'mseLoss: target on another instance of the backend',
    needs: ['second instance'],
    args: (w) => [w.make([2, 2]), w.make([2, 2], { on: otherBackend(w) })] as const,
    call: (_, [input, target]) => mseLoss(input, target),
    expect: [/mseLoss/, /\binput\b and \btarget\b/, /different backends/],
  }),
  onStandardWorld({
    name: 'mseLoss: a bad reduction',
    args: (w) => w.make([2, 2]),
    call: (_, x) => loose(mseLoss, x, x, { reduction: 'avg' }),
    expect: [/mseLoss/, /\breduction\b/, /"mean", "sum" or "none"/, /got "avg"/],
  }),
  onStandardWorld({
    name: 'crossEntropy: a target out of range',
    args: (w) => w.make([2, 3]),
    call: (_, logits) => crossEntropy(logits, [0, 5]),
    expect: [/crossEntropy/, /target\[1\]/, /a class id in \[0, 3\)/, /got 5/],
  }),
  onStandardWorld({
    name: 'crossEntropy: a negative target that is not ignoreIndex',
    args: (w) => w.make([2, 3]),
    call: (_, logits) => crossEntropy(logits, [0, -1]),
    expect: [/crossEntropy/, /target\[1\]/, /a class id in \[0, 3\)/, /ignoreIndex \(-100\)/, /got -1/],
  }),
  onStandardWorld({
    name: 'crossEntropy: the wrong number of targets',
    args: (w) => w.make([2, 3]),
    call: (_, logits) => crossEntropy(logits, [0, 1, 2]),
    expect: [/crossEntropy/, /\btarget\b/, /2 class ids \(shape \[2\]\)/, /got shape \[3\]/],
  }),
  onStandardWorld({
    name: 'crossEntropy: a non-integer target',
    args: (w) => w.make([2, 3]),
    call: (_, logits) => crossEntropy(logits, [0, 1.5]),
    expect: [/crossEntropy/, /target\[1\]/, /an integer/, /got 1\.5/],
  }),
  onStandardWorld({
    name: 'crossEntropy: no target',
    args: (w) => w.make([2, 3]),
    call: (_, logits) => loose(crossEntropy, logits, undefined),
    expect: [/crossEntropy/, /\btarget\b/, /an array of integer ids/, /got undefined/],
  }),
  onStandardWorld({
    name: 'crossEntropy: a bad reduction',
    args: (w) => w.make([2, 3]),
    call: (_, logits) => loose(crossEntropy, logits, [0, 1], { reduction: 'batchmean' }),
    expect: [/crossEntropy/, /\breduction\b/, /"mean", "sum" or "none"/, /got "batchmean"/],
  }),
  onStandardWorld({
    name: 'crossEntropy: a non-integer ignoreIndex',
    args: (w) => w.make([2, 3]),
    call: (_, logits) => crossEntropy(logits, [0, 1], { ignoreIndex: 0.5 }),
    expect: [/crossEntropy/, /\bignoreIndex\b/, /an integer/, /got 0\.5/],
  }),
  onStandardWorld({
    name: 'crossEntropy: disposed logits',
    args: (w) => w.disposed([2, 3]),
    call: (_, logits) => crossEntropy(logits, [0, 1]),
    expect: [/crossEntropy/, /\blogits\b/, /Tensor\(\w+ \[2, 3\]/, /has been disposed/],
  }),
  onStandardWorld({
    name: 'crossEntropy: logits of rank 3',
    args: (w) => w.make([2, 3, 1]),
    call: (_, logits) => crossEntropy(logits, [0, 1]),
    expect: [/crossEntropy/, /\blogits\b/, /\[N, C\] or \[C\]/, /got shape \[2, 3, 1\]/],
  }),
];
