/** The measurements of a soak: one series of samples per backend, and the losses it trained to. */

/** One sample, taken between two steps (after a forced garbage collection where the runtime allows one). */
export interface Sample {
  /** Steps completed when the sample was taken (0: models built, nothing trained yet). */
  readonly step: number;
  /** `backend.liveTensors()` (tfjs engines count every tensor of the engine). */
  readonly liveTensors: number;
  /** JS heap in use, bytes: Node's `heapUsed`, or the page's `usedJSHeapSize` for webgl. */
  readonly heapUsed: number;
  /** Resident set size, bytes: this process's, or Chromium's renderer and GPU processes' for webgl (null if unknown). */
  readonly rss: number | null;
  /** `tf.memory().numBytesInGPU` in the page (webgl only, else null). */
  readonly gpuBytes: number | null;
  /** The last step's LSTM MSE and GRU cross-entropy (NaN at step 0). */
  readonly mse: number;
  readonly ce: number;
  /** Milliseconds spent in training steps since step 0 (sampling and garbage collection excluded). */
  readonly trainMs: number;
}

/** The first non-finite loss seen. */
export interface NonFinite {
  readonly step: number;
  readonly mse: number;
  readonly ce: number;
}

/** What one backend's soak produced. */
export interface Series {
  readonly backend: string;
  /** Steps asked for. */
  readonly steps: number;
  /** How the backend ran: alone in its own process, interleaved with others in one, or in Chromium. */
  readonly mode: 'alone' | 'interleaved' | 'browser';
  /** What it ran on (kernel tier, GL renderer, …) and the recurrent path each model took. */
  readonly detail: string;
  readonly samples: readonly Sample[];
  readonly nonFinite: NonFinite | null;
  /** Set when the run stopped early: the error it threw (the step it failed at is the last sample's + 1). */
  readonly error: string | null;
}
