/**
 * The inference peers: ONNX Runtime on the CPU (onnxruntime-node, native MLAS; `intraOpNumThreads` 1
 * and 2) and in WebAssembly (onnxruntime-web's wasm backend, `numThreads` 1 and 2, each in a worker
 * thread of its own since the thread count is fixed per wasm instance). They run the very model Recur
 * computes, exported by Recur's own `writeOnnx`, and their outputs are checked against Recur's before
 * anything is timed. Forward workloads only (ONNX Runtime has no training step here); on the streaming
 * workload the model takes `h0` (`c0`) and its `hn` (`cn`) is fed back on the next call.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AnyBackend, GRU, LSTM, RNN } from '@recur/core';
import { Generator, randn } from '@recur/core';
import type { ReferenceSetup } from '../results.js';
import type { Cell, Workload } from '../workloads.js';
import { oneLine } from './backends.js';
import { type CheckOutputs, OrtDriver, type OrtModule, type OrtSpec } from './ort-driver.js';
import { buildRecurModule, prepareRecurStream } from './recur-step.js';
import type { Contender, PreparedStep } from './types.js';

/** The `--reference` names of the peers. */
export type OrtKind = 'onnxruntime-node' | 'onnxruntime-web';

/** Outputs must agree with Recur's to |a − b| ≤ atol + rtol·|b| (float32 against float32). */
export const ortTolerance = { atol: 1e-4, rtol: 1e-3 } as const;

/** Calls compared on the streaming workload (state carried from call to call). */
const streamCheckCalls = 3;

/**
 * onnxruntime-node's intra-op workers spin after each run by default; they must not take the cores
 * from whatever is timed next. Recorded with the session options. (Spinning on or off measured alike
 * on W1/W2 with the settle pause: 2 threads, W2 LSTM 9.8–11.8 ms off, 9.7–12.8 on.)
 */
const NO_SPINNING = { extra: { session: { intra_op: { allow_spinning: '0' } } } } as const;

/**
 * onnxruntime-web runs its sessions on a global thread pool made when its wasm starts, whose
 * workers spin after each run and ignore the session's `allow_spinning`: alternating with it,
 * PyTorch's W1 LSTM forward pass measured 18–24 ms instead of 3.3–5 ms, recur-js' 5.7–8 instead of
 * 3.6–4.3. So its two thread counts form a group of their own, timed right after the `host` group.
 */
export const ORT_WEB_GROUP = 'onnxruntime-web';

/** Largest |a − b| and whether every element is within {@link ortTolerance}. */
export function compareOutputs(
  got: readonly Float32Array[],
  want: readonly Float32Array[],
): { maxAbs: number; pass: boolean } {
  let maxAbs = 0;
  let pass = got.length === want.length;
  for (let k = 0; k < Math.min(got.length, want.length); k++) {
    const a = got[k]!;
    const b = want[k]!;
    if (a.length !== b.length) pass = false;
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const d = Math.abs(a[i]! - b[i]!);
      if (!(d <= ortTolerance.atol + ortTolerance.rtol * Math.abs(b[i]!))) pass = false;
      if (d > maxAbs || Number.isNaN(d)) maxAbs = Number.isNaN(d) ? Number.NaN : d;
    }
  }
  return { maxAbs, pass };
}

/** What a driver offers, in this thread or behind a worker. */
interface Driver {
  prepare(spec: OrtSpec): Promise<void>;
  outputs(n: number): Promise<CheckOutputs>;
  step(): Promise<number>;
  release(): Promise<void>;
  close(): Promise<void>;
}

/** onnxruntime-web's driver in a worker thread. */
class WorkerDriver implements Driver {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #next = 1;
  #dead: Error | undefined;
  readonly ready: Promise<unknown>;

  constructor(script: string, threads: number) {
    this.#worker = new Worker(script, { workerData: { threads } });
    this.ready = new Promise((resolve, reject) => this.#pending.set(0, { resolve, reject }));
    this.#worker.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: string }) => {
      const p = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      if (m.ok) p?.resolve(m.value);
      else p?.reject(new Error(m.error));
    });
    const fail = (error: Error) => {
      this.#dead = error;
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`the onnxruntime-web worker exited (code ${code})`)));
  }

  request<T>(op: string, extra: Record<string, unknown> = {}): Promise<T> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#worker.postMessage({ id, op, ...extra });
    });
  }
  prepare(spec: OrtSpec) {
    return this.request<void>('prepare', { spec });
  }
  outputs(n: number) {
    return this.request<CheckOutputs>('outputs', { n });
  }
  step() {
    return this.request<number>('step');
  }
  release() {
    return this.request<void>('release');
  }
  async close() {
    await this.#worker.terminate();
  }
}

