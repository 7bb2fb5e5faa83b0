/**
 * PyTorch as a contender: a long-lived Python subprocess (`python/torch_bench.py`) that builds
 * `nn.LSTM/GRU/RNN(batch_first=True)` and times single steps on request, so the Node side can warm
 * it up and alternate it with other systems exactly as it does its own.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { OPENMP_DEFAULT_WAIT, type ReferenceSetup, TORCH_SINGLE_THREAD } from '../results.js';
import { oneLine } from './backends.js';
import {
  type BlasVerification,
  type CpuFeatures,
  decideCoretype,
  readCpuFeatures,
  verificationPasses,
} from './blas.js';
import type { Contender, PreparedStep } from './types.js';

/** The script the subprocess runs. */
export const torchScript = fileURLToPath(new URL('../../python/torch_bench.py', import.meta.url));

/** The BLAS PyTorch's process reported at start (`blas_info` in the script). */
export interface BlasReport {
  library: string | null;
  corename: string | null;
  config: string | null;
  /** `OPENBLAS_CORETYPE` in that process's environment. */
  coretypeEnv: string | null;
  /** The `BLAS_INFO=…` and `CPU capability usage` parts of `torch.__config__.show()`. */
  torchConfig: string;
}

/** How the bench chose PyTorch's BLAS kernel (the `references.torch` entry of the JSON). */
export interface TorchBlas {
  /** What PyTorch ran on as started (with the caller's environment). */
  detected: BlasReport;
  /** `decideCoretype`'s verdict on it. */
  decision: { action: 'keep' | 'override'; coretype?: string; reason: string };
  /** The re-run with `OPENBLAS_CORETYPE`, when the decision was to override. */
  override: {
    coretype: string;
    corename: string | null;
    verification: BlasVerification | null;
    accepted: boolean;
    reason?: string;
  } | null;
  /** The kernel the timed process runs. */
  kernel: string | null;
  /** `OPENBLAS_CORETYPE` of the timed process (the caller's, or the override). */
  coretypeEnv: string | null;
  /** False when PyTorch still runs a generic kernel on a CPU with AVX2/AVX-512: no ratio against it is reported. */
  fair: boolean;
}

/** PyTorch's side of the machine description. */
export type TorchInfo =
  | { version: string; threads: number; waitPolicy: string; blas: TorchBlas }
  | { unavailable: string };

type Reply = Record<string, unknown>;

/** One Python process speaking the script's line protocol. */
class TorchProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: ((reply: Reply | Error) => void)[] = [];
  private readonly lines: Reply[] = [];
  private stderr = '';
  private exited: Error | undefined;

  constructor(python: string, threads: number | undefined, env: Record<string, string> = {}) {
    const args = [torchScript];
    this.child = spawn(python, args, {
      env: {
        ...process.env,
        ...(threads === undefined ? {} : { RECUR_BENCH_TORCH_THREADS: String(threads) }),
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      let reply: Reply;
      try {
        reply = JSON.parse(line) as Reply;
      } catch {
        reply = { ok: false, error: `unreadable reply from ${python}: ${line.slice(0, 200)}` };
      }
      const next = this.waiting.shift();
      if (next) next(reply);
      else this.lines.push(reply);
    });
    const fail = (error: Error) => {
      this.exited = error;
      for (const w of this.waiting.splice(0)) w(error);
    };
    this.child.on('error', (error) => fail(new Error(`cannot start ${python}: ${error.message}`)));
    this.child.on('exit', (code, signal) => {
      const tail = oneLine(this.stderr).slice(-300);
      fail(new Error(`${python} exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`));
    });
  }

  /** The next reply line (the start-up line first). */
  next(): Promise<Reply> {
    const line = this.lines.shift();
    if (line) return Promise.resolve(line);
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.waiting.push((r) => (r instanceof Error ? reject(r) : resolve(r)));
    });
  }

  /** Sends one request and waits for its reply; a reply with `ok: false` rejects. */
  async request(body: Record<string, unknown>): Promise<Reply> {
    if (this.exited) throw this.exited;
    const reply = this.next();
    this.child.stdin.write(`${JSON.stringify(body)}\n`);
    const r = await reply;
    if (r.ok !== true) throw new Error(String(r.error ?? 'torch request failed'));
    return r;
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}

