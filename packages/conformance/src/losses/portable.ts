/** The loss cases' format and runner, for `@recur/conformance/portable` (no file system, no test runner). */
export type {
  LoadedLossFile,
  LoadedLossFileError,
  LoadedLossFileOk,
  LossCase,
  LossCaseExpected,
  LossCaseOptions,
  LossFile,
  LossName,
} from './format.js';
export {
  LossFormatError,
  loadedLossFile,
  lossNames,
  parseLossBytes,
  parseLossFile,
  parseLossText,
} from './format.js';
export type { LossCaseResult } from './run.js';
export { lossCaseSkipReason, runLossCase } from './run.js';
