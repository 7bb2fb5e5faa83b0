/** The human summary of a fuzz run: per target, what ran, how it ended, and how to replay a failure. */
import type { TargetReport } from './run-target.js';

const shownKinds = 15;

const count = (n: number) => n.toLocaleString('en-US');

/** Lines describing one target's report. */
export function renderReport(r: TargetReport): string[] {
  const lines = [`${r.target}: ${r.description}`];
  const seconds = (r.durationMs / 1000).toFixed(1);
  lines.push(
    `  inputs ${count(r.inputs)} in ${seconds} s (seed ${r.seed}): accepted ${count(r.accepted)}, rejected with the reader's own error ${count(r.rejected)}, failures ${r.failure ? 1 : 0}`,
  );
  lines.push(
    `  slowest input ${r.slowestMs.toFixed(1)} ms (${count(r.slowestInputBytes)} bytes; --seed ${r.seed} --path ${r.slowestPath} replays it)`,
  );
  const a = r.largestAllocation;
  lines.push(
    a.elements === 0
      ? '  largest allocation: none sized (no ArrayBuffer, typed array or Array(n) was requested)'
      : `  largest allocation ${count(a.elements)} elements (${a.by}) for ${count(a.inputBytes)} input bytes: ${a.ratio.toFixed(3)} per byte`,
  );
  const kinds = Object.entries(r.rejectionKinds).sort((x, y) => y[1] - x[1]);
  if (kinds.length > 0) {
    lines.push(
      `  rejections by kind (${Math.min(shownKinds, kinds.length)} most frequent of ${kinds.length}):`,
    );
    for (const [kind, n] of kinds.slice(0, shownKinds)) lines.push(`    ${count(n).padStart(8)}  ${kind}`);
  }
  if (r.failure) {
    const f = r.failure;
    lines.push(`  FAILURE: ${f.message}`);
    if (f.preview !== '') lines.push(`    input (${count(f.inputBytes)} bytes): ${f.preview}`);
    lines.push(`    replay: pnpm fuzz --target ${r.target} --seed ${f.seed} --path ${f.path}`);
  }
  return lines;
}
