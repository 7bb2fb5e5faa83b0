/**
 * A second thread: one worker running the same kernel module on the same
 * `WebAssembly.Memory({ shared: true })`, coordinated through a few `Int32Array` words in that memory.
 *
 * A job is a product's panels (`macro`/`gemv`), the rows of a cell kernel (its pointers advanced
 * by the row widths of `CELL_LAYOUTS`), cut into up to {@link MAX_CHUNKS} chunks, or a few recorded
 * step programs (`program.ts`: each half of a batch-split sequence, every step), one per chunk. This thread
 * publishes the job and starts claiming chunks; the worker claims chunks too once it notices. A
 * worker that is starting, asleep or descheduled simply claims nothing, so it is never needed for
 * progress, and one that turns up late only takes what is left: the most this thread can wait for
 * it is one chunk. (With two fixed halves, a worker waking just before the end made this thread
 * idle for half the job — common on a busy machine.) Small jobs stay on one thread. Programs are the
 * exception, being halves: their steps depend on each other and cannot be cut into more chunks. They
 * trade that risk for one hand-off per sequence instead of two per step, and `wake()` at the start
 * of a fused call gives a sleeping worker the call's setup to come round.
 *
 * The worker spins for a while after each job (a ~0.2 µs hand-off inside a sequence) and then sleeps
 * in `Atomics.wait` (~10 µs to wake). It is created on first use, `unref`-ed so it never keeps Node
 * alive, and terminated when the backend is garbage-collected.
 */

import { CELL_KERNEL_NAMES, CELL_LAYOUTS, type CellExports } from './cell-kernels.js';
import type { WasmHeap } from './heap.js';
import { GEMV, MACRO, type PanelRunner, type PanelWork } from './heap-gemm.js';
import type { KernelExports } from './module.js';
import { TILE_BYTES } from './panel-layout.js';
import { PROGRAM_FUNCTIONS, type Program, RECORD_WORDS, runProgram } from './program.js';

/** Below this many flops (~20 µs of work) a hand-off costs more than it saves (W1 steps stay on one thread). */
export const MIN_PARALLEL_FLOPS = 1_000_000;
/** Below this many hidden units (rows × H, ~10 µs of LSTM gate math) cell kernels stay on one thread. */
export const MIN_PARALLEL_UNITS = 2048;

/** Chunks per job: a late worker costs at most 1/8 of a job, and 8 kernel calls cost nothing. */
const MAX_CHUNKS = 8;
/** How long the idle worker spins before sleeping: a sequence's steps come much faster than this. */
export const WORKER_SPIN_MS = 1;
/** Polls before this thread sleeps while the worker finishes its last chunk (a few µs). */
const JOIN_SPINS = 4000;

/** Job kinds besides the product kernels' {@link MACRO} and {@link GEMV}: rows of a cell kernel, */
const ROWS = 2;
/** or recorded step programs (`program.ts`), one per chunk. */
const PROGRAMS = 3;
/** Arguments a row job carries at most (`gruBackward` has 9). */
const ROW_ARGS = 10;
/** Bits of the chunk index in the NEXT word; the job's generation sits above them. */
const INDEX_BITS = 10;

/** Job generations wrap within the bits above the chunk index (positive int32). */
const GENERATION_MASK = (1 << (31 - INDEX_BITS)) - 1;
const INDEX_MASK = (1 << INDEX_BITS) - 1;

/** Control words (int32 indices into the control block). */
const JOB = 0; // generation of the latest job (the worker waits on this word)
const NEXT = 1; // generation << INDEX_BITS | next unclaimed chunk
const COMPLETED = 2; // chunks finished (this thread waits on this word)
const CHUNKS = 3;
const UNITS = 4; // panels or rows of the job
const KIND = 5;
const TILE = 6; // the worker's partial-tile scratch
const FN = 7; // cell kernel index, for row jobs
const SLEEPING = 8; // the worker is in Atomics.wait: notify JOB
const JOINING = 9; // this thread is in Atomics.wait: notify COMPLETED
const FAILED = 10;
const STOP = 11;
const ARGS = 12;
const STRIDES = ARGS + ROW_ARGS;
const CONTROL_WORDS = STRIDES + ROW_ARGS;

/**
 * The worker's whole program, as source text so no separate file has to be found at run time
 * (works with `new Worker(code, { eval: true })` in Node and a Blob URL in browsers). Its chunk
 * claiming and running mirror `TwoThreads.#claim` and `#runRange`.
 */
