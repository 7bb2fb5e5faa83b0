/**
 * What the runner needs from a system under test (a Recur backend on one path, PyTorch, or
 * tfjs-layers on one tfjs engine): prepare a measurement, time single steps, release it.
 */
import type { Cell, Mode, Workload } from '../workloads.js';

/** The implementation a Recur module took; `null` for the references. */
export type TakenPath = 'fused' | 'composed' | null;

/** The js backend's matrix-product kernel; `null` for every other system. */
export type Kernel = 'simd' | 'scalar' | null;

/** One prepared measurement of one system. */
export interface PreparedStep {
  /**
   * Runs one step and resolves to its duration in milliseconds (timed by the system itself); on a
   * streaming workload (`calls`), makes that many calls and resolves to the median per call.
   */
  step(): Promise<number>;
  /** The implementation the last step took (Recur systems), else `null`. */
  path(): TakenPath;
  /** Releases the model and inputs. */
  dispose(): Promise<void>;
}

/** A system the runner can time: `recur-js` on the fused path, `torch`, `tfjs-layers-wasm`, … */
export interface Contender {
  /** The system's name in reports (`recur-js`, `torch`, `tfjs-layers-cpu`, …). */
  readonly system: string;
  /** The path requested for Recur systems (`fused` means `auto`: fused where the backend has it). */
  readonly requestedPath: 'fused' | 'composed' | null;
  /** The js backend's kernel, else `null`. */
  readonly kernel: Kernel;
  /**
   * Systems in one group run alternately within a workload. Groups are the tfjs engines (`cpu`,
   * `wasm`, `tensorflow`), `webgl`, `onnxruntime-web` (its thread pool spins after each run) and
   * `host` for everything else, so a tfjs engine is switched only between groups, never between
   * repetitions.
   */
  readonly group: string;
  /** Why the system cannot run here (its rows are `skipped` with this reason), if it cannot. */
  readonly unavailable?: string;
  /** The modes it runs (default: every one); the inference peers run `forward` only. */
  readonly modes?: readonly Mode[];
  /** Whether it runs streaming workloads (W5: one time step per call, the state carried). */
  readonly streams?: boolean;
  /**
   * Pause its thread pool needs after a step before another system is timed (PyTorch's OpenMP threads
   * spin on); the runner pauses this long after every step of the group, whoever took it.
   */
  readonly settleMs?: number;
  /** Builds the model and input of one measurement. */
  prepare(cell: Cell, workload: Workload, mode: Mode): Promise<PreparedStep>;
}
