/**
 * `@recur/datasets`: the real datasets of the Recur examples and demo, shipped in npm packages
 * (nothing is downloaded at run time), with their preprocessing and seeded splits. Pure functions
 * only; Node-only loading of the raw data is in `@recur/datasets/node`.
 *
 * Licences (each package's README): the Boston, SpamAssassin, first-name and births data are under
 * the Open Data Commons PDDL 1.0 (contents CC0 1.0); CMUdict's data is BSD-2-Clause; the @stdlib
 * packages' code is Apache-2.0. See {@link datasets}.
 *
 * @packageDocumentation
 */
export type { AddingBatch, UniformSource } from './adding.js';
export { addingBatch } from './adding.js';
export type { BirthsRow, BirthsSeries, ForecastBatch, ForecastOptions, ForecastTask } from './births.js';
export { birthsSeries, forecastInputSize, forecastTask } from './births.js';
export type { BostonRow, RegressionTable, Standardiser } from './boston.js';
export { bostonFeatureNames, bostonTable, fitStandardiser } from './boston.js';
export type { Day } from './calendar.js';
export {
  calendarFeatureCount,
  calendarFeatures,
  specialDayNames,
  specialDays,
  weekdayOf,
} from './calendar.js';
export type { Pronunciation } from './cmudict.js';
export { editDistance, letters, phonemes, pronunciations } from './cmudict.js';
export type { DatasetInfo, DatasetName } from './licences.js';
export { datasets } from './licences.js';
export type { ListedName, NameList, TeacherForcing } from './names.js';
export {
  decodeName,
  encodeName,
  listedNames,
  NAME_BOUNDARY,
  nameAlphabet,
  nameLists,
  teacherForcing,
} from './names.js';
export type { Mail, RawMail } from './spam.js';
export { mailBodyText, mailSubject, prepareMail, tokenize } from './spam.js';
export type { Split } from './split.js';
export { pick, splitIndices } from './split.js';
export type { Vocabulary } from './vocabulary.js';
export { buildVocabulary, PAD, UNK } from './vocabulary.js';
