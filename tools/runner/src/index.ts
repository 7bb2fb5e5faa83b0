/**
 * `@recur/runner` (private): the runner code the demo (in the browser), the examples and the tools
 * share, so each piece has one home: building an RNN, LSTM or GRU by name, the training step, and
 * the adding-problem model with its gradient profile. Node-only: `@recur/runner/node-backends`.
 *
 * @packageDocumentation
 */
export type { AddingModelOptions, GradientProfile } from './adding.js';
export { AddingModel, chronoInit, constantAnswerMse, gradientProfile } from './adding.js';
export type { CellName, PathChoice, Recurrent, RecurrentOutput, RecurrentSpec } from './recurrent.js';
export { cellNames, createRecurrent, runRecurrent, topState } from './recurrent.js';
export { DEFAULT_CLIP_NORM, optimisationStep } from './train.js';
