/** `Generator.getState` / `setState`: exact resumption, JSON round trips, checked input. */
import { createJsBackend } from '@recur/backend-js';
import { describe, expect, it } from 'vitest';
import { Dropout, defaultGenerator, Generator, type GeneratorState, ones } from './index.js';

const draw = (g: Generator, n = 20): number[] => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(i % 3 === 0 ? g.normal() : i % 3 === 1 ? g.random() : g.nextUint32());
  return out;
};

describe('Generator state', () => {
  it('getState is JSON-able and setState resumes the same stream, also on another generator', () => {
    const g = new Generator(1234);
    draw(g, 7);
    // the 7th draw is a normal(): its pair leaves a spare behind
    const state = g.getState();
    expect(state.algorithm).toBe('xoshiro128**');
    expect(state.spareNormal).not.toBeNull();
    expect(state.state.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)).toBe(true);
    const json = JSON.parse(JSON.stringify(state)) as GeneratorState;
    const expected = draw(g, 50);
    expect(draw(new Generator(99).setState(json), 50)).toEqual(expected);
    // The state is a copy: drawing does not change what was returned.
    expect(g.getState()).not.toEqual(state);
    expect(draw(new Generator().setState(state), 50)).toEqual(expected);
  });

  it('keeps a held-back normal as null when there is none', () => {
    const g = new Generator(5);
    expect(g.getState().spareNormal).toBeNull();
    const copy = new Generator(6).setState(g.getState());
    expect(draw(copy)).toEqual(draw(g));
    // manualSeed after setState starts over as usual.
    expect(draw(copy.manualSeed(5))).toEqual(draw(new Generator(5)));
  });

  it('refuses a wrong state with a clear error and leaves the generator unchanged', () => {
    const good = new Generator(1).getState();
    const bad: [unknown, RegExp][] = [
      [null, /must be an object/],
      [[1, 2, 3, 4], /must be an object/],
      [{ ...good, algorithm: 'mt19937' }, /algorithm must be "xoshiro128\*\*"/],
      [{ ...good, state: [1, 2, 3] }, /state\.state must be an array of 4 integers/],
      [{ ...good, state: [1, 2, 3, 2 ** 32] }, /state\.state must be an array of 4 integers/],
      [{ ...good, state: [1, 2, 3, 1.5] }, /state\.state/],
      [{ ...good, state: [1, 2, 3, '4'] }, /state\.state/],
      [{ ...good, state: [0, 0, 0, 0] }, /not be all zero/],
      [{ ...good, spareNormal: Number.NaN }, /spareNormal must be a finite number or null/],
      [{ ...good, spareNormal: undefined }, /spareNormal/],
      [{ ...good, extra: 1 }, /unexpected key "extra"/],
      [{ algorithm: good.algorithm, state: good.state }, /spareNormal/],
    ];
    for (const [value, message] of bad) {
      const g = new Generator(42);
      g.normal();
      const before = g.getState();
      expect(() => g.setState(value as GeneratorState)).toThrow(message);
      expect(() => g.setState(value as GeneratorState)).toThrow(/^Generator\.setState: /);
      expect(g.getState()).toEqual(before);
    }
  });

  it('Dropout exposes its generator (its own, or the global default)', () => {
    const backend = createJsBackend();
    const own = new Generator(3);
    const drop = new Dropout({ p: 0.5, generator: own, backend });
    expect(drop.generator).toBe(own);
    expect(new Dropout({ backend }).generator).toBe(defaultGenerator());
    // Restoring the generator's state replays the same mask.
    const x = ones([64], { backend });
    const state = own.getState();
    const first = drop.forward(x).toArray();
    own.setState(state);
    expect(drop.forward(x).toArray()).toEqual(first);
  });
});
