/**
 * The page's training controller: start, stop, resume, reset, switch backend or task. Actions run
 * one at a time (a queue), so quick clicks never interleave two engine conversations; each click
 * changes the visible state at once and the engine catches up.
 */
import type { EngineClient, EngineEvent } from '../engine/client.js';
import { EngineError } from '../engine/client.js';
import { plainFailure } from '../engine/failure.js';
import type {
  BackendName,
  Evaluation,
  Failure,
  ModelConfig,
  PlainState,
  SampleOptions,
  TaskName,
} from '../engine/protocol.js';
import { taskNames } from '../engine/protocol.js';
import type { Engines } from './engines.js';
import type { TaskSession } from './session.js';
import { bestValidation, emptySession, rewind, sameArchitecture } from './session.js';
import type { Validation } from './validate.js';

/** What the controls allow right now. */
export type TrainingState = 'idle' | 'ready' | 'training' | 'busy';

/** What changed, so views redraw only their part. */
export type Change = 'state' | 'progress' | 'evaluation' | 'session' | 'log' | 'backend';

/** A message in the page's log, with how to show it. */
export interface LogEntry {
  readonly text: string;
  readonly level: 'info' | 'warning' | 'error';
}

/** Evaluate (and send the weights to the page) about this often while training. */
const EVALUATE_EVERY_MS = 1000;

/** Early stopping: stop once this many validation passes in a row have not beaten the best. */
export const EARLY_STOP_PATIENCE = 10;

/** The controller. */
export class Trainer {
  state: TrainingState = 'idle';
  task: TaskName = 'classify';
  active: BackendName = 'js';
  sampleOptions: SampleOptions = { list: 0, temperature: 0.8, count: 10 };
  /** Stop training once the validation loss has not improved for {@link EARLY_STOP_PATIENCE} passes. */
  earlyStopping = false;
  readonly sessions: Record<TaskName, TaskSession>;
  readonly log: LogEntry[] = [];
  /** The latest failure, shown prominently until the next successful start. */
  failure: { backend: BackendName; failure: Failure; step: number } | undefined;
  private queue: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private readonly listeners = new Set<(change: Change) => void>();

  constructor(
    private readonly engines: Engines,
    /** Reads and checks the controls for the current task. */
    private readonly readControls: () => Validation,
  ) {
    this.sessions = Object.fromEntries(taskNames.map((t) => [t, emptySession(t)])) as Record<
      TaskName,
      TaskSession
    >;
    // A model lives only as long as its engine: once an engine stops or restarts, resuming must
    // rebuild the model there (or elsewhere) from the weights the page holds.
    engines.onChange(() => {
      for (const t of taskNames) {
        const holder = this.sessions[t].holder;
        if (holder !== undefined && engines.status(holder).state !== 'ready')
          this.sessions[t].holder = undefined;
      }
    });
  }

  /** Whether the current task has a model the shape fields belong to (trained, or training). */
  get hasModel(): boolean {
    return this.session.config !== undefined && (this.session.step > 0 || this.state === 'training');
  }

  /** The current task's session. */
  get session(): TaskSession {
    return this.sessions[this.task];
  }

  /** Listens to changes. */
  onChange(listener: (change: Change) => void): void {
    this.listeners.add(listener);
  }

  /** Adds a line to the log. */
  note(text: string, level: LogEntry['level'] = 'info'): void {
    this.log.push({ text, level });
    if (this.log.length > 200) this.log.shift();
    this.emit('log');
  }

  /** Start, or resume after stop. */
  start(): Promise<void> {
    return this.enqueue(() => this.startNow());
  }

  /** Stops after the current step; the weights stay (Resume goes on). */
  stop(): Promise<void> {
    return this.enqueue(() => this.pauseNow());
  }

  /** A new model from the seed, with an empty history. */
  reset(): Promise<void> {
    return this.enqueue(async () => {
      await this.pauseNow();
      const task = this.task;
      this.sessions[task] = emptySession(task);
      for (const t of taskNames)
        if (this.sessions[t].holder === this.active) this.sessions[t].holder = undefined;
      this.emit('session');
      await this.setupNow();
      this.setState('ready');
    });
  }

