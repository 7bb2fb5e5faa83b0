/**
 * `@recur/conformance/portable`: everything of the main entry that runs anywhere (browsers,
 * workers), i.e. all but reading case files from disk. The command line's browser page uses it.
 */

export type {
  AnyOptimizer,
  BadInputCase,
  BadInputEnv,
  BadInputNeed,
  BadInputWorld,
  StandardCaseSpec,
  StandardWorld,
} from './bad-input-matrix.js';
export {
  badInputCases,
  badInputSkipReason,
  emptyWorld,
  onStandardWorld,
  runBadInputCase,
  standardWorld,
} from './bad-input-matrix.js';
export type { CaseModuleInstance } from './build-module.js';
export { buildModule } from './build-module.js';
export type {
  CaseModule,
  CaseOptions,
  CaseTensor,
  ConformanceCase,
  LoadedCase,
  ParseCaseOptions,
} from './case-format.js';
export {
  CaseFormatError,
  caseModules,
  loadedCase,
  parseCase,
  parseCaseBytes,
  parseCaseText,
} from './case-format.js';
export type { ErrorStats, Tolerance } from './compare.js';
export { compareValues } from './compare.js';
export type { EngineCheck } from './engine-checks.js';
export { engineChecks } from './engine-checks.js';
export type { FileTensor } from './format-checks.js';
export { trainingLoopLeak } from './leak-check.js';
export * from './losses/portable.js';
export type { PrimitiveCheck } from './primitive-checks.js';
export { finiteDifference, primitiveChecks, runPrimitiveCheck } from './primitive-checks.js';
export type { CaseComputation, CaseResult, RunCaseOptions } from './run-case.js';
export { compareComputation, computeCase, expectedValues, runCase } from './run-case.js';
export type { TrainingResult } from './run-training.js';
export { runTrainingFixture } from './run-training.js';
export { defaultTolerances } from './tolerances.js';
export type { TrainingFixture, TrainingLayer, TrainingStep } from './training-format.js';
export {
  parseTrainingBytes,
  parseTrainingFixture,
  parseTrainingText,
  TrainingFormatError,
  trainingModules,
} from './training-format.js';
