/**
 * `@recur/io`: weight files in and out of Recur, as bytes (`Uint8Array`), so the same calls work in
 * Node, browsers and workers. Readers return PyTorch-named tensors that `module.loadStateDict()`
 * accepts; every reader validates lengths, offsets, dtypes and shapes before it allocates, and throws
 * only {@link WeightFileError}.
 *
 * @packageDocumentation
 */
export type {
  Checkpoint,
  CheckpointOptimizer,
  CheckpointOptimizerPart,
  CheckpointParts,
  CheckpointScheduler,
  CheckpointSchedulerPart,
  CheckpointTargets,
  JsonValue,
  RestoreCheckpointOptions,
} from './checkpoint/checkpoint.js';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_METADATA_KEY,
  loadCheckpoint,
  modelGenerators,
  readCheckpoint,
  restoreCheckpoint,
  writeCheckpoint,
} from './checkpoint/checkpoint.js';
export type { WeightFormat } from './errors.js';
export { WeightFileError } from './errors.js';
export { readWeightBytes } from './formats.js';
export { bfloat16ToFloat, float16ToFloat, floatToBfloat16, floatToFloat16 } from './half.js';
export type { InferredKind, InferredModule } from './infer.js';
export { inferModule, MODULE_METADATA_KEY, OPTIONS_METADATA_KEY } from './infer.js';
export type { KerasRead } from './keras/keras3.js';
export { readKeras, readKerasWeights } from './keras/keras3.js';
export type { TfjsWeightData } from './keras/read.js';
export { readTfjsLayers, readTfjsLayersFiles } from './keras/read.js';
export { readOnnx } from './onnx/read.js';
export type { OnnxModuleSource } from './onnx/source.js';
export type { WriteOnnxOptions } from './onnx/write.js';
export { writeOnnx } from './onnx/write.js';
export { readSafetensors } from './safetensors/read.js';
export type { WriteSafetensorsOptions } from './safetensors/write.js';
export { writeSafetensors } from './safetensors/write.js';
export type { StoredDType, WeightFile, WeightTensor } from './tensor-entry.js';
export { readTorch } from './torch/read.js';
