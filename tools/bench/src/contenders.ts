/**
 * Turns the options into contenders: each requested Recur backend on each requested path, PyTorch,
 * and tfjs-layers on the tfjs engine of each requested backend (tfjs-cpu for `js`: the reference a
 * pure-JavaScript user would otherwise pick). Run order: `host` group, then tfjs-cpu, wasm, tfjs-node.
 */

import type { JsBackend, ThreadChoiceRecord } from '@recur/backend-js';
import type { BenchOptions } from './cli.js';
import { backendEngine, loadBackend, type NodeBackendName, oneLine } from './systems/backends.js';
import { ORT_WEB_GROUP, type OrtKind, type OrtSession, startOnnxruntime } from './systems/onnxruntime.js';
import { recurContender } from './systems/recur.js';
import { engineAlive, restartEngine, type TfjsEngine } from './systems/tfjs-engine.js';
import { tfjsLayersContender } from './systems/tfjs-layers.js';
import { startTorch, type TorchSession } from './systems/torch.js';
import type { Contender } from './systems/types.js';
import { startWebgl, type WebglSession } from './systems/webgl.js';

/** The contenders of a run and the resources to release at its end. */
export interface Lineup {
  contenders: Contender[];
  torch: TorchSession | null;
  /** The onnxruntime peers, when asked for. */
  onnxruntime: OrtSession | null;
  /** Whether tfjs-layers shares the Recur tfjs backends' engine (`null`: no tfjs-layers reference ran). */
  tfjsSharedEngine: boolean | null;
  /** How each Recur backend that reports one chose its kernels (`kernelInfo.detail`), by system. */
  kernels: Record<string, string>;
  /** `threads: 'auto'` choices so far (`threadChoices()` of recur-js), by system; call after the run. */
  threadChoices(): Record<string, ThreadChoiceRecord[]>;
  /** The runner's `recover` hook: revives a tfjs engine that a failure killed (see `restartEngine`). */
  recover(group: string): Promise<string | null>;
  /** Ends PyTorch's process and the browser (webgl). */
  close(): Promise<void>;
}

/** The groups that are tfjs engines (a failure there may need the engine revived). */
export const tfjsEngines: readonly string[] = ['cpu', 'wasm', 'tensorflow'];

async function recoverGroup(group: string): Promise<string | null> {
  if (!tfjsEngines.includes(group)) return null;
  const engine = group as TfjsEngine;
  if (await engineAlive(engine)) return null;
  try {
    await restartEngine(engine);
    return `this killed the tfjs ${engine} engine; it was revived and the other systems measured again`;
  } catch (error) {
    return `this killed the tfjs ${engine} engine and it could not be restarted (${oneLine(error)})`;
  }
}

const groupOrder = ['host', ORT_WEB_GROUP, 'cpu', 'wasm', 'tensorflow', 'webgl'];
const engineSuffix: Record<TfjsEngine, string> = { cpu: 'cpu', wasm: 'wasm', tensorflow: 'node' };

/** The tfjs engine whose tfjs-layers a backend is compared with. */
function referenceEngine(name: NodeBackendName): TfjsEngine {
  return backendEngine[name] ?? 'cpu';
}

/** Loads the backends, starts PyTorch and prepares the tfjs-layers references. */
export async function buildLineup(options: BenchOptions, torchThreads: number): Promise<Lineup> {
  const contenders: Contender[] = [];
  const paths: ('fused' | 'composed')[] = options.path === 'both' ? ['fused', 'composed'] : [options.path];
  const kernels: Record<string, string> = {};
  const choosers: Record<string, () => ThreadChoiceRecord[]> = {};
  const nodeBackends = options.backends.filter((b): b is NodeBackendName => b !== 'webgl');
  for (const name of nodeBackends) {
    const loaded = await loadBackend(name, { jsThreads: options.jsThreads });
    const info =
      'backend' in loaded ? (loaded.backend as { kernelInfo?: { detail: string } }).kernelInfo : undefined;
    if (info !== undefined) kernels[`recur-${name}`] = info.detail;
    const chooser = 'backend' in loaded ? (loaded.backend as Partial<JsBackend>).threadChoices : undefined;
    if (chooser !== undefined) choosers[`recur-${name}`] = chooser;
    for (const path of paths) contenders.push(recurContender(name, loaded, path));
  }
  let torch: TorchSession | null = null;
  if (options.references.includes('torch')) {
    torch = await startTorch(options.python, options.torchThreads ?? torchThreads);
    contenders.push(...torch.contenders);
  }
  let tfjsSharedEngine: boolean | null = null;
  if (options.references.includes('tfjs-layers')) {
    const engines = [...new Set(nodeBackends.map(referenceEngine))];
    for (const engine of engines) {
      const c = await tfjsLayersContender(engineSuffix[engine], engine);
      contenders.push(c);
      if (c.unavailable === undefined) tfjsSharedEngine = true;
      else if (/tfjs-core instance|not registered in this tfjs engine/.test(c.unavailable))
        tfjsSharedEngine = false;
    }
  }
  let onnxruntime: OrtSession | null = null;
  const ortKinds = options.references.filter((r): r is OrtKind => r.startsWith('onnxruntime'));
  if (ortKinds.length > 0) {
    onnxruntime = await startOnnxruntime(ortKinds);
    contenders.push(...onnxruntime.contenders);
  }
  // webgl runs in headless Chromium, with its tfjs-layers reference on the same engine there.
  let webgl: WebglSession | null = null;
  if (options.backends.includes('webgl')) {
    webgl = await startWebgl(paths, options.references.includes('tfjs-layers'));
    contenders.push(...webgl.contenders);
    if (webgl.detail !== null) kernels['recur-webgl'] = webgl.detail;
  }
  contenders.sort((a, b) => groupOrder.indexOf(a.group) - groupOrder.indexOf(b.group));
  const close = async () => {
    torch?.close();
    await onnxruntime?.close();
    await webgl?.close();
  };
  const threadChoices = () =>
    Object.fromEntries(Object.entries(choosers).map(([system, choices]) => [system, choices()]));
  return {
    contenders,
    torch,
    onnxruntime,
    tfjsSharedEngine,
    kernels,
    threadChoices,
    recover: recoverGroup,
    close,
  };
}
