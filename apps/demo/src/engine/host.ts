/**
 * An engine: one Recur backend and at most one training session, answering the page's requests
 * (see `protocol.ts`). It runs in a worker (`worker.ts`), or on the page over a MessageChannel
 * where a browser cannot run a backend in a worker. The training loop yields to the event loop
 * after every step, so `pause` and queries are answered between steps.
 */
import { Generator, setDefaultBackend } from '@recur/core';
import { taskGradients } from '../analysis/gradients.js';
import { timeLayersStep } from '../analysis/layers-reference.js';
import { timeRecurStep } from '../analysis/timing.js';
import { vanishingProfile } from '../analysis/vanishing.js';
import { runModule } from '../byo/run.js';
import type { ClassifierModel } from '../tasks/classify.js';
import { femaleProbabilities } from '../tasks/classify.js';
import type { GeneratorModel } from '../tasks/generate.js';
import { nameSplits } from '../tasks/names-data.js';
import { plainState } from '../tasks/task.js';
import type { CreatedBackend } from './backends.js';
import { createBackend } from './backends.js';
import { toFailure } from './failure.js';
import type {
  EngineMessage,
  PlainState,
  ProgressEvent,
  RequestMessage,
  Requests,
  RequestType,
  SampleOptions,
} from './protocol.js';
import { Session } from './session.js';

/** Where an engine reads requests and posts replies: a worker's scope or a MessagePort. */
export interface EnginePort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/** How often the loop reports progress. */
const PROGRESS_EVERY_MS = 100;

/** Resolves on the next macrotask: lets messages in without setTimeout's 4 ms clamp. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** The typed arrays inside a state, to transfer rather than copy. */
function buffers(state: PlainState): Transferable[] {
  return Object.values(state).map((entry) => entry.data.buffer as ArrayBuffer);
}

