/** The `recur-bench/1` JSON document: machine, one row per measurement, and the derived ratios. */
import type { Timing } from './stats.js';
import type { Kernel, TakenPath } from './systems/types.js';
import type { Cell, Mode } from './workloads.js';

/** `machine.torchWaitPolicy` when OMP_WAIT_POLICY is unset: OpenMP's default (libgomp polls a while, then sleeps). */
export const OPENMP_DEFAULT_WAIT = 'default';

/** Outcome of one measurement. */
export type Status = 'ok' | 'failed' | 'skipped';

/** One measurement: a system on one cell, workload and mode. */
export interface ResultRow {
  /** `recur-js`, `recur-wasm`, `recur-tfjs-cpu`, `recur-tfjs-node`, `torch`, `tfjs-layers-cpu`, … */
  system: string;
  /** The path the Recur module took (`module.lastPath`); `null` for references and for rows that never ran. */
  path: TakenPath;
  /** The path asked for: `auto` (fused where the backend has it, the default) or `composed`; `null` for references. */
  requested: 'auto' | 'composed' | null;
  /** The js backend's matrix kernel (`simd` | `scalar`); `null` for other systems. */
  kernel: Kernel;
  cell: Cell;
  workload: string;
  mode: Mode;
  /** Milliseconds per step over the timed repetitions (`null` unless `ok`). */
  ms: Timing | null;
  /** Analytic FLOPs per step divided by the median time (`null` unless `ok`). */
  gflops: number | null;
  status: Status;
  /** Why the row is not `ok`. */
  reason?: string;
  /** Timed repetitions behind `ms` (after warm-up). */
  reps: number;
  /** Untimed warm-up steps run first. */
  warmup: number;
  /** recur-js / recur-wasm: the threads it computed on (with `peakShare`). */
  threads?: number;
  /** recur-js / recur-wasm: `gflops` over the run's WebAssembly SIMD128 peak × `threads`. */
  peakShare?: number;
}

/** Reference median / Recur median on one workload: above 1, Recur is faster. */
export interface RatioRow {
  system: string;
  path: TakenPath;
  requested: 'auto' | 'composed' | null;
  reference: string;
  cell: Cell;
  workload: string;
  mode: Mode;
  ratio: number;
  /**
   * For `reference: 'torch'`: the PyTorch system the ratio is against, the faster on this row of
   * `torch` (all cores) and `torch-1t` (one thread), so each ratio is against PyTorch's best configuration.
   */
  against?: string;
  /** The Recur row's share of the SIMD128 peak × its threads, when measured. */
  peakShare?: number;
  /** The Recur row's threads (with `peakShare`). */
  threads?: number;
}

/** The machine and software a run measured. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  platform: string;
  node: string;
  torch: string | null;
  torchThreads: number | null;
  /** OMP_WAIT_POLICY of the PyTorch process as the caller set it, or `default` when unset (OpenMP's own). */
  torchWaitPolicy: string | null;
  tfjs: string | null;
  /** Whether tfjs-layers shares the Recur tfjs backends' tfjs-core instance (one engine); `null` if not checked. */
  tfjsSharedEngine: boolean | null;
  /** 1-minute load average when the run started and ended: above `cores`, timings are unreliable. */
  loadAverage: { start: number; end: number };
  /** The WebAssembly SIMD128 peak measured at the start of the run (`null` with `--no-peak`). */
  wasmSimdPeak?: import('./peak.js').PeakInfo | null;
  /** How Recur backends chose their kernels, e.g. `{"recur-js": "wasm simd128 + relaxed FMA, 6×8 tiles, 2 threads (auto)"}`. */
  recurKernels: Record<string, string>;
  /**
   * recur-js with `threads: 'auto'`: per size class of fused calls, the thread count it measured
   * faster and the best times (ms) on one and two threads (`JsBackend.threadChoices()`).
   */
  recurThreadChoices?: Record<
    string,
    { sizeClass: string; threads: 1 | 2; decided: boolean; ms1: number | null; ms2: number | null }[]
  >;
  date: string;
}

/** The settings a run used, so that a reader can reproduce it. */
export interface RunSettings {
  command: string;
  reps: number | 'per-workload';
  budgetMs: number | null;
  path: 'fused' | 'composed' | 'both';
  /** Which build of the Recur packages was timed: `dist` as users import them (see `recur-source.ts`). */
  recurSource?: 'dist' | 'source (tsx)' | 'unknown';
  durationS: number;
  /** The workloads measured, with their shapes and the modes run (named ones and shapes of one's own). */
  workloads: WorkloadSetting[];
}

