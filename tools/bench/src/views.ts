/**
 * The tables a run is read through, independent of how they are rendered (terminal or markdown):
 * medians by workload × series, ratios by workload × (Recur series vs reference), and what did not run.
 */
import { formatShare } from './peak.js';
import { type RatioRow, type ResultRow, seriesOf, TORCH_SINGLE_THREAD } from './results.js';
import { workloads } from './workloads.js';

/** One line of a matrix: a workload, cell and mode. */
export interface MatrixLine<T> {
  workload: string;
  cell: string;
  mode: string;
  values: (T | undefined)[];
}

/** Rows and columns of a table. */
export interface Matrix<T> {
  columns: string[];
  lines: MatrixLine<T>[];
}

const workloadOrder = (name: string) => {
  const i = workloads.findIndex((w) => w.name === name);
  return i < 0 ? workloads.length : i;
};
const cellOrder = ['lstm', 'gru', 'rnn'];
const modeOrder = ['forward', 'train'];

function lineKey(r: { workload: string; cell: string; mode: string }): string {
  return `${r.workload}|${r.cell}|${r.mode}`;
}

function build<R extends { workload: string; cell: string; mode: string }, T>(
  rows: readonly R[],
  column: (r: R) => string,
  value: (r: R) => T,
): Matrix<T> {
  const columns = [...new Set(rows.map(column))];
  const lines = new Map<string, MatrixLine<T>>();
  for (const r of rows) {
    const key = lineKey(r);
    let line = lines.get(key);
    if (line === undefined) {
      line = { workload: r.workload, cell: r.cell, mode: r.mode, values: columns.map(() => undefined) };
      lines.set(key, line);
    }
    line.values[columns.indexOf(column(r))] = value(r);
  }
  const sorted = [...lines.values()].sort(
    (a, b) =>
      workloadOrder(a.workload) - workloadOrder(b.workload) ||
      cellOrder.indexOf(a.cell) - cellOrder.indexOf(b.cell) ||
      modeOrder.indexOf(a.mode) - modeOrder.indexOf(b.mode),
  );
  return { columns, lines: sorted };
}

/** Every row by workload line × series column. */
export function resultMatrix(rows: readonly ResultRow[]): Matrix<ResultRow> {
  return build(rows, seriesOf, (r) => r);
}

/** A Recur series' ratios on one line: against torch and against its tfjs-layers reference. */
export interface RatioPair {
  torch?: number;
  /** The PyTorch system `torch` is against (`torch-1t` where one thread was PyTorch's faster run). */
  torchAgainst?: string;
  /** Against tfjs-layers on the series' tfjs engine (tfjs-cpu for `recur-js`). */
  layers?: number;
  /** The tfjs-layers system compared with. */
  layersSystem?: string;
  /** The Recur row's share of the SIMD128 peak × threads, and its threads. */
  share?: { value: number; threads: number };
  /** Against the inference peers (`onnxruntime-node-1t`, …), by system. */
  peers?: Record<string, number>;
}

/** Every ratio by workload line × Recur series column. */
export function ratioMatrix(ratios: readonly RatioRow[]): Matrix<RatioPair> {
  const pairs = new Map<string, RatioPair & { row: RatioRow }>();
  for (const r of ratios) {
    const key = `${seriesOf(r)}|${r.workload}|${r.cell}|${r.mode}`;
    const pair = pairs.get(key) ?? { row: r };
    if (r.peakShare !== undefined) pair.share = { value: r.peakShare, threads: r.threads ?? 1 };
    if (r.reference === 'torch') {
      pair.torch = r.ratio;
      if (r.against !== undefined) pair.torchAgainst = r.against;
    } else if (r.reference.startsWith('tfjs-layers')) {
      pair.layers = r.ratio;
      pair.layersSystem = r.reference;
    } else pair.peers = { ...pair.peers, [r.reference]: r.ratio };
    pairs.set(key, pair);
  }
  return build(
    [...pairs.values()].map((p) => ({ ...p.row, pair: p })),
    (x) => seriesOf(x),
    (x) => ({
      torch: x.pair.torch,
      torchAgainst: x.pair.torchAgainst,
      layers: x.pair.layers,
      layersSystem: x.pair.layersSystem,
      peers: x.pair.peers,
      share: x.pair.share,
    }),
  );
}