const WORKER_SOURCE = `
const JOB = ${JOB}, NEXT = ${NEXT}, COMPLETED = ${COMPLETED}, CHUNKS = ${CHUNKS}, UNITS = ${UNITS};
const KIND = ${KIND}, TILE = ${TILE}, FN = ${FN}, SLEEPING = ${SLEEPING}, JOINING = ${JOINING};
const FAILED = ${FAILED}, STOP = ${STOP}, ARGS = ${ARGS}, STRIDES = ${STRIDES}, ROW_ARGS = ${ROW_ARGS};
const INDEX_BITS = ${INDEX_BITS}, INDEX_MASK = ${(1 << INDEX_BITS) - 1}, MACRO = ${MACRO}, GEMV = ${GEMV};
const PROGRAMS = ${PROGRAMS}, RECORD_WORDS = ${RECORD_WORDS};
const CELL_KERNELS = ${JSON.stringify(CELL_KERNEL_NAMES)};
const PROGRAM_FUNCTIONS = ${JSON.stringify(PROGRAM_FUNCTIONS)};
const SPIN_MS = ${WORKER_SPIN_MS};
function serve({ module, memory, control }) {
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const cells = CELL_KERNELS.map((name) => k[name]);
  const fns = PROGRAM_FUNCTIONS.map((name) => k[name]);
  const c = new Int32Array(memory.buffer, control, ${CONTROL_WORDS});
  const a = new Int32Array(ROW_ARGS);
  const now = () => performance.now();
  let seen = Atomics.load(c, JOB);
  for (;;) {
    // Wait for a new job: spin for a while, then sleep until one is published.
    let idleSince = now();
    let spins = 0;
    while (Atomics.load(c, JOB) === seen) {
      if (Atomics.load(c, STOP) !== 0) return;
      if ((++spins & 255) === 0 && now() - idleSince > SPIN_MS) {
        Atomics.store(c, SLEEPING, 1);
        Atomics.wait(c, JOB, seen);
        Atomics.store(c, SLEEPING, 0);
        idleSince = now();
      }
    }
    if (Atomics.load(c, STOP) !== 0) return;
    const job = Atomics.load(c, JOB);
    seen = job;
    for (;;) {
      // Claim a chunk of this job; its parameters are stable from then until we report it done.
      const next = Atomics.load(c, NEXT);
      if (next >>> INDEX_BITS !== job) break;
      const i = next & INDEX_MASK;
      const chunks = c[CHUNKS];
      if (i >= chunks) break;
      if (Atomics.compareExchange(c, NEXT, next, next + 1) !== next) continue;
      const q0 = Math.floor((i * c[UNITS]) / chunks);
      const q1 = Math.floor(((i + 1) * c[UNITS]) / chunks);
      for (let j = 0; j < ROW_ARGS; j++) a[j] = c[ARGS + j];
      try {
        if (c[KIND] === MACRO) k.macro(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], c[TILE], a[8], q0, q1);
        else if (c[KIND] === GEMV) k.gemv(a[0], a[1], a[2], a[3], a[4], a[5], a[6], c[TILE], q0, q1);
        else if (c[KIND] === PROGRAMS) {
          // Program i: records from word a[2i], a[2i + 1] of them (the memory may have grown: fresh view).
          const w = new Int32Array(memory.buffer);
          for (let p = q0; p < q1; p++) {
            for (let r = 0, at = a[2 * p]; r < a[2 * p + 1]; r++, at += RECORD_WORDS) {
              fns[w[at]](w[at + 1], w[at + 2], w[at + 3], w[at + 4], w[at + 5], w[at + 6], w[at + 7],
                w[at + 8], w[at + 9], w[at + 10], w[at + 11], w[at + 12]);
            }
          }
        } else {
          // Rows q0 … q1−1 of a cell kernel: the row count, then every pointer advanced by q0 rows.
          for (let j = 0; j < ROW_ARGS; j++) a[j] += q0 * c[STRIDES + j];
          cells[c[FN]](q1 - q0, a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
        }
      } catch {
        c[FAILED] = 1; // reported by the main thread, which must not wait forever
      }
      Atomics.add(c, COMPLETED, 1);
      if (Atomics.load(c, JOINING) !== 0) Atomics.notify(c, COMPLETED);
    }
  }
}
if (typeof require === 'function') require('node:worker_threads').parentPort.once('message', serve);
else self.onmessage = (event) => serve(event.data);
`;

