/** The readers under fuzzing and their committed sample files, in one place. */

export {
  CaseFormatError,
  caseModules,
  committedCasesDir,
  committedTrainingDir,
  listCaseFiles,
  parseCaseBytes,
  parseTrainingBytes,
  TrainingFormatError,
} from '@recur/conformance';