/** `0.45× / 1.3×`: a ratio pair as one table cell (`–` where a reference did not run). */
export function formatPair(p: RatioPair | undefined, separator = ' / '): string {
  if (p === undefined) return '';
  const f = (v: number | undefined) => (v === undefined ? '–' : formatRatio(v));
  const share = p.share === undefined ? '' : ` · ${formatShare(p.share.value, p.share.threads)}`;
  const oneThread = p.torchAgainst === TORCH_SINGLE_THREAD ? ' (1t)' : '';
  return `${f(p.torch)}${oneThread}${separator}${f(p.layers)}${share}`;
}

/** Series that ran nowhere (every row skipped or failed): tables leave them out and list them below. */
export function absentSeries(rows: readonly ResultRow[]): Set<string> {
  const ran = new Set(rows.filter((r) => r.status === 'ok').map(seriesOf));
  return new Set(rows.map(seriesOf).filter((s) => !ran.has(s)));
}

/** A note on what did not run: one line per system that never ran, else per row. */
export function problems(rows: readonly ResultRow[]): string[] {
  const out: string[] = [];
  const bySeries = new Map<string, ResultRow[]>();
  for (const r of rows) bySeries.set(seriesOf(r), [...(bySeries.get(seriesOf(r)) ?? []), r]);
  for (const [series, list] of bySeries) {
    const reasons = new Set(list.map((r) => r.reason));
    if (list[0]!.status !== 'ok' && list.every((r) => r.status === list[0]!.status) && reasons.size === 1) {
      out.push(`${series}: ${list[0]!.status} everywhere: ${list[0]!.reason}`);
      continue;
    }
    for (const r of list) {
      if (r.status !== 'ok')
        out.push(`${series} ${r.workload} ${r.cell} ${r.mode}: ${r.status}: ${r.reason}`);
    }
  }
  return out;
}

/** Median ms in 3 significant digits. */
export function formatMs(ms: number): string {
  if (ms >= 0.1 || ms === 0) {
    return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
  }
  // Streaming calls (W5) take microseconds: three significant digits, not three decimals.
  return ms.toPrecision(3);
}

/** A ratio as `12.3×` (2–3 significant digits). */
export function formatRatio(ratio: number): string {
  return `${ratio >= 100 ? ratio.toFixed(0) : ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}

/** What a table cell shows for a row: median ms and GFLOP/s, or the status. */
export function formatResult(r: ResultRow | undefined, separator: string): string {
  if (r === undefined) return '';
  if (r.status !== 'ok' || r.ms === null) return r.status;
  const share = r.peakShare === undefined ? '' : `${separator}${formatShare(r.peakShare, r.threads ?? 1)}`;
  return `${formatMs(r.ms.median)} ms${separator}${r.gflops!.toFixed(r.gflops! >= 10 ? 0 : 1)} GF/s${share}`;
}

/** `node 1t / 2t: 1.2× / 0.9×` lines for a series' ratios against the onnxruntime peers. */
export function formatPeers(p: RatioPair | undefined, separator = '\n'): string {
  if (p?.peers === undefined) return '';
  const lines: string[] = [];
  for (const kind of ['node', 'web']) {
    const one = p.peers[`onnxruntime-${kind}-1t`];
    const two = p.peers[`onnxruntime-${kind}-2t`];
    if (one === undefined && two === undefined) continue;
    const f = (v: number | undefined) => (v === undefined ? '–' : formatRatio(v));
    lines.push(`${kind} 1t / 2t: ${f(one)} / ${f(two)}`);
  }
  return lines.join(separator);
}

/** Whether any ratio is against an onnxruntime peer. */
export function hasPeers(ratios: readonly RatioRow[]): boolean {
  return ratios.some((r) => r.reference.startsWith('onnxruntime'));
}
