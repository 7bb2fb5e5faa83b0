/**
 * The recurrent part every task shares: an `RNN`, `LSTM` or `GRU` chosen by the controls, with one
 * forward signature for the three. Its one home is `@recur/runner`, shared with the examples.
 */
export type { Recurrent, RecurrentOutput, RecurrentSpec } from '@recur/runner';
export { createRecurrent, runRecurrent, topState } from '@recur/runner';
