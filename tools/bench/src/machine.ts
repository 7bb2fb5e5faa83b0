/** What the run measured on: CPU, cores, load, Node, PyTorch and tfjs versions, date. */
import { cpus, loadavg } from 'node:os';
import type { MachineInfo } from './results.js';
import type { TorchInfo } from './systems/torch.js';

/** Logical cores available to this process. */
export function coreCount(): number {
  return cpus().length;
}

/** The 1-minute load average now. */
export function loadNow(): number {
  return Number(loadavg()[0]!.toFixed(2));
}

/** Assembles the `machine` section of the JSON document; `loadAtStart` is {@link loadNow} at the start. */
export function machineInfo(
  torch: TorchInfo | null,
  tfjs: string | null,
  tfjsSharedEngine: boolean | null,
  loadAtStart: number,
  recurKernels: Record<string, string> = {},
): MachineInfo {
  const torchRan = torch !== null && 'version' in torch;
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: coreCount(),
    platform: `${process.platform} ${process.arch}`,
    node: process.version,
    torch: torchRan ? torch.version : null,
    torchThreads: torchRan ? torch.threads : null,
    torchWaitPolicy: torchRan ? torch.waitPolicy : null,
    tfjs,
    tfjsSharedEngine,
    loadAverage: { start: loadAtStart, end: loadNow() },
    recurKernels,
    date: new Date().toISOString(),
  };
}