let bundled: Promise<string> | undefined;

/**
 * The worker script as JavaScript: `ort-web-worker.ts` bundled by esbuild (workers do not get tsx's
 * loader) into this package's `node_modules/.cache`, where `onnxruntime-web` still resolves.
 */
function workerScript(): Promise<string> {
  bundled ??= (async () => {
    const { build } = await import('esbuild');
    const outfile = fileURLToPath(
      new URL('../../node_modules/.cache/recur-bench/ort-web-worker.mjs', import.meta.url),
    );
    mkdirSync(dirname(outfile), { recursive: true });
    await build({
      entryPoints: [fileURLToPath(new URL('./ort-web-worker.ts', import.meta.url))],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: ['onnxruntime-web'],
      outfile,
      logLevel: 'silent',
    });
    return outfile;
  })();
  return bundled;
}

/** onnxruntime-node's driver, in this thread. */
function localDriver(ort: OrtModule): Driver {
  const d = new OrtDriver(ort);
  return {
    prepare: (spec) => d.prepare(spec),
    outputs: (n) => d.outputs(n),
    step: () => d.step(),
    release: () => d.release(),
    close: () => d.release(),
  };
}

/** What a peer needs to be measured: Recur's model as ONNX, its input, and Recur's outputs. */
interface ExportedCase {
  spec: Omit<OrtSpec, 'sessionOptions'>;
  want: CheckOutputs;
}

/** Builds the workload's module on `backend` (js, one thread), exports it and computes Recur's outputs. */
async function exportCase(backend: AnyBackend, cell: Cell, w: Workload): Promise<ExportedCase> {
  const { writeOnnx } = await import('@recur/io');
  if (w.calls !== undefined) {
    const stream = prepareRecurStream(backend, cell, w);
    try {
      const want = stream.firstOutputs(streamCheckCalls);
      const dims = [w.layers, w.batch, w.hiddenSize];
      const states = (cell === 'lstm' ? ['h0', 'c0'] : ['h0']).map((name) => ({ name, dims }));
      return {
        spec: {
          model: writeOnnx(stream.module as unknown as RNN | LSTM | GRU, { initialStates: true }),
          input: {
            data: Float32Array.from(stream.input.toArray() as ArrayLike<number>),
            dims: [w.batch, 1, w.inputSize],
          },
          stream: { calls: w.calls, states },
        },
        want,
      };
    } finally {
      stream.dispose();
    }
  }
  const generator = new Generator(0);
  const module = buildRecurModule(backend, cell, w, generator);
  const input = randn([w.batch, w.steps, w.inputSize], { backend, generator });
  try {
    const [output] = (module as unknown as { forward: (x: typeof input) => [typeof input] }).forward(input);
    const want = [Float32Array.from(output.toArray() as ArrayLike<number>)];
    output.dispose();
    return {
      spec: {
        model: writeOnnx(module as unknown as RNN | LSTM | GRU),
        input: {
          data: Float32Array.from(input.toArray() as ArrayLike<number>),
          dims: [w.batch, w.steps, w.inputSize],
        },
      },
      want,
    };
  } finally {
    module.dispose();
    input.dispose();
  }
}

/** The peers of a run, how they were set up, and a way to stop their workers. */
export interface OrtSession {
  contenders: Contender[];
  /** `references` entries: version, threads, the output checks. */
  setups(): Record<string, ReferenceSetup>;
  close(): Promise<void>;
}

/**
 * Starts the requested peers. A peer that cannot start here is a contender with `unavailable` set
 * (its rows are `skipped` with the reason), e.g. onnxruntime-web's threaded build where workers
 * cannot share memory.
 */