/** The minimal worker surface we use, in Node and in browsers. */
interface WorkerHandle {
  postMessage(message: unknown): void;
  terminate(): unknown;
  unref?(): void;
}

/** `node:worker_threads` when running in Node ≥ 20.16 (synchronous access, no import at load time). */
function nodeWorkerThreads():
  | { Worker: new (code: string, options: { eval: boolean }) => WorkerHandle }
  | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.('node:worker_threads') as ReturnType<typeof nodeWorkerThreads>;
}

/** Starts a worker from source text. */
function startWorker(source: string): WorkerHandle {
  const threads = nodeWorkerThreads();
  if (threads !== undefined) return new threads.Worker(source, { eval: true });
  const BrowserWorker = (globalThis as { Worker?: new (url: string) => WorkerHandle }).Worker!;
  return new BrowserWorker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
}

/**
 * Logical cores this program may use: `navigator.hardwareConcurrency` in browsers,
 * `os.availableParallelism()` in Node (1 when neither answers).
 */
export function logicalCores(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (typeof nav?.hardwareConcurrency === 'number' && nav.hardwareConcurrency > 0)
    return nav.hardwareConcurrency;
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os = proc?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number } | undefined;
  return os?.availableParallelism?.() ?? 1;
}

/** Why two threads cannot run here, or undefined when they can. */
export function threadsUnavailable(): string | undefined {
  if (typeof SharedArrayBuffer !== 'function') {
    return 'SharedArrayBuffer is unavailable (browsers need cross-origin isolation)';
  }
  if (nodeWorkerThreads() === undefined && typeof globalThis.Worker !== 'function') {
    return 'no worker threads here (needs node:worker_threads or a Worker constructor)';
  }
  return undefined;
}

/** Whether this thread may block in `Atomics.wait` (browsers forbid it on their main thread). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0); // returns "not-equal" at once
    return true;
  } catch {
    return false;
  }
}

/** Stops workers whose runtime was garbage-collected. */
const reaper = new FinalizationRegistry<{ control: Int32Array; worker: WorkerHandle }>(
  ({ control, worker }) => {
    Atomics.store(control, STOP, 1);
    Atomics.add(control, JOB, 1); // wake the worker so it sees STOP
    Atomics.notify(control, JOB);
    worker.terminate();
  },
);

/** This thread plus one lazily started worker: splits products by panels and cell kernels by rows. */
export class TwoThreads implements PanelRunner {
  readonly #heap: WasmHeap;
  readonly #module: WebAssembly.Module;
  /** The cell kernels in {@link CELL_KERNEL_NAMES} order. */
  readonly #cellKernels: ((...args: number[]) => void)[];
  /** The functions a step program calls, in {@link PROGRAM_FUNCTIONS} order. */
  readonly #programFunctions: ((...args: number[]) => void)[];
  readonly #control: Int32Array;
  readonly #controlPtr: number;
  readonly #workerTile: number;
  readonly #runPanels: (work: PanelWork, q0: number, q1: number) => void;
  readonly #minFlops: number;
  readonly #minUnits: number;
  /** This thread's share of a row job (pointers advanced), reused. */
  readonly #rowArgs = new Int32Array(ROW_ARGS);
  /** The product being split, while it is. */
  #panelWork: PanelWork | null = null;
  #started = false;
  #generation = 0;
  #jobs = 0;
  #workerChunks = 0;
  #programJobs = 0;
  /** Whether `Atomics.wait` is allowed on this thread (not on a browser's main thread). */
  readonly #canBlock = canBlock();
  /** When false every job stays on this thread (`threads: 'auto'` measured one thread faster for a call). */
  enabled = true;

