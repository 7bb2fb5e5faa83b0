/** Worker side of `isolated.ts`: runs one target, writing a heartbeat before each input. */
import { parentPort, workerData } from 'node:worker_threads';
import { heartbeatSlots, type TargetSource } from './isolated.js';
import { loadTargets } from './registry.js';
import { type RunOptions, runTarget } from './run-target.js';
import type { FuzzTarget } from './target.js';

const { source, options, heartbeat } = workerData as {
  source: TargetSource;
  options: RunOptions;
  heartbeat: SharedArrayBuffer;
};
const beat = new Float64Array(heartbeat);
const progressEvery = 5000;

const target =
  'module' in source
    ? ((await import(source.module)) as { default: FuzzTarget }).default
    : (await loadTargets()).find((t) => t.name === source.name);
if (target === undefined) throw new Error(`no fuzz target named ${source.name}`);
const report = runTarget(target, {
  ...options,
  onInput: (index) => {
    beat[heartbeatSlots.index] = index;
    beat[heartbeatSlots.startedAt] = Date.now();
  },
  onInputDone: (index) => {
    beat[heartbeatSlots.startedAt] = 0;
    if ((index + 1) % progressEvery === 0) parentPort!.postMessage({ progress: index + 1 });
  },
});
parentPort!.postMessage({ report });
