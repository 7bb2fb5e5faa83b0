/**
 * The readers under fuzzing and their committed sample files, in one place. The strict readers are
 * not yet exported by `@recur/conformance`'s entry point (its `portable.ts` is another change's), so
 * they come from the package source here; once exported, only these lines change to the entry point.
 */

export { committedCasesDir, committedTrainingDir, listCaseFiles } from '@recur/conformance';
export {
  CaseFormatError,
  caseModules,
  parseCaseBytes,
} from '../../../packages/conformance/src/case-format.js';
export {
  parseTrainingBytes,
  TrainingFormatError,
} from '../../../packages/conformance/src/training-format.js';
