/**
 * Progress on stderr: a bar with the measurement in progress when stderr is a terminal; otherwise
 * (CI logs, pipes) one plain line per finished measurement.
 */
import { Presets, SingleBar } from 'cli-progress';
import type { ResultRow } from './results.js';
import type { RunProgress } from './runner.js';
import { formatMs } from './views.js';

function describe(row: ResultRow): string {
  const what = `${row.workload} ${row.cell} ${row.mode} ${row.system}${row.requested === 'composed' ? ' composed' : ''}`;
  return row.status === 'ok' && row.ms !== null
    ? `${what}: ${formatMs(row.ms.median)} ms`
    : `${what}: ${row.status}`;
}

/** A `RunProgress` for this process's stderr. */
export function progressBar(): RunProgress & { stop(): void } {
  const tty = process.stderr.isTTY === true;
  const bar = new SingleBar(
    {
      format: '{bar} {value}/{total} | {duration_formatted} | {label}',
      hideCursor: true,
      clearOnComplete: true,
      stream: process.stderr,
    },
    Presets.shades_classic,
  );
  let value = 0;
  let total = 0;
  let active = false;
  return {
    start(n) {
      total = n;
      if (!tty) return;
      bar.start(total, 0, { label: 'starting' });
      active = true;
    },
    update(label) {
      if (active) bar.update(value, { label });
    },
    done(row) {
      value++;
      if (active) bar.update(value);
      else process.stderr.write(`[${value}/${total}] ${describe(row)}\n`);
    },
    stop() {
      if (active) bar.stop();
      active = false;
    },
  };
}
