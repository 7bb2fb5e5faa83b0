/**
 * `@recur/conformance`: the checks every Recur backend must pass. This entry point has no test-runner
 * dependency (the command line uses it) and reads case files from disk (Node);
 * `@recur/conformance/portable` is the same without the file system (browsers),
 * `@recur/conformance/vitest` adds `describeBackend`, and `@recur/conformance/vitest-browser` is
 * `describeBackend` for vitest browser mode.
 */

export {
  committedCasesDir,
  committedTrainingDir,
  committedWeightCasesDir,
  listCaseFiles,
  loadCases,
  loadTrainingFixtures,
  readJsonFiles,
} from './load-cases.js';
export { committedLossesDir, loadLossFiles } from './losses/load.js';
export * from './portable.js';
