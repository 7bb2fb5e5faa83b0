/**
 * The bad-input runner can fail: deliberately wrong cases (a call that does not throw, a vague error,
 * a weight, gradient, optimizer state or learning rate changed before the throw, a leaked tensor, a
 * tensor swapped for an equal one) are each reported. And the matrix itself is well-formed.
 */
import { createJsBackend } from '@recur/backend-js';
import type { AnyBackend, Tensor } from '@recur/core';
import { ops, tensor } from '@recur/core';
import { describe, expect, it } from 'vitest';
import { validCaseFile } from './bad-input/case-reader.js';
import { otherBackend } from './bad-input/world.js';
import type { BadInputCase } from './bad-input-matrix.js';
import { badInputCases, badInputSkipReason, onStandardWorld, runBadInputCase } from './bad-input-matrix.js';
import { parseCase } from './case-format.js';

const backend = createJsBackend();
const other = createJsBackend();
const dtype = 'float64';

const vague = new Error('something went wrong');

/** Runs `c` and returns its problems joined, for matching. */
const problemsOf = (c: BadInputCase): string => runBadInputCase(backend, dtype, c, other).join('\n');

describe('the runner reports every way a case can fail', () => {
  it('a call that does not throw', () => {
    const c = onStandardWorld({
      name: 'no throw',
      args: (w) => w.make([2, 3]),
      call: (_, x) => ops.reshape(x, [3, 2]),
      expect: [/reshape/],
    });
    const live = backend.liveTensors();
    expect(problemsOf(c)).toMatch(/expected an error, but the call returned Tensor/);
    // The tensor it returned was counted as a change, then released: nothing stays behind.
    expect(problemsOf(c)).toMatch(/1 tensor leaked/);
    expect(backend.liveTensors()).toBe(live);
  });

  it('an error that does not name the argument, the expected and the actual', () => {
    const c = onStandardWorld({
      name: 'vague',
      call: () => {
        throw vague;
      },
      expect: [/\binput\b/, /got shape \[5, 2, 4\]/],
    });
    const problems = problemsOf(c);
    expect(problems).toMatch(
      /does not match \/\\binput\\b\/, \/got shape \\\[5, 2, 4\\\]\/: Error: something went wrong/,
    );
  });

  it('a non-Error thrown', () => {
    const c = onStandardWorld({
      name: 'string thrown',
      call: () => {
        throw 'input: got shape [5, 2, 4]';
      },
      expect: [/input/],
    });
    expect(problemsOf(c)).toMatch(/threw a non-Error value/);
  });

  it('a weight changed before the throw', () => {
    const c = onStandardWorld({
      name: 'writes a weight',
      args: (w) => w.make([16, 3]),
      call: (w, replacement) => {
        w.lstm.namedParameters()[0]![1].assign(ops.scale(replacement, 1));
        throw vague;
      },
      expect: [/something/],
    });
    const problems = problemsOf(c);
    expect(problems).toMatch(/the value of LSTM #0 weight_ih_l0 was replaced by another tensor/);
    expect(problems).not.toMatch(/leaked/);
  });

  it('a weight changed in place (same tensor, other values) before the throw', () => {
    const c = onStandardWorld({
      name: 'loads a weight',
      call: (w) => {
        const [name, p] = w.head.namedParameters()[1]!;
        // loadStateDict assigns a new tensor; the snapshot sees the swap and the new values.
        w.head.loadStateDict({ [name]: { shape: p.value.shape, data: [9, 9] } }, { strict: false });
        throw vague;
      },
      expect: [/something/],
    });
    expect(problemsOf(c)).toMatch(/the value of Linear #1 bias was replaced/);
  });

  it('a gradient changed, set or cleared before the throw', () => {
    const changed = onStandardWorld({
      name: 'accumulates a gradient',
      call: (w) => {
        w.params[2]!.grad = ops.scale(w.params[2]!.grad!, 2);
        throw vague;
      },
      expect: [/something/],
    });
    expect(problemsOf(changed)).toMatch(/the gradient of LSTM #0 bias_ih_l0 was replaced/);
    const cleared = onStandardWorld({
      name: 'clears a gradient',
      call: (w) => {
        w.params[0]!.zeroGrad();
        throw vague;
      },
      expect: [/something/],
    });
    expect(problemsOf(cleared)).toMatch(/the gradient of LSTM #0 weight_ih_l0 became null/);
  });

  it('the optimizer stepped (state, step counts) or its lr changed before the throw', () => {
    const stepped = onStandardWorld({
      name: 'steps',
      call: (w) => {
        w.adam.step();
        throw vague;
      },
      expect: [/something/],
    });
    const problems = problemsOf(stepped);
    expect(problems).toMatch(/Adam #0: stepCount changed from 1 to 2/);
    expect(problems).toMatch(/Adam #0: state\[0\]\.step changed from 1 to 2/);
    expect(problems).toMatch(/Adam #0: state\[0\]\.exp_avg was replaced/);
    expect(problems).toMatch(/the value of LSTM #0 weight_ih_l0 was replaced/);
    const lr = onStandardWorld({
      name: 'sets lr',
      call: (w) => {
        w.sgd.lr = 0.5;
        throw vague;
      },
      expect: [/something/],
    });
    expect(problemsOf(lr)).toMatch(/SGD #1: lr changed from 0\.1 to 0\.5/);
  });

  it('a tensor leaked by the failed call, on the backend or on the second instance', () => {
    for (const on of [backend, other] as AnyBackend[]) {
      let leaked: Tensor | undefined;
      const c = onStandardWorld({
        name: 'leaks',
        // A case that uses the second instance says so, and its live count is watched too.
        args: (w) => on === other && otherBackend(w),
        call: () => {
          leaked = tensor([1, 2], [2], { backend: on, dtype });
          throw vague;
        },
        expect: [/something/],
      });
      const live = on.liveTensors();
      expect(problemsOf(c)).toMatch(/backend js: 1 tensor leaked by the failed call \(live \d+ → \d+\)/);
      leaked?.dispose();
      expect(on.liveTensors()).toBe(live);
    }
  });

  it('a case whose setup fails says so', () => {
    const c = onStandardWorld({
      name: 'bad setup',
      args: () => {
        throw new Error('no world today');
      },
      call: () => 0,
      expect: [],
    });
    const live = backend.liveTensors();
    expect(problemsOf(c)).toMatch(/setting up the case failed .*no world today/);
    expect(backend.liveTensors()).toBe(live);
  });
});

describe('the matrix', () => {
  it('has at least 60 cases with distinct names, each naming what it expects', () => {
    expect(badInputCases.length).toBeGreaterThanOrEqual(60);
    const names = badInputCases.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    // Argument, expected and actual: at least three patterns, except a lossFn's own error passed on.
    const thin = badInputCases.filter((c) => c.expect.length < 3 && !/lossFn throws/.test(c.name));
    expect(thin.map((c) => c.name)).toEqual([]);
  });

  it('the case reader cases start from a valid file', () => {
    expect(parseCase(validCaseFile()).name).toBe('rnn-bad-input-base');
  });

  it('says why a case cannot run', () => {
    const needsOther = badInputCases.find((c) => c.needs?.includes('second instance'))!;
    expect(
      badInputSkipReason(backend, needsOther, { unavailable: 'the factory returned the same instance' }),
    ).toBe(
      'needs a second instance of backend js, which cannot be made here: the factory returned the same instance',
    );
    expect(badInputSkipReason(backend, needsOther, { backend: other })).toBeUndefined();
    const needsDtype = badInputCases.find((c) => c.needs?.includes('second dtype'))!;
    const oneDtype = { ...backend, dtypes: ['float32'] } as unknown as AnyBackend;
    expect(badInputSkipReason(oneDtype, needsDtype)).toMatch(
      /needs two dtypes; backend js computes in float32 only/,
    );
  });
});
