/**
 * The messages between the page and an engine (one per backend, each in its own worker). Every
 * request carries an id and gets one reply; training sends events as it goes. Only plain data and
 * typed arrays cross, so the same protocol runs over a worker or a MessageChannel on the page.
 */

import type { InferredKind } from '@recur/io';

/** The backends the demo knows how to create, in the order the page lists them. */
export const backendNames = ['js', 'wasm', 'tfjs-cpu', 'webgl'] as const;
/** One of {@link backendNames}. */
export type BackendName = (typeof backendNames)[number];

/** The three tasks, one per sequence shape. */
export const taskNames = ['classify', 'generate', 'forecast'] as const;
/** One of {@link taskNames}. */
export type TaskName = (typeof taskNames)[number];

/** Recurrent cell kinds (`rnn`, `lstm`, `gru`) and the path choice, as `@recur/runner` names them. */
export type { CellName, PathChoice } from '@recur/runner';

import type { CellName, PathChoice } from '@recur/runner';

/** Everything that defines a model and its training, validated on the page before it is sent. */
export interface ModelConfig {
  readonly cell: CellName;
  readonly hidden: number;
  readonly layers: number;
  readonly bidirectional: boolean;
  readonly lr: number;
  readonly batch: number;
  readonly seed: number;
  readonly path: PathChoice;
}

/** Named parameter values, as plain data (what `stateDict()` holds, copied to the host). */
export type PlainState = Record<string, { shape: number[]; data: Float32Array | Float64Array }>;

/** How a failure is shown: a lost WebGL context and running out of memory get their own message. */
export type FailureKind = 'context-lost' | 'out-of-memory' | 'error';

/** A failure as it crosses to the page. */
export interface Failure {
  readonly kind: FailureKind;
  readonly message: string;
  /** The engine itself is gone (its worker died): it must be restarted. */
  readonly fatal?: boolean;
}

/** What the page may ask the generator view to show with every evaluation. */
export interface SampleOptions {
  /** 0 female, 1 male. */
  readonly list: number;
  readonly temperature: number;
  readonly count: number;
}

/** Task-specific output of an evaluation, drawn by the task's view. */
export type TaskView =
  | {
      readonly task: 'classify';
      readonly accuracy: number;
      /** Accuracy of always answering the more common list. */
      readonly majority: number;
    }
  | { readonly task: 'generate'; readonly samples: string[]; readonly bitsPerChar: number }
  | {
      readonly task: 'forecast';
      /** ISO dates of the plotted held-out days. */
      readonly days: string[];
      readonly actual: number[];
      readonly model: number[];
      readonly naive: number[];
      /** Mean absolute error in births over the validation windows. */
      readonly modelMae: number;
      readonly naiveMae: number;
      /** The years held out from training. */
      readonly heldOutYears: number[];
      /** Windows the errors average over. */
      readonly windows: number;
    };

/** A validation pass. */
export interface Evaluation {
  readonly step: number;
  readonly valLoss: number;
  readonly view: TaskView;
}

/** What to run: the module, its weights and the sampled input's size. */
export interface RunModuleArgs {
  readonly kind: InferredKind;
  readonly options: Record<string, unknown>;
  readonly state: PlainState;
  /** Time steps (ignored by cells, which take one step). */
  readonly seqLen: number;
  readonly batch: number;
  readonly seed: number;
}

/** What ran and what came out. */
export interface RunModuleResult {
  readonly inputShape: number[];
  readonly outputShape: number[];
  /** The first values of the output, row-major. */
  readonly first: number[];
  /** `module.lastPath` (`fused`/`composed`), or `cell` for a single cell step. */
  readonly path: string;
}

/** Requests, by `type`, with the result each one answers with. */
export interface Requests {
  init: { args: { backend: BackendName }; result: { detail: string; fusedCells: string[] } };
  setup: {
    args: {
      task: TaskName;
      config: ModelConfig;
      state?: PlainState;
      step: number;
      sampleOptions: SampleOptions;
    };
    result: { parameters: number; evaluation: Evaluation };
  };
  /** Starts the training loop; it runs until `pause`, sending `progress` and `evaluation` events. */
  train: { args: { evaluateEveryMs: number }; result: null };
  /** Stops the loop after the current step; answers with the weights and a final evaluation. */
  pause: { args: Record<string, never>; result: { step: number; state: PlainState; evaluation: Evaluation } };
  setLearning: { args: { lr: number; batch: number }; result: null };
  /** P(female) for a typed name, and the lists it is on (0 female, 1 male). */
  classifyName: { args: { name: string }; result: { female: number; lists: number[] } };
  /** Samples names now; later evaluations use these options too. */
  sample: { args: SampleOptions; result: { samples: string[] } };
  /** d loss / d parameter for one fixed batch, on a fresh model loaded with `state`. */
  gradients: {
    args: {
      task: TaskName;
      config: ModelConfig;
      /** The weights to start from; omitted: the seed's initial weights. */
      state?: PlainState;
      dtype: 'float32' | 'float64';
      path: 'fused' | 'composed';
      batchSeed: number;
    };
    result: { names: string[]; grads: Float64Array[]; path: string };
  };
  /** Median milliseconds of one training step of the task's model. */
  timeStep: {
    args: { task: TaskName; config: ModelConfig; path: 'fused' | 'composed' | 'tfjs-layers'; reps: number };
    result: { medianMs: number; path: string };
  };
  /** ‖d loss / d x_t‖ by distance from the end on the adding problem, at init and after training. */
  vanishing: {
    args: {
      cell: CellName;
      hidden: number;
      length: number;
      steps: number;
      seed: number;
      /** Chrono-initialise an LSTM's gate biases (ignored by RNN and GRU). */
      chrono: boolean;
    };
    result: { init: number[]; trained: number[]; mseInit: number; mseTrained: number };
  };
  loseContext: { args: Record<string, never>; result: null };
  /** Runs a module read from a weight file once, on a seeded random input (the "Bring your own model" panel). */
  runModule: { args: RunModuleArgs; result: RunModuleResult };
}

/** A request type. */
export type RequestType = keyof Requests;

/** A request as sent. */
export type RequestMessage = {
  [K in RequestType]: { id: number; type: K; args: Requests[K]['args'] };
}[RequestType];

/** Progress of the training loop, at most ~10 times a second. */
export interface ProgressEvent {
  readonly type: 'progress';
  /** Steps completed so far (counting steps before a backend switch). */
  readonly step: number;
  /** Training loss of each step since the last event, in order. */
  readonly losses: number[];
  readonly stepsPerSecond: number;
  /** `module.lastPath` of the last step. */
  readonly path: string;
  /** The first step of a fresh model is running (webgl compiles its shaders): not timed. */
  readonly warmingUp?: boolean;
}

/** Messages an engine sends. */
export type EngineMessage =
  | { readonly type: 'reply'; readonly id: number; readonly result: unknown }
  | { readonly type: 'reply'; readonly id: number; readonly failure: Failure }
  | ProgressEvent
  | { readonly type: 'evaluation'; readonly evaluation: Evaluation; readonly state: PlainState }
  | { readonly type: 'failed'; readonly failure: Failure };