export async function startOnnxruntime(kinds: readonly OrtKind[]): Promise<OrtSession> {
  const { createJsBackend } = await import('@recur/backend-js');
  let reference: AnyBackend | undefined;
  const backend = () => {
    reference ??= createJsBackend({ threads: 1 }) as AnyBackend;
    return reference;
  };
  const contenders: Contender[] = [];
  const drivers: Driver[] = [];
  const setups: Record<string, ReferenceSetup> = {};
  const cases = new Map<string, Promise<ExportedCase>>();
  const exported = (cell: Cell, w: Workload) => {
    const key = `${cell}|${w.name}`;
    let c = cases.get(key);
    if (c === undefined) {
      // Keep only the latest case: workloads run one after the other.
      cases.clear();
      c = exportCase(backend(), cell, w);
      cases.set(key, c);
    }
    return c;
  };

  const add = (
    system: string,
    driver: Driver | { unavailable: string },
    sessionOptions: Record<string, unknown>,
    version: string | null,
    group: string,
  ) => {
    const checks: string[] = [];
    let worst = 0;
    if ('unavailable' in driver) {
      setups[system] = { fair: true, note: `not run: ${driver.unavailable}`, version };
    } else {
      drivers.push(driver);
      setups[system] = {
        fair: true,
        version,
        sessionOptions,
        get note() {
          const t = setups[system]?.numThreadsInEffect;
          const effect = t === undefined ? '' : `, ${t} thread${t === 1 ? '' : 's'} in effect`;
          return `${version ?? ''} ${JSON.stringify(sessionOptions)}${effect}; outputs checked against Recur's before timing (|a − b| ≤ ${ortTolerance.atol} + ${ortTolerance.rtol}·|b|; largest error ${worst.toExponential(1)} over ${checks.length} models)`.trim();
        },
        checks,
      };
    }
    contenders.push({
      system,
      requestedPath: null,
      kernel: null,
      group,
      modes: ['forward'],
      streams: true,
      unavailable: 'unavailable' in driver ? driver.unavailable : undefined,
      settleMs: 10,
      async prepare(cell, w): Promise<PreparedStep> {
        if ('unavailable' in driver) throw new Error(driver.unavailable);
        const c = await exported(cell, w);
        await driver.prepare({ ...c.spec, sessionOptions });
        if (driver instanceof WorkerDriver && setups[system] !== undefined) {
          // onnxruntime-web settles its thread count when its wasm starts (1 where threads cannot run).
          const info = await driver.request<{ numThreads: number }>('info');
          setups[system].numThreadsInEffect = info.numThreads;
        }
        const got = await driver.outputs(
          c.want.length === 1 && c.spec.stream === undefined ? 1 : streamCheckCalls,
        );
        const { maxAbs, pass } = compareOutputs(got, c.want);
        checks.push(`${w.name} ${cell}: ${maxAbs.toExponential(1)}`);
        worst = Number.isNaN(maxAbs) ? Number.NaN : Math.max(worst, maxAbs);
        if (!pass) {
          await driver.release();
          throw new Error(
            `outputs differ from Recur's (max abs error ${maxAbs.toExponential(2)} > ${ortTolerance.atol} + ${ortTolerance.rtol}·|ref|): not timed`,
          );
        }
        return {
          step: () => driver.step(),
          path: () => null,
          dispose: () => driver.release(),
        };
      },
    });
  };

  if (kinds.includes('onnxruntime-node')) {
    let ort: OrtModule | { unavailable: string };
    let version: string | null = null;
    try {
      const mod = await import('onnxruntime-node');
      ort = mod as unknown as OrtModule;
      version =
        `onnxruntime-node ${(mod.env as { versions?: { node?: string } }).versions?.node ?? ''}`.trim();
    } catch (error) {
      ort = { unavailable: `onnxruntime-node does not load here: ${oneLine(error)}` };
    }
    for (const threads of [1, 2]) {
      const options = {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionProviders: ['cpu'],
        ...NO_SPINNING,
      };
      add(
        `onnxruntime-node-${threads}t`,
        'unavailable' in ort ? ort : localDriver(ort),
        options,
        version,
        'host',
      );
    }
  }
  if (kinds.includes('onnxruntime-web')) {
    for (const threads of [1, 2]) {
      let driver: Driver | { unavailable: string };
      let version: string | null = null;
      try {
        const w = new WorkerDriver(await workerScript(), threads);
        await w.ready;
        const info = await w.request<{ version: string | null; numThreads: number }>('info');
        version = `onnxruntime-web ${info.version ?? ''} (wasm, numThreads ${threads})`;
        driver = w;
      } catch (error) {
        driver = {
          unavailable: `onnxruntime-web with ${threads} thread(s) does not start in Node: ${oneLine(error)}`,
        };
      }
      add(`onnxruntime-web-${threads}t`, driver, { executionProviders: ['wasm'] }, version, ORT_WEB_GROUP);
    }
  }
  return {
    contenders,
    setups: () => Object.fromEntries(Object.entries(setups).map(([k, v]) => [k, { ...v, note: v.note }])),
    async close() {
      for (const d of drivers) await d.close().catch(() => undefined);
    },
  };
}