  /**
   * `runPanels(work, q0, q1)` runs product panels on this thread. Products under `minFlops` and cell
   * kernels under `minUnits` never leave it (tests lower both to exercise the hand-off).
   */
  constructor(
    heap: WasmHeap,
    module: WebAssembly.Module,
    kernels: KernelExports,
    runPanels: (work: PanelWork, q0: number, q1: number) => void,
    minFlops = MIN_PARALLEL_FLOPS,
    minUnits = MIN_PARALLEL_UNITS,
  ) {
    this.#heap = heap;
    this.#module = module;
    this.#cellKernels = CELL_KERNEL_NAMES.map((name) => kernels[name] as (...args: number[]) => void);
    this.#programFunctions = PROGRAM_FUNCTIONS.map(
      (name) => kernels[name as keyof KernelExports] as (...args: number[]) => void,
    );
    this.#runPanels = runPanels;
    this.#minFlops = minFlops;
    this.#minUnits = minUnits;
    this.#controlPtr = heap.alloc(4 * CONTROL_WORDS);
    this.#workerTile = heap.alloc(TILE_BYTES);
    // Shared memory never detaches its buffer on growth, so this view stays valid.
    this.#control = new Int32Array(heap.memory.buffer, this.#controlPtr, CONTROL_WORDS);
    this.#control.fill(0);
  }

  /** How many chunks the worker has run (0 until it has started and picked one up). */
  get workerChunks(): number {
    return this.#workerChunks;
  }

  /** How many calls of {@link TwoThreads.runPrograms} offered their programs to the worker. */
  get programJobs(): number {
    return this.#programJobs;
  }

  /** How many jobs were split. */
  get jobs(): number {
    return this.#jobs;
  }

  /**
   * Wakes a sleeping worker ahead of work this thread is about to publish (a fused call's setup runs
   * meanwhile), so it is spinning by then; a no-op when it is awake or not started. Waking from
   * `Atomics.wait` costs tens of µs, more on a busy host, and a batch-split sequence has only two
   * chunks: a worker that claims the second one late makes this thread wait for all of it.
   */
  wake(): void {
    if (!this.enabled || !this.#started) return;
    if (Atomics.load(this.#control, SLEEPING) !== 0) Atomics.notify(this.#control, JOB);
  }

  run(panels: number, flops: number, work: PanelWork): void {
    if (!this.enabled || panels < 2 || flops < this.#minFlops) {
      this.#runPanels(work, 0, panels);
      return;
    }
    const c = this.#control;
    c.set(work.args, ARGS);
    c[TILE] = this.#workerTile;
    this.#panelWork = work;
    this.#share(work.kind, panels);
  }

  /**
   * Runs recorded programs, one per chunk: this thread takes the first and the worker the next as
   * soon as it notices (this thread runs what the worker has not claimed, so a sleeping worker only
   * makes it slower). Programs must touch disjoint memory; they are copied into wasm memory for the
   * worker and freed before returning.
   */
  runPrograms(programs: readonly Program[]): void {
    const total = programs.reduce((sum, p) => sum + p.records, 0);
    if (programs.length > ROW_ARGS / 2) throw new Error(`runPrograms: at most ${ROW_ARGS / 2} programs`);
    const ptr = this.#heap.alloc(Math.max(4 * total * RECORD_WORDS, 4));
    try {
      const words = new Int32Array(this.#heap.memory.buffer);
      const c = this.#control;
      let at = ptr >> 2;
      programs.forEach((program, i) => {
        words.set(program.words, at);
        c[ARGS + 2 * i] = at;
        c[ARGS + 2 * i + 1] = program.records;
        at += program.records * RECORD_WORDS;
      });
      if (!this.enabled || programs.length < 2) {
        for (let i = 0; i < programs.length; i++) this.#runRange(PROGRAMS, i, i + 1);
      } else {
        this.#programJobs++;
        this.#share(PROGRAMS, programs.length);
      }
    } finally {
      this.#heap.free(ptr);
    }
  }

  /**
   * The cell kernels with their rows shared with the worker when there are enough of them; the
   * same signatures as the kernels themselves, so callers cannot tell.
   */
  cells(): CellExports {
    const split = (index: number) => {
      const kernel = this.#cellKernels[index];
      const widths: readonly number[] = CELL_LAYOUTS[CELL_KERNEL_NAMES[index]];
      // Fixed arity (no rest parameters), no closures per call: a call allocates nothing.
      return (
        a0: number,
        a1: number,
        a2: number,
        a3: number,
        a4: number,
        a5: number,
        a6 = 0,
        a7 = 0,
        a8 = 0,
      ) => {
        if (!this.enabled || a0 < 2 || a0 * a1 < this.#minUnits) {
          kernel(a0, a1, a2, a3, a4, a5, a6, a7, a8);
          return;
        }
        const c = this.#control;
        c[ARGS] = a0;
        c[ARGS + 1] = a1;
        c[ARGS + 2] = a2;
        c[ARGS + 3] = a3;
        c[ARGS + 4] = a4;
        c[ARGS + 5] = a5;
        c[ARGS + 6] = a6;
        c[ARGS + 7] = a7;
        c[ARGS + 8] = a8;
        c[ARGS + 9] = 0;
        // Bytes per row of each argument: 0 for (rows, H), width · H floats for each buffer.
        for (let i = 0; i < ROW_ARGS; i++)
          c[STRIDES + i] = i >= 2 && i - 2 < widths.length ? 4 * a1 * widths[i - 2] : 0;
        c[FN] = index;
        this.#share(ROWS, a0);
      };
    };
    return Object.fromEntries(CELL_KERNEL_NAMES.map((name, i) => [name, split(i)])) as unknown as CellExports;
  }

  /** Publishes the job in the control block, claims and runs chunks until none is left, then joins. */
  #share(kind: number, units: number): void {
    if (!this.#started) this.#start();
    this.#jobs++;
    const c = this.#control;
    const chunks = Math.min(units, MAX_CHUNKS);
    this.#generation = (this.#generation + 1) & GENERATION_MASK;
    const job = this.#generation;
    c[KIND] = kind;
    c[UNITS] = units;
    c[CHUNKS] = chunks;
    Atomics.store(c, COMPLETED, 0);
    Atomics.store(c, NEXT, job << INDEX_BITS);
    Atomics.store(c, JOB, job);
    if (Atomics.load(c, SLEEPING) !== 0) Atomics.notify(c, JOB);
    let mine = 0;
    for (;;) {
      const i = this.#claim(job, chunks);
      if (i < 0) break;
      this.#runRange(kind, Math.floor((i * units) / chunks), Math.floor(((i + 1) * units) / chunks));
      Atomics.add(c, COMPLETED, 1);
      mine++;
    }
    this.#workerChunks += chunks - mine;
    if (mine < chunks) this.#join(chunks);
    if (c[FAILED] !== 0) {
      c[FAILED] = 0;
      throw new Error('js backend (simd kernels, 2 threads): a kernel failed on the worker thread');
    }
  }

  /** The next unclaimed chunk of `job`, or −1 when all are taken (the worker runs the same loop). */
  #claim(job: number, chunks: number): number {
    const c = this.#control;
    for (;;) {
      const next = Atomics.load(c, NEXT);
      const i = next & INDEX_MASK;
      if (next >>> INDEX_BITS !== job || i >= chunks) return -1;
      if (Atomics.compareExchange(c, NEXT, next, next + 1) === next) return i;
    }
  }

  /**
   * Waits for the worker's last chunks: spinning first (on a quiet machine they end about when ours
   * do), then, where this thread may block (Node; not a browser's main thread), sleeping in
   * `Atomics.wait`. Sleeping matters when the machine is oversubscribed: a spinning waiter would burn
   * the very time slice the descheduled worker needs to finish.
   */
  #join(chunks: number): void {
    const c = this.#control;
    for (let i = 0; i < JOIN_SPINS; i++) if (Atomics.load(c, COMPLETED) === chunks) return;
    if (!this.#canBlock) {
      while (Atomics.load(c, COMPLETED) !== chunks) {
        // A browser main thread cannot block: keep spinning.
      }
      return;
    }
    Atomics.store(c, JOINING, 1);
    try {
      for (;;) {
        const done = Atomics.load(c, COMPLETED);
        if (done === chunks) return;
        Atomics.wait(c, COMPLETED, done);
      }
    } finally {
      Atomics.store(c, JOINING, 0);
    }
  }

  /** Runs units `[q0, q1)` of the published job on this thread (the worker does the same in its source). */
  #runRange(kind: number, q0: number, q1: number): void {
    if (kind === PROGRAMS) {
      const c = this.#control;
      const words = new Int32Array(this.#heap.memory.buffer);
      for (let p = q0; p < q1; p++)
        runProgram(this.#programFunctions, words, c[ARGS + 2 * p], c[ARGS + 2 * p + 1]);
      return;
    }
    if (kind !== ROWS) {
      this.#runPanels(this.#panelWork!, q0, q1);
      return;
    }
    const c = this.#control;
    const a = this.#rowArgs;
    for (let i = 0; i < ROW_ARGS; i++) a[i] = c[ARGS + i] + q0 * c[STRIDES + i];
    this.#cellKernels[c[FN]](q1 - q0, a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
  }

  #start(): void {
    this.#started = true;
    const worker = startWorker(WORKER_SOURCE);
    worker.unref?.();
    worker.postMessage({ module: this.#module, memory: this.#heap.memory, control: this.#controlPtr });
    reaper.register(this, { control: this.#control, worker });
  }
}