  /** Makes `backend` the active one; training goes on there with the same weights. */
  selectBackend(backend: BackendName): Promise<void> {
    return this.enqueue(async () => {
      if (backend === this.active) return;
      if (this.engines.status(backend).state !== 'ready') {
        this.note(`${backend} is not available here`, 'warning');
        this.emit('backend');
        return;
      }
      const wasTraining = this.state === 'training';
      const previous = this.active;
      // The choice shows at once; the pause below still talks to the engine that holds the model.
      this.active = backend;
      this.emit('backend');
      if (wasTraining) await this.pauseNow();
      if (this.session.config !== undefined) {
        this.note(
          `step ${this.session.step}: switched ${previous} → ${backend}; the weights carry over ` +
            "(stateDict → loadStateDict); Adam's moments start afresh",
        );
      }
      if (wasTraining) await this.startNow();
    });
  }

  /** Shows another task; the current one stops (its weights and history stay). */
  selectTask(task: TaskName): Promise<void> {
    return this.enqueue(async () => {
      if (task === this.task) return;
      await this.pauseNow();
      this.task = task;
      this.setState(this.session.config === undefined ? 'idle' : 'ready');
      this.emit('session');
    });
  }

  /** Sends a new learning rate and batch size to a running model. */
  async updateLearning(config: ModelConfig): Promise<void> {
    const holder = this.session.holder;
    if (holder === undefined || this.session.config === undefined) return;
    this.session.config = { ...this.session.config, lr: config.lr, batch: config.batch };
    await this.engines.client(holder).request('setLearning', { lr: config.lr, batch: config.batch });
  }

  /** The engine that holds the current model (for queries), if it is loaded and ready. */
  holderClient(): EngineClient | undefined {
    const holder = this.session.holder;
    return holder === undefined || this.engines.status(holder).state !== 'ready'
      ? undefined
      : this.engines.client(holder);
  }

  /**
   * Pauses training (if running) for the duration of `work`, then resumes it. The analysis panels
   * use this: their measurements would otherwise compete with training for the same cores.
   */
  withTrainingPaused<T>(work: () => Promise<T>): Promise<T> {
    let result!: T;
    return this.enqueue(async () => {
      const wasTraining = this.state === 'training';
      if (wasTraining) await this.pauseNow();
      this.setState('busy');
      try {
        result = await work();
      } finally {
        this.setState(this.session.config === undefined ? 'idle' : 'ready');
        if (wasTraining) await this.startNow();
      }
    }).then(() => result);
  }

  /** The weights to analyse: the current model's latest, or none (the seed's) before training. */
  currentWeights(): { config: ModelConfig | undefined; state: PlainState | undefined } {
    return { config: this.session.config, state: this.session.checkpoint?.state };
  }

  // ---- the actions themselves (run inside the queue) ------------------------------------------------

  private async startNow(): Promise<void> {
    if (this.state === 'training') return;
    const checked = this.readControls();
    if (!checked.ok) {
      this.note('fix the highlighted settings first', 'warning');
      return;
    }
    const session = this.session;
    if (session.config !== undefined && !sameArchitecture(session.config, checked.config)) {
      // Never drop a trained model without being asked: a new shape needs Reset, an explicit choice.
      if (session.step > 0) {
        this.note(
          `the shape settings differ from the model trained to step ${session.step}: press Reset to start a ` +
            'new model with them, or set them back to resume',
          'warning',
        );
        return;
      }
      // An untrained model is only the seed's weights: nothing is lost by building the new shape.
      this.sessions[this.task] = emptySession(this.task);
      this.emit('session');
    }
    const engine = this.engines.client(this.active);
    this.setState('busy');
    try {
      const current = this.session;
      const config = checked.config;
      const carried =
        current.holder === this.active && current.config !== undefined && current.config.path === config.path;
      if (!carried) {
        await this.setupNow();
      } else if (current.config!.lr !== config.lr || current.config!.batch !== config.batch) {
        await this.updateLearning(config);
      }
      this.failure = undefined;
      this.listen(engine, current);
      await engine.request('train', { evaluateEveryMs: EVALUATE_EVERY_MS });
      this.setState('training');
    } catch (error) {
      this.handleFailure(this.active, error);
    }
  }

