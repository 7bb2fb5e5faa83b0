/**
 * `@recur/conformance`: the checks every Recur backend must pass. This entry point has no test-runner
 * dependency (the command line uses it); `@recur/conformance/vitest` adds `describeBackend`.
 */

export { buildModule } from './build-module.js';
export type { CaseModule, CaseTensor, ConformanceCase } from './case-format.js';
export { caseModules, parseCase } from './case-format.js';
export type { ErrorStats, Tolerance } from './compare.js';
export { compareValues } from './compare.js';
export { trainingLoopLeak } from './leak-check.js';
export type { LoadedCase } from './load-cases.js';
export {
  committedCasesDir,
  committedTrainingDir,
  listCaseFiles,
  loadCases,
  readJsonFiles,
} from './load-cases.js';
export type { PrimitiveCheck } from './primitive-checks.js';
export { finiteDifference, primitiveChecks, runPrimitiveCheck } from './primitive-checks.js';
export type { CaseComputation, CaseResult, RunCaseOptions } from './run-case.js';
export { compareComputation, computeCase, expectedValues, runCase } from './run-case.js';
export type { TrainingFixture, TrainingResult } from './run-training.js';
export { runTrainingFixture } from './run-training.js';
export { defaultTolerances } from './tolerances.js';
