/**
 * PyTorch as a contender: a long-lived Python subprocess (`python/torch_bench.py`) that builds
 * `nn.LSTM/GRU/RNN(batch_first=True)` and times single steps on request, so the Node side can warm
 * it up and alternate it with other systems exactly as it does its own.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { oneLine } from './backends.js';
import type { Contender, PreparedStep } from './types.js';

/** The script the subprocess runs. */
export const torchScript = fileURLToPath(new URL('../../python/torch_bench.py', import.meta.url));

/** PyTorch's side of the machine description. */
export type TorchInfo = { version: string; threads: number; waitPolicy: string } | { unavailable: string };

type Reply = Record<string, unknown>;

/** One Python process speaking the script's line protocol. */
class TorchProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: ((reply: Reply | Error) => void)[] = [];
  private readonly lines: Reply[] = [];
  private stderr = '';
  private exited: Error | undefined;

  constructor(python: string, threads: number | undefined) {
    const args = [torchScript];
    this.child = spawn(python, args, {
      env: {
        ...process.env,
        ...(threads === undefined ? {} : { RECUR_BENCH_TORCH_THREADS: String(threads) }),
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
  readonly contender: Contender;
  readonly info: TorchInfo;
  close(): void;
}

/** Starts the Python process; torch rows are `skipped` with the reason when torch does not import. */
export async function startTorch(python: string, threads?: number): Promise<TorchSession> {
  const proc = new TorchProcess(python, threads);
  let info: TorchInfo;
  try {
    const hello = await proc.next();
    info =
      hello.ready === true
        ? {
            version: String(hello.torch),
            threads: Number(hello.threads),
            waitPolicy: process.env.OMP_WAIT_POLICY ?? 'PASSIVE',
          }
        : { unavailable: String(hello.reason ?? 'torch is unavailable') };
  } catch (error) {
    info = { unavailable: oneLine(error) };
  }
  if ('unavailable' in info) proc.close();
  const contender: Contender = {
    system: 'torch',
    requestedPath: null,
    kernel: null,
    group: 'host',
    unavailable: 'unavailable' in info ? info.unavailable : undefined,
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
  return { contender, info, close: () => proc.close() };
}
