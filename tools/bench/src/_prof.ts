import { createTfjsCpuBackend } from '@recur/backend-tfjs-cpu';
import { prepareRecurStep } from './systems/recur-step.js';
import { workloadByName } from './workloads.js';

const [cell, wname, mode, n] = process.argv.slice(2);
const backend = await createTfjsCpuBackend();
const w = workloadByName(wname);
const step = prepareRecurStep(backend as any, cell as any, w, mode as any);
step.run();
const ts: number[] = [];
for (let i = 0; i < Number(n ?? 10); i++) {
  const t = performance.now();
  step.run();
  ts.push(performance.now() - t);
}
ts.sort((a, b) => a - b);
console.log(cell, wname, mode, 'median', ts[ts.length >> 1].toFixed(1), 'ms', step.path);
