/** Bad operands of the functional ops and bad arguments of tensor creation. */
import { full, ops, tensor, zeros } from '@recur/core';
import type { BadInputCase } from './types.js';
import { onStandardWorld, otherBackend, otherDtype } from './world.js';

/** Loosely typed call, so a case can pass what the types forbid (as JavaScript callers can). */
const loose = (fn: unknown, ...args: unknown[]): unknown => (fn as (...a: unknown[]) => unknown)(...args);

/** Functional ops. */
export const opCases: BadInputCase[] = [
  onStandardWorld({
    name: 'ops.matmul: inner dimensions differ',
    args: (w) => [w.make([2, 3]), w.make([4, 5])] as const,
    call: (_, [a, b]) => ops.matmul(a, b),
    expect: [/matmul/, /\bb\b/, /3 rows/, /\[2, 3\]/, /got shape \[4, 5\]/],
  }),
  onStandardWorld({
    name: 'ops.matmul: a 3-D operand',
    args: (w) => [w.make([2, 3, 1]), w.make([3, 2])] as const,
    call: (_, [a, b]) => ops.matmul(a, b),
    expect: [/matmul/, /\ba\b/, /a 2-D tensor/, /got shape \[2, 3, 1\]/],
  }),
  onStandardWorld({
    name: 'ops.add: shapes that do not broadcast',
    args: (w) => [w.make([2, 3]), w.make([4])] as const,
    call: (_, [a, b]) => ops.add(a, b),
    expect: [/\badd\b/, /\ba \[2, 3\]/, /\bb \[4\]/, /cannot be broadcast/, /equal or 1/],
  }),
  onStandardWorld({
    name: 'ops.reshape: a shape with another element count',
    args: (w) => w.make([2, 3]),
    call: (_, x) => ops.reshape(x, [4, 2]),
    expect: [/reshape/, /\bshape\b/, /6 elements/, /\[2, 3\]/, /got \[4, 2\]/],
  }),
  onStandardWorld({
    name: 'ops.transpose: perm is not a permutation',
    args: (w) => w.make([2, 3, 4]),
    call: (_, x) => ops.transpose(x, [0, 0, 1]),
    expect: [/transpose/, /\bperm\b/, /permutation of 0\.\.2/, /got \[0, 0, 1\]/],
  }),
  onStandardWorld({
    name: 'ops.slice: out of range',
    args: (w) => w.make([2, 3]),
    call: (_, x) => ops.slice(x, [0, 2], [2, 2]),
    expect: [/slice/, /begin \[0, 2\]/, /size \[2, 2\]/, /\[2, 3\]/],
  }),
  onStandardWorld({
    name: 'ops.concat: shapes that differ off the axis',
    args: (w) => [w.make([2, 3]), w.make([3, 4])] as const,
    call: (_, xs) => ops.concat(xs, 0),
    expect: [/concat/, /xs\[1\]/, /\[\*, 3\]/, /xs\[0\]/, /got shape \[3, 4\]/],
  }),
  onStandardWorld({
    name: 'ops.concat: a disposed tensor',
    args: (w) => [w.make([2, 3]), w.disposed([2, 3])] as const,
    call: (_, xs) => ops.concat(xs, 0),
    expect: [/concat/, /xs\[1\]/, /has been disposed/],
  }),
  onStandardWorld({
    name: 'ops.gather: an index out of range',
    args: (w) => w.make([3, 2]),
    call: (_, x) => ops.gather(x, Int32Array.from([0, 5])),
    expect: [/gather/, /indices\[1\]/, /\[0, 3\)/, /got 5/],
  }),
  onStandardWorld({
    name: 'ops.sum: an axis out of range',
    args: (w) => w.make([2, 3]),
    call: (_, x) => ops.sum(x, [2]),
    expect: [/\bsum\b/, /\baxis\b/, /\[-2, 2\)/, /got 2/],
  }),
  onStandardWorld({
    name: 'ops.mul: a disposed operand',
    args: (w) => [w.make([2, 3]), w.disposed([2, 3])] as const,
    call: (_, [a, b]) => ops.mul(a, b),
    expect: [/\bmul\b/, /\bb\b/, /Tensor\(\w+ \[2, 3\]/, /has been disposed/],
  }),
  onStandardWorld({
    name: 'ops.tanh: not a tensor',
    call: () => loose(ops.tanh, [1, 2]),
    expect: [/tanh/, /\bx\b/, /must be a Tensor/, /got \[1, 2\]/],
  }),
  onStandardWorld({
    name: 'ops.add: operands on two instances of the backend',
    needs: ['second instance'],
    args: (w) => [w.make([2, 3]), w.make([2, 3], { on: otherBackend(w) })] as const,
    call: (_, [a, b]) => ops.add(a, b),
    expect: [/\badd\b/, /\ba\b and \bb\b/, /different backends/, /two instances of the same backend/],
  }),
  onStandardWorld({
    name: 'ops.sub: operands of two dtypes',
    needs: ['second dtype'],
    args: (w) => [w.make([2, 3]), w.make([2, 3], { dtype: otherDtype(w) })] as const,
    call: (_, [a, b]) => ops.sub(a, b),
    expect: [/\bsub\b/, /mixed dtypes/, /\ba is float(32|64)/, /\bb is float(32|64)/],
  }),
];

/** `tensor`, `full` and `zeros`. */
export const creationCases: BadInputCase[] = [
  onStandardWorld({
    name: 'tensor(): string data',
    call: (w) => loose(tensor, '0.5 0.25', [2], { backend: w.backend, dtype: w.dtype }),
    expect: [/tensor/, /\bdata\b/, /an array or typed array of numbers/, /got "0\.5 0\.25"/],
  }),
  onStandardWorld({
    name: 'tensor(): an array of strings',
    call: (w) => loose(tensor, ['0.5', '0.25'], [2], { backend: w.backend, dtype: w.dtype }),
    expect: [/tensor/, /data\[0\]/, /a number/, /got "0\.5"/],
  }),
  onStandardWorld({
    name: 'tensor(): { length: 12 } as data',
    call: (w) => loose(tensor, { length: 12 }, [3, 4], { backend: w.backend, dtype: w.dtype }),
    expect: [/tensor/, /\bdata\b/, /an array or typed array of numbers/, /got Object/],
  }),
  onStandardWorld({
    name: 'tensor(): data of the wrong length',
    call: (w) => tensor([1, 2, 3], [2, 2], { backend: w.backend, dtype: w.dtype }),
    expect: [/tensor/, /\bdata\b/, /4 elements/, /got 3/],
  }),
  onStandardWorld({
    name: 'tensor(): a negative dimension',
    call: (w) => tensor([], [-1, 2], { backend: w.backend, dtype: w.dtype }),
    expect: [/tensor/, /\bshape\b/, /non-negative integers/, /got \[-1, 2\]/],
  }),
  onStandardWorld({
    name: 'tensor(): an unknown dtype',
    call: (w) => loose(tensor, [1], [1], { backend: w.backend, dtype: 'int8' }),
    expect: [/tensor/, /\bdtype\b/, /one of float/, /got "int8"/],
  }),
  onStandardWorld({
    name: 'full(): a value that is not a number',
    call: (w) => loose(full, [2], 'x', { backend: w.backend, dtype: w.dtype }),
    expect: [/full/, /\bvalue\b/, /a number/, /got "x"/],
  }),
  onStandardWorld({
    name: 'zeros(): more elements than a tensor can hold',
    call: (w) => zeros([100000, 100000], { backend: w.backend, dtype: w.dtype }),
    expect: [/shape \[100000, 100000\]/, /1\.000e\+10 elements/, /2147483647/],
  }),
];
