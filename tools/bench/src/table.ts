/** The terminal tables: medians (with GFLOP/s) per system, ratios, and what did not run. */
import Table from 'cli-table3';
import type { ColdRow } from './cold.js';
import {
  type RatioRow,
  type ResultRow,
  seriesOf,
  TORCH_SINGLE_THREAD,
  tfjsLayersReferenceOf,
} from './results.js';
import {
  absentSeries,
  formatMs,
  formatPair,
  formatPeers,
  formatResult,
  hasPeers,
  problems,
  ratioMatrix,
  resultMatrix,
} from './views.js';

const style = { head: [], border: [] };

/** Median ms and GFLOP/s of every system, by workload, cell and mode. */
export function renderResults(rows: readonly ResultRow[]): string {
  const absent = absentSeries(rows);
  const m = resultMatrix(rows.filter((r) => !absent.has(seriesOf(r))));
  const table = new Table({ head: ['workload', 'cell', 'mode', ...m.columns], style });
  for (const line of m.lines) {
    table.push([line.workload, line.cell, line.mode, ...line.values.map((r) => formatResult(r, '\n'))]);
  }
  return table.toString();
}

/** Reference median / Recur median (> 1: Recur faster). */
export function renderRatios(ratios: readonly RatioRow[]): string {
  if (ratios.length === 0) return '(no ratios: no Recur system and reference both ran on one workload)';
  const m = ratioMatrix(ratios);
  const table = new Table({
    head: [
      'workload',
      'cell',
      'mode',
      ...m.columns.map((c) => `${c}\nvs torch / ${tfjsLayersReferenceOf[c.split(' ')[0]!] ?? 'tfjs-layers'}`),
    ],
    style,
  });
  for (const line of m.lines) {
    table.push([line.workload, line.cell, line.mode, ...line.values.map((v) => formatPair(v))]);
  }
  const note = ratios.some((r) => r.against === TORCH_SINGLE_THREAD)
    ? '\n(1t): PyTorch was faster on one thread there, and the ratio is against that run'
    : '';
  if (!hasPeers(ratios)) return `${table.toString()}${note}`;
  const peers = new Table({
    head: ['workload', 'cell', 'mode', ...m.columns.map((c) => `${c}\nvs onnxruntime`)],
    style,
  });
  for (const line of m.lines.filter((l) => l.values.some((v) => v?.peers !== undefined))) {
    peers.push([line.workload, line.cell, line.mode, ...line.values.map((v) => formatPeers(v))]);
  }
  return `${table.toString()}${note}\n${peers.toString()}`;
}

/** Skipped and failed measurements with their reasons, one per line. */
export function renderProblems(rows: readonly ResultRow[]): string {
  // Some engines explain themselves at length (tfjs-node's missing binding): the JSON keeps it all.
  return problems(rows)
    .map((line) => (line.length > 200 ? `${line.slice(0, 197)}…` : line))
    .join('\n');
}

/** Cold starts: median ms (min–max) by cell × system, or the status. */
export function renderColdStarts(rows: readonly ColdRow[]): string {
  const systems = [...new Set(rows.map((r) => r.system))];
  const cellsSeen = [...new Set(rows.map((r) => r.cell))];
  const table = new Table({ head: ['cell', ...systems], style });
  for (const cell of cellsSeen) {
    table.push([
      cell,
      ...systems.map((s) => {
        const r = rows.find((x) => x.system === s && x.cell === cell);
        if (r === undefined) return '';
        if (r.ms === null) return `${r.status}: ${(r.reason ?? '').slice(0, 60)}`;
        const source = r.source !== undefined && r.source !== 'dist' ? `\n${r.source}` : '';
        return `${formatMs(r.ms.median)} ms\n(${formatMs(r.ms.min)}–${formatMs(r.ms.max)})${source}`;
      }),
    ]);
  }
  return table.toString();
}
