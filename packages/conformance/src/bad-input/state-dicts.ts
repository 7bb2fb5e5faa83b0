/**
 * Bad state dicts for `loadStateDict`. The bad entry is the LAST parameter's (`bias_hh_l0`), so a
 * loader that wrote entries as it checked them would already have changed every other weight.
 */
import type { BadInputCase } from './types.js';
import type { StandardWorld } from './world.js';
import { onStandardWorld } from './world.js';

/** A complete, valid state dict for the world's LSTM (new values, in PyTorch's order). */
function fullState(w: StandardWorld): Record<string, unknown> {
  return Object.fromEntries(
    w.lstm.namedParameters().map(([name, p]) => {
      const data = Array.from(p.value.toArray(), (v) => v + 1);
      return [name, { shape: [...p.value.shape], data }];
    }),
  );
}

/** {@link fullState} with its last entry (`bias_hh_l0`) replaced by `last`. */
function stateWithLast(w: StandardWorld, last: unknown): Record<string, unknown> {
  const state = fullState(w);
  const names = Object.keys(state);
  state[names[names.length - 1]!] = last;
  return state;
}

const load = (w: StandardWorld, state: unknown, options?: unknown): unknown =>
  (w.lstm.loadStateDict as (s: unknown, o?: unknown) => void).call(w.lstm, state, options);

/** `loadStateDict`. */
export const stateDictCases: BadInputCase[] = [
  onStandardWorld({
    name: 'loadStateDict(undefined)',
    call: (w) => load(w, undefined),
    expect: [/LSTM\.loadStateDict/, /\bstate\b/, /an object mapping parameter names/, /got undefined/],
  }),
  onStandardWorld({
    name: 'loadStateDict: a tensor instead of a dict',
    call: (w) => load(w, w.x),
    expect: [/LSTM\.loadStateDict/, /\bstate\b/, /an object mapping parameter names/, /got Tensor/],
  }),
  onStandardWorld({
    name: 'loadStateDict: null as the last entry',
    args: (w) => stateWithLast(w, null),
    call: (w, state) => load(w, state),
    expect: [/LSTM\.loadStateDict/, /"bias_hh_l0"/, /expected a Tensor or \{shape, data\}/, /got null/],
  }),
  onStandardWorld({
    name: 'loadStateDict: a disposed tensor as the last entry',
    args: (w) => stateWithLast(w, w.disposed([16])),
    call: (w, state) => load(w, state),
    expect: [/LSTM\.loadStateDict/, /"bias_hh_l0"/, /Tensor\(\w+ \[16\]/, /has been disposed/],
  }),
  onStandardWorld({
    name: 'loadStateDict: a tensor of the wrong shape as the last entry',
    args: (w) => stateWithLast(w, w.make([2])),
    call: (w, state) => load(w, state),
    expect: [/LSTM\.loadStateDict/, /"bias_hh_l0"/, /expected shape \[16\]/, /got \[2\]/],
  }),
  onStandardWorld({
    name: 'loadStateDict: string data as the last entry',
    args: (w) => stateWithLast(w, { shape: [16], data: new Array(16).fill('0.5') }),
    call: (w, state) => load(w, state),
    expect: [/LSTM\.loadStateDict/, /"bias_hh_l0"/, /data\[0\] must be a number/, /got "0\.5"/],
  }),
  onStandardWorld({
    name: 'loadStateDict: { length: 16 } as the data of the last entry',
    args: (w) => stateWithLast(w, { shape: [16], data: { length: 16 } }),
    call: (w, state) => load(w, state),
    expect: [/"bias_hh_l0"/, /data must be an array or typed array of numbers/, /got Object/],
  }),
  onStandardWorld({
    name: 'loadStateDict: too few values in the last entry',
    args: (w) => stateWithLast(w, { shape: [16], data: new Array(15).fill(0) }),
    call: (w, state) => load(w, state),
    expect: [/"bias_hh_l0"/, /expected 16 values/, /got 15/],
  }),
  onStandardWorld({
    name: 'loadStateDict: a missing key (strict)',
    args: (w) => {
      const state = fullState(w);
      delete state.bias_hh_l0;
      return state;
    },
    call: (w, state) => load(w, state),
    expect: [/LSTM\.loadStateDict/, /missing key "bias_hh_l0"/, /expected shape \[16\]/],
  }),
  onStandardWorld({
    name: 'loadStateDict: an unexpected key (strict)',
    args: (w) => ({ ...fullState(w), weight_ih_l1: { shape: [16, 4], data: new Array(64).fill(0) } }),
    call: (w, state) => load(w, state),
    expect: [
      /LSTM\.loadStateDict/,
      /unexpected key "weight_ih_l1"/,
      /the module's keys are weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0/,
    ],
  }),
  onStandardWorld({
    name: 'loadStateDict: options.strict is not a boolean',
    args: (w) => fullState(w),
    call: (w, state) => load(w, state, { strict: 'yes' }),
    expect: [/LSTM\.loadStateDict/, /options\.strict/, /a boolean/, /got "yes"/],
  }),
];