/** Serves requests arriving on `port` until the page terminates the engine. */
export function serveEngine(port: EnginePort): void {
  let created: CreatedBackend | undefined;
  let session: Session | undefined;
  let sampleOptions: SampleOptions = { list: 0, temperature: 0.8, count: 8 };
  let loop: { stop: boolean; done: Promise<void> } | undefined;

  const post = (message: EngineMessage, transfer: Transferable[] = []) => port.postMessage(message, transfer);
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`engine: ${what} first`);
    return value;
  };

  const stopLoop = async () => {
    if (loop === undefined) return;
    loop.stop = true;
    await loop.done;
    loop = undefined;
  };

  const runLoop = async (s: Session, evaluateEveryMs: number) => {
    const state = { stop: false, done: Promise.resolve() };
    loop = state;
    let losses: number[] = [];
    let windowStart = performance.now();
    let windowSteps = 0;
    let windowPaused = 0;
    let lastEvaluation = performance.now();
    let evaluations = 0;
    let rate = 0;
    /** Typical milliseconds of one step, once one has been timed after the warm-up. */
    let typical: number | undefined;
    const flush = (warmingUp = false) => {
      const now = performance.now();
      const elapsed = now - windowStart - windowPaused;
      if (windowSteps > 0 && elapsed > 0) rate = (1000 * windowSteps) / elapsed;
      const event: ProgressEvent = {
        type: 'progress',
        step: s.step,
        losses,
        stepsPerSecond: rate,
        path: s.model.recurrent.lastPath ?? 'none',
        warmingUp,
      };
      post(event);
      losses = [];
      windowStart = now;
      windowSteps = 0;
      windowPaused = 0;
    };
    state.done = (async () => {
      try {
        // The first steps on a fresh model compile (webgl's shaders) or tier up: say so before each
        // blocks, and keep their time, and that of any later step far slower than the fast ones (a
        // new sequence length to compile), out of the steps per second.
        while (!state.stop) {
          const warming = s.warmupLeft > 0;
          if (warming) flush(true);
          const stepStart = performance.now();
          const loss = s.trainStep();
          const ms = performance.now() - stepStart;
          losses.push(loss);
          if (warming) {
            s.warmupLeft--;
            windowPaused += ms;
          } else if (typical !== undefined && ms > 50 && ms > 5 * typical) {
            windowPaused += ms;
          } else {
            windowSteps++;
            // Follows the fast steps down at once and drifts up slowly, so one slow step cannot set it.
            typical = typical === undefined ? ms : Math.min(ms, typical * 1.05);
          }
          if (!Number.isFinite(loss)) {
            flush();
            throw new Error(
              `the training loss became ${loss} at step ${s.step}: the learning rate is too high for this model`,
            );
          }
          if (performance.now() - windowStart >= PROGRESS_EVERY_MS) flush();
          // The first evaluations come sooner: the loss falls fastest at the start.
          const interval = evaluations < 4 ? evaluateEveryMs / 4 : evaluateEveryMs;
          if (performance.now() - lastEvaluation >= interval) {
            evaluations++;
            const start = performance.now();
            const evaluation = s.evaluate(sampleOptions);
            const weights = plainState(s.model);
            post({ type: 'evaluation', evaluation, state: weights }, buffers(weights));
            lastEvaluation = performance.now();
            windowPaused += lastEvaluation - start;
          }
          await nextTask();
        }
        if (losses.length > 0) flush();
      } catch (error) {
        post({ type: 'failed', failure: toFailure(error) });
      }
    })();
    await Promise.resolve();
  };

  const handlers: { [K in RequestType]: (args: Requests[K]['args']) => Promise<Requests[K]['result']> } = {
    async init({ backend }) {
      created = await createBackend(backend);
      setDefaultBackend(created.backend);
      return { detail: created.detail, fusedCells: [...(created.backend.fused?.cells ?? [])] };
    },
    async setup({ task, config, state, step, sampleOptions: options }) {
      need(created, 'init');
      await stopLoop();
      session?.dispose();
      session = undefined;
      sampleOptions = options;
      const s = new Session(task, config, state, step);
      session = s;
      return { parameters: s.parameterCount, evaluation: s.evaluate(sampleOptions) };
    },
    async train({ evaluateEveryMs }) {
      const s = need(session, 'setup');
      await stopLoop();
      await runLoop(s, evaluateEveryMs);
      return null;
    },
    async pause() {
      const s = need(session, 'setup');
      await stopLoop();
      return { step: s.step, state: plainState(s.model), evaluation: s.evaluate(sampleOptions) };
    },
    async setLearning({ lr, batch }) {
      need(session, 'setup').setLearning(lr, batch);
      return null;
    },
    async classifyName({ name }) {
      const s = need(session, 'setup');
      if (s.task.name !== 'classify') throw new Error('engine: the loaded model is not the classifier');
      const female = femaleProbabilities(s.model as unknown as ClassifierModel, [name])[0]!;
      return { female, lists: nameSplits(s.config.seed).listsOf.get(name) ?? [] };
    },
    async sample(options) {
      sampleOptions = options;
      const s = need(session, 'setup');
      if (s.task.name !== 'generate') throw new Error('engine: the loaded model is not the generator');
      const model = s.model as unknown as GeneratorModel;
      const samples = model.sample(
        options.list,
        options.count,
        options.temperature,
        new Generator(s.config.seed + 1),
      );
      return { samples };
    },
    async gradients(args) {
      need(created, 'init');
      return taskGradients(args);
    },
    async timeStep({ task, config, path, reps }) {
      need(created, 'init');
      if (path === 'tfjs-layers') {
        if (!('engine' in created!.backend)) throw new Error('engine: tfjs-layers needs a tfjs engine');
        return { medianMs: await timeLayersStep(task, config, reps, nextTask), path };
      }
      return timeRecurStep(task, config, path, reps, nextTask);
    },
    async vanishing(args) {
      need(created, 'init');
      return vanishingProfile(args, nextTask);
    },
    async runModule(args) {
      need(created, 'init');
      return runModule(args);
    },
    async loseContext() {
      const lose = need(created, 'init').loseContext;
      if (lose === undefined) throw new Error('engine: only webgl has a context to lose');
      lose();
      return null;
    },
  };

  port.addEventListener('message', (event: MessageEvent) => {
    const request = event.data as RequestMessage;
    const handler = handlers[request.type] as (args: unknown) => Promise<unknown>;
    handler(request.args).then(
      (result) => {
        const transfer =
          request.type === 'pause' ? buffers((result as Requests['pause']['result']).state) : [];
        post({ type: 'reply', id: request.id, result }, transfer);
      },
      (error: unknown) => post({ type: 'reply', id: request.id, failure: toFailure(error) }),
    );
  });
}
