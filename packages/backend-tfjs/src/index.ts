/**
 * `@recur/backend-tfjs`: the shared adapter behind Recur's TensorFlow.js backends.
 *
 * Applications use an engine package instead (`@recur/backend-tfjs-cpu`, `@recur/backend-wasm`,
 * `@recur/backend-tfjs-node`, `@recur/backend-webgl`); this package is for those, and for anyone
 * wiring another tfjs backend.
 * It imports no tfjs code at run time: callers pass their `@tensorflow/tfjs-core` namespace.
 *
 * @packageDocumentation
 */
export { createTfjsAdapter, type TfjsAdapterOptions, type TfjsBackend } from './adapter.js';
export { activateTfjsEngine } from './engine.js';
export type { GateProducts } from './fused/cells.js';
export { paddingMask, type Schedule } from './fused/schedule.js';
export {
  type SequenceArgName,
  type SequenceGrads,
  type SequenceKernel,
  type SequenceNode,
  type SequencePlan,
  type StepRows,
  type TfjsOpsKernelOptions,
  tfjsOpsSequenceKernel,
} from './fused/sequence.js';
export type { MatMulFn, ProductActivation, ProductArgs, ProductFn } from './ops/linalg.js';
export { tfjsProduct } from './ops/linalg.js';
export type { GatherGradient } from './ops/shape.js';
export type { TfjsCore, TfTensor } from './tfjs.js';
