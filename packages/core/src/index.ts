/**
 * `@recur/core`: PyTorch's recurrent modules (`RNN`, `LSTM`, `GRU` and their cells) with PyTorch's
 * parameter names, initialisation and semantics, over any backend implementing {@link Backend}.
 */

export type { BackwardOptions, ValueAndGradsResult } from './autograd.js';
export { backward, valueAndGrads } from './autograd.js';
export type {
  Backend,
  BinaryOp,
  CellKind,
  DType,
  FusedKernels,
  SequenceArgs,
  SequenceResult,
  TypedArray,
  UnaryOp,
  ValueAndGrads,
} from './backend.js';
export { assertFinite, firstNonFinite, NonFiniteError, setCheckFinite } from './check-finite.js';
export { getDefaultBackend, setDefaultBackend, usedBackends } from './default-backend.js';
export { formatShape, ShapeError } from './errors.js';
export type {
  BCELossOptions,
  BCEWithLogitsLossOptions,
  CrossEntropyOptions,
  HuberLossOptions,
  LossOptions,
  NLLLossOptions,
  Reduction,
  SmoothL1LossOptions,
} from './loss/index.js';
export {
  BCELoss,
  BCEWithLogitsLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  CrossEntropyLoss,
  crossEntropy,
  HuberLoss,
  huberLoss,
  L1Loss,
  l1Loss,
  MSELoss,
  mseLoss,
  NLLLoss,
  nllLoss,
  SmoothL1Loss,
  smoothL1Loss,
} from './loss/index.js';
export { dispose, keep, tidy } from './memory.js';
export { ModuleDict, ModuleList, Sequential } from './nn/containers.js';
export { Dropout } from './nn/dropout.js';
export type { EmbeddingOptions } from './nn/embedding.js';
export { Embedding } from './nn/embedding.js';
export type { Indices } from './nn/indices.js';
export { indices } from './nn/indices.js';
export type { FanMode, InitOptions, KaimingOptions, Nonlinearity } from './nn/init.js';
export * as init from './nn/init.js';
export type { LayerNormOptions } from './nn/layer-norm.js';
export { LayerNorm } from './nn/layer-norm.js';
export type { LinearOptions } from './nn/linear.js';
export { Linear } from './nn/linear.js';
export type { ModuleOptions } from './nn/module.js';
export { Module } from './nn/module.js';
export { Parameter } from './nn/parameter.js';
export type { StateDict, TensorData } from './nn/state-dict.js';
export { stateDictToJSON } from './nn/state-dict.js';
export type { AdagradGroupOptions, AdagradOptions, AdagradState } from './optim/adagrad.js';
export { Adagrad } from './optim/adagrad.js';
export type { AdamGroupOptions, AdamOptions, AdamState } from './optim/adam.js';
export { Adam, AdamW } from './optim/adam.js';
export type { ClipGradNormOptions } from './optim/clip.js';
export { clipGradNorm, clipGradValue } from './optim/clip.js';
export * as lrScheduler from './optim/lr-scheduler.js';
export type {
  GroupParams,
  OptimizerOptions,
  OptimizerStateDict,
  OptimizerStateEntry,
  ParameterState,
  ParameterUpdate,
  ParamGroup,
  ParamGroupInput,
  SchedulerGroupKeys,
  StateKeys,
} from './optim/optimizer.js';
export { Optimizer, optimizerStateDictToJSON } from './optim/optimizer.js';
export type { RMSpropGroupOptions, RMSpropOptions, RMSpropState } from './optim/rmsprop.js';
export { RMSprop } from './optim/rmsprop.js';
export type { SGDGroupOptions, SGDOptions, SGDState } from './optim/sgd.js';
export { SGD } from './optim/sgd.js';
export type { GeneratorState } from './random.js';
export { defaultGenerator, Generator, manualSeed } from './random.js';
export type { CellOptions, RNNCellOptions } from './rnn/cells.js';
export { GRUCell, LSTMCell, RNNCell } from './rnn/cells.js';
export type { CellWeights } from './rnn/composed.js';
export { gruStep, lstmStep, rnnStep } from './rnn/composed.js';
export { GRU, LSTM, RNN } from './rnn/modules.js';
export type { GRUOptions, LSTMOptions, RNNBaseOptions, RNNOptions, SequencePath } from './rnn/options.js';
export { PackedSequence, packPaddedSequence, padPackedSequence } from './rnn/packed.js';
export type { ForwardOptions, RecurrentResult } from './rnn/rnn-base.js';
export { RNNBase } from './rnn/rnn-base.js';
export type { TakenPath } from './rnn/sequence.js';
export type { PackSequenceOptions, PadSequenceOptions, UnpadSequenceOptions } from './rnn/sequence-utils.js';
export { packSequence, padSequence, unpackSequence, unpadSequence } from './rnn/sequence-utils.js';
export { backendLabel, checkLiveTensor } from './tensor/check.js';
export type { TensorOptions } from './tensor/create.js';
export { full, ones, rand, randn, tensor, tensorLike, zeros } from './tensor/create.js';
export * as ops from './tensor/ops.js';
export { MAX_TENSOR_ELEMENTS, sizeOf } from './tensor/shape.js';
export type { AnyBackend } from './tensor/tensor.js';
export { Tensor } from './tensor/tensor.js';
