/** The markdown report: what was measured and how, the ratios, the charts, every row. */
import { warmupPolicy } from '../budget.js';
import { type BenchDocument, OPENMP_DEFAULT_WAIT, seriesOf, tfjsLayersReferenceOf } from '../results.js';
import {
  absentSeries,
  formatMs,
  formatPair,
  formatPeers,
  hasPeers,
  problems,
  ratioMatrix,
} from '../views.js';
import { describeWorkload } from '../workloads.js';
import type { Chart } from './charts.js';

const esc = (s: string) => s.replace(/\|/g, '\\|');

function table(head: string[], lines: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...lines.map((l) => `| ${l.map(esc).join(' | ')} |`),
  ].join('\n');
}

/** How a run alternates and budgets its measurements (also printed by the README). */
export function methodText(doc: BenchDocument): string {
  const budget =
    doc.settings.budgetMs === null
      ? 'No time budget (`--budget-ms 0`): every measurement ran in full.'
      : `Time budget ${doc.settings.budgetMs} ms per measurement (\`--budget-ms\`): after warm-up, the ` +
        'repetitions are cut to what fits (at least 1); a measurement whose warm-up step alone exceeds the ' +
        'budget is `skipped: over budget`, and one predicted (from the same system on a smaller workload, ' +
        'scaled by FLOPs) to take over twice the budget per step is skipped without running.';
  return [
    '- **Step**: float32, batch-first input `[B, T, I]`. *forward*: one pass over the whole sequence ' +
      '(PyTorch under `no_grad`). *train*: forward + `mean(out²)` + the gradient of every weight, no ' +
      'optimizer step (Recur `valueAndGrads`, PyTorch `torch.autograd.grad`, tfjs `tf.variableGrads`).',
    '- **Systems**: `recur-<backend>` with the module built with `path: auto` (fused where the backend has ' +
      'it; `path` shows what `module.lastPath` reported) or `composed`; `torch` = `nn.LSTM/GRU/RNN(batch_first=True)` ' +
      'in a Python subprocess with `torch.set_num_threads(cores)`, and `torch-1t` the same in a second ' +
      'process on one thread (faster at batch 1); `tfjs-layers-<engine>` = ' +
      "`tf.layers.lstm/gru/simpleRNN` (`returnSequences: true`, `recurrentActivation: 'sigmoid'`) on the same " +
      'tfjs-core instance and tfjs backend as the Recur backend it is compared with (tfjs-layers has only the ' +
      "reset-before GRU, so its GRU is not PyTorch's, but it is what a tfjs user gets).",
    `- **Warm-up**: every system the same way: untimed steps until at least ${warmupPolicy.minSteps} ran and ` +
      `${warmupPolicy.targetMs} ms passed, at most ${warmupPolicy.maxSteps}. Then the timed repetitions ` +
      '(default W1/W4 20, W2 15, W3 5; `--reps`); each step is timed by its own system (PyTorch with ' +
      '`time.perf_counter` inside Python, so the pipe is not counted).',
    '- **Alternation**: for each workload (cheapest first), cell and mode, the systems run group by group: ' +
      '`host` (recur-js and torch), then each tfjs engine (recur-tfjs-cpu with tfjs-layers-cpu, recur-wasm ' +
      'with tfjs-layers-wasm, …). Within a group every system is warmed up, then repetition k of each is ' +
      'timed before repetition k+1 of any, so drifts of a shared machine hit them alike. A tfjs engine is ' +
      'switched only between groups (a few times per workload), never between repetitions; recur-js is ' +
      'compared with tfjs-layers-cpu from the cpu group a few seconds later. PyTorch runs with ' +
      "OpenMP's default wait policy unless `OMP_WAIT_POLICY` is set (its workers poll for a while after " +
      'each parallel region, then sleep; `PASSIVE` made it twice as slow on W2), and in a group with PyTorch ' +
      "or onnxruntime every system's step is followed by a 10 ms pause and a 2 ms spin, so that polling " +
      'workers are idle before the next system is timed.',
    `- **Budget**: ${budget}`,
    '- **GFLOP/s**: analytic, per time step, layer and direction `2·B·(I_l + H)·G·H` (G = 4 LSTM, 3 GRU, ' +
      '1 RNN), ×3 for a training step, over the median time.',
  ].join('\n');
}

/**
 * The PyTorch process's OpenMP wait policy as the machine table shows it: the variable as set, or that
 * it was left to OpenMP's default.
 */
export function describeWaitPolicy(policy: string | null): string {
  return policy === null || policy === OPENMP_DEFAULT_WAIT
    ? "OMP_WAIT_POLICY unset (OpenMP's default)"
    : `OMP_WAIT_POLICY=${policy}`;
}

