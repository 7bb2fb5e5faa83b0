/**
 * Cold start: the time from the first import of a system to its first output on the streaming shape
 * (W5: B1, one time step), kernel compilation and session creation included, each run in a fresh
 * child process (so nothing is cached in memory). Recur runs from its compiled packages (`dist`, as
 * users import them), ONNX Runtime from the model file Recur exported, PyTorch from `import torch`.
 * Process start-up itself (Node or Python booting) is not counted: the clock starts in the child.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GRU, LSTM, RNN } from '@recur/core';
import { roundMs, summarize, type Timing } from './stats.js';
import { oneLine } from './systems/backends.js';
import { buildRecurModule } from './systems/recur-step.js';
import type { Cell, Workload } from './workloads.js';

/** One system's cold start on one cell. */
export interface ColdRow {
  system: string;
  cell: Cell;
  /** Over `runs` fresh processes (`null` unless `ok`). */
  ms: Timing | null;
  runs: number;
  status: 'ok' | 'failed' | 'skipped';
  reason?: string;
  /** Recur: `dist` (compiled packages, as users import them) or `source (tsx)` where nothing is built. */
  source?: string;
}

/** What cold starts to measure. */
export interface ColdPlan {
  workload: Workload;
  cells: readonly Cell[];
  /** Recur backends among `js`, `wasm`. */
  recur: readonly ('js' | 'wasm')[];
  /** PyTorch's interpreter and the environment the bench chose for it (`OPENBLAS_CORETYPE`), or null. */
  torch: { python: string; env: Record<string, string> } | null;
  onnxruntime: readonly ('node' | 'web')[];
  runs: number;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const benchRoot = here('../');

/** Runs a command and parses the `{"ms": …}` line it prints. */
function once(command: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: benchRoot, env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-500);
    });
    const timer = setTimeout(() => child.kill(), 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        const r = JSON.parse(line) as { ms: number; check: boolean };
        if (!r.check) throw new Error('the first output is not finite');
        resolve(r.ms);
      } catch (error) {
        reject(new Error(`exit ${code}: ${oneLine(err) || oneLine(error)}`));
      }
    });
  });
}

/** Measures every cold start of the plan, system by system, one fresh process per run. */
export async function measureColdStarts(
  plan: ColdPlan,
  progress: (label: string) => void,
): Promise<ColdRow[]> {
  const w = plan.workload;
  const scratch = mkdtempSync(join(tmpdir(), 'recur-bench-cold-'));
  const rows: ColdRow[] = [];
  try {
    const models = new Map<Cell, string>();
    if (plan.onnxruntime.length > 0) {
      const { writeOnnx } = await import('@recur/io');
      const { createJsBackend } = await import('@recur/backend-js');
      const { Generator } = await import('@recur/core');
      const backend = createJsBackend({ threads: 1 });
      for (const cell of plan.cells) {
        const module = buildRecurModule(backend, cell, w, new Generator(0));
        const file = join(scratch, `${cell}.onnx`);
        writeFileSync(file, writeOnnx(module as unknown as RNN | LSTM | GRU, { initialStates: true }));
        module.dispose();
        models.set(cell, file);
      }
    }
    const size = [String(w.inputSize), String(w.hiddenSize)];
    // Recur runs from dist as users import it; in a clone nothing has built yet (CI tests before it
    // builds), it runs from source through tsx, which then adds TypeScript's transpilation: said so.
    const built = (b: string) =>
      existsSync(here('../../../packages/core/dist/index.js')) &&
      existsSync(here(`../../../packages/backend-${b}/dist/index.js`));
    const recurCommand = (b: string): [string, string[], string] =>
      built(b)
        ? [process.execPath, [here('../cold/recur.mjs')], 'dist']
        : [
            here('../../../node_modules/.bin/tsx'),
            ['--tsconfig', here('../../../tsconfig.json'), here('../cold/recur.mjs')],
            'source (tsx)',
          ];
    const systems: { system: string; source?: string; run: (cell: Cell) => Promise<number> }[] = [
      ...plan.recur.map((b) => {
        const [command, args, source] = recurCommand(b);
        return {
          system: `recur-${b}`,
          source,
          run: (cell: Cell) => once(command, [...args, b, cell, ...size]),
        };
      }),
      ...(plan.torch === null
        ? []
        : [
            {
              system: 'torch',
              run: (cell: Cell) =>
                once(plan.torch!.python, [here('../python/torch_cold.py'), cell, ...size], plan.torch!.env),
            },
          ]),
      ...plan.onnxruntime.map((kind) => ({
        system: `onnxruntime-${kind}`,
        run: (cell: Cell) =>
          once(process.execPath, [here('../cold/onnxruntime.mjs'), kind, models.get(cell)!, ...size, cell]),
      })),
    ];
    for (const cell of plan.cells) {
      for (const s of systems) {
        progress(`cold start ${cell}: ${s.system}`);
        const times: number[] = [];
        try {
          for (let i = 0; i < plan.runs; i++) times.push(await s.run(cell));
          const t = summarize(times);
          rows.push({
            system: s.system,
            cell,
            ms: { min: roundMs(t.min), median: roundMs(t.median), max: roundMs(t.max) },
            runs: times.length,
            status: 'ok',
            ...(s.source === undefined ? {} : { source: s.source }),
          });
        } catch (error) {
          rows.push({
            system: s.system,
            cell,
            ms: null,
            runs: times.length,
            status: 'failed',
            reason: oneLine(error),
          });
        }
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return rows;
}

/** When Recur's compiled packages were built (cold starts run them), for the record. */
export function recurDistBuilt(): string | null {
  try {
    return statSync(here('../../../packages/backend-js/dist/index.js')).mtime.toISOString();
  } catch {
    return null;
  }
}