/** A started PyTorch contender (or the reason it is unavailable) and a way to stop its process. */
export interface TorchSession {
  /** PyTorch on its configured threads (`system: 'torch'`). */
  readonly contender: Contender;
  /** That contender, then `torch-1t` when it runs on more than one thread. */
  readonly contenders: readonly Contender[];
  readonly info: TorchInfo;
  close(): void;
}

function blasReport(raw: unknown): BlasReport {
  const b = (raw ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const config = String(b.torchConfig ?? '');
  const torchConfig = [
    /CPU capability usage: [^\n]*/.exec(config)?.[0],
    /BLAS_INFO=[^,\n]*/.exec(config)?.[0],
  ]
    .filter(Boolean)
    .join('; ');
  return {
    library: str(b.library),
    corename: str(b.corename),
    config: str(b.config),
    coretypeEnv: str(b.coretypeEnv),
    torchConfig,
  };
}

/** Waits for the start-up line: the torch version and BLAS, or why torch is unavailable. */
async function hello(
  proc: TorchProcess,
): Promise<{ version: string; threads: number; blas: BlasReport } | { unavailable: string }> {
  try {
    const h = await proc.next();
    return h.ready === true
      ? { version: String(h.torch), threads: Number(h.threads), blas: blasReport(h.blas) }
      : { unavailable: String(h.reason ?? 'torch is unavailable') };
  } catch (error) {
    return { unavailable: oneLine(error) };
  }
}

/**
 * Starts the Python process; torch rows are `skipped` with the reason when torch does not import.
 * Where OpenBLAS runs a generic kernel on a CPU with AVX2/AVX-512 (`decideCoretype`), a second
 * process with `OPENBLAS_CORETYPE` set is checked against float64 and replaces the first if right.
 */
export async function startTorch(
  python: string,
  threads?: number,
  cpu: CpuFeatures = readCpuFeatures(),
): Promise<TorchSession> {
  let proc = new TorchProcess(python, threads);
  const first = await hello(proc);
  let info: TorchInfo;
  if ('unavailable' in first) {
    info = first;
  } else {
    const envCoretype = process.env.OPENBLAS_CORETYPE || undefined;
    const decision = decideCoretype({ cpu, corename: first.blas.corename, envCoretype });
    const blas: TorchBlas = {
      detected: first.blas,
      decision,
      override: null,
      kernel: first.blas.corename,
      coretypeEnv: envCoretype ?? null,
      fair: decision.action === 'keep',
    };
    if (decision.action === 'override') {
      const candidate = new TorchProcess(python, threads, { OPENBLAS_CORETYPE: decision.coretype });
      const override: NonNullable<TorchBlas['override']> = {
        coretype: decision.coretype,
        corename: null,
        verification: null,
        accepted: false,
      };
      try {
        const h = await hello(candidate);
        if ('unavailable' in h) throw new Error(h.unavailable);
        override.corename = h.blas.corename;
        const v = await candidate.request({ op: 'verify' });
        const verification: BlasVerification = {
          productRelError: Number(v.productRelError),
          lstmMaxAbsError: Number(v.lstmMaxAbsError),
          corename: h.blas.corename,
        };
        override.verification = verification;
        const verdict = verificationPasses(verification, decision.coretype);
        if (verdict.pass) override.accepted = true;
        else override.reason = verdict.reason;
      } catch (error) {
        override.reason = `the ${decision.coretype} process failed: ${oneLine(error)}`;
      }
      if (override.accepted) {
        proc.close();
        proc = candidate;
        blas.kernel = override.corename;
        blas.coretypeEnv = decision.coretype;
        blas.fair = true;
      } else {
        candidate.close();
      }
      blas.override = override;
    }
    info = {
      version: first.version,
      threads: first.threads,
      // Left as the caller has it: OMP_WAIT_POLICY=PASSIVE (workers sleep at once after each parallel
      // region) made PyTorch's W2 RNN forward pass 8.7–11 ms on two threads against 4.5 ms with the
      // default (libgomp's workers poll a while, then sleep), so forcing it would handicap the reference.
      // The group's settle pause after every step is what keeps polling workers off the next system's cores.
      waitPolicy: process.env.OMP_WAIT_POLICY || OPENMP_DEFAULT_WAIT,
      blas,
    };
  }
  const unavailable = 'unavailable' in info ? info.unavailable : undefined;
  const contender = torchContender('torch', proc, unavailable);
  // At batch 1 PyTorch runs faster on one thread than on several (W4 LSTM 13.0 ms against 20.3 ms on
  // two here), so a second process on one thread is timed too and ratios take the faster of the two.
  let single: { contender: Contender; proc: TorchProcess } | null = null;
  if (!('unavailable' in info) && info.threads > 1) {
    const env: Record<string, string> =
      info.blas.coretypeEnv === null ? {} : { OPENBLAS_CORETYPE: info.blas.coretypeEnv };
    const one = new TorchProcess(python, 1, env);
    const h = await hello(one);
    single = {
      proc: one,
      contender: torchContender(TORCH_SINGLE_THREAD, one, 'unavailable' in h ? h.unavailable : undefined),
    };
  }
  return {
    contender,
    contenders: single === null ? [contender] : [contender, single.contender],
    info,
    close: () => {
      proc.close();
      single?.proc.close();
    },
  };
}

/** A contender timing steps in one PyTorch process. */
function torchContender(system: string, proc: TorchProcess, unavailable: string | undefined): Contender {
  return {
    system,
    requestedPath: null,
    kernel: null,
    group: 'host',
    streams: true,
    unavailable,
    // Should OpenMP workers spin anyway (OMP_WAIT_POLICY=active), let them go idle before another
    // system is timed on the same cores.
    settleMs: 10,
    async prepare(cell, w, mode): Promise<PreparedStep> {
      await proc.request({
        op: 'prepare',
        cell,
        batch: w.batch,
        steps: w.steps,
        inputSize: w.inputSize,
        hiddenSize: w.hiddenSize,
        layers: w.layers,
        mode,
        seed: 0,
        ...(w.calls === undefined ? {} : { calls: w.calls }),
      });
      return {
        step: async () => Number((await proc.request({ op: 'step' })).ms),
        path: () => null,
        dispose: async () => {
          await proc.request({ op: 'release' }).catch(() => undefined);
        },
      };
    },
  };
}

/** The `references.torch` entry: the BLAS setup, whether it is fair, and one line saying so. */
export function torchReference(info: TorchInfo): ReferenceSetup | null {
  if ('unavailable' in info) return null;
  const b = info.blas;
  const version = /OpenBLAS [\d.]+/.exec(b.detected.config ?? '')?.[0] ?? 'BLAS';
  const env = b.detected.coretypeEnv
    ? `, OPENBLAS_CORETYPE=${b.detected.coretypeEnv} set in the environment`
    : '';
  const e = (x: number | undefined) => (x === undefined ? '?' : x.toExponential(1));
  let note: string;
  if (b.override === null) {
    note = `${version}: ${b.decision.reason}`;
  } else if (b.override.accepted) {
    const v = b.override.verification;
    note =
      `${version} ran its generic ${b.detected.corename} kernel${env}; re-run with ` +
      `OPENBLAS_CORETYPE=${b.override.coretype} (kernel ${b.override.corename}), checked against float64 ` +
      `(product rel. error ${e(v?.productRelError)}, LSTM max abs error ${e(v?.lstmMaxAbsError)})`;
  } else {
    note =
      `${version} runs its generic ${b.detected.corename} kernel${env}; OPENBLAS_CORETYPE=${b.override.coretype} ` +
      `was refused (${b.override.reason}): torch is timed on the generic kernel and no ratio against it is reported`;
  }
  return { ...b, fair: b.fair, note };
}
