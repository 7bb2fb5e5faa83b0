import { describe, expect, it } from 'vitest';
import { type RunProgress, runPlan } from './runner.js';
import type { Contender } from './systems/types.js';
import { workloadByName } from './workloads.js';

const quiet: RunProgress = { start() {}, update() {}, done() {} };

/** A stand-in system whose steps take no time; it logs when each step starts and ends. */
function fake(
  system: string,
  log: { system: string; start: number; end: number }[],
  settleMs?: number,
): Contender {
  return {
    system,
    requestedPath: null,
    kernel: null,
    group: 'host',
    settleMs,
    async prepare() {
      return {
        async step() {
          const start = performance.now();
          log.push({ system, start, end: performance.now() });
          // Reported as 100 ms so the warm-up (until 500 ms of steps) ends after a few.
          return 100;
        },
        path: () => null,
        async dispose() {},
      };
    },
  };
}

describe('the runner', () => {
  it('pauses after every step of a group with a settling reference, whoever took it', async () => {
    const log: { system: string; start: number; end: number }[] = [];
    const rows = await runPlan(
      {
        contenders: [fake('first', log), fake('reference', log, 10), fake('last', log)],
        workloads: [workloadByName('W1')],
        cells: ['rnn'],
        reps: 3,
        budgetMs: null,
      },
      quiet,
    );
    expect(rows.filter((r) => r.status === 'ok').length).toBeGreaterThan(0);
    // Every step after the first starts at least the reference's pause after the previous step ended,
    // so no system ever runs right after another's step (the timer may fire a little early).
    for (let i = 1; i < log.length; i++) {
      expect(
        log[i]!.start - log[i - 1]!.end,
        `${log[i - 1]!.system} → ${log[i]!.system}`,
      ).toBeGreaterThanOrEqual(9);
    }
    // Each system was timed three times after its warm-up.
    for (const system of ['first', 'reference', 'last']) {
      expect(rows.find((r) => r.system === system && r.mode === 'forward')?.reps).toBe(3);
    }
  });
});
