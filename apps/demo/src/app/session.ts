/** What the page keeps of each task's training: history for the charts and the latest weights. */
import type { BackendName, Evaluation, ModelConfig, PlainState, TaskName } from '../engine/protocol.js';
import type { Point } from '../ui/charts.js';

/** One task's training as the page sees it. */
export interface TaskSession {
  readonly task: TaskName;
  /** The config the current model was built with (none before the first setup). */
  config?: ModelConfig;
  parameters: number;
  /** Steps trained so far, across backends. */
  step: number;
  /**
   * The latest weights the page holds (sent with each evaluation, every second or so): what a
   * switch of backend, a lost context or a page-side restart continues from. None: the seed's.
   */
  checkpoint?: { readonly step: number; readonly state: PlainState };
  /** The engine whose live model (and Adam state) is this session's, if any. */
  holder?: BackendName;
  /** Training loss by step, one series per backend it ran on. */
  readonly train: Map<BackendName, Point[]>;
  /** Validation loss by step. */
  readonly validation: Point[];
  /** The first and the latest validation pass. */
  firstEvaluation?: Evaluation;
  evaluation?: Evaluation;
  stepsPerSecond: number;
  /** The engine is running a fresh model's first step (compiling, on webgl). */
  warmingUp?: boolean;
  /** `module.lastPath` reported by the engine. */
  path?: string;
}

/** A session with no model yet. */
export function emptySession(task: TaskName): TaskSession {
  return { task, parameters: 0, step: 0, train: new Map(), validation: [], stepsPerSecond: 0 };
}

/** Forgets everything after `step` (after a failure, training goes on from the checkpoint). */
export function rewind(session: TaskSession, step: number): void {
  session.step = step;
  for (const series of session.train.values()) {
    while (series.length > 0 && series[series.length - 1]!.x > step) series.pop();
  }
  while (session.validation.length > 0 && session.validation[session.validation.length - 1]!.x > step) {
    session.validation.pop();
  }
}

/** The validation pass with the lowest loss so far, if any. */
export function bestValidation(session: TaskSession): { x: number; y: number } | undefined {
  let best: { x: number; y: number } | undefined;
  for (const p of session.validation)
    if (p.y !== null && (best === undefined || p.y < best.y)) best = { x: p.x, y: p.y };
  return best;
}

/** Whether two configs build the same model (the rest — lr, batch, path — can change under it). */
export function sameArchitecture(a: ModelConfig, b: ModelConfig): boolean {
  return (
    a.cell === b.cell &&
    a.hidden === b.hidden &&
    a.layers === b.layers &&
    a.bidirectional === b.bidirectional &&
    a.seed === b.seed
  );
}