/** The whole report; `charts` are referenced as `charts/<file>`. */
export function renderMarkdown(doc: BenchDocument, charts: readonly Chart[]): string {
  const m = doc.machine;
  const out: string[] = [];
  out.push(`# Recur benchmark, ${m.date.slice(0, 10)}`, '');
  out.push(`\`${doc.settings.command}\` took ${doc.settings.durationS} s.`, '');
  out.push(
    table(
      ['machine', ''],
      [
        ['CPU', `${m.cpu}, ${m.cores} cores (${m.platform})`],
        ['Node', m.node],
        [
          'PyTorch',
          m.torch === null
            ? 'not run'
            : `${m.torch}, ${m.torchThreads} threads, ${describeWaitPolicy(m.torchWaitPolicy)}`,
        ],
        ...Object.entries(doc.references ?? {}).map(([name, r]) => [`${name} set-up`, r.note]),
        [
          'tfjs',
          m.tfjs === null
            ? 'not loaded'
            : `${m.tfjs} (tfjs-layers on the same engine: ${m.tfjsSharedEngine})`,
        ],
        ...Object.entries(m.recurKernels ?? {}).map(([system, detail]) => [`${system} kernels`, detail]),
        ['load average (1 min) at start → end', `${m.loadAverage.start} → ${m.loadAverage.end}`],
        ['date', m.date],
      ],
    ),
    '',
  );
  out.push(
    'Workloads: ' +
      doc.settings.workloads
        .map((w) => `${w.name} ${describeWorkload(w)}${w.modes.length === 1 ? ` (${w.modes[0]} only)` : ''}`)
        .join(' · '),
    '',
  );

  out.push('## Ratios', '');
  out.push(
    'Reference median / Recur median on the same workload (above 1: Recur is faster). Each cell: against ' +
      'PyTorch / against tfjs-layers on the tfjs engine named in the header. The PyTorch ratio is against ' +
      'the faster of `torch` and `torch-1t` on that row, marked `(1t)` when that was the one-thread run.',
    '',
  );
  const rm = ratioMatrix(doc.ratios);
  if (rm.lines.length === 0) out.push('No Recur system and reference both ran on one workload.', '');
  else {
    out.push(
      table(
        [
          'workload',
          'cell',
          'mode',
          ...rm.columns.map((c) => `${c} vs torch / ${tfjsLayersReferenceOf[c.split(' ')[0]!] ?? '–'}`),
        ],
        rm.lines.map((l) => [l.workload, l.cell, l.mode, ...l.values.map((v) => formatPair(v))]),
      ),
      '',
    );
    if (hasPeers(doc.ratios)) {
      out.push(
        'Against the inference peers (onnxruntime-node on the CPU, onnxruntime-web on wasm; 1 and 2 threads), forward only:',
        '',
        table(
          ['workload', 'cell', 'mode', ...rm.columns.map((c) => `${c} vs onnxruntime`)],
          rm.lines
            .filter((l) => l.values.some((v) => v?.peers !== undefined))
            .map((l) => [l.workload, l.cell, l.mode, ...l.values.map((v) => formatPeers(v, '; '))]),
        ),
        '',
      );
    }
  }

  if (charts.length > 0) {
    out.push('## Charts', '');
    for (const c of charts) out.push(`![${c.title}](charts/${c.file})`, '');
  }

  out.push('## Every measurement', '');
  const absent = absentSeries(doc.results);
  out.push(
    table(
      [
        'workload',
        'cell',
        'mode',
        'system',
        'path',
        'kernel',
        'median ms',
        'min',
        'max',
        'GFLOP/s',
        'reps',
        'status',
      ],
      doc.results
        .filter((r) => !absent.has(seriesOf(r)))
        .map((r) => [
          r.workload,
          r.cell,
          r.mode,
          r.system,
          r.path ?? '',
          r.kernel ?? '',
          r.ms ? formatMs(r.ms.median) : '',
          r.ms ? formatMs(r.ms.min) : '',
          r.ms ? formatMs(r.ms.max) : '',
          r.gflops === null ? '' : String(r.gflops),
          String(r.reps),
          r.status === 'ok' ? 'ok' : `${r.status}: ${r.reason ?? ''}`,
        ]),
    ),
    '',
  );
  const notes = problems(doc.results);
  if (notes.length > 0) out.push('## Not measured', '', ...notes.map((n) => `- ${n}`), '');

  out.push('## Method', '', methodText(doc), '');
  return out.join('\n');
}
