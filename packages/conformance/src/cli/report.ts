/** The `recur-report/1` document and the terminal table. */

import Table from 'cli-table3';
import type { CaseResult } from '../run-case.js';
import type { LoadedBackend } from './backends.js';

/** A `recur-report/1` report (docs/case-format.md). */
export interface Report {
  format: 'recur-report/1';
  backends: { name: string; status: 'ok' | 'unavailable'; reason?: string; w1TrainMs?: number }[];
  results: CaseResult[];
}

/** Builds the report from the loaded backends, every result and each backend's W1 train median (ms). */
export function buildReport(
  backends: readonly LoadedBackend[],
  results: CaseResult[],
  w1TrainMs: ReadonlyMap<string, number> = new Map(),
): Report {
  return {
    format: 'recur-report/1',
    backends: backends.map((b) => {
      if (!('runner' in b)) return { name: b.name, status: 'unavailable', reason: b.unavailable };
      const ms = w1TrainMs.get(b.name);
      return ms === undefined
        ? { name: b.name, status: 'ok' }
        : { name: b.name, status: 'ok', w1TrainMs: ms };
    }),
    results,
  };
}

/** One row per backend: cases passed, worst output and gradient errors, and the W1 LSTM training median. */
export function renderSummary(report: Report): string {
  const table = new Table({
    head: [
      'backend',
      'passed',
      'worst output error (abs)',
      'worst gradient error (abs)',
      'W1 LSTM train median',
    ],
    style: { head: [], border: [], compact: true },
  });
  for (const b of report.backends) {
    if (b.status !== 'ok') continue;
    const rows = report.results.filter((r) => r.backend === b.name);
    let output = 0;
    let gradient = 0;
    for (const r of rows) {
      for (const [name, e] of Object.entries(r.errors)) {
        if (name.startsWith('grad.')) gradient = Math.max(gradient, e.maxAbs);
        else output = Math.max(output, e.maxAbs);
      }
    }
    table.push([
      b.name,
      `${rows.filter((r) => r.status === 'pass').length} / ${rows.length}`,
      output.toExponential(1),
      gradient.toExponential(1),
      b.w1TrainMs === undefined ? 'not measured' : `${b.w1TrainMs.toFixed(1)} ms`,
    ]);
  }
  return table.toString();
}

function worst(result: CaseResult): { maxAbs: number; maxRel: number } {
  let maxAbs = 0;
  let maxRel = 0;
  for (const e of Object.values(result.errors)) {
    if (!(e.maxAbs <= maxAbs)) maxAbs = e.maxAbs;
    if (e.maxRel > maxRel) maxRel = e.maxRel;
  }
  return { maxAbs, maxRel };
}

/** The case × backend table: status and worst absolute / relative error per cell. */
export function renderTable(report: Report): string {
  const names = report.backends.filter((b) => b.status === 'ok').map((b) => b.name);
  const table = new Table({
    head: ['case', ...names.map((n) => `${n}  max abs / rel error`)],
    style: { head: [], border: [], compact: true },
  });
  const byCase = new Map<string, Map<string, CaseResult>>();
  for (const r of report.results) {
    if (!byCase.has(r.case)) byCase.set(r.case, new Map());
    byCase.get(r.case)!.set(r.backend, r);
  }
  for (const [name, row] of byCase) {
    table.push([
      name,
      ...names.map((b) => {
        const r = row.get(b);
        if (r === undefined) return '';
        if (r.status === 'error') return 'ERROR';
        const w = worst(r);
        return `${r.status === 'pass' ? 'pass' : 'FAIL'} ${w.maxAbs.toExponential(1)} / ${w.maxRel.toExponential(1)}`;
      }),
    ]);
  }
  return table.toString();
}

/** Lines explaining every failure and error, and each unavailable backend. */
export function renderProblems(report: Report): string[] {
  const lines: string[] = [];
  for (const b of report.backends)
    if (b.status === 'unavailable') lines.push(`backend ${b.name}: unavailable (${b.reason})`);
  for (const r of report.results) {
    if (r.status !== 'pass')
      lines.push(`${r.status.toUpperCase()} ${r.case} on ${r.backend}/${r.dtype}: ${r.message}`);
  }
  return lines;
}
