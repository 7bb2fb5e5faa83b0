/**
 * `@recur/bench`: the benchmark behind `pnpm bench`, and a helper for other tools.
 *
 * Importing this entry point loads no engine, no chart library and no Python: only `@recur/core`.
 *
 * @packageDocumentation
 */
export {
  type MeasureTrainStepOptions,
  measureTrainStep,
  type StepTiming,
  type TrainStepTiming,
  timeSteps,
} from './measure.js';
export type { BenchDocument, MachineInfo, RatioRow, ResultRow, RunSettings, Status } from './results.js';
export { type Cell, flopsPerStep, type Mode, type Workload, workloads } from './workloads.js';