  /** Builds the model on the active engine from the checkpoint (or the seed), at the session's step. */
  private async setupNow(): Promise<void> {
    const checked = this.readControls();
    if (!checked.ok) {
      this.setState(this.session.config === undefined ? 'idle' : 'ready');
      return;
    }
    const session = this.session;
    const engine = this.engines.client(this.active);
    this.setState('busy');
    const { parameters, evaluation } = await engine.request('setup', {
      task: this.task,
      config: checked.config,
      state: session.checkpoint?.state,
      step: session.step,
      sampleOptions: this.sampleOptions,
    });
    for (const t of taskNames)
      if (this.sessions[t].holder === this.active) this.sessions[t].holder = undefined;
    session.holder = this.active;
    session.config = checked.config;
    session.parameters = parameters;
    this.recordEvaluation(session, evaluation);
  }

  private async pauseNow(): Promise<void> {
    if (this.state !== 'training') return;
    const session = this.session;
    const backend = session.holder ?? this.active;
    this.setState('busy');
    try {
      const { step, state, evaluation } = await this.engines.client(backend).request('pause', {});
      session.step = step;
      session.checkpoint = { step, state };
      this.recordEvaluation(session, evaluation);
      this.setState('ready');
    } catch (error) {
      this.handleFailure(backend, error);
    } finally {
      this.unsubscribe?.();
      this.unsubscribe = undefined;
    }
  }

  private listen(engine: EngineClient, session: TaskSession): void {
    this.unsubscribe?.();
    this.unsubscribe = engine.onEvent((event) => this.receive(engine.backend, session, event));
  }

  private receive(backend: BackendName, session: TaskSession, event: EngineEvent): void {
    if (event.type === 'progress') {
      const series = session.train.get(backend) ?? [];
      session.train.set(backend, series);
      event.losses.forEach((loss, i) => {
        series.push({ x: event.step - event.losses.length + i + 1, y: loss });
      });
      session.step = event.step;
      session.stepsPerSecond = event.stepsPerSecond;
      session.warmingUp = event.warmingUp === true;
      session.path = event.path;
      if (session === this.session) this.emit('progress');
    } else if (event.type === 'evaluation') {
      session.checkpoint = { step: event.evaluation.step, state: event.state };
      this.recordEvaluation(session, event.evaluation);
    } else {
      this.unsubscribe?.();
      this.unsubscribe = undefined;
      this.handleFailure(backend, new EngineError(event.failure));
    }
  }

  private recordEvaluation(session: TaskSession, evaluation: Evaluation): void {
    session.evaluation = evaluation;
    session.firstEvaluation ??= evaluation;
    const last = session.validation[session.validation.length - 1];
    if (last === undefined || last.x !== evaluation.step)
      session.validation.push({ x: evaluation.step, y: evaluation.valLoss });
    if (session === this.session) this.emit('evaluation');
    if (this.earlyStopping && this.state === 'training' && session === this.session) {
      const best = bestValidation(session)!;
      const since = session.validation.filter((p) => p.x > best.x).length;
      if (since >= EARLY_STOP_PATIENCE) {
        void this.enqueue(async () => {
          if (this.state !== 'training' || session !== this.session) return;
          await this.pauseNow();
          this.note(
            `stopped early at step ${session.step}: the validation loss has not improved for ${since} passes; ` +
              `its best was ${best.y.toPrecision(3)} at step ${best.x} (marked ★ on the chart)`,
          );
        });
      }
    }
  }

  /** Stops, goes back to the last weights the page holds, and says what happened and what to do. */
  private handleFailure(backend: BackendName, error: unknown): void {
    const failure: Failure =
      error instanceof EngineError ? error.failure : { kind: 'error', message: (error as Error).message };
    const session = this.session;
    const step = session.checkpoint?.step ?? 0;
    this.failure = { backend, failure, step };
    session.holder = undefined;
    if (session.checkpoint === undefined) {
      this.sessions[this.task] = { ...emptySession(this.task), config: session.config };
      this.emit('session');
    } else {
      rewind(session, step);
    }
    if (failure.fatal || failure.kind !== 'error') this.engines.markBroken(backend, failure);
    this.note(plainFailure(backend, failure), 'error');
    this.setState(this.session.config === undefined ? 'idle' : 'ready');
  }

  private enqueue(action: () => Promise<void>): Promise<void> {
    const next = this.queue.then(action, action);
    this.queue = next.catch((error: unknown) =>
      this.note(String((error as Error).message ?? error), 'error'),
    );
    return this.queue;
  }

  private setState(state: TrainingState): void {
    this.state = state;
    this.emit('state');
  }

  private emit(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }
}
