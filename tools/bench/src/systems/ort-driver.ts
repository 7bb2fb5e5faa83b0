/**
 * One ONNX Runtime session timed the way the bench times everything: the same code drives
 * onnxruntime-node (in this thread) and onnxruntime-web (in a worker thread, `ort-web-worker.ts`), so
 * both are measured alike. A step is one `session.run` over the whole sequence, or on a streaming
 * workload `calls` runs of one time step each with `hn` (`cn`) fed back as `h0` (`c0`), each timed.
 */

/** The part of `onnxruntime-common` both packages share that the driver uses. */
export interface OrtModule {
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
}
interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
}

/** A float32 array and its shape, as posted between threads. */
export interface Dense {
  data: Float32Array;
  dims: number[];
}

/** What to prepare: the model, its input, and for streaming the state inputs and the call count. */
export interface OrtSpec {
  model: Uint8Array;
  input: Dense;
  /** Session options (`intraOpNumThreads` for onnxruntime-node; `executionProviders`). */
  sessionOptions: Record<string, unknown>;
  /** Streaming: calls per step; the model takes `h0` (`c0`) and returns `hn` (`cn`). */
  stream?: { calls: number; states: { name: string; dims: number[] }[] };
}

/** The outputs a step produces, for the check against Recur before timing. */
export type CheckOutputs = Float32Array[];

export class OrtDriver {
  #session: OrtSession | null = null;
  #spec: OrtSpec | null = null;

  constructor(private readonly ort: OrtModule) {}

  async prepare(spec: OrtSpec): Promise<void> {
    await this.release();
    this.#session = await this.ort.InferenceSession.create(spec.model, spec.sessionOptions);
    this.#spec = spec;
  }

  #feeds(): Record<string, OrtTensor> {
    const spec = this.#spec!;
    const feeds: Record<string, OrtTensor> = {
      input: new this.ort.Tensor('float32', spec.input.data, spec.input.dims),
    };
    for (const s of spec.stream?.states ?? []) {
      feeds[s.name] = new this.ort.Tensor(
        'float32',
        new Float32Array(s.dims.reduce((a, b) => a * b, 1)),
        s.dims,
      );
    }
    return feeds;
  }

  /** One call of a streaming model: runs, then feeds `hn`/`cn` back as `h0`/`c0`. */
  async #call(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>> {
    const out = await this.#session!.run(feeds);
    for (const s of this.#spec!.stream!.states) feeds[s.name] = out[s.name === 'h0' ? 'hn' : 'cn']!;
    return out;
  }

  /** The output of one run (sequence), or of each of the first `n` calls from a zero state (streaming). */
  async outputs(n: number): Promise<CheckOutputs> {
    const feeds = this.#feeds();
    if (this.#spec!.stream === undefined) {
      const out = await this.#session!.run(feeds);
      return [Float32Array.from(out.output!.data as Float32Array)];
    }
    const all: Float32Array[] = [];
    for (let i = 0; i < n; i++) {
      const out = await this.#call(feeds);
      all.push(Float32Array.from(out.output!.data as Float32Array));
    }
    return all;
  }

  /** One step in milliseconds (streaming: the median per call over `calls` calls). */
  async step(): Promise<number> {
    const feeds = this.#feeds();
    const stream = this.#spec!.stream;
    if (stream === undefined) {
      const start = performance.now();
      await this.#session!.run(feeds);
      return performance.now() - start;
    }
    const times = new Float64Array(stream.calls);
    for (let i = 0; i < stream.calls; i++) {
      const start = performance.now();
      await this.#call(feeds);
      times[i] = performance.now() - start;
    }
    times.sort();
    const mid = stream.calls >> 1;
    return stream.calls % 2 === 1 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
  }

  async release(): Promise<void> {
    await this.#session?.release?.();
    this.#session = null;
    this.#spec = null;
  }
}