/** One measured workload in {@link RunSettings}. */
export interface WorkloadSetting {
  name: string;
  batch: number;
  steps: number;
  inputSize: number;
  hiddenSize: number;
  layers: number;
  modes: ('forward' | 'train')[];
  /** Streaming (W5): calls per step, one time step each, the state carried; times are medians per call. */
  calls?: number;
}

/** A row's column in tables and charts: the system, plus `composed` when that path was forced. */
export function seriesOf(row: { system: string; requested: 'auto' | 'composed' | null }): string {
  return row.requested === 'composed' ? `${row.system} composed` : row.system;
}

/** How a reference was set up, and whether ratios against it are reported. */
export interface ReferenceSetup {
  /** False: the reference runs handicapped here (PyTorch on a generic BLAS kernel) and has no ratios. */
  fair: boolean;
  /** One line for the terminal and the report. */
  note: string;
  /** The details (for torch: `TorchBlas`: kernel detected, decision, override and its verification). */
  [detail: string]: unknown;
}

/** The whole `--json` document. */
export interface BenchDocument {
  format: 'recur-bench/1';
  machine: MachineInfo;
  settings: RunSettings;
  /** How each reference that needs setting up was set up (`torch`: its BLAS kernel; `onnxruntime-…`). */
  references: Record<string, ReferenceSetup>;
  results: ResultRow[];
  ratios: RatioRow[];
  /** Cold starts (with W5): import → first output, one fresh process per run. */
  coldStart?: {
    workload: string;
    runs: number;
    /** When Recur's compiled packages (`dist`, which the cold starts import) were built. */
    recurDistBuilt: string | null;
    rows: import('./cold.js').ColdRow[];
  };
}

/** PyTorch on one thread, timed beside `torch` when that runs on several (batch 1 favours one). */
export const TORCH_SINGLE_THREAD = 'torch-1t';

/** The PyTorch systems a ratio "against torch" takes the faster of (all cores, then one thread). */
export const torchSystems: readonly string[] = ['torch', TORCH_SINGLE_THREAD];

/** The reference each Recur system is compared with besides torch: tfjs-layers on its tfjs engine. */
export const tfjsLayersReferenceOf: Readonly<Record<string, string>> = {
  'recur-js': 'tfjs-layers-cpu',
  'recur-tfjs-cpu': 'tfjs-layers-cpu',
  'recur-wasm': 'tfjs-layers-wasm',
  'recur-tfjs-node': 'tfjs-layers-node',
  'recur-webgl': 'tfjs-layers-webgl',
};

/** The inference peers every Recur system is compared with on forward workloads (`--reference onnxruntime-…`). */
export const onnxruntimeSystems = [
  'onnxruntime-node-1t',
  'onnxruntime-node-2t',
  'onnxruntime-web-1t',
  'onnxruntime-web-2t',
] as const;

/**
 * Ratios of every `ok` Recur row against torch, its tfjs-layers reference and the onnxruntime peers
 * on the same workload. References in `unfair` (torch left on a generic BLAS kernel) get no ratio.
 */
export function computeRatios(
  rows: readonly ResultRow[],
  unfair: ReadonlySet<string> = new Set(),
): RatioRow[] {
  const ok = rows.filter((r) => r.status === 'ok' && r.ms !== null);
  const out: RatioRow[] = [];
  for (const r of ok) {
    if (!r.system.startsWith('recur-')) continue;
    for (const reference of ['torch', tfjsLayersReferenceOf[r.system], ...onnxruntimeSystems]) {
      if (reference === undefined || unfair.has(reference)) continue;
      // A reference that ran in several configurations (PyTorch on all cores and on one) is taken at its best.
      const systems = reference === 'torch' ? torchSystems : [reference];
      const candidates = ok.filter(
        (x) =>
          systems.includes(x.system) && x.cell === r.cell && x.workload === r.workload && x.mode === r.mode,
      );
      if (candidates.length === 0) continue;
      const ref = candidates.reduce((best, x) => (x.ms!.median < best.ms!.median ? x : best));
      out.push({
        system: r.system,
        path: r.path,
        requested: r.requested,
        reference,
        ...(systems.length > 1 ? { against: ref.system } : {}),
        cell: r.cell,
        workload: r.workload,
        mode: r.mode,
        ratio: ref.ms!.median / r.ms!.median,
        ...(r.peakShare === undefined ? {} : { peakShare: r.peakShare, threads: r.threads }),
      });
    }
  }
  return out;
}
